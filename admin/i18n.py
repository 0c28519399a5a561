"""The admin's language, chosen per request: the session's choice, else the official's own
language, else Chinese.

Three catalogs are in play. Flask-Admin's own strings come from its ``zh_Hans_CN`` catalog
and WTForms' from its ``zh`` one; both are found from the Babel locale ``zh_Hans_CN``. Ours
are the project's ``locales/<zh_Hans|en>/LC_MESSAGES/messages.mo`` (the bot's catalogs,
compiled at start-up by ``models.core.i18n.compile_catalogs``), whose folder is named for the
project's locale code, not Babel's; ``CatalogDomain`` maps one to the other.
"""
from __future__ import annotations

from babel import support
from flask import Blueprint, redirect, request, session
from flask_babel import Babel, Domain, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import cached_property

from models.core.i18n import LANGUAGE_NAMES, LOCALES_DIR, negotiate

from .redirects import referrer_path, safe_target

# Project locale code -> the Babel locale that Flask-Admin's and WTForms' catalogs answer to.
BABEL_LOCALES = {"zh_Hans": "zh_Hans_CN", "en": "en"}
DEFAULT = "zh_Hans_CN"

bp = Blueprint("lang", __name__)


def project_locale(babel_locale=None) -> str:
    """``zh_Hans`` or ``en`` for the request's (or the given) Babel locale."""
    return negotiate(str(babel_locale or get_locale() or DEFAULT))


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in BABEL_LOCALES:
        return BABEL_LOCALES[chosen]
    if getattr(current_user, "is_authenticated", False) and getattr(current_user, "language", None):
        return BABEL_LOCALES[negotiate(current_user.language)]
    return DEFAULT


class CatalogDomain(Domain):
    """The default domain, read from ``locales/<project locale>/`` (see module docstring)."""

    def __init__(self):
        super().__init__(str(LOCALES_DIR), domain="messages")

    def get_translations(self):
        code = project_locale()
        try:
            return self.cache[code]
        except KeyError:
            translations = support.Translations.load(str(LOCALES_DIR), [code], "messages")
            self.cache[code] = translations
            return translations


class WusheBabel(Babel):
    @cached_property
    def domain_instance(self):
        return CatalogDomain()


babel = WusheBabel()


@bp.route("/lang/<code>")
def switch(code: str):
    """Remember the chosen language in the session and go back where the official was."""
    if code in BABEL_LOCALES:
        session["lang"] = code
    return redirect(safe_target(request.args.get("next") or referrer_path()))


def languages() -> list[tuple[str, str]]:
    return list(LANGUAGE_NAMES.items())


def template_gettext(string: str, **variables) -> str:
    """``_()`` for the dashboard template, as in Python code: a translation is used as it
    is. Jinja's own gettext %-formats every translation (``rv % variables``), so a Chinese
    text such as "最多按100%计" would raise; and its result is returned unescaped."""
    text = _(string)
    return text % variables if variables else text

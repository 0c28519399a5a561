"""Translations and locale-aware formatting, chosen per user or per request, never globally.

Catalogs are the ``.po`` files in ``locales/``; they are compiled in memory when first used,
so no build step is needed. Source strings (msgids) are English; Chinese is the default
locale. ``gettext`` and ``ngettext`` of a ``Translator`` take whole sentences with named
placeholders.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from models.core.paths import LOCALES_DIR

SUPPORTED = ("zh_Hans", "en")
DEFAULT = "zh_Hans"
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "en": "English"}


def negotiate(code: str | None, default: str = DEFAULT) -> str:
    """Map a Telegram ``language_code`` ("zh-hans", "zh-CN", "en-US") to a supported locale."""
    if not code:
        return default
    c = code.replace("-", "_").lower()
    if c.startswith("zh"):
        return "zh_Hans"
    if c.startswith("en"):
        return "en"
    return default


@lru_cache(maxsize=None)
def _translations(locale: str) -> NullTranslations:
    po = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


class Translator:
    """Everything a user-facing edge needs for one locale."""

    def __init__(self, locale: str = DEFAULT, tz: str = "Asia/Shanghai"):
        self.locale = locale if locale in SUPPORTED else DEFAULT
        self.babel_locale = Locale.parse("zh_Hans_CN" if self.locale == "zh_Hans" else "en_US")
        self._t = _translations(self.locale)
        self.tz = tz

    def gettext(self, msgid: str, **kw) -> str:
        text = self._t.gettext(msgid)
        return text.format(**kw) if kw else text

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int, **kw) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text.format(n=n, **kw)

    @property
    def is_zh(self) -> bool:
        return self.locale.startswith("zh")

    def number(self, value) -> str:
        return numbers.format_decimal(value, locale=self.babel_locale)

    def percent(self, value: float | None) -> str:
        if value is None:
            return "—"
        return numbers.format_percent(value / 100, format="#,##0.0%", locale=self.babel_locale)

    def money(self, value) -> str:
        return numbers.format_currency(Decimal(str(value)), "CNY", locale=self.babel_locale)

    def date(self, value: dt.date | str, fmt: str = "medium") -> str:
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        return dates.format_date(value, format=fmt, locale=self.babel_locale)

    def weekday(self, value: dt.date) -> str:
        return dates.format_date(value, format="EEE", locale=self.babel_locale)


def translator(locale: str | None) -> Translator:
    return _cached(locale or DEFAULT)


@lru_cache(maxsize=8)
def _cached(locale: str) -> Translator:
    return Translator(locale)


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it here."""
    return msgid


def compile_catalogs(directory: Path = LOCALES_DIR) -> list[Path]:
    """Write ``messages.mo`` beside every ``messages.po`` that is newer (for Flask-Babel,
    which reads compiled catalogs). Called at start-up, so no build step is needed."""
    written = []
    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        with mo.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo)
    return written

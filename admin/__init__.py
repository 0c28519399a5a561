"""Wushe's web admin: Flask + Flask-Admin for county and city officials.

``create_app(settings=None, config=None)`` builds the app (flaskr style); ``run_admin.py``
serves it. Chinese by default, English by ``/lang/en`` (``/lang/zh_Hans`` back). Every page
but the sign-in page needs an official's account; what an official sees is cut to their
subtree by ``models.org.access``.

The rooms:

* ``menu.py``: every page in menu order, registered in one loop (the dashboard is the index).
* ``views/``: one module per area, each over ``base.py`` (``Secured``, ``ScopedModelView``,
  the CSRF form base); no view imports another view.
* ``labels.py``: one wording for pace states, statuses, place levels and roles.
* ``downloads.py``: every CSV/XLSX/PDF/PNG response (content type, file name, formula guard).
* ``exports.py`` and ``answers.py``: the tables and answers exports and pages show;
  ``scoping.py``, ``formatting.py``, ``chart_cache.py``: what the views share.
* ``auth.py`` (sign-in, sessions, accounts) and ``i18n.py`` (the language per request).
* ``security.py`` (headers, cookies, the proxy in front) and ``redirects.py`` (where a
  redirect may go).
"""
from __future__ import annotations

import logging
import secrets
import threading

import peewee

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from models.core.db import database, init_db
from models.core.i18n import compile_catalogs
from models.core.settings import Settings, load_settings
from models.extensions import install

from . import auth, health, redirects, security
from .base import csrf
from .chart_cache import CHART_TTL
from .i18n import DEFAULT, babel, project_locale, select_locale
from .i18n import bp as lang_bp
from .labels import JINJA_FILTERS
from .menu import build_admin

log = logging.getLogger("wushe.admin")


def create_app(settings: Settings | None = None, config: dict | None = None) -> Flask:
    settings = settings or load_settings()
    install()
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=settings.admin_secret_key,
        ADMIN_SESSION_IDLE_MINUTES=settings.admin_session_idle_minutes,
        ADMIN_COOKIE_SECURE=settings.admin_cookie_secure,  # admin.security
        ADMIN_TRUSTED_PROXIES=settings.admin_trusted_proxies,
        WTF_CSRF_TIME_LIMIT=8 * 3600,  # a working day with a form left open
        MAX_CONTENT_LENGTH=1024 * 1024,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        # False when the caller has bound models.core.db.database already (the tests' db_url).
        WUSHE_BIND_DATABASE=True,
        DASHBOARD_CHART_TTL=CHART_TTL,
    )
    app.config.update(config or {})
    if not app.config["SECRET_KEY"]:
        if not app.testing:
            settings.require("admin_secret_key")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if app.config["WUSHE_BIND_DATABASE"]:
        init_db(settings.database_url, pool=True)  # PostgreSQL: a pool (_database_per_request)
    compile_catalogs()
    app.extensions["wushe"] = {"settings": settings}

    security.init_app(app)
    redirects.guard(app)
    babel.init_app(app, locale_selector=select_locale, default_locale=DEFAULT,
                   default_timezone=settings.timezone)
    csrf.init_app(app)
    auth.init_app(app)
    app.register_blueprint(lang_bp)
    app.register_blueprint(health.bp)
    _database_per_request(app)
    _error_pages(app)

    app.jinja_env.filters.update(JINJA_FILTERS)  # period, person, language, telegram_error
    @app.route("/favicon.ico")
    def favicon():
        """Browsers ask here whatever a page links (base.html links it too)."""
        return app.send_static_file("favicon.ico")

    @app.context_processor
    def ui_locale():
        return {"ui_locale": project_locale()}

    build_admin().init_app(app)
    return app


def _database_per_request(app: Flask) -> None:
    """Open a connection for each request and give it back after (``models.core.db.connection``
    semantics: a connection the caller already holds is reused and left open).

    Given back, not thrown away: a PostgreSQL connection goes back to the pool ``init_db``
    made (a new one costs the server a process), and SQLite's stays open in its thread for
    the next request, as the bot's does (``bot.context``): opening one set its pragmas and
    read the schema anew (~6 ms), closing the last one checkpointed the WAL, and its page
    cache started cold on every request."""

    kept = threading.local()  # the SQLite connection a request of this thread left open

    @app.before_request
    def open_connection():
        if request.endpoint and (request.endpoint.rsplit(".", 1)[-1] == "static"
                                 or request.endpoint in ("health.healthz", "favicon")):
            return  # /healthz opens its own, and answers 503 when it cannot
        opened = database.connect(reuse_if_open=True)
        g.wushe_db_opened = opened or getattr(kept, "conn", None) is database.connection()

    @app.teardown_request
    def close_connection(exc):
        if not g.pop("wushe_db_opened", False) or database.is_closed():
            return
        if not isinstance(database.obj, peewee.SqliteDatabase):
            database.close()
            return
        kept.conn = database.connection()
        if kept.conn.in_transaction:  # kept, but never holding a transaction (or its lock)
            database.rollback()


def _error_pages(app: Flask) -> None:
    messages = {
        400: _l("The request could not be understood."),
        403: _l("You do not have permission to do this."),
        404: _l("This page does not exist, or it is outside your area."),
        413: _l("What was sent is larger than this page accepts."),
        429: _l("Too many attempts. Please wait a while."),
        500: _l("Something went wrong on our side. It has been logged; please try again."),
    }

    def page(code: int, message=None):
        return render_template("wushe/error.html", code=code,
                               message=message or messages.get(code, messages[500])), code

    for code in (400, 403, 404, 413):
        app.register_error_handler(code, lambda e, code=code: page(code))

    @app.errorhandler(CSRFError)
    def csrf_failed(e):
        return page(400, _l("The form has expired or was not sent from this site. "
                             "Please go back, reload the page and try again."))

    @app.errorhandler(500)
    def server_error(e):
        who = current_user.get_id() if current_user else None
        log.error("unhandled error on %s %s (admin user %s): %r", request.method, request.path,
                  who, getattr(e, "original_exception", e))
        return page(500)

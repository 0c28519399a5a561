"""Wushe's web admin: Flask + Flask-Admin for county and city officials.

``create_app(settings=None, config=None)`` builds the app (flaskr style); ``run_admin.py``
serves it. Chinese by default, English by ``/lang/en`` (``/lang/zh_Hans`` back). Every page
but the sign-in page needs an official's account; what an official sees is cut to their
subtree by ``models.org.access``.

Contract for the dashboard (``admin/dashboard.py``, owned by the dashboard engineer)
-----------------------------------------------------------------------------------
* Registration. If ``admin/dashboard.py`` exists, ``create_app`` calls
  ``admin.dashboard.init_app(app, admin_ext)`` after adding its own views and before
  ``admin_ext.init_app(app)`` registers them with Flask, so ``init_app`` may
  ``admin_ext.add_view(...)`` more views. To become the page shown after sign-in, it calls
  ``admin.replace_index_view(admin_ext, DashboardView())`` (keep AdminIndexView's default
  endpoint ``"admin"`` and URL ``/admin``). Without ``dashboard.py`` the index is
  ``admin.base.HomeView``, which redirects to the reports list.
* Access. Put ``admin.base.Secured`` first in the bases:
  ``class DashboardView(Secured, flask_admin.AdminIndexView)``. It requires a signed-in,
  active official (anonymous visitors are redirected to ``/login?next=...``); serve charts
  from ``@expose`` routes on that view so the same check applies (a plain Flask route would
  need ``flask_login.login_required``). Data: ``models.org.access.scope_root(current_user)`` is
  the org unit to compute for (pass it to ``models.plans.progress.plan_progress`` / ``breakdown``);
  ``models.org.access.scoped(query, Model, current_user)`` cuts any query; a place code from the
  URL goes through ``admin.base.unit_in_scope(code)`` (404 outside the scope).
* Templates. Extend ``admin/master.html`` and fill ``{% block body %}``: it resolves to our
  base template ``wushe/base.html`` (the theme's ``base_template``: navigation, language
  switch, sign-out). Our own strings use ``_()`` / flask_babel ``gettext`` with English msgids.
* Helpers. ``admin.base.current_settings()`` (the Settings), ``admin.base.today()`` (today in
  ``TIMEZONE``), ``admin.i18n.project_locale()`` (``"zh_Hans"`` / ``"en"``, for
  ``models.core.i18n.translator``).
"""
from __future__ import annotations

import importlib.util
import logging
import secrets

from flask import Flask, g, render_template, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from models.core.db import database, init_db
from models.core.i18n import compile_catalogs
from models.core.settings import Settings, load_settings
from models.extensions import install

csrf = CSRFProtect()
log = logging.getLogger("wushe.admin")


def replace_index_view(admin_ext: Admin, view) -> None:
    """Make ``view`` the admin's index (the page after sign-in); before ``init_app``.

    Flask-Admin sets its index view in ``Admin()`` or ``Admin.init_app``; this swaps it in
    between, in the one place that touches Flask-Admin's internals for it.
    """
    admin_ext._set_admin_index_view(index_view=view)


def create_app(settings: Settings | None = None, config: dict | None = None) -> Flask:
    settings = settings or load_settings()
    install()
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=settings.admin_secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=8 * 3600,  # a working day with a form left open
        MAX_CONTENT_LENGTH=1024 * 1024,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        # False when the caller has bound models.core.db.database already (the tests' db_url).
        WUSHE_BIND_DATABASE=True,
    )
    app.config.update(config or {})
    if not app.config["SECRET_KEY"]:
        if not app.testing:
            settings.require("admin_secret_key")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if app.config["WUSHE_BIND_DATABASE"]:
        init_db(settings.database_url)
    compile_catalogs()
    app.extensions["wushe"] = {"settings": settings}

    from . import auth
    from .i18n import DEFAULT, babel, select_locale
    from .i18n import bp as lang_bp

    babel.init_app(app, locale_selector=select_locale, default_locale=DEFAULT,
                   default_timezone=settings.timezone)
    csrf.init_app(app)
    auth.init_app(app)
    app.register_blueprint(lang_bp)
    _database_per_request(app)
    _error_pages(app)

    from .i18n import project_locale

    @app.context_processor
    def ui_locale():
        return {"ui_locale": project_locale()}

    admin_ext = build_admin()
    if importlib.util.find_spec(f"{__name__}.dashboard") is not None:
        from . import dashboard

        dashboard.init_app(app, admin_ext)
    admin_ext.init_app(app)
    return app


def build_admin() -> Admin:
    from .audit import AuditLogView
    from .base import HomeView
    from .places import OrgUnitView
    from .plans import IndicatorView, PlanView, TargetView
    from .reports import ReportView
    from .workers import InviteView, WorkerView
    from models.core.schema import AuditLog, Indicator, Invite, OrgUnit, Plan, Report, Target, Worker

    admin_ext = Admin(name=_l("Wushe"), index_view=HomeView(name=_l("Home")),
                      theme=Bootstrap4Theme(base_template="wushe/base.html", fluid=True))
    plans = _l("Plans and targets")
    admin_ext.add_views(
        ReportView(Report, name=_l("Reports"), endpoint="reports"),
        WorkerView(Worker, name=_l("Workers"), endpoint="workers"),
        InviteView(Invite, name=_l("Invites"), endpoint="invites"),
        OrgUnitView(OrgUnit, name=_l("Places"), endpoint="places"),
        PlanView(Plan, name=_l("Plans"), endpoint="plans", category=plans),
        IndicatorView(Indicator, name=_l("Indicators"), endpoint="indicators", category=plans),
        TargetView(Target, name=_l("Targets"), endpoint="targets", category=plans),
        AuditLogView(AuditLog, name=_l("Audit log"), endpoint="audit"),
    )
    from .applications import ApplicationView
    from models.core.schema import Application

    admin_ext.add_view(ApplicationView(Application, name=_l("Pilot applications"),
                                       endpoint="applications"))
    from .linkage import LinkageView

    admin_ext.add_view(LinkageView(name=_l("Linkage index"), endpoint="linkage"))
    from .registry import init_views as registry_views

    registry_views(admin_ext)
    from .imports import init_views as import_views

    import_views(admin_ext)
    _add_push_views(admin_ext)
    return admin_ext


def _add_push_views(admin_ext: Admin) -> None:
    """Telegram groups, the deliveries to them, and the digests (issue 5)."""
    from .digests import DigestView
    from .groups import DeliveryView, GroupView
    from models.core.schema import Delivery, Group

    pushes = _l("Pushes")
    admin_ext.add_views(
        GroupView(Group, name=_l("Groups"), endpoint="groups", category=pushes),
        DeliveryView(Delivery, name=_l("Deliveries"), endpoint="deliveries", category=pushes),
        DigestView(name=_l("Digests"), endpoint="digests", category=pushes),
    )


def _database_per_request(app: Flask) -> None:
    """Open a connection for each request and close it after (``models.core.db.connection``
    semantics: a connection the caller already holds is reused and left open)."""

    @app.before_request
    def open_connection():
        if request.endpoint and request.endpoint.rsplit(".", 1)[-1] == "static":
            return
        g.wushe_db_opened = database.connect(reuse_if_open=True)

    @app.teardown_request
    def close_connection(exc):
        if g.pop("wushe_db_opened", False) and not database.is_closed():
            database.close()


def _error_pages(app: Flask) -> None:
    messages = {
        400: _l("The request could not be understood."),
        403: _l("You do not have permission to do this."),
        404: _l("This page does not exist, or it is outside your area."),
        429: _l("Too many attempts. Please wait a while."),
        500: _l("Something went wrong on our side. It has been logged; please try again."),
    }

    def page(code: int, message=None):
        return render_template("wushe/error.html", code=code,
                               message=message or messages.get(code, messages[500])), code

    for code in (400, 403, 404):
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

"""Officials' accounts: sign-in with a hashed password, throttled guessing, sign-out.

Repeated failures are slowed per username and client address: after ``FREE_TRIES`` failures
the pair is locked for a minute, then twice as long after each further failure (at most an
hour). The failures are kept as audit rows (actor ``ip:<address>``), so the lock holds across
processes and restarts and is itself on record. Another address is not locked by someone
guessing elsewhere; a guess from many addresses is caught by the account-wide lock
(``AdminUser.failed_logins`` / ``locked_until``) after ``ACCOUNT_TRIES`` failures in a row.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models.org import access, accounts
from models.org.accounts import MIN_PASSWORD, AccountError  # noqa: F401 (re-exported)
from models.core.db import database
from models.core.schema import AdminUser, AuditLog
from models.core.schema import now as _utcnow

from .i18n import is_local_url

FREE_TRIES = 5
FIRST_LOCK = dt.timedelta(minutes=1)
MAX_LOCK = dt.timedelta(hours=1)
ACCOUNT_TRIES = 20
ACCOUNT_LOCK = dt.timedelta(minutes=15)
MEMORY = dt.timedelta(hours=24)  # failures older than this are forgotten

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def now() -> dt.datetime:
    """UTC, naive (as stored). A module function so tests can move the clock."""
    return _utcnow()


class Official(UserMixin):
    """The signed-in ``AdminUser`` as Flask-Login wants it; other attributes pass through,
    so ``models.org.access`` takes it wherever it takes an ``AdminUser``."""

    def __init__(self, row: AdminUser):
        self.row = row

    def get_id(self) -> str:
        return str(self.row.id)

    @property
    def is_active(self) -> bool:
        return bool(self.row.active)

    def __getattr__(self, name):
        return getattr(self.row, name)


@login_manager.user_loader
def load_user(user_id: str) -> Official | None:
    try:
        row = AdminUser.get_or_none(AdminUser.id == int(user_id),
                                    AdminUser.active == True)  # noqa: E712
    except ValueError:
        return None
    return Official(row) if row else None


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def client_address() -> str:
    return request.remote_addr or "unknown"


def _recent(username: str, ip: str) -> list[AuditLog]:
    return list(AuditLog.select()
                .where(AuditLog.entity == "admin_user", AuditLog.entity_id == username,
                       AuditLog.actor == f"ip:{ip}",
                       AuditLog.action.in_(("login", "login_failed")),
                       AuditLog.at >= now() - MEMORY)
                .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(50))


def locked_until(username: str, ip: str) -> dt.datetime | None:
    """When ``username`` may next be tried from ``ip``, if that is in the future."""
    failures = []
    for row in _recent(username, ip):
        if row.action == "login":
            break
        failures.append(row)
    if len(failures) < FREE_TRIES:
        return None
    lock = min(FIRST_LOCK * 2 ** (len(failures) - FREE_TRIES), MAX_LOCK)
    until = failures[0].at + lock
    return until if until > now() else None


def _account_locked(user: AdminUser | None) -> bool:
    return bool(user and user.locked_until and user.locked_until > now())


def _record_failure(username: str, ip: str, user: AdminUser | None) -> None:
    with database.atomic():
        AuditLog.create(at=now(), actor=f"ip:{ip}", action="login_failed", entity="admin_user",
                        entity_id=username)
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= ACCOUNT_TRIES:
                user.locked_until = now() + ACCOUNT_LOCK
            user.save()


def _record_success(user: AdminUser, ip: str) -> None:
    with database.atomic():
        AuditLog.create(at=now(), actor=f"ip:{ip}", action="login", entity="admin_user",
                        entity_id=user.username)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now()
        user.save()


def authenticate(username: str, password: str, ip: str) -> tuple[AdminUser | None, str | None]:
    """(user, None) on success, else (None, reason) with reason ``locked`` or ``invalid``.

    A locked pair is refused without looking at the password, so guesses during a lock cost
    nothing and teach nothing. Unknown usernames fail and are throttled like known ones.
    """
    if locked_until(username, ip):
        return None, "locked"
    user = AdminUser.get_or_none(AdminUser.username == username)
    if _account_locked(user):
        return None, "locked"
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        _record_failure(username, ip, user)
        return None, "invalid"
    _record_success(user, ip)
    return user, None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user, problem = authenticate(form.username.data.strip(), form.password.data,
                                     client_address())
        if user is not None:
            login_user(Official(user))
            target = request.args.get("next", "")
            return redirect(target if is_local_url(target) else url_for("admin.index"))
        if problem == "locked":
            flash(_("Too many failed sign-ins. Please wait a while and try again."), "error")
            status = 429
        else:
            flash(_("Wrong username or password."), "error")
    return render_template("wushe/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/")
def root():
    return redirect(url_for("admin.index"))


def end_sessions(user: AdminUser) -> None:
    """End every session of ``user``, wherever it was opened: a session carries the account's
    ``session_version`` and stops being accepted when it changes."""
    AdminUser.update(session_version=AdminUser.session_version + 1).where(
        AdminUser.id == user.id).execute()


def create_user(username: str, password: str, *, role: str, org_code: str,
                display_name: str = "", language: str = "zh_Hans",
                actor: str = "cli", must_change_password: bool = False) -> AdminUser:
    """Create an official's account under the rules of ``models.org.accounts`` (the role
    table, the username rule); the password is stored only as a hash."""
    accounts.check_username((username or "").strip())
    if role not in access.ROLES:
        raise AccountError("unknown_role")
    accounts.check_password(password)
    unit = accounts.unit_by_code(org_code)
    return accounts.create_account(username, generate_password_hash(password), role=role,
                                   unit=unit, display_name=display_name, language=language,
                                   must_change_password=must_change_password, actor=actor)


def init_app(app) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)

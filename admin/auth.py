"""Officials' accounts: sign-in with a hashed password, throttled guessing, sessions that end.

Guessing is slowed per username and client address: after ``FREE_TRIES`` failures the pair is
locked for a minute, then twice as long after each further failure (at most an hour). When a
username collects ``ACCOUNT_TRIES`` failures within ``ACCOUNT_WINDOW`` from all addresses
together, every address that has failed for it since its last sign-in is locked too; an address
that has not failed is never locked, so nobody can lock an official out. Sign-ins, failures and
throttled attempts are audit rows (actor ``ip:<address>``), so the locks hold across processes
and restarts and are on record.

The answer does not tell whether a username exists: the same status, page and work (one
scrypt check, against a dummy hash for an unknown username, one audit row) for every wrong
username or password, and the same lock for every username.

A session carries the account's ``session_version`` from its sign-in and the time it was last
used; it is refused once the version has changed (``end_sessions``: sign-out, a password or
role change, a disabled account) or after ``ADMIN_SESSION_IDLE_MINUTES`` without a request.
"""
from __future__ import annotations

import datetime as dt
import secrets

from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models.org import access, accounts
from models.reports import queue
from models.org.accounts import MIN_PASSWORD, AccountError  # noqa: F401 (re-exported)
from models.core.db import database
from models.core.schema import AdminUser, AuditLog, audit
from models.core.schema import now as _utcnow

from .forms import CleanForm
from .redirects import is_local_path, safe_target

FREE_TRIES = 5
FIRST_LOCK = dt.timedelta(minutes=1)
MAX_LOCK = dt.timedelta(hours=1)
ACCOUNT_TRIES = 20
ACCOUNT_WINDOW = dt.timedelta(minutes=15)
MEMORY = dt.timedelta(hours=24)  # failures older than this are forgotten
# Checked instead of a real hash when the username is unknown, so that the answer takes as long.
DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(24))
# What a session holds besides Flask-Login's keys.
SESSION_VERSION = "wushe_version"
SESSION_SEEN = "wushe_seen"
THROTTLE_ACTIONS = ("login", "login_failed")  # the rows the locks are counted from

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


# -- sessions --------------------------------------------------------------------------------

def session_entries(user: AdminUser) -> dict:
    """What a session holds right after ``user`` signed in (also for tests and benchmarks that
    open a session without the sign-in form)."""
    return {"_user_id": str(user.id), "_fresh": True, SESSION_VERSION: user.session_version,
            SESSION_SEEN: now().isoformat()}


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["ADMIN_SESSION_IDLE_MINUTES"])


def _forget_session() -> None:
    for key in ("_user_id", "_fresh", "_id", SESSION_VERSION, SESSION_SEEN):
        session.pop(key, None)


def _idle_too_long() -> bool:
    try:
        seen = dt.datetime.fromisoformat(session[SESSION_SEEN])
    except (KeyError, TypeError, ValueError):
        return True
    return now() - seen > idle_limit()


@login_manager.user_loader
def load_user(user_id: str) -> Official | None:
    """The session's official, if the session is still good: the account is active, its
    session version is the one signed in with, and the session was used recently."""
    try:
        row = AdminUser.get_or_none(AdminUser.id == int(user_id),
                                    AdminUser.active == True)  # noqa: E712
    except ValueError:
        row = None
    if row is None or session.get(SESSION_VERSION) != row.session_version:
        _forget_session()
        return None
    if _idle_too_long():
        _forget_session()
        minutes = current_app.config["ADMIN_SESSION_IDLE_MINUTES"]
        flash(_("You were signed out after %(minutes)d minutes without activity. "
                "Please sign in again.", minutes=minutes), "info")
        return None
    session[SESSION_SEEN] = now().isoformat()
    return Official(row)


def start_session(user: AdminUser) -> None:
    """A fresh session for ``user`` (only the language choice is kept from before)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(Official(user))
    session.update({k: v for k, v in session_entries(user).items()
                    if k in (SESSION_VERSION, SESSION_SEEN)})


# -- throttling ------------------------------------------------------------------------------

class LoginForm(CleanForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def client_address() -> str:
    """The client's address (behind a reverse proxy, as ProxyFix reads it from the trusted
    proxies' X-Forwarded-For: see ADMIN_TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


def _pair(username: str, ip: str):
    return ((AuditLog.entity == "admin_user") & (AuditLog.entity_id == username)
            & (AuditLog.actor == f"ip:{ip}"))


def _failures(username: str, ip: str) -> list[AuditLog]:
    """The pair's failures since its last sign-in (within ``MEMORY``), newest first."""
    rows = (AuditLog.select()
            .where(_pair(username, ip), AuditLog.action.in_(THROTTLE_ACTIONS),
                   AuditLog.at >= now() - MEMORY)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(50))
    failures = []
    for row in rows:
        if row.action == "login":
            break
        failures.append(row)
    return failures


def _account_under_attack(username: str) -> bool:
    return (AuditLog.select()
            .where(AuditLog.entity == "admin_user", AuditLog.entity_id == username,
                   AuditLog.action == "login_failed", AuditLog.at >= now() - ACCOUNT_WINDOW)
            .count()) >= ACCOUNT_TRIES


def locked_until(username: str, ip: str) -> dt.datetime | None:
    """When ``username`` may next be tried from ``ip``, if that is in the future. Nothing
    here depends on whether the username exists."""
    failures = _failures(username, ip)
    if not failures:
        return None  # an address that has not failed is never locked
    until = None
    if len(failures) >= FREE_TRIES:
        until = failures[0].at + min(FIRST_LOCK * 2 ** (len(failures) - FREE_TRIES), MAX_LOCK)
    if _account_under_attack(username):
        until = max(until or now(), failures[0].at + ACCOUNT_WINDOW)
    return until if until and until > now() else None


def _record_throttle(username: str, ip: str, until: dt.datetime) -> None:
    """One audit row per lock (not one per refused attempt, which would let a guesser fill
    the log)."""
    latest_failure = _failures(username, ip)[0].at
    if not AuditLog.select().where(_pair(username, ip), AuditLog.action == "login_throttled",
                                   AuditLog.at >= latest_failure).exists():
        AuditLog.create(at=now(), actor=f"ip:{ip}", action="login_throttled",
                        entity="admin_user", entity_id=username,
                        after={"until": until.isoformat(timespec="seconds")})


def _record_failure(username: str, ip: str) -> None:
    AuditLog.create(at=now(), actor=f"ip:{ip}", action="login_failed", entity="admin_user",
                    entity_id=username)


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
    nothing and teach nothing. Every other attempt checks one hash (a dummy one for an unknown
    username) and writes one audit row, whoever it names.
    """
    until = locked_until(username, ip)
    if until:
        _record_throttle(username, ip, until)
        return None, "locked"
    user = AdminUser.get_or_none(AdminUser.username == username)
    matches = check_password_hash(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not user.active or not matches:
        _record_failure(username, ip)
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
        wanted = request.args.get("next")  # decided before anything is recorded
        target = safe_target(wanted) if is_local_path(wanted) else None
        user, problem = authenticate(form.username.data.strip(), form.password.data,
                                     client_address())
        if user is not None:
            start_session(user)
            return redirect(target or landing_url(user))
        if problem == "locked":
            flash(_("Too many failed sign-ins. Please wait a while and try again."), "error")
            status = 429
        else:
            flash(_("Wrong username or password."), "error")
    return render_template("wushe/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out here and everywhere else: the account's other sessions end too."""
    if current_user.is_authenticated:
        with database.atomic():
            end_sessions(current_user.row)
            audit(f"admin:{current_user.username}", "logout", "admin_user",
                  current_user.username)
    logout_user()
    _forget_session()
    return redirect(url_for("auth.login"))


@bp.route("/")
def root():
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    return redirect(url_for("admin.index"))


def landing_url(user) -> str:
    """Where an official lands: the review queue for a reviewer, else the dashboard."""
    return url_for("queue.index") if queue.is_reviewer(user) else url_for("admin.index")


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

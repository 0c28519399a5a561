"""Officials' accounts: the one rule table of where each role sits, the one username rule, who
may manage whose account, and the account changes themselves (each audited).

The command line (``run_admin.py --create-user``), the demo and the admin's accounts page all
go through here, so an account the page refuses is refused everywhere. Passwords arrive here
hashed (hashing is the admin's, ``admin.auth``); ending an account's sessions is the admin's
too (``admin.auth.end_sessions``), called by the admin after every change here that needs it.
"""
from __future__ import annotations

import re
import secrets

from models.core.db import database
from models.core.errors import ValidationError
from models.core.schema import AdminUser, OrgUnit, audit
from models.org import access

MIN_PASSWORD = 10
USERNAME_MIN, USERNAME_MAX = 3, 32
USERNAME_RE = re.compile(r"[A-Za-z0-9._-]{%d,%d}" % (USERNAME_MIN, USERNAME_MAX))
LEVELS = access.LEVELS
ROLE_LEVELS = access.ROLE_LEVELS  # the rule table (role -> levels), kept beside the roles
assert set(ROLE_LEVELS) == set(access.ROLES)
# The roles that manage accounts, and the roles each may give (inside their own scope).
MANAGERS = ("city_admin", "county_official")
GRANTS = {"city_admin": access.ROLES,
          "county_official": tuple(r for r in access.ROLES if r not in access.TREE_ROLES)}


class AccountError(ValidationError):
    """An account that cannot be made or changed; ``code`` names the rule (messages in
    ``models.core.messages.ACCOUNTS``)."""

    def __init__(self, code: str, **args):
        super().__init__("account", code, **args)


def check_username(username: str) -> str:
    """The username itself if it follows the one rule (3–32 letters, digits, ``._-``)."""
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise AccountError("username_invalid", min=USERNAME_MIN, max=USERNAME_MAX)
    return username


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError("password_short", min=MIN_PASSWORD)
    return password


def check_placement(role: str, unit: OrgUnit | None) -> None:
    """Refuse a role at a place the rule table does not give it."""
    if role not in ROLE_LEVELS:
        raise AccountError("unknown_role")
    if unit is None:
        raise AccountError("unknown_place")
    levels = ROLE_LEVELS[role]
    if unit.level not in levels or (role in access.TREE_ROLES and unit.parent_id is not None):
        raise AccountError(f"level_{levels[0]}")


def unit_by_code(code: str) -> OrgUnit:
    unit = OrgUnit.get_or_none(OrgUnit.code == (code or "").strip())
    if unit is None:
        raise AccountError("unknown_place")
    return unit


def one_time_password() -> str:
    """A password to hand over once: 12 characters, none that read alike (0/O, 1/l/I)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


# -- who manages whom ------------------------------------------------------------------------

def can_manage_accounts(user) -> bool:
    return getattr(user, "role", None) in MANAGERS and bool(getattr(user, "active", False))


def grantable_roles(manager) -> tuple[str, ...]:
    return GRANTS.get(getattr(manager, "role", None), ()) if can_manage_accounts(manager) else ()


def manageable(manager):
    """The accounts ``manager`` manages: a city admin every account, a county official those
    inside the county whose role they could give (none for other roles)."""
    if not can_manage_accounts(manager):
        return AdminUser.select().where(AdminUser.id.is_null())
    query = access.scoped(AdminUser.select(), AdminUser, manager)
    return query.where(AdminUser.role.in_(grantable_roles(manager)))


# -- changes -----------------------------------------------------------------------------------

def create_account(username: str, password_hash: str, *, role: str, unit: OrgUnit,
                   display_name: str = "", language: str = "zh_Hans",
                   must_change_password: bool = False, actor: str = "cli") -> AdminUser:
    """Create an account at a place the rule table allows; the caller checked the password."""
    username = check_username((username or "").strip())
    check_placement(role, unit)
    display_name = (display_name or "").strip()[:100] or username
    with database.atomic():
        if AdminUser.select().where(AdminUser.username == username).exists():
            raise AccountError("username_taken", username=username)
        user = AdminUser.create(username=username, display_name=display_name,
                                password_hash=password_hash, role=role, org_unit=unit,
                                language=language, must_change_password=must_change_password)
        audit(actor, "create", "admin_user", user.id,
              after={"username": username, "role": role, "org_unit": unit.code})
    return user


def set_active(account: AdminUser, active: bool, *, actor: str) -> None:
    with database.atomic():
        AdminUser.update(active=active, failed_logins=0, locked_until=None).where(
            AdminUser.id == account.id).execute()
        audit(actor, "enable" if active else "disable", "admin_user", account.id,
              before={"active": account.active}, after={"active": active})
    account.active = active


def set_password(account: AdminUser, password_hash: str, *, must_change: bool,
                 actor: str, action: str) -> None:
    """A new password (``action``: ``reset_password`` by a manager, ``change_password`` by
    the official); the hash is not audited, only that it changed."""
    with database.atomic():
        AdminUser.update(password_hash=password_hash, must_change_password=must_change,
                         failed_logins=0, locked_until=None).where(
            AdminUser.id == account.id).execute()
        audit(actor, action, "admin_user", account.id, after={"username": account.username})
    account.password_hash, account.must_change_password = password_hash, must_change


def set_role(account: AdminUser, role: str, unit: OrgUnit, *, actor: str) -> None:
    check_placement(role, unit)
    before = {"role": account.role, "org_unit": account.org_unit.code}
    with database.atomic():
        AdminUser.update(role=role, org_unit=unit).where(AdminUser.id == account.id).execute()
        audit(actor, "change_role", "admin_user", account.id, before=before,
              after={"role": role, "org_unit": unit.code})
    account.role, account.org_unit = role, unit

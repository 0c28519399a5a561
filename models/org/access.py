"""Who may see and change what: the one place where an official's scope is decided.

An official sees one subtree of the org-unit tree: a city admin the whole city, a county
official, a township officer and a viewer the subtree of their own org unit. A province
officer (省厅, the top of the Gansu pilot's approval chain) sees the whole tree: the tree has
no province unit (its root is the city of Ya'an, 5118), so the province is scoped to the
tree's root unit, wherever the account was created. Lists, detail pages, edits, exports,
charts and dashboards all ask here (``scoped(query, model, user)``, ``scope_root(user)``), so
a rule changes in one place. A row outside the scope is treated as if it did not exist.

``user`` is anything with ``role``, ``active`` and ``org_unit`` (an ``AdminUser`` or the
admin's logged-in wrapper around one). Knows nothing of Flask.
"""
from __future__ import annotations

from models.core.errors import NotFound, PermissionDenied
from models.core.schema import (ActionLine, AdminUser, Application, ApplicationStep, AuditLog, Contribution,
                     Delivery, Group, Indicator, Invite, OrgUnit, Photo, Plan, Report,
                     ReportKind, SocialOrganization, Station, Target, Volunteer, VolunteerHours,
                     Worker)

# The officials of the approval chain below the county and above the city (models/
# applications.py): 街道初核 and 省厅审批. They read what their scope holds and act on
# applications, but are not editors. (AdminUser.role is 16 characters wide, so "officer":
# "township_official" would not fit on PostgreSQL.)
TOWNSHIP_OFFICER = "township_officer"
PROVINCE_OFFICER = "province_officer"
# The 居(村)委会 of one community: reviews its reports and does the registry's first review
# (models/registry.py); an editor inside its community only.
COMMUNITY_STAFF = "community_staff"
ROLES = ("city_admin", "county_official", TOWNSHIP_OFFICER, PROVINCE_OFFICER, COMMUNITY_STAFF,
         "viewer")
EDITOR_ROLES = ("city_admin", "county_official", COMMUNITY_STAFF)
# THE rule table: the levels of place an account of each role may sit at (top down). A
# province officer sits at the tree's root (the tree has no province unit; its root is the
# city), a viewer anywhere (it only reads its subtree). ``models.org.accounts`` enforces it
# for the command line, the demo and the accounts page alike.
LEVELS = ("city", "county", "township", "community")
ROLE_LEVELS = {
    # (a tree whose root is a province, 浙江省 or 甘肃省, has its admin at the province)
    "city_admin": ("city", "province"),
    PROVINCE_OFFICER: ("city", "province"),
    "county_official": ("county",),
    TOWNSHIP_OFFICER: ("township",),
    COMMUNITY_STAFF: ("community",),
    "viewer": LEVELS,
}
# The one level of a role that has one, the province (whose scope is the tree) aside.
ROLE_UNIT_LEVEL = {role: levels[0] for role, levels in ROLE_LEVELS.items()
                   if len(levels) == 1 and role != PROVINCE_OFFICER}
# Roles whose scope is the whole tree, whatever unit the account was created at.
TREE_ROLES = ("city_admin", PROVINCE_OFFICER)

# Tables that belong to the whole city (plans and their parts, report kinds): every official
# reads them; only what hangs under an org unit is cut to a subtree.
CITYWIDE = (Plan, ActionLine, Indicator, ReportKind)


def _check(user) -> None:
    if getattr(user, "role", None) not in ROLES or not getattr(user, "active", False):
        raise PermissionDenied("not an active official")


def is_city_admin(user) -> bool:
    return getattr(user, "role", None) == "city_admin" and bool(getattr(user, "active", False))


def can_edit(user) -> bool:
    """Review reports, manage workers and invites, set targets (inside the scope)."""
    return getattr(user, "role", None) in EDITOR_ROLES and bool(getattr(user, "active", False))


def scope_root(user) -> OrgUnit:
    """The org unit whose subtree ``user`` may see: the tree's root (the city) for a city
    admin or a province officer (whatever unit the account was created at), else the
    account's own unit."""
    _check(user)
    unit = user.org_unit
    if user.role in TREE_ROLES:
        top = unit.path.strip("/").split("/")[0]
        if top != unit.code:
            unit = OrgUnit.get(OrgUnit.code == top)
    return unit


def scope_path(user) -> str:
    return scope_root(user).path


def in_scope(user, unit_or_path) -> bool:
    path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
    return path.startswith(scope_path(user))


def require_in_scope(user, unit_or_path) -> None:
    """Raise ``NotFound`` for a place outside the scope: out of scope looks like absent."""
    if not in_scope(user, unit_or_path):
        raise NotFound("org unit")


def units_in_scope(user):
    return OrgUnit.select().where(OrgUnit.path.startswith(scope_path(user)))


def _unit_ids(path: str):
    return OrgUnit.select(OrgUnit.id).where(OrgUnit.path.startswith(path))


def _ids_as_text(query, model):
    return query.select(model.id.cast("TEXT"))


def scoped(query, model, user):
    """``query`` over ``model`` cut to what ``user`` may see. Fails closed: a model this
    function does not know raises ``TypeError`` instead of being shown unfiltered."""
    path = scope_path(user)
    if model is OrgUnit:
        return query.where(OrgUnit.path.startswith(path))
    if model in (Report, Contribution, Application, SocialOrganization, Volunteer):
        return query.where(model.org_path.startswith(path))
    if model is VolunteerHours:
        return query.where(VolunteerHours.volunteer.in_(
            Volunteer.select(Volunteer.id).where(Volunteer.org_path.startswith(path))))
    if model is ApplicationStep:
        return query.where(ApplicationStep.application.in_(
            Application.select(Application.id).where(Application.org_path.startswith(path))))
    if model is Station:
        return query.where(Station.path.startswith(path))
    if model in (Worker, Invite, Target, AdminUser):
        return query.where(model.org_unit.in_(_unit_ids(path)))
    if model is Photo:
        return query.where(Photo.report.in_(
            Report.select(Report.id).where(Report.org_path.startswith(path))))
    if model is Group:  # a group not bound yet belongs to no place: the city admin's
        return query if is_city_admin(user) else query.where(Group.org_unit.in_(_unit_ids(path)))
    if model is Delivery:
        return query if is_city_admin(user) else query.where(Delivery.group.in_(
            Group.select(Group.id).where(Group.org_unit.in_(_unit_ids(path)))))
    if model is AuditLog:
        return query if is_city_admin(user) else query.where(_audit_scope(path))
    if model in CITYWIDE:
        return query
    raise TypeError(f"no scope rule for {model.__name__}")


def _audit_scope(path: str):
    """Below the city, the log entries about rows inside the scope (plans, accounts and
    sign-ins are the city admin's)."""
    by_entity = {
        "report": _ids_as_text(Report.select().where(Report.org_path.startswith(path)), Report),
        "worker": _ids_as_text(Worker.select().where(Worker.org_unit.in_(_unit_ids(path))), Worker),
        "invite": _ids_as_text(Invite.select().where(Invite.org_unit.in_(_unit_ids(path))), Invite),
        "target": _ids_as_text(Target.select().where(Target.org_unit.in_(_unit_ids(path))), Target),
        "org_unit": _ids_as_text(OrgUnit.select().where(OrgUnit.path.startswith(path)), OrgUnit),
        "application": _ids_as_text(
            Application.select().where(Application.org_path.startswith(path)), Application),
        "social_organization": _ids_as_text(SocialOrganization.select().where(
            SocialOrganization.org_path.startswith(path)), SocialOrganization),
        "volunteer": _ids_as_text(
            Volunteer.select().where(Volunteer.org_path.startswith(path)), Volunteer),
        "volunteer_hours": _ids_as_text(VolunteerHours.select().join(Volunteer).where(
            Volunteer.org_path.startswith(path)), VolunteerHours),
        "group": Group.select(Group.chat_id.cast("TEXT")).where(
            Group.org_unit.in_(_unit_ids(path))),
        "delivery": Delivery.select(Delivery.id.cast("TEXT")).join(Group).where(
            Group.org_unit.in_(_unit_ids(path))),
    }
    clause = None
    for entity, ids in by_entity.items():
        part = (AuditLog.entity == entity) & AuditLog.entity_id.in_(ids)
        clause = part if clause is None else clause | part
    return clause


def get_scoped(model, user, pk):
    """One row by primary key if ``user`` may see it, else ``NotFound``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(model.__name__) from None
    row = scoped(model.select(), model, user).where(model._meta.primary_key == pk).first()
    if row is None:
        raise NotFound(model.__name__)
    return row

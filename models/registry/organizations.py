"""Community social organizations and their 备案 (filing), as 津民发〔2018〕61号 三(二) and
三(四) ask: the 居(村)委会 does the first review (初审), the street (township) files; one
hub organization per street, with 2–3 full-time social workers. See the package's docstring
for the workflow's states."""
from __future__ import annotations

import datetime as dt

import peewee as pw

from models.core.db import database
from models.core.errors import ValidationError
from models.core.schema import OrgUnit, SocialOrganization, audit, now
from models.forms import parsing
from models.forms.particulars import parse_phone
from models.registry.vocabulary import (HUB_SOCIAL_WORKERS, RATINGS, REGISTRATIONS,
                                        RegistryError, category_code, count_of, date_of)

ORG_FIELDS = ("name", "category", "leader", "leader_phone", "members", "founded_on",
              "full_time_social_workers", "note")


def _snapshot(org: SocialOrganization) -> dict:
    return {"name": org.name, "category": org.category, "org_unit": org.org_unit.code,
            "leader": org.leader, "leader_phone": org.leader_phone, "members": org.members,
            "founded_on": org.founded_on, "status": org.status, "is_hub": org.is_hub,
            "full_time_social_workers": org.full_time_social_workers, "active": org.active,
            "registration": org.registration, "rating": org.rating}


def _set(org: SocialOrganization, action: str, actor: str, **values) -> SocialOrganization:
    """Change ``values`` and audit ``action`` with the row before and after, in one transaction."""
    with database.atomic():
        before = _snapshot(org)
        for field, value in values.items():
            setattr(org, field, value)
        org.save()
        audit(actor, action, "social_organization", org.id, before=before, after=_snapshot(org))
    return org


def _category(value) -> str:
    code = category_code(value)
    if code is None:
        raise RegistryError("category", "unknown_category")
    return code


def clean_organization(values: dict, *, today: dt.date | None = None) -> dict:
    """Check an organization's answers (a form, an imported row); the cleaned values, or the
    first ``ValidationError``. Keys: name, category (code, Chinese or English label), leader,
    leader_phone, members, founded_on, full_time_social_workers, note."""
    out = {"name": parsing.parse_text(values.get("name") or "", "name", max_length=200,
                                       multiline=False),
           "category": _category(values.get("category")),
           "leader": parsing.parse_text(values.get("leader") or "", "leader", max_length=100,
                                         multiline=False),
           "members": count_of(values.get("members", 0), "members"),
           "founded_on": date_of(values.get("founded_on"), "founded_on", today),
           "full_time_social_workers": count_of(values.get("full_time_social_workers") or 0,
                                              "full_time_social_workers", high=100),
           "leader_phone": None, "note": None}
    if values.get("leader_phone"):
        out["leader_phone"] = parse_phone(values["leader_phone"], "leader_phone")
    if values.get("note"):
        out["note"] = parsing.parse_text(values["note"], "note", max_length=1000)
    return out


def _lock(unit: OrgUnit) -> None:
    """Serialize hub checks per street on PostgreSQL (SQLite serializes every writer)."""
    if isinstance(database.obj, pw.PostgresqlDatabase):
        list(OrgUnit.select(OrgUnit.id).where(OrgUnit.id == unit.id).for_update())


def hub_of(township: OrgUnit) -> SocialOrganization | None:
    """The street's hub organization (not deregistered), if it has one."""
    return (SocialOrganization.select()
            .where(SocialOrganization.org_unit == township, SocialOrganization.is_hub == True,  # noqa: E712
                   SocialOrganization.status != "deregistered").first())


def _check_place(unit: OrgUnit, is_hub: bool, *, exclude: int | None = None) -> None:
    if not is_hub:
        if unit.level != "community":
            raise RegistryError("org_unit", "needs_community")
        return
    if unit.level != "township":
        raise RegistryError("org_unit", "hub_needs_township")
    _lock(unit)
    other = hub_of(unit)
    if other is not None and other.id != exclude:
        raise RegistryError("is_hub", "hub_exists", street=unit.name, name=other.name)


def _check_name(unit: OrgUnit, name: str, exclude: int | None = None) -> None:
    q = SocialOrganization.select().where(SocialOrganization.org_unit == unit,
                                          SocialOrganization.name == name)
    if exclude is not None:
        q = q.where(SocialOrganization.id != exclude)
    if q.exists():
        raise RegistryError("name", "duplicate_name")


def create_organization(unit: OrgUnit, values: dict, *, actor: str, is_hub: bool = False,
                        status: str = "pending", today: dt.date | None = None,
                        active: bool = True, registration: str = "filed",
                        rating: str | None = None) -> SocialOrganization:
    """Register an organization for 备案 in ``unit`` (its community; a hub: its street).

    ``status`` is ``pending`` for a new application; an import of an existing paper register
    may carry ``reviewed`` or ``filed``, or ``registered`` for one holding a registration (登记)
    already (``registration`` is then ``registered``; only such one may carry a ``rating``).
    """
    if status not in ("pending", "reviewed", "filed", "registered"):
        raise ValueError(status)
    if registration not in REGISTRATIONS:
        raise ValueError(registration)
    if status == "registered":
        registration = "registered"
    elif registration == "registered":
        raise ValueError("a registered organization has the status 'registered'")
    if rating is not None:
        _check_rating(rating, registration)
    cleaned = clean_organization(values, today=today)
    if is_hub and status == "reviewed":
        status = "pending"
    with database.atomic():
        _check_place(unit, is_hub)
        _check_name(unit, cleaned["name"])
        if is_hub and status in ("filed", "registered"):
            _check_staffing(cleaned["full_time_social_workers"])
        stamp = now()
        org = SocialOrganization.create(
            org_unit=unit, org_path=unit.path, is_hub=is_hub, status=status, active=active,
            registration=registration, rating=rating,
            reviewed_by=actor if status in ("reviewed", "filed") and not is_hub else None,
            reviewed_at=stamp if status in ("reviewed", "filed") and not is_hub else None,
            filed_by=actor if status == "filed" else None,
            filed_at=stamp if status == "filed" else None, **cleaned)
        audit(actor, "create", "social_organization", org.id, after=_snapshot(org))
    return org


def update_organization(org: SocialOrganization, values: dict, *, actor: str,
                        today: dt.date | None = None) -> SocialOrganization:
    """Correct an organization's particulars. A returned one goes back to its first review
    (its street, for a hub): correcting is resubmitting."""
    if org.status == "deregistered":
        raise RegistryError(None, "deregistered")
    merged = {k: getattr(org, k) for k in ORG_FIELDS}
    merged["category"] = org.category
    merged.update(values)
    cleaned = clean_organization(merged, today=today)
    with database.atomic():
        before = _snapshot(org)
        _check_name(org.org_unit, cleaned["name"], exclude=org.id)
        for k, v in cleaned.items():
            setattr(org, k, v)
        action = "update"
        if org.status == "returned":
            org.status, action = "pending", "resubmit"
        org.save()
        audit(actor, action, "social_organization", org.id, before=before, after=_snapshot(org))
    return org


def _org_township(org: SocialOrganization) -> OrgUnit | None:
    return org.org_unit if org.is_hub else org.org_unit.parent


def _is_community_of(unit: OrgUnit | None, org: SocialOrganization) -> bool:
    return unit is not None and not org.is_hub and unit.id == org.org_unit_id


def _is_street_of(unit: OrgUnit | None, org: SocialOrganization) -> bool:
    street = _org_township(org)
    return unit is not None and street is not None and unit.id == street.id


def allowed_actions(org: SocialOrganization, unit: OrgUnit | None) -> list[str]:
    """What an official acting for ``unit`` may do to ``org`` now: the buttons to show."""
    community, street = _is_community_of(unit, org), _is_street_of(unit, org)
    out = []
    if org.status == "pending" and not org.is_hub and community:
        out += ["review", "return"]
    if street and (org.status == "reviewed" or (org.status == "pending" and org.is_hub)):
        out += ["file", "return"]
    if org.status == "filed" and street:
        out.append("deregister")
    if org.status == "registered" and _is_district_of(unit, org):
        out.append("deregister")
    return out


def _check_staffing(count: int) -> None:
    low, high = HUB_SOCIAL_WORKERS
    if not low <= count <= high:
        raise RegistryError("full_time_social_workers", "hub_staffing", min=low, max=high,
                            count=count)


def staffing_issue(org: SocialOrganization) -> str | None:
    """For a hub: ``too_few`` / ``too_many`` full-time social workers, else None."""
    if not org.is_hub:
        return None
    low, high = HUB_SOCIAL_WORKERS
    n = org.full_time_social_workers or 0
    return "too_few" if n < low else "too_many" if n > high else None


def _transition(org: SocialOrganization, status: str, action: str, *, actor: str,
                opinion: str | None, **stamps) -> SocialOrganization:
    with database.atomic():
        before = _snapshot(org)
        org.status = status
        for k, v in stamps.items():
            setattr(org, k, v)
        if opinion is not None:
            org.note = opinion or org.note
        org.save()
        audit(actor, action, "social_organization", org.id, before=before,
              after={**_snapshot(org), "opinion": opinion or ""})
    return org


def review_organization(org: SocialOrganization, *, unit: OrgUnit, actor: str,
                        opinion: str = "") -> SocialOrganization:
    """初审 by the 居(村)委会 of the organization's community: pending → reviewed."""
    if org.is_hub:
        raise RegistryError(None, "hub_no_review")
    if org.status != "pending":
        raise RegistryError(None, "review_needs_pending")
    if not _is_community_of(unit, org):
        raise RegistryError(None, "review_level")
    return _transition(org, "reviewed", "review", actor=actor, opinion=opinion,
                       reviewed_by=actor, reviewed_at=now())


def file_organization(org: SocialOrganization, *, unit: OrgUnit, actor: str,
                      opinion: str = "") -> SocialOrganization:
    """备案 by the 街道(乡、镇): reviewed → filed (a hub: pending → filed, staffed 2–3)."""
    if org.status != ("pending" if org.is_hub else "reviewed"):
        raise RegistryError(None, "file_needs_reviewed")
    if not _is_street_of(unit, org):
        raise RegistryError(None, "file_level")
    if org.is_hub:
        _check_staffing(org.full_time_social_workers or 0)
    return _transition(org, "filed", "file", actor=actor, opinion=opinion, filed_by=actor,
                       filed_at=now())


def return_organization(org: SocialOrganization, *, unit: OrgUnit, actor: str,
                        reason: str) -> SocialOrganization:
    """Send an application back with a reason, at the level where it waits."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "required")
    if "return" not in allowed_actions(org, unit):
        if org.status not in ("pending", "reviewed"):
            raise RegistryError(None, "cannot_return")
        raise RegistryError(None, "review_level" if org.status == "pending" and not org.is_hub
                            else "file_level")
    return _transition(org, "returned", "return", actor=actor, opinion=reason)


def deregister_organization(org: SocialOrganization, *, unit: OrgUnit, actor: str,
                            reason: str) -> SocialOrganization:
    """The street strikes a filed organization off (it stops, or 三(二): it broke the rules);
    the district's registration authority a registered one."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "required")
    if org.status not in ("filed", "registered"):
        raise RegistryError(None, "cannot_deregister")
    if org.status == "registered":  # 注销登记: the district's registration authority
        if not _is_district_of(unit, org):
            raise RegistryError(None, "register_level")
    elif not _is_street_of(unit, org):
        raise RegistryError(None, "file_level")
    return _transition(org, "deregistered", "deregister", actor=actor, opinion=reason,
                       active=False)


def set_organization_active(org: SocialOrganization, active: bool, *,
                            actor: str) -> SocialOrganization:
    """Whether the organization is active (holds activities); the 浙江 plan counts active ones."""
    if org.status == "deregistered" and active:
        raise RegistryError(None, "deregistered")
    if org.active == active:
        return org
    return _set(org, "activate" if active else "deactivate", actor, active=active)


# -- 登记 (三(三), 三(四)) and 等级评估 ---------------------------------------------------------------

def _is_district_of(unit: OrgUnit | None, org: SocialOrganization) -> bool:
    """Whether ``unit`` is the district (county) whose registration authority (各区登记机关)
    the organization registers with."""
    return (unit is not None and unit.level == "county"
            and (org.org_path or "").startswith(unit.path))


def _check_rating(rating: str, registration: str) -> None:
    if rating not in RATINGS:
        raise RegistryError("rating", "unknown_rating")
    if registration != "registered":
        raise RegistryError("rating", "rating_needs_registered")


def mark_registration_candidate(org: SocialOrganization, candidate: bool, *, unit: OrgUnit,
                                actor: str) -> SocialOrganization:
    """三(三): the district puts a large, influential filed organization on its 拟登记台账 as a
    培育示范点 (``candidate``), or takes it off; only a filed one, only by its district."""
    if org.status != "filed" or org.registration == "registered":
        raise RegistryError(None, "candidate_needs_filed")
    if not _is_district_of(unit, org):
        raise RegistryError(None, "register_level")
    wanted = "candidate" if candidate else "filed"
    if org.registration == wanted:
        return org
    return _set(org, "candidate" if candidate else "uncandidate", actor, registration=wanted)


def register_organization(org: SocialOrganization, *, unit: OrgUnit, actor: str,
                          opinion: str = "") -> SocialOrganization:
    """登记: the district records that a filed organization (a candidate, or a street's hub,
    which 三(四) wants 注册登记) now holds a registration: filed → registered. A hub is
    registered only with its 2–3 full-time social workers."""
    if org.status != "filed":
        raise RegistryError(None, "register_needs_filed")
    if not _is_district_of(unit, org):
        raise RegistryError(None, "register_level")
    if org.is_hub:
        _check_staffing(org.full_time_social_workers or 0)
    return _transition(org, "registered", "register", actor=actor, opinion=opinion,
                       registration="registered")


def rate_organization(org: SocialOrganization, rating: str | None, *,
                      actor: str) -> SocialOrganization:
    """The 等级评估 result (1A–5A) of a registered organization, or none (expired, revoked)."""
    rating = (rating or "").strip().upper() or None
    if rating is not None:
        _check_rating(rating, org.registration if org.status == "registered" else "filed")
    if org.rating == rating:
        return org
    return _set(org, "rate", actor, rating=rating)

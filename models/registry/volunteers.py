"""Volunteers registered in their community (津民发〔2018〕61号 四(三)): one person, one
registration; the national volunteer system keys people by ID number, kept whole here only."""
from __future__ import annotations

import datetime as dt

from models.core.db import database
from models.core.errors import ValidationError
from models.core.schema import OrgUnit, Volunteer, Worker, audit
from models.forms import parsing
from models.forms.particulars import mask_id_number, parse_id_number, parse_phone
from models.registry.vocabulary import RegistryError, date_of, gender_code, id_type_code

VOLUNTEER_FIELDS = ("name", "gender", "phone", "id_type", "id_number", "team", "skills")


def _gender(value) -> str | None:
    if not parsing.normalize(str(value or "")):
        return None
    code = gender_code(value)
    if code is None:
        raise ValidationError("gender", "invalid_choice", value=value)
    return code


def _id_type(value) -> str:
    code = id_type_code(value)
    if code is None:
        raise RegistryError("id_type", "unknown_id_type")
    return code


def clean_volunteer(values: dict, *, keep_id: str | None = None,
                    today: dt.date | None = None) -> dict:
    """Check a volunteer's particulars (a report's answers, an imported row). Keys: name,
    gender (male/female, 男/女; optional), phone, id_type (default 居民身份证), id_number
    (optional), team, skills, registered_on (optional). A masked ID number equal to the mask
    of ``keep_id`` keeps ``keep_id`` (a corrected report carries the ID masked)."""
    out = {"name": parsing.parse_text(values.get("name") or "", "name", max_length=100,
                                       multiline=False),
           "gender": _gender(values.get("gender")),
           "phone": parse_phone(values.get("phone") or "", "phone"),
           "team": (parsing.parse_text(values["team"], "team", max_length=100, multiline=False)
                    if values.get("team") else None),
           "skills": (parsing.parse_text(values["skills"], "skills", max_length=200,
                                          multiline=False)
                      if values.get("skills") else None),
           "id_type": None, "id_number": None}
    raw = values.get("id_number")
    if raw:
        if keep_id and "*" in str(raw) and str(raw) == mask_id_number(keep_id):
            out["id_number"] = keep_id
            out["id_type"] = _id_type(values.get("id_type"))
        else:
            out["id_type"] = _id_type(values.get("id_type"))
            out["id_number"] = parse_id_number(str(raw), "id_number", out["id_type"])
    if "registered_on" in values:
        out["registered_on"] = date_of(values.get("registered_on"), "registered_on", today)
    return out


def volunteer_snapshot(v: Volunteer) -> dict:
    return {"name": v.name, "gender": v.gender, "phone": v.phone, "id_type": v.id_type,
            "id_number": mask_id_number(v.id_number), "team": v.team, "skills": v.skills,
            "org_unit": v.org_unit.code, "registered_on": v.registered_on, "active": v.active}


def check_unique_person(unit: OrgUnit, cleaned: dict, exclude: int | None = None) -> None:
    """One person, one registration: the same phone in the community, or the same ID number
    anywhere, among active volunteers (the national system keys volunteers by ID number)."""
    clause = (Volunteer.org_unit == unit) & (Volunteer.phone == cleaned["phone"])
    if cleaned.get("id_number"):
        clause = clause | (Volunteer.id_number == cleaned["id_number"])
    q = Volunteer.select().where(clause, Volunteer.active == True)  # noqa: E712
    if exclude is not None:
        q = q.where(Volunteer.id != exclude)
    twin = q.first()
    if twin is not None:
        field = "id_number" if cleaned.get("id_number") == twin.id_number and twin.id_number \
            else "phone"
        raise RegistryError(field, "volunteer_exists", name=twin.name)


def register_volunteer(unit: OrgUnit, values: dict, *, actor: str, registered_on: dt.date,
                       source: str = "admin", registered_by: Worker | None = None,
                       uid: str | None = None, today: dt.date | None = None) -> Volunteer:
    """Register a volunteer in a community (``source``: bot, import or admin)."""
    if unit.level != "community":
        raise RegistryError("org_unit", "needs_community")
    cleaned = clean_volunteer(values, today=today)
    cleaned.pop("registered_on", None)
    with database.atomic():
        check_unique_person(unit, cleaned)
        extra = {"uid": uid} if uid else {}
        v = Volunteer.create(org_unit=unit, org_path=unit.path, registered_on=registered_on,
                             registered_by=registered_by, source=source, **extra, **cleaned)
        audit(actor, "register", "volunteer", v.id, after=volunteer_snapshot(v))
    return v


def set_volunteer_active(v: Volunteer, active: bool, *, actor: str,
                         reason: str | None = None) -> Volunteer:
    """Deactivate (moved away, stopped) or reactivate a volunteer; their hours stay."""
    if v.active == active:
        return v
    with database.atomic():
        if active:
            check_unique_person(v.org_unit, {"phone": v.phone, "id_number": v.id_number},
                                 exclude=v.id)
        before = volunteer_snapshot(v)
        v.active = active
        v.save()
        audit(actor, "activate" if active else "deactivate", "volunteer", v.id, before=before,
              after={**volunteer_snapshot(v), "reason": reason or ""})
    return v

"""The registry of community social organizations (社区社会组织) and the volunteers' time bank.

Source: 天津市民政局《关于大力培育发展社区社会组织的指导意见》(津民发〔2018〕61号,
003_e46522dbaec760a4.txt). What it asks of a registry, and where this module does it:

* 三(二): organizations that cannot register with the civil-affairs bureau are *filed* (备案):
  the 居(村)委会 does the first review (初审) and reports up, the 街道(乡、镇) files. Here:
  ``pending`` → ``review_organization`` (by the organization's own community) → ``reviewed``
  → ``file_organization`` (by its street/township) → ``filed``; either level may
  ``return_organization`` with a reason (``returned``; corrected, it is pending again), and
  the street ``deregister_organization`` s a filed one (取缔 / 注销: ``deregistered``).
* 三(四): one hub organization (枢纽型社区社会组织联合会(服务中心)) per street/township, with
  2–3 full-time social workers (the text, as extracted, reads "配备23名"; the source page has
  "2-3"). A hub belongs to its street, not to a community, so it has no 居委会 review: the
  street files it. A second hub in the same street is refused; a hub is filed only with 2–3
  full-time social workers, and ``staffing_issue`` flags a filed hub whose staff later left
  that range.
* 一 and 四(三): the categories it names — 养老服务类, 社区服务类, 扶危助困类, 慈善救助类
  (the four to cultivate first) and 互助类 — and 其他 for the rest.
* 四(三): volunteers registered in the community, service recorded, time banks (时间银行):
  ``register_volunteer``, ``log_hours``, ``balance`` and ``time_bank``. The bank records
  deposits only (hours served); nothing here spends them, so a balance is hours served.

Reports feed the registry (models/sinks.py): the bot's "Volunteer registration" report is
the single entry of a volunteer and its "Volunteer service hours" report the single entry of
a service. The registry row follows its report: created with it (same uid: a report is stored
once, so is the volunteer), updated when a returned report is corrected and resubmitted;
when the report is rejected the volunteer is deactivated and the hours leave the bank, and
they come back if the report is accepted again. ID numbers are kept in full only in the
registry (the national export needs them); the report keeps them masked.

Every change is audited (entity ``social_organization``, ``volunteer``, ``volunteer_hours``).
Refusals are ``RegistryError(field, code, **args)`` (a ``ValidationError``): the bot and the
admin explain them with ``models.core.messages.explain`` like any other.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import peewee as pw

from models.core import messages
from models.forms import parsing
from models.reports import sinks
from models.core.db import database
from models.core.errors import ValidationError
from models.core.i18n import N_
from models.core.schema import (OrgUnit, Report, SocialOrganization, Volunteer, VolunteerHours, Worker,
                     audit, now)


class RegistryError(ValidationError):
    """A registry rule refused the change; ``code`` names the rule (see ``MESSAGES``)."""


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

#: 津民发〔2018〕61号 一 (the four to cultivate first), 四(三) (互助类), and the rest.
CATEGORIES = {
    "elderly_care": N_("Elderly care"),            # 养老服务类
    "community_service": N_("Community service"),  # 社区服务类
    "hardship_relief": N_("Help for people in hardship"),  # 扶危助困类
    "charity_relief": N_("Charitable relief"),     # 慈善救助类
    "mutual_aid": N_("Mutual aid"),                # 互助类
    "other": N_("Other"),                          # 其他
}
CATEGORY_ZH = {"elderly_care": "养老服务类", "community_service": "社区服务类",
               "hardship_relief": "扶危助困类", "charity_relief": "慈善救助类",
               "mutual_aid": "互助类", "other": "其他"}

STATUSES = {
    "pending": N_("Awaiting first review"),    # 待初审
    "reviewed": N_("Awaiting filing"),         # 已初审, 待备案
    "filed": N_("Filed"),                      # 已备案
    "returned": N_("Returned"),                # 已退回
    "deregistered": N_("Deregistered"),        # 已注销
}
STATUS_ZH = {"pending": "待初审", "reviewed": "待备案", "filed": "已备案", "returned": "已退回",
             "deregistered": "已注销"}

#: 三(四): "各街(乡、镇)级枢纽型社区社会组织联合会(服务中心)要配备2-3名社区社会组织专职社工".
HUB_SOCIAL_WORKERS = (2, 3)

GENDERS = {"male": N_("Male"), "female": N_("Female")}
GENDER_ZH = {"male": "男", "female": "女"}
#: The ID types of the national volunteer system; the bot takes resident ID cards only.
ID_TYPES = {"resident_id": "居民身份证", "hk_macao_permit": "港澳居民来往内地通行证",
            "taiwan_permit": "台湾居民来往大陆通行证", "passport": "护照",
            "foreign_permanent": "外国人永久居留身份证"}

HOURS_MIN, HOURS_MAX = Decimal("0.5"), Decimal("24")

MESSAGES = {
    "needs_community": N_("A community social organization belongs to a community or village."),
    "hub_needs_township": N_("A hub organization belongs to a street or township, not to a "
                             "community."),
    "hub_exists": N_("{street} already has a hub organization: {name}."),
    "hub_staffing": N_("A hub organization needs {min}–{max} full-time social workers; it "
                       "has {count}."),
    "unknown_category": N_("Please choose one of the categories."),
    "duplicate_name": N_("An organization with this name is already registered here."),
    "review_needs_pending": N_("Only an organization waiting for its first review can be "
                               "reviewed."),
    "hub_no_review": N_("A hub organization has no first review: its street files it."),
    "file_needs_reviewed": N_("Only an organization that passed its first review can be filed."),
    "cannot_return": N_("This organization cannot be returned at its current stage."),
    "resubmit_needs_returned": N_("Only a returned organization can be submitted again."),
    "cannot_deregister": N_("Only a filed organization can be deregistered."),
    "deregistered": N_("This organization is deregistered and can no longer be changed."),
    "review_level": N_("The first review is done by the residents' (villagers') committee of "
                       "the organization's community."),
    "file_level": N_("Filing is done by the street (township) the organization belongs to."),
    "not_a_phone": N_("Please send a mobile number of 11 digits (e.g. 13812345678), or a "
                      "landline with its area code."),
    "not_an_id_number": N_("That is not a valid ID card number (18 characters; the last one "
                           "may be X)."),
    "unknown_id_type": N_("Unknown kind of ID document."),
    "not_hours": N_("Please send the hours as a number, e.g. 2 or 1.5."),
    "hours_step": N_("Hours are recorded in half hours (e.g. 1.5)."),
    "hours_range": N_("Service hours must be between {min} and {max} per day."),
    "day_over_24": N_("This volunteer already has {logged} hours on that day, and a day has "
                      "at most {max}."),
    "volunteer_exists": N_("{name} is already registered as a volunteer (same phone or ID "
                           "number)."),
    "not_your_volunteer": N_("This volunteer is not registered in your community."),
    "volunteer_inactive": N_("This volunteer is no longer active."),
    "volunteer_not_found": N_("No active volunteer of your community matches that. Tap a name, "
                              "or type the full name or the phone number."),
    "volunteer_ambiguous": N_("Several volunteers match that: type the phone number instead."),
}
# One table of messages for the bot and the admin: the registry's codes join it.
messages.VALIDATION.update(MESSAGES)


# ---------------------------------------------------------------------------------------------
# Parsing what people type (the bot's field types "phone", "id_number", "hours")
# ---------------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def parse_phone(text: str, field: str = "phone") -> str:
    """A mainland mobile (11 digits, "+86" and separators dropped) or a landline with its
    area code ("022-23456789")."""
    s = parsing.normalize(text or "").replace(" ", "").replace("－", "-")
    if not s:
        raise ValidationError(field, "required")
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    digits = s.replace("-", "")
    if _MOBILE_RE.fullmatch(digits):
        return digits
    if _LANDLINE_RE.fullmatch(s):
        return s
    raise RegistryError(field, "not_a_phone")


def parse_id_number(text: str, field: str = "id_number", id_type: str = "resident_id") -> str:
    """A resident ID card number (18 characters, checksum and birth date checked); other
    document types only by their shape."""
    s = parsing.normalize(text or "").replace(" ", "").upper()
    if not s:
        raise ValidationError(field, "required")
    if id_type not in ID_TYPES:
        raise RegistryError("id_type", "unknown_id_type")
    if id_type != "resident_id":
        if not re.fullmatch(r"[A-Z0-9()（）-]{5,32}", s):
            raise RegistryError(field, "not_an_id_number")
        return s
    if not re.fullmatch(r"\d{17}[\dX]", s):
        raise RegistryError(field, "not_an_id_number")
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(s, _ID_WEIGHTS)) % 11]
    try:
        born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise RegistryError(field, "not_an_id_number") from None
    if s[-1] != check or born.year < 1900:
        raise RegistryError(field, "not_an_id_number")
    return s


def mask_id_number(value: str | None) -> str:
    """What displays show of an ID number: its first and last four characters."""
    if not value:
        return ""
    if "*" in value or len(value) <= 8:
        return value
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


_HOUR_WORDS = ("个小时", "小时", "个钟头", "钟头", "hours", "hour", "hrs", "hr", "h")


def parse_hours(text, field: str = "hours", *, low: Decimal = HOURS_MIN,
                high: Decimal = HOURS_MAX) -> str:
    """Hours of service in one day: "2", "1.5", "两小时", "1个半小时", "半小时"; half-hour
    steps between ``low`` and ``high`` (0.5–24). Returned as text ("1.5"), like money."""
    s = parsing.normalize(str(text if text is not None else "")).lower().replace(" ", "")
    if not s:
        raise ValidationError(field, "required")
    for word in _HOUR_WORDS:
        if s.endswith(word):
            s = s[: -len(word)]
            break
    half = Decimal(0)
    if s.endswith("半"):
        half, s = Decimal("0.5"), s[:-1].removesuffix("个")
    try:
        whole = Decimal(0) if not s and half else (
            Decimal(s) if re.fullmatch(r"\d+(\.\d+)?", s) else Decimal(parsing.chinese_to_int(s)))
    except (ValueError, InvalidOperation):
        raise RegistryError(field, "not_hours") from None
    if half and whole != whole.to_integral_value():
        raise RegistryError(field, "not_hours")
    value = whole + half
    if value * 2 != (value * 2).to_integral_value():
        raise RegistryError(field, "hours_step")
    if not low <= value <= high:
        raise RegistryError(field, "hours_range", min=low, max=int(high))
    return format(value.normalize(), "f")


def parse_field(f, text: str) -> str:
    """The registry's field types for the form engine (``models.forms.kinds.parse_answer``)."""
    if f.type == "phone":
        return parse_phone(text, f.name)
    if f.type == "id_number":
        return parse_id_number(text, f.name)
    if f.type == "hours":
        low = Decimal(str(f.min)) if f.min is not None else HOURS_MIN
        high = Decimal(str(f.max)) if f.max is not None else HOURS_MAX
        return parse_hours(text, f.name, low=low, high=high)
    raise ValidationError(f.name, "wrong_type")


# ---------------------------------------------------------------------------------------------
# Community social organizations: the 备案 workflow
# ---------------------------------------------------------------------------------------------

ORG_FIELDS = ("name", "category", "leader", "leader_phone", "members", "founded_on",
              "full_time_social_workers", "note")


def _snapshot(org: SocialOrganization) -> dict:
    return {"name": org.name, "category": org.category, "org_unit": org.org_unit.code,
            "leader": org.leader, "leader_phone": org.leader_phone, "members": org.members,
            "founded_on": org.founded_on, "status": org.status, "is_hub": org.is_hub,
            "full_time_social_workers": org.full_time_social_workers, "active": org.active}


def category_code(value) -> str | None:
    """A category as stored (its code) from a code, its Chinese name ("养老服务类", "养老服务")
    or its English label; None if it is none of them."""
    v = parsing.normalize(str(value or ""))
    for code, label in CATEGORIES.items():
        if v in (code, label, CATEGORY_ZH[code], CATEGORY_ZH[code].removesuffix("类")):
            return code
    return None


def _category(value) -> str:
    code = category_code(value)
    if code is None:
        raise RegistryError("category", "unknown_category")
    return code


def _count(value, field: str, *, low: int = 0, high: int = 100000) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        n = parsing.parse_int(str(value if value is not None else ""), field, min_value=low,
                              max_value=high)
    if n < low:
        raise ValidationError(field, "too_small", min=low)
    if n > high:
        raise ValidationError(field, "too_large", max=high)
    return n


def _date(value, field: str, today: dt.date | None) -> dt.date | None:
    if value in (None, ""):
        return None
    d = value if isinstance(value, dt.date) else None
    if d is None:
        try:
            d = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(field, "not_a_date") from None
    if today is not None and d > today:
        raise ValidationError(field, "future")
    return d


def clean_organization(values: dict, *, today: dt.date | None = None) -> dict:
    """Check an organization's answers (a form, an imported row); the cleaned values, or the
    first ``ValidationError``. Keys: name, category (code, Chinese or English label), leader,
    leader_phone, members, founded_on, full_time_social_workers, note."""
    out = {"name": parsing.parse_text(values.get("name") or "", "name", max_length=200),
           "category": _category(values.get("category")),
           "leader": parsing.parse_text(values.get("leader") or "", "leader", max_length=100),
           "members": _count(values.get("members", 0), "members"),
           "founded_on": _date(values.get("founded_on"), "founded_on", today),
           "full_time_social_workers": _count(values.get("full_time_social_workers") or 0,
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
                        active: bool = True) -> SocialOrganization:
    """Register an organization for 备案 in ``unit`` (its community; a hub: its street).

    ``status`` is ``pending`` for a new application; an import of an existing paper register
    may carry ``reviewed`` or ``filed``.
    """
    if status not in ("pending", "reviewed", "filed"):
        raise ValueError(status)
    cleaned = clean_organization(values, today=today)
    if is_hub and status == "reviewed":
        status = "pending"
    with database.atomic():
        _check_place(unit, is_hub)
        _check_name(unit, cleaned["name"])
        if is_hub and status == "filed":
            _check_staffing(cleaned["full_time_social_workers"])
        stamp = now()
        org = SocialOrganization.create(
            org_unit=unit, org_path=unit.path, is_hub=is_hub, status=status, active=active,
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
    """The street strikes a filed organization off (it stops, or 三(二): it broke the rules)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "required")
    if org.status != "filed":
        raise RegistryError(None, "cannot_deregister")
    if not _is_street_of(unit, org):
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
    with database.atomic():
        before = _snapshot(org)
        org.active = active
        org.save()
        audit(actor, "activate" if active else "deactivate", "social_organization", org.id,
              before=before, after=_snapshot(org))
    return org


# ---------------------------------------------------------------------------------------------
# Volunteers and the time bank
# ---------------------------------------------------------------------------------------------

VOLUNTEER_FIELDS = ("name", "gender", "phone", "id_type", "id_number", "team", "skills")


def gender_code(value) -> str | None:
    """``male`` / ``female`` from a code, 男/女(性) or the English word; None otherwise."""
    v = parsing.normalize(str(value or "")).lower()
    for code, label in GENDERS.items():
        if v in (code, label.lower(), GENDER_ZH[code], GENDER_ZH[code] + "性"):
            return code
    return None


def id_type_code(value) -> str | None:
    """An ID document type's code from its code or Chinese name (empty: 居民身份证)."""
    v = parsing.normalize(str(value or "")) or "resident_id"
    for code, label in ID_TYPES.items():
        if v in (code, label) or (code == "resident_id" and v in ("身份证", "二代身份证")):
            return code
    return None


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
    out = {"name": parsing.parse_text(values.get("name") or "", "name", max_length=100),
           "gender": _gender(values.get("gender")),
           "phone": parse_phone(values.get("phone") or "", "phone"),
           "team": (parsing.parse_text(values["team"], "team", max_length=100)
                    if values.get("team") else None),
           "skills": (parsing.parse_text(values["skills"], "skills", max_length=200)
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
        out["registered_on"] = _date(values.get("registered_on"), "registered_on", today)
    return out


def _vsnapshot(v: Volunteer) -> dict:
    return {"name": v.name, "gender": v.gender, "phone": v.phone, "id_type": v.id_type,
            "id_number": mask_id_number(v.id_number), "team": v.team, "skills": v.skills,
            "org_unit": v.org_unit.code, "registered_on": v.registered_on, "active": v.active}


def _check_unique_person(unit: OrgUnit, cleaned: dict, exclude: int | None = None) -> None:
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
        _check_unique_person(unit, cleaned)
        extra = {"uid": uid} if uid else {}
        v = Volunteer.create(org_unit=unit, org_path=unit.path, registered_on=registered_on,
                             registered_by=registered_by, source=source, **extra, **cleaned)
        audit(actor, "register", "volunteer", v.id, after=_vsnapshot(v))
    return v


def set_volunteer_active(v: Volunteer, active: bool, *, actor: str,
                         reason: str | None = None) -> Volunteer:
    """Deactivate (moved away, stopped) or reactivate a volunteer; their hours stay."""
    if v.active == active:
        return v
    with database.atomic():
        if active:
            _check_unique_person(v.org_unit, {"phone": v.phone, "id_number": v.id_number},
                                 exclude=v.id)
        before = _vsnapshot(v)
        v.active = active
        v.save()
        audit(actor, "activate" if active else "deactivate", "volunteer", v.id, before=before,
              after={**_vsnapshot(v), "reason": reason or ""})
    return v


def _day_total(v: Volunteer, day: dt.date, exclude_uid: str | None) -> Decimal:
    q = VolunteerHours.select(pw.fn.SUM(VolunteerHours.hours)).where(
        VolunteerHours.volunteer == v, VolunteerHours.date == day)
    if exclude_uid:
        q = q.where(VolunteerHours.uid != exclude_uid)
    return Decimal(str(q.scalar() or 0))


def log_hours(v: Volunteer, *, date: dt.date, hours, activity: str, actor: str,
              logged_by: Worker | None = None, report: Report | None = None,
              uid: str | None = None, check_day: bool = True) -> VolunteerHours:
    """Deposit service hours in the time bank: 0.5–24 per entry in half hours, and a
    volunteer's entries for one day never above 24. ``uid`` makes it idempotent: the same
    uid updates its entry instead of adding one."""
    value = Decimal(parse_hours(hours))
    activity = parsing.parse_text(activity or "", "activity", max_length=200)
    if not v.active:
        raise RegistryError("volunteer", "volunteer_inactive")
    with database.atomic():
        if check_day:
            logged = _day_total(v, date, uid)
            if logged + value > HOURS_MAX:
                raise RegistryError("hours", "day_over_24", logged=format(logged.normalize(), "f"),
                                    max=int(HOURS_MAX))
        row = VolunteerHours.get_or_none(VolunteerHours.uid == uid) if uid else None
        after = {"volunteer": v.uid, "date": date, "hours": value, "activity": activity}
        if row is None:
            extra = {"uid": uid} if uid else {}
            row = VolunteerHours.create(volunteer=v, date=date, hours=value, activity=activity,
                                        report=report, logged_by=logged_by, **extra)
            audit(actor, "log", "volunteer_hours", row.id, after=after)
        else:
            before = {"volunteer": row.volunteer.uid, "date": row.date, "hours": row.hours,
                      "activity": row.activity}
            row.volunteer, row.date, row.hours, row.activity = v, date, value, activity
            row.save()
            audit(actor, "update", "volunteer_hours", row.id, before=before, after=after)
    return row


def balance(v: Volunteer) -> Decimal:
    """A volunteer's time-bank balance: every hour served (nothing spends them here)."""
    total = (VolunteerHours.select(pw.fn.SUM(VolunteerHours.hours))
             .where(VolunteerHours.volunteer == v).scalar())
    return Decimal(str(total or 0))


def balances(volunteer_ids) -> dict[int, Decimal]:
    """Balances of many volunteers in one query (a list page)."""
    ids = list(volunteer_ids)
    if not ids:
        return {}
    rows = (VolunteerHours.select(VolunteerHours.volunteer, pw.fn.SUM(VolunteerHours.hours))
            .where(VolunteerHours.volunteer.in_(ids)).group_by(VolunteerHours.volunteer).tuples())
    return {vid: Decimal(str(total or 0)) for vid, total in rows}


@dataclass(frozen=True)
class CommunityBank:
    """One community's volunteers and time bank, as the plans measure them (000: registered
    ≥15 % of residents, ≥40 % of them with recorded hours in the year; 002: ≥10 %)."""

    community: OrgUnit
    registered: int        # active volunteers
    with_hours: int        # of them, with hours recorded in the year
    hours: Decimal         # hours recorded in the year
    balance: Decimal       # hours ever recorded (the bank's balance)

    @property
    def share_of_residents(self) -> float | None:
        pop = self.community.population
        return 100.0 * self.registered / pop if pop else None

    @property
    def share_with_hours(self) -> float | None:
        return 100.0 * self.with_hours / self.registered if self.registered else None


def time_bank(root: OrgUnit, year: int) -> list[CommunityBank]:
    """Per community under ``root`` (the community itself if it is one): volunteers, those
    with hours in ``year``, the year's hours and the balance. Four grouped queries."""
    communities = list(OrgUnit.select().where(OrgUnit.path.startswith(root.path),
                                              OrgUnit.level == "community")
                       .order_by(OrgUnit.path))
    inside = Volunteer.org_path.startswith(root.path)
    active = Volunteer.active == True  # noqa: E712
    registered = dict(Volunteer.select(Volunteer.org_unit, pw.fn.COUNT(Volunteer.id))
                      .where(inside, active).group_by(Volunteer.org_unit).tuples())
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = (VolunteerHours.select(Volunteer.org_unit, pw.fn.SUM(VolunteerHours.hours),
                                     pw.fn.COUNT(pw.fn.DISTINCT(VolunteerHours.volunteer)))
               .join(Volunteer).where(inside, VolunteerHours.date.between(start, end))
               .group_by(Volunteer.org_unit).tuples())
    year_hours = {u: Decimal(str(h or 0)) for u, h, _ in in_year}
    with_hours = dict(VolunteerHours.select(Volunteer.org_unit,
                                            pw.fn.COUNT(pw.fn.DISTINCT(VolunteerHours.volunteer)))
                      .join(Volunteer).where(inside, active,
                                             VolunteerHours.date.between(start, end))
                      .group_by(Volunteer.org_unit).tuples())
    ever = {u: Decimal(str(h or 0)) for u, h in
            VolunteerHours.select(Volunteer.org_unit, pw.fn.SUM(VolunteerHours.hours))
            .join(Volunteer).where(inside).group_by(Volunteer.org_unit).tuples()}
    return [CommunityBank(c, registered.get(c.id, 0), with_hours.get(c.id, 0),
                          year_hours.get(c.id, Decimal(0)), ever.get(c.id, Decimal(0)))
            for c in communities]


# ---------------------------------------------------------------------------------------------
# The bot: choosing a volunteer of one's community
# ---------------------------------------------------------------------------------------------

def _label(v: Volunteer) -> str:
    tail = (v.phone or "")[-4:]
    return f"{v.name} ·{tail}" if tail else v.name


def _active_in(unit_id: int):
    return (Volunteer.select().where(Volunteer.org_unit == unit_id,
                                     Volunteer.active == True)  # noqa: E712
            .order_by(Volunteer.name, Volunteer.id))


def volunteer_options(unit_id: int | None, value: str | None = None):
    """The active volunteers of the worker's community as choice options (value: the uid).
    With ``value``: that one volunteer's option, wherever they are (a stored answer shown)."""
    from models.forms.kinds import Option

    if value is not None:
        v = Volunteer.get_or_none(Volunteer.uid == value)
        return [Option(v.uid, _label(v), literal=True)] if v else []
    if unit_id is None:
        return []
    return [Option(v.uid, _label(v), literal=True) for v in _active_in(unit_id)]


def match_volunteer(unit_id: int | None, text: str, field: str = "volunteer") -> str:
    """A typed answer to "which volunteer": the full name, the phone, or its last four
    digits, among the active volunteers of the worker's community only."""
    s = parsing.normalize(text or "").replace(" ", "")
    if not s:
        raise ValidationError(field, "required")
    if unit_id is None:
        raise RegistryError(field, "volunteer_not_found")
    people = list(_active_in(unit_id))
    digits = s.replace("-", "")
    for test in (lambda v: v.name == s or _label(v).replace(" ", "") == s,
                 lambda v: digits.isdigit() and v.phone == digits,
                 lambda v: digits.isdigit() and len(digits) == 4 and (v.phone or "").endswith(digits)):
        found = [v for v in people if test(v)]
        if len(found) == 1:
            return found[0].uid
        if len(found) > 1:
            raise RegistryError(field, "volunteer_ambiguous")
    raise RegistryError(field, "volunteer_not_found")


# ---------------------------------------------------------------------------------------------
# Reports feed the registry (models/sinks.py)
# ---------------------------------------------------------------------------------------------

def _actor(report: Report) -> str:
    return f"tg:{report.worker.tg_user_id}" if report.worker_id else "system"


@sinks.register("volunteer")
def volunteer_from_report(report: Report, *, created: bool) -> Volunteer:
    """A "Volunteer registration" report made (or corrected): the volunteer, same uid.
    The report keeps the ID number masked; the registry keeps it whole."""
    values = dict(report.values)
    v = Volunteer.get_or_none(Volunteer.uid == report.uid)
    cleaned = clean_volunteer(values, keep_id=v.id_number if v else None)
    cleaned.pop("registered_on", None)
    unit = report.org_unit
    if unit.level != "community":
        raise RegistryError("org_unit", "needs_community")
    _check_unique_person(unit, cleaned, exclude=v.id if v else None)
    if v is None:
        v = Volunteer.create(uid=report.uid, org_unit=unit, org_path=report.org_path,
                             registered_on=report.activity_date, registered_by=report.worker,
                             source="bot", active=report.status != "rejected", **cleaned)
        audit(_actor(report), "register", "volunteer", v.id, after=_vsnapshot(v))
    else:
        before = _vsnapshot(v)
        for k, val in cleaned.items():
            setattr(v, k, val)
        v.registered_on = report.activity_date
        v.active = report.status != "rejected"
        v.save()
        audit(_actor(report), "update", "volunteer", v.id, before=before, after=_vsnapshot(v))
    if cleaned.get("id_number") and values.get("id_number") != mask_id_number(cleaned["id_number"]):
        values["id_number"] = mask_id_number(cleaned["id_number"])
        report.values = values
        Report.update(values=values).where(Report.id == report.id).execute()
    return v


@sinks.register("volunteer_hours")
def hours_from_report(report: Report, *, created: bool) -> VolunteerHours | None:
    """A "Volunteer service hours" report made (or corrected): its time-bank entry, same uid.
    Only a volunteer of the reporting worker's own community can be credited."""
    values = report.values
    v = Volunteer.get_or_none(Volunteer.uid == (values.get("volunteer") or ""))
    if v is None or v.org_unit_id != report.org_unit_id:
        raise RegistryError("volunteer", "not_your_volunteer")
    if report.status == "rejected":
        return None
    return log_hours(v, date=report.activity_date, hours=values.get("hours"),
                     activity=values.get("activity") or "", actor=_actor(report),
                     logged_by=report.worker, report=report, uid=report.uid)


@sinks.on_review("volunteer")
def volunteer_reviewed(report: Report, *, before: str) -> None:
    """A rejected registration takes the volunteer out of the registry's active count; if the
    report is accepted again, they are back."""
    v = Volunteer.get_or_none(Volunteer.uid == report.uid)
    if v is None:
        return
    if report.status == "rejected":
        set_volunteer_active(v, False, actor=report.reviewed_by or "system",
                             reason=report.reject_reason)
    elif before == "rejected":
        set_volunteer_active(v, True, actor=report.reviewed_by or "system")


@sinks.on_review("volunteer_hours")
def hours_reviewed(report: Report, *, before: str) -> None:
    """Rejected hours leave the bank; accepted again, they return (as they were, without the
    day check they passed when first stored)."""
    row = VolunteerHours.get_or_none(VolunteerHours.uid == report.uid)
    actor = report.reviewed_by or "system"
    if report.status == "rejected":
        if row is not None:
            audit(actor, "remove", "volunteer_hours", row.id,
                  before={"volunteer": row.volunteer.uid, "date": row.date, "hours": row.hours,
                          "activity": row.activity}, after={"reason": report.reject_reason})
            row.delete_instance()
    elif before == "rejected" and row is None:
        v = Volunteer.get_or_none(Volunteer.uid == (report.values.get("volunteer") or ""))
        if v is not None and v.active and v.org_unit_id == report.org_unit_id:
            log_hours(v, date=report.activity_date, hours=report.values.get("hours"),
                      activity=report.values.get("activity") or "", actor=actor,
                      logged_by=report.worker, report=report, uid=report.uid, check_day=False)


# ---------------------------------------------------------------------------------------------
# The national export (全国志愿服务信息系统 / 中国志愿服务网)
# ---------------------------------------------------------------------------------------------

#: Columns for the national volunteer-service information system's batch import.
#:
#: NOT CONFIRMED against the system's own template: its import templates (志愿者导入模板,
#: 服务时长/历史时数导入模板) are downloaded from inside the administrator back office and
#: are not published; the public pages found only mention that they exist. The columns follow
#: what the system is documented to key and record — volunteers by name, document type and
#: number (民政部《志愿服务记录与证明出具办法(试行)》, 2020, art. 4–6: personal basic
#: information, and per service its date, content and time in hours), the personal fields of
#: its registration form (性别, 民族, 政治面貌, 手机号码) and MZ/T 061-2016 志愿服务信息系统
#: 基本规范's data elements. 民族 and 政治面貌 are not collected here and stay empty. If the
#: template differs, rename or reorder these two lists; the rows follow them.
NATIONAL_VOLUNTEER_COLUMNS = ["姓名", "证件类型", "证件号码", "手机号码", "性别", "民族",
                              "政治面貌", "所属志愿团体", "服务技能", "所在社区", "注册日期"]
NATIONAL_HOURS_COLUMNS = ["姓名", "证件类型", "证件号码", "手机号码", "服务日期",
                          "服务时长(小时)", "服务内容", "服务地点(社区)", "记录人"]


def _id_type_zh(id_type: str | None, id_number: str | None) -> str:
    if not id_number:
        return ""
    code = id_type_code(id_type)
    return ID_TYPES[code] if code else str(id_type)


def _community_names(paths) -> dict[str, str]:
    codes = {p.strip("/").split("/")[-1] for p in paths}
    if not codes:
        return {}
    units = {u.code: u for u in OrgUnit.select().where(OrgUnit.code.in_(codes))}
    parents = {u.id: u.name for u in OrgUnit.select().where(
        OrgUnit.id.in_({u.parent_id for u in units.values() if u.parent_id}))}
    return {u.path: f"{parents.get(u.parent_id, '')}{u.name}" for u in units.values()}


def national_volunteers(root: OrgUnit, *, active_only: bool = True) -> tuple[str, list, list]:
    """The volunteers under ``root`` as (sheet title, headers, rows) for the national import:
    full ID numbers (the system keys volunteers by them), text cells throughout."""
    q = Volunteer.select(Volunteer.name, Volunteer.id_type, Volunteer.id_number, Volunteer.phone,
                         Volunteer.gender, Volunteer.team, Volunteer.skills, Volunteer.org_path,
                         Volunteer.registered_on).where(Volunteer.org_path.startswith(root.path))
    if active_only:
        q = q.where(Volunteer.active == True)  # noqa: E712
    people = list(q.order_by(Volunteer.org_path, Volunteer.name, Volunteer.id).tuples())
    places = _community_names({p[7] for p in people})
    rows = [[name, _id_type_zh(id_type, number), number or "", phone or "",
             GENDER_ZH.get(gender_code(gender) or "", ""), "", "", team or "", skills or "",
             places.get(path, ""), _iso(registered)]
            for name, id_type, number, phone, gender, team, skills, path, registered in people]
    return "志愿者", list(NATIONAL_VOLUNTEER_COLUMNS), rows


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def national_hours(root: OrgUnit, *, start: dt.date | None = None,
                   end: dt.date | None = None) -> tuple[str, list, list]:
    """Service hours under ``root`` (optionally in [start, end]) for the national import."""
    q = (VolunteerHours.select(Volunteer.name, Volunteer.id_type, Volunteer.id_number,
                               Volunteer.phone, VolunteerHours.date, VolunteerHours.hours,
                               VolunteerHours.activity, Volunteer.org_path,
                               VolunteerHours.logged_by)
         .join(Volunteer).where(Volunteer.org_path.startswith(root.path)))
    if start:
        q = q.where(VolunteerHours.date >= start)
    if end:
        q = q.where(VolunteerHours.date <= end)
    entries = list(q.order_by(VolunteerHours.date, Volunteer.name, VolunteerHours.id).tuples())
    places = _community_names({e[7] for e in entries})
    logger_ids = {e[8] for e in entries if e[8]}
    loggers = dict(Worker.select(Worker.id, Worker.display_name)
                   .where(Worker.id.in_(logger_ids)).tuples()) if logger_ids else {}
    rows = [[name, _id_type_zh(id_type, number), number or "", phone or "", _iso(day),
             format(Decimal(str(hours)).normalize(), "f"), activity, places.get(path, ""),
             loggers.get(logger, "")]
            for name, id_type, number, phone, day, hours, activity, path, logger in entries]
    return "服务时长", list(NATIONAL_HOURS_COLUMNS), rows


ORGANIZATION_COLUMNS = ["组织名称", "类别", "街道(乡镇)", "社区(村)", "负责人", "联系电话",
                        "成员人数", "成立日期", "备案状态", "枢纽型社区社会组织联合会",
                        "专职社工人数", "是否活跃", "初审人", "初审时间", "备案人", "备案时间",
                        "意见(退回原因)"]


def organization_table(orgs) -> tuple[str, list, list]:
    """The 备案 register as one sheet, in the document's terms."""
    orgs = list(orgs)
    units = {u.id: u for u in OrgUnit.select().where(
        OrgUnit.id.in_({o.org_unit_id for o in orgs}))} if orgs else {}
    parents = {u.id: u for u in OrgUnit.select().where(
        OrgUnit.id.in_({u.parent_id for u in units.values() if u.parent_id}))} if units else {}
    rows = []
    for o in orgs:
        unit = units[o.org_unit_id]
        street = unit if o.is_hub else parents.get(unit.parent_id)
        rows.append([o.name, CATEGORY_ZH.get(category_code(o.category) or "", o.category),
                     street.name if street else "", "" if o.is_hub else unit.name, o.leader,
                     o.leader_phone or "", o.members, o.founded_on,
                     STATUS_ZH.get(o.status, o.status), "是" if o.is_hub else "否",
                     o.full_time_social_workers if o.is_hub else None,
                     "是" if o.active else "否", o.reviewed_by or "", o.reviewed_at,
                     o.filed_by or "", o.filed_at, o.note or ""])
    return "社区社会组织备案名录", list(ORGANIZATION_COLUMNS), rows


# ---------------------------------------------------------------------------------------------
# The demo's registry
# ---------------------------------------------------------------------------------------------

DEMO_NAMES = {
    "elderly_care": ["银发互助会", "夕阳红服务队", "老年餐桌志愿队", "助老陪伴团"],
    "community_service": ["邻里服务社", "楼门长联谊会", "环境美化队", "便民维修队"],
    "hardship_relief": ["帮困结对小组", "爱心帮扶队", "残疾人互助小组"],
    "charity_relief": ["慈善爱心社", "微心愿工作室", "爱心超市理事会"],
    "mutual_aid": ["邻里互助会", "时间银行互助社", "四点半课堂家长会"],
    "other": ["文体协会", "书画社", "太极拳队", "合唱团"],
}
DEMO_CATEGORY_WEIGHTS = {"elderly_care": 5, "community_service": 5, "hardship_relief": 3,
                         "charity_relief": 2, "mutual_aid": 3, "other": 4}
DEMO_SKILLS = ["理发", "陪护", "电脑维修", "心理疏导", "法律咨询", "文艺表演", "医疗护理",
               "家电维修", "课业辅导", "摄影", "书法", "垃圾分类宣传"]
DEMO_SERVICES = ["敬老院陪护", "独居老人探访", "社区环境整治", "四点半课堂辅导", "义诊义剪",
                 "防诈骗宣传", "垃圾分类督导", "文明交通劝导", "助残送餐", "邻里纠纷调解"]
DEMO_LEADERS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
DEMO_GIVEN = ["秀英", "桂英", "建华", "建国", "志强", "海燕", "丽娟", "红梅", "晓燕", "静",
              "敏", "磊", "伟", "芳", "军", "勇", "杰", "涛", "明", "霞", "平", "文", "华",
              "春梅", "德明", "小燕", "婷", "佳怡", "子豪", "欣怡", "浩然", "俊杰"]


def _demo_id(rng, region: str, year_range=(1950, 2004)) -> str:
    born = dt.date(rng.randrange(*year_range), rng.randrange(1, 13), rng.randrange(1, 29))
    body = f"{region[:6].ljust(6, '0')}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS)) % 11]


def demo_registry(seed: int, today: dt.date, *, scale: float = 1.0, create_user=None,
                  logins: list | None = None) -> dict:
    """Organizations (a hub per street, five or so per community, in every status), volunteers
    (6–22 % of residents, as imported rosters) and their hours, for the demo database; with
    ``create_user``, a 居委会 login and a street login (appended to ``logins``) to walk the
    备案 workflow. Deterministic for a seed; bulk inserts, no audit rows."""
    import random
    import secrets
    import uuid

    rng = random.Random(seed * 31 + 3)
    townships = list(OrgUnit.select().where(OrgUnit.level == "township").order_by(OrgUnit.path))
    communities = list(OrgUnit.select().where(OrgUnit.level == "community")
                       .order_by(OrgUnit.path))
    stamp = dt.datetime.combine(today, dt.time(1))
    orgs, people, hours = [], [], []
    statuses = [("filed", 70), ("reviewed", 8), ("pending", 10), ("returned", 4),
                ("deregistered", 3)]

    def person() -> str:
        return rng.choice(DEMO_LEADERS) + rng.choice(DEMO_GIVEN)

    def org_row(unit, name, category, status, *, hub=False, social_workers=0):
        founded = today - dt.timedelta(days=rng.randrange(90, 3650))
        reviewed = status in ("reviewed", "filed", "deregistered") and not hub
        filed = status in ("filed", "deregistered")
        return dict(name=name, category=category, org_unit=unit.id, org_path=unit.path,
                    leader=person(), leader_phone=f"13{rng.randrange(10**9):09d}",
                    members=rng.randrange(8, 120) if not hub else rng.randrange(10, 40),
                    founded_on=founded, status=status, is_hub=hub,
                    full_time_social_workers=social_workers,
                    active=status != "deregistered" and rng.random() < 0.85,
                    reviewed_by="demo-居委会" if reviewed else None,
                    reviewed_at=stamp if reviewed else None,
                    filed_by="demo-街道" if filed else None, filed_at=stamp if filed else None,
                    note="材料不全，请补充章程" if status == "returned" else None,
                    created_at=stamp)

    for t in townships:
        filed = rng.random() < 0.85
        orgs.append(org_row(t, f"{t.name}社区社会组织联合会", "community_service",
                            "filed" if filed else "pending", hub=True,
                            social_workers=rng.choice((2, 2, 3, 3)) if filed
                            else rng.choice((0, 1, 2))))
    for c in communities:
        n = rng.randrange(3, 9)
        names: set[str] = set()
        for _ in range(n):
            category = rng.choices(list(DEMO_CATEGORY_WEIGHTS),
                                   weights=list(DEMO_CATEGORY_WEIGHTS.values()))[0]
            name = c.name + rng.choice(DEMO_NAMES[category])
            if name in names:
                continue
            names.add(name)
            status = rng.choices([s for s, _ in statuses], weights=[w for _, w in statuses])[0]
            orgs.append(org_row(c, name, category, status))

    # Volunteers and hours are the bulk (tens of thousands of rows): built as plain tuples in
    # the driver's terms (dates as text on SQLite), inserted with executemany.
    sqlite = not isinstance(database.obj, pw.PostgresqlDatabase)
    as_db = str if sqlite else (lambda v: v)
    created = as_db(stamp)
    phones: set[str] = set()
    for c in communities:
        ratio = rng.uniform(0.06, 0.22)
        n = max(1, round((c.population or 1000) * ratio * scale))
        serving = rng.uniform(0.25, 0.65)
        teams = [f"{c.name}志愿服务队", f"{c.name}党员志愿服务队"]
        for _ in range(n):
            phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            if phone in phones:
                continue
            phones.add(phone)
            uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            registered = today - dt.timedelta(days=rng.randrange(0, 1100))
            with_id = rng.random() < 0.7
            people.append((uid, person(), rng.choice(("male", "female")),
                           "resident_id" if with_id else None,
                           _demo_id(rng, c.code) if with_id else None, phone, c.id, c.path,
                           rng.choice(teams), "、".join(rng.sample(DEMO_SKILLS, rng.randrange(1, 3))),
                           as_db(registered), "import", rng.random() < 0.96, created))
            if rng.random() < serving:
                for _ in range(rng.randrange(1, 4)):
                    day = max(registered, today - dt.timedelta(days=rng.randrange(0, 400)))
                    hours.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), uid,
                                  as_db(day), rng.choice(("1", "1.5", "2", "2", "3", "4")),
                                  rng.choice(DEMO_SERVICES), created))

    with database.atomic():
        SocialOrganization.insert_many(orgs).execute()
        _bulk_insert(Volunteer, ("uid", "name", "gender", "id_type", "id_number", "phone",
                                 "org_unit", "org_path", "team", "skills", "registered_on",
                                 "source", "active", "created_at"), people)
        ids = dict(Volunteer.select(Volunteer.uid, Volunteer.id).tuples())
        hours = [(u, ids[v], *rest) for u, v, *rest in hours]
        _bulk_insert(VolunteerHours, ("uid", "volunteer", "date", "hours", "activity",
                                      "created_at"), hours)
        _demo_workflow(communities, today)

    if create_user is not None and communities:
        community = communities[0]
        street = OrgUnit.get_by_id(community.parent_id)
        from models.org import access

        for username, role, unit, name in (
                ("juwei", access.COMMUNITY_STAFF, community, f"演示·{community.name}居委会"),
                ("jiedao", access.TOWNSHIP_OFFICER, street,
                 f"演示·{street.name}")):
            password = secrets.token_urlsafe(12)
            create_user(username, password, role=role, org_code=unit.code, display_name=name,
                        actor="demo")
            if logins is not None:
                logins.append({"username": username, "password": password, "role": role,
                               "scope": unit.name})
    return {"organizations": len(orgs), "hubs": len(townships), "volunteers": len(people),
            "hours_entries": len(hours)}


def _bulk_insert(model, names, rows: list[tuple]) -> None:
    """Rows of values for the columns ``names``, already as the driver takes them, through
    ``executemany`` (as ``demo.count_all`` does): a demo has tens of thousands of volunteers,
    and the ORM's per-row SQL building would take seconds."""
    if not rows:
        return
    fields = [model._meta.fields[n] for n in names]
    sql = (f"INSERT INTO {model._meta.table_name} ({', '.join(f.column_name for f in fields)}) "
           f"VALUES ({', '.join([database.param] * len(fields))})")
    database.cursor().executemany(sql, rows)


def _demo_workflow(communities, today: dt.date) -> None:
    """The first community of the demo has an application waiting for each level."""
    if not communities:
        return
    c = communities[0]
    for name, status in (("乐龄读书会", "pending"), ("邻里议事协商会", "pending"),
                         ("爱心理发队", "reviewed")):
        if not SocialOrganization.select().where(SocialOrganization.org_unit == c,
                                                 SocialOrganization.name == c.name + name).exists():
            SocialOrganization.create(
                name=c.name + name, category="community_service" if "议事" in name
                else "elderly_care", org_unit=c, org_path=c.path, leader="张秀英",
                leader_phone="13900000001", members=12, founded_on=today - dt.timedelta(days=60),
                status=status, reviewed_by="demo-居委会" if status == "reviewed" else None,
                reviewed_at=now() if status == "reviewed" else None)

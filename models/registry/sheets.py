"""The registry as sheets: the national volunteer-service system's batch imports (volunteers,
service hours) and the 备案 register of community social organizations."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from models.core.schema import OrgUnit, Volunteer, VolunteerHours, Worker
from models.registry.vocabulary import (CATEGORY_ZH, GENDER_ZH, ID_TYPES, REGISTRATION_ZH,
                                        STATUS_ZH, category_code, gender_code, id_type_code)

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
    # a city's tens of thousands of volunteers have a handful of distinct genders and
    # document types: each is normalized and named once, not once per person
    id_type_zh, gender_zh = lru_cache(maxsize=None)(_id_type_zh), lru_cache(maxsize=None)(
        lambda gender: GENDER_ZH.get(gender_code(gender) or "", ""))
    rows = [[name, id_type_zh(id_type, bool(number)) if number else "", number or "",
             phone or "", gender_zh(gender), "", "", team or "", skills or "",
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
                        "意见(退回原因)", "登记类型", "评估等级"]


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
                     o.filed_by or "", o.filed_at, o.note or "",
                     REGISTRATION_ZH.get(o.registration, o.registration), o.rating or ""])
    return "社区社会组织备案名录", list(ORGANIZATION_COLUMNS), rows

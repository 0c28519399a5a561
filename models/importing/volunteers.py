"""Volunteers, checked by the registry's own rules (``registry.clean_volunteer``)."""
from __future__ import annotations

import uuid

from models import registry
from models.core.errors import ValidationError
from models.core.i18n import N_
from models.core.schema import Volunteer, now
from models.forms import parsing
from models.importing.cells import (COUNTY_HINT, COMMUNITY, PARSE_ACTIVE, PHONE, TOWNSHIP_HINT,
                                    registry_check, registry_values)
from models.importing.entity import EntityImporter
from models.importing.reader import Column
from models.importing.writes import Op, changed, update_op, where_in


class VolunteerImporter(EntityImporter):
    """A volunteer register. One person, one registration, as ``registry.register_volunteer``
    has it: the same ID number anywhere or the same phone in the community is the same
    volunteer, so a second import updates them."""

    entity = "volunteers"
    label = N_("Volunteers")
    model = Volunteer
    sheet_title = "志愿者"
    columns = (
        Column("name", "姓名", ("志愿者姓名", "名字", "name"), required=True, note="必填"),
        Column("phone", "手机号码", PHONE, required=True,
               note="必填：11 位手机号，或带区号的固定电话；同一社区内按它识别同一人"),
        Column("community", "所属社区", COMMUNITY, required=True,
               note="必填：社区/村的代码，或不重名的名称"),
        Column("gender", "性别", ("gender",), note="可选：男/女"),
        Column("id_type", "证件类型", ("证件种类",), note="可选，默认居民身份证"),
        Column("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码", "证件号",
                                      "身份证"),
               note="可选；填写后在全系统按它识别同一人（身份证会校验）。请把该列设为文本格式"),
        Column("team", "志愿服务队", ("服务队", "所属队伍", "队伍", "志愿队", "所属服务队",
                                   "志愿者队伍", "团队", "所属志愿团体", "志愿团体")),
        Column("skills", "服务技能", ("技能", "特长", "专长", "技能特长", "服务特长",
                                   "服务意向")),
        Column("registered_on", "注册日期", ("登记日期", "注册时间", "登记时间", "加入日期",
                                          "入队日期"), note="可选，默认导入当天"),
        Column("active", "状态", ("志愿者状态", "在册状态", "是否在册"),
               note="可选：在册（默认）/注销"),
        TOWNSHIP_HINT, COUNTY_HINT,
    )
    FIELDS = {"name": "name", "phone": "phone", "gender": "gender", "id_type": "id_type",
              "id_number": "id_number", "team": "team", "skills": "skills",
              "registered_on": "registered_on", "org_unit": "community"}

    def prepare(self, rows):
        super().prepare(rows)
        self.by_id: dict[str, Volunteer] = {}
        self.by_phone: dict[tuple, Volunteer] = {}
        phones, ids = set(), set()
        for row in rows:
            for key, bucket, parse in (("phone", phones, registry.parse_phone),
                                       ("id_number", ids, lambda t, f: parsing.normalize(t)
                                        .replace(" ", "").upper())):
                try:
                    bucket.add(parse(row.text(key), key))
                except ValidationError:
                    pass
        for field_, values in ((Volunteer.phone, phones), (Volunteer.id_number, ids)):
            for v in where_in(Volunteer.select(), field_, sorted(values - {""})):
                if v.id_number:
                    self.by_id.setdefault(v.id_number, v)
                if v.phone:
                    self.by_phone.setdefault((v.org_unit_id, v.phone), v)
        self.seen: dict[tuple, int] = {}

    def check(self, row):
        registered = row.get("registered_on", lambda t, c: parsing.parse_date(
            t, c, today=self.today))
        active = row.get("active", PARSE_ACTIVE)
        unit = self.unit(row, "community", ("community",))
        if row.errors:
            return None
        raw = {k: row.text(k) for k in ("name", "phone", "gender", "id_type", "id_number",
                                        "team", "skills")}
        cleaned = registry_check(row, self.FIELDS, lambda: registry.clean_volunteer(
            {k: v for k, v in raw.items() if v}, today=self.today))
        if cleaned is None:
            return None
        cleaned.pop("registered_on", None)
        keys = [("id_number", cleaned["id_number"])] if cleaned["id_number"] else []
        keys.append(("phone", unit.id, cleaned["phone"]))
        for key in keys:
            if key in self.seen:
                row.fail(key[0], "duplicate_row", value=row.text(key[0]),
                         what="id_number" if key[0] == "id_number" else "person",
                         line=self.seen[key])
                return None
        for key in keys:
            self.seen[key] = row.line
        existing = (self.by_id.get(cleaned["id_number"]) if cleaned["id_number"] else None) \
            or self.by_phone.get((unit.id, cleaned["phone"]))
        if existing is not None and not self.in_scope(existing.org_path):
            key = "id_number" if cleaned["id_number"] else "phone"
            row.fail(key, "out_of_scope", value=row.text(key))
            return None
        if existing is None:
            return Op("create", row.line, dict(
                cleaned, uid=str(uuid.uuid4()), org_unit=unit.id, org_path=unit.path,
                registered_on=registered or self.today,
                active=True if active is None else active, source="import", created_at=now()))
        values = registry_values(cleaned, raw, always=("name", "phone"))
        values.update(registered_on=registered, active=active)
        changes = changed(existing, values)
        if existing.org_unit_id != unit.id:
            changes.update(org_unit=unit.id, org_path=unit.path)
        return update_op(row.line, existing, changes)

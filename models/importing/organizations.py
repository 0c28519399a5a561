"""Community social organizations: the 备案 register, checked by the registry's own rules."""
from __future__ import annotations

import re

from models import registry
from models.core.errors import ValidationError
from models.core.i18n import N_
from models.core.schema import OrgUnit, SocialOrganization, now
from models.forms import parsing
from models.importing.cells import (COUNTY_HINT, COMMUNITY, PARSE_ACTIVE, PHONE, TOWNSHIP_HINT,
                                    parse_yes_no, registry_check, registry_values, word_parser)
from models.importing.entity import EntityImporter
from models.importing.reader import Column, Row
from models.importing.writes import Op, changed, update_op, where_in


def parse_rating(text: str, column: str) -> str:
    s = parsing.normalize(text).upper().replace(" ", "").removesuffix("级")
    m = re.match(r"^([1-5])A$", s)
    if m:
        return f"{m.group(1)}A"
    if s and set(s) == {"A"} and len(s) <= 5:
        return f"{len(s)}A"
    try:
        n = parsing.chinese_to_int(s[:-1]) if s.endswith("A") else None
    except ValueError:
        n = None
    if n and 1 <= n <= 5:
        return f"{n}A"
    raise ValidationError(column, "bad_rating")


ORG_STATUS_WORDS = {"待初审": "pending", "待审核": "pending", "申请中": "pending",
                    "pending": "pending", "已初审": "reviewed", "初审通过": "reviewed",
                    "待备案": "reviewed", "reviewed": "reviewed",
                    "已备案": "filed", "备案": "filed", "filed": "filed",
                    # 登记 (registered with the registration authority) is not 备案
                    "已登记": "registered", "登记": "registered", "registered": "registered"}
PARSE_ORG_STATUS = word_parser(ORG_STATUS_WORDS, ("待初审", "已初审", "已备案", "已登记"))


class OrganizationImporter(EntityImporter):
    """The 备案 register of community social organizations, checked by the registry's own
    rules (``registry.clean_organization``; a hub belongs to a street, one per street, filed
    with 2–3 full-time social workers). A paper register may bring organizations already
    reviewed or filed; after that their status follows the registry's workflow, not imports."""

    entity = "organizations"
    label = N_("Community social organizations")
    model = SocialOrganization
    sheet_title = "社区社会组织"
    columns = (
        Column("name", "组织名称", ("社会组织名称", "社区社会组织名称", "名称", "单位名称",
                                  "name"), required=True, note="必填；同一社区内按名称识别"),
        Column("category", "类别", ("组织类别", "类型", "组织类型", "服务类别", "分类"),
               required=True,
               note="必填：养老服务类、社区服务类、扶危助困类、慈善救助类、互助类或其他"),
        Column("community", "所属社区", COMMUNITY,
               note="社区/村的代码或名称；枢纽型组织不填，填“乡镇（街道）”"),
        Column("leader", "负责人", ("负责人姓名", "法定代表人", "联系人"), required=True,
               note="必填"),
        Column("leader_phone", "负责人电话", ("负责人手机", "负责人联系电话") + PHONE),
        Column("members", "成员人数", ("成员数", "会员数", "人数", "成员数量", "会员人数")),
        Column("founded_on", "成立日期", ("成立时间", "成立年月")),
        Column("status", "备案状态", ("状态", "登记状态"),
               note="可选，仅新登记的组织：待初审（默认）、已初审、已备案、已登记（依法登记）；"
                    "已在系统中的组织以审核流程为准"),
        Column("is_hub", "枢纽型组织", ("是否枢纽型", "枢纽型", "是否枢纽型组织",
                                     "枢纽型社区社会组织联合会", "联合会"),
               note="可选：是/否（街道枢纽型社区社会组织联合会，属于街道）"),
        Column("full_time_social_workers", "专职社工人数", ("专职社工数", "专职社会工作者",
                                                         "专职社工")),
        Column("active", "是否活跃", ("活跃",), note="可选：是（默认）/否"),
        Column("rating", "评估等级", ("等级", "评级", "社会组织评估等级"),
               note="可选：1A—5A，仅已登记的组织"),
        Column("note", "备注", ("说明",)),
        TOWNSHIP_HINT, COUNTY_HINT,
    )
    FIELDS = {"name": "name", "category": "category", "leader": "leader",
              "leader_phone": "leader_phone", "members": "members",
              "founded_on": "founded_on", "full_time_social_workers": "full_time_social_workers",
              "note": "note", "org_unit": "community", "is_hub": "is_hub"}

    def prepare(self, rows):
        super().prepare(rows)
        names = sorted({row.text("name") for row in rows if row.text("name")})
        self.existing: dict[tuple, SocialOrganization] = {}
        for o in where_in(SocialOrganization.select(), SocialOrganization.name, names):
            self.existing[(o.org_unit_id, o.name)] = o
        self.hubs = {o.org_unit_id: o for o in SocialOrganization.select().where(
            SocialOrganization.is_hub == True,  # noqa: E712
            SocialOrganization.status != "deregistered")}
        self.seen: dict[tuple, int] = {}
        self.hub_rows: dict[int, int] = {}

    def _place(self, row: Row) -> OrgUnit | None:
        """The community; a hub's street may stand in the township column alone."""
        if row.text("community") or not row.text("township_hint"):
            return self.unit(row, "community", ("community", "township"))
        return self.unit(row, "township_hint", ("township",))

    def check(self, row):
        founded = row.get("founded_on", lambda t, c: parsing.parse_date(t, c, today=self.today))
        status = row.get("status", PARSE_ORG_STATUS)
        hub = row.get("is_hub", parse_yes_no)
        active = row.get("active", PARSE_ACTIVE)
        rating = row.get("rating", parse_rating)
        unit = self._place(row)
        if row.errors:
            return None
        if hub is None:
            hub = unit.level == "township"
        raw = {k: row.text(k) for k in ("name", "category", "leader", "leader_phone",
                                        "members", "full_time_social_workers", "note")}
        cleaned = registry_check(row, self.FIELDS, lambda: registry.clean_organization(
            {**{k: v for k, v in raw.items() if v}, "founded_on": founded}, today=self.today))
        if cleaned is None:
            return None
        place_key = "community" if row.text("community") else "township_hint"
        if not hub and unit.level != "community":
            row.fail(place_key, "needs_community", value=row.text(place_key))
        if hub and unit.level != "township":
            row.fail(place_key, "hub_needs_township", value=row.text(place_key))
        key = (unit.id, cleaned["name"])
        if key in self.seen:
            row.fail("name", "duplicate_row", value=cleaned["name"], what="organization",
                     line=self.seen[key])
        if row.errors:
            return None
        self.seen[key] = row.line
        existing = self.existing.get(key)
        if existing is not None and existing.status == "deregistered":
            row.fail("name", "deregistered", value=cleaned["name"])
            return None
        if hub and (existing is None or not existing.is_hub):
            other = self.hubs.get(unit.id)
            if other is not None and other.name != cleaned["name"]:
                row.fail("is_hub", "hub_exists", value=row.text("is_hub"), street=unit.name,
                         name=other.name)
                return None
            if unit.id in self.hub_rows:
                row.fail("is_hub", "duplicate_row", value=row.text("is_hub"),
                         what="organization", line=self.hub_rows[unit.id])
                return None
            self.hub_rows[unit.id] = row.line
        if existing is None:
            status = status or "pending"
            if hub and status == "reviewed":
                status = "pending"  # a hub has no first review: its street files it
            low, high = registry.HUB_SOCIAL_WORKERS
            staff = cleaned["full_time_social_workers"]
            if rating and status != "registered":
                row.fail("rating", "rating_needs_registered", value=row.text("rating"))
                return None
            if hub and status in ("filed", "registered") and not low <= staff <= high:
                row.fail("full_time_social_workers", "hub_staffing",
                         value=row.text("full_time_social_workers"), min=low, max=high,
                         count=staff)
                return None
            return Op("create", row.line, dict(
                cleaned, org_unit=unit.id, org_path=unit.path, is_hub=hub, status=status,
                active=True if active is None else active, rating=rating, created_at=now(),
                registration="registered" if status == "registered" else "filed"),
                extra={"reviewed": status in ("reviewed", "filed") and not hub,
                       "filed": status == "filed"})
        if rating and existing.status != "registered":
            row.fail("rating", "rating_needs_registered", value=row.text("rating"))
            return None
        values = registry_values(cleaned, raw, always=("name", "category", "leader"))
        values.update(founded_on=founded, active=active, rating=rating)
        changes = changed(existing, values)
        return update_op(row.line, existing, changes)

    def create_rows(self, creates, actor):
        """A register's organization already reviewed or filed: by the importing user, now."""
        stamp = now()
        rows = []
        for op in creates:
            v = dict(op.values, reviewed_by=None, reviewed_at=None, filed_by=None, filed_at=None)
            if op.extra["reviewed"]:
                v.update(reviewed_by=actor, reviewed_at=stamp)
            if op.extra["filed"]:
                v.update(filed_by=actor, filed_at=stamp)
            rows.append(v)
        return rows

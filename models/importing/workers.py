"""Community workers: a Telegram user id (how the bot knows them), a name and the community
they work in. Phone numbers have nowhere to go and are not imported."""
from __future__ import annotations

import re

from models.core.errors import ValidationError
from models.core.i18n import N_
from models.core.schema import Worker, now
from models.forms import parsing
from models.importing.cells import (COUNTY_HINT, COMMUNITY, TOWNSHIP_HINT, parse_name,
                                    parse_telegram_id, word_parser)
from models.importing.entity import EntityImporter
from models.importing.reader import Column
from models.importing.writes import Op, changed, update_op, where_in

USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
ROLE_WORDS = {"社区工作者": "worker", "工作人员": "worker", "社工": "worker", "社区干部": "worker",
              "网格员": "worker", "专职社工": "worker", "worker": "worker", "成员": "worker",
              "负责人": "leader", "组长": "leader", "站长": "leader", "书记": "leader",
              "主任": "leader", "社区书记": "leader", "社区主任": "leader", "leader": "leader"}
WORKER_STATUS_WORDS = {"在岗": "active", "启用": "active", "正常": "active", "有效": "active",
                       "active": "active", "停用": "disabled", "禁用": "disabled",
                       "离岗": "disabled", "离职": "disabled", "disabled": "disabled",
                       "待审核": "pending", "待审批": "pending", "pending": "pending"}
PARSE_ROLE = word_parser(ROLE_WORDS, ("社区工作者", "负责人"))
PARSE_WORKER_STATUS = word_parser(WORKER_STATUS_WORDS, ("在岗", "停用", "待审核"))


class WorkerImporter(EntityImporter):
    entity = "workers"
    label = N_("Workers")
    model = Worker
    sheet_title = "社区工作者"
    columns = (
        Column("name", "姓名", ("名字", "工作人员姓名", "人员姓名", "社工姓名", "name"),
               required=True, note="必填"),
        Column("tg_user_id", "Telegram用户ID", ("Telegram ID", "TG ID", "TGID", "电报ID",
                                              "Telegram账号ID", "tg_user_id", "telegram"),
               required=True,
               note="必填：机器人用它认出本人（数字）；手机号无处保存，不导入"),
        Column("community", "所属社区", COMMUNITY, required=True,
               note="必填：社区/村的代码，或不重名的名称"),
        Column("role", "角色", ("职务", "岗位", "身份"), note="可选：社区工作者（默认）或负责人"),
        Column("status", "状态", ("账号状态", "在岗状态"), note="可选：在岗（默认）、停用、待审核"),
        Column("username", "Telegram用户名", ("用户名", "TG用户名", "username")),
        TOWNSHIP_HINT, COUNTY_HINT,
    )

    def prepare(self, rows):
        super().prepare(rows)
        ids = []
        for row in rows:
            try:
                ids.append(parse_telegram_id(row.text("tg_user_id"), ""))
            except ValidationError:
                pass
        self.existing = {}
        for w in where_in(Worker.select(), Worker.tg_user_id, sorted(set(ids))):
            self.existing[w.tg_user_id] = w
        self.existing_units = {u.id: u for u in self.places.by_code.values()}
        self.seen: dict[int, int] = {}

    def check(self, row):
        tg = row.get("tg_user_id", parse_telegram_id, required=True)
        name = row.get("name", parse_name(100), required=True)
        unit = self.unit(row, "community", ("community",))
        role = row.get("role", PARSE_ROLE)
        status = row.get("status", PARSE_WORKER_STATUS)
        username = row.get("username", self._username)
        if tg is not None:
            if tg in self.seen:
                row.fail("tg_user_id", "duplicate_row", value=row.text("tg_user_id"),
                         what="telegram_id", line=self.seen[tg])
            else:
                self.seen[tg] = row.line
        existing = self.existing.get(tg)
        if existing is not None:
            current = self.existing_units.get(existing.org_unit_id)
            if current is not None and not self.in_scope(current):
                row.fail("tg_user_id", "out_of_scope", value=row.text("tg_user_id"))
        if row.errors:
            return None
        if existing is None:
            return Op("create", row.line, dict(
                tg_user_id=tg, display_name=name, org_unit=unit.id, role=role or "worker",
                status=status or "active", username=username, created_at=now()))
        changes = changed(existing, dict(display_name=name, role=role, status=status,
                                         username=username))
        if existing.org_unit_id != unit.id:
            changes["org_unit"] = unit.id
        return update_op(row.line, existing, changes)

    @staticmethod
    def _username(text: str, column: str) -> str:
        s = parsing.normalize(text).lstrip("@").replace(" ", "")
        if not USERNAME_RE.match(s):
            raise ValidationError(column, "bad_username")
        return s

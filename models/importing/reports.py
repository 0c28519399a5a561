"""Past reports: reports filed before the bot, one row each — a type, a community, a date,
then the type's questions by their labels. Each is checked by the form rules of its kind and
stored and counted like a submitted one (the same contribution rows as
``plans.count_report``); re-importing the same content updates its status instead of adding
it twice. What a cell of each field type reads and what the template says of it are the
type's entry in models.forms.fieldtypes."""
from __future__ import annotations

import functools
import json
import uuid
from contextlib import nullcontext
from typing import Callable

from models.core.errors import ValidationError
from models.core.i18n import N_, Translator, translator
from models.core.schema import ActionLine, Contribution, Indicator, Report, ReportKind, now
from models.forms.kinds import (FieldDef, KindDef, bind_scope, default_plan, options_for,
                                parse_answer, validate_complete)
from models.importing.cells import COUNTY_HINT, COMMUNITY, TOWNSHIP_HINT, word_parser
from models.importing.entity import NOTES_HEADER, NOTES_TITLE, EntityImporter
from models.importing.reader import Column, Row, cell_text, header_forms, normalize_header
from models.importing.results import RowError, RowRefused
from models.importing.writes import Op, insert_rows, where_in
from models.plans import rollup
from models.plans.loading import _rows_for  # the one contribution-row builder of count_report
from models.reports import sinks
from models.reports.filing import _report_fields, review  # the bot's mapping of answers

SUSPEND_ROLLUP_AT = 500  # from this many new reports, rebuild the rollup once instead of per row
IMPORT_NAMESPACE = uuid.UUID("6f1c7e52-5b0e-4c8a-9d43-2a6e0d9c1b11")

REPORT_STATUS_WORDS = {"已提交": "submitted", "提交": "submitted", "待审核": "submitted",
                       "submitted": "submitted", "已通过": "approved", "通过": "approved",
                       "已审核": "approved", "审核通过": "approved", "approved": "approved"}
PARSE_REPORT_STATUS = word_parser(REPORT_STATUS_WORDS, ("已提交", "已通过"))

# --------------------------------------------------------------------------------------------
# Fields as cells: what each type reads and says is its entry in models.forms.fieldtypes
# --------------------------------------------------------------------------------------------

def is_importable(f: FieldDef) -> bool:
    """Whether a spreadsheet cell can carry the field: what is shown apart (a photo, a
    location) cannot."""
    return not f.field_type.shown_apart


def parse_field_cell(f: FieldDef, text: str, *, option: Callable[[FieldDef, str], str],
                     today) -> object:
    """A cell read as the field's answer: a choice written in words (``option`` finds the
    value by an option's label in Chinese or English, or an action line's slogan), a multi as
    several words, everything else (volunteers by name or phone in the row's community, see
    ``bind_scope``) as the bot reads an answer."""
    return f.field_type.read_cell(f, text, option=lambda s: option(f, s),
                                  values=lambda: [o.value for o in options_for(f)],
                                  parse=lambda s: parse_answer(f, s, today=today))


def field_template_note(kind: KindDef, f: FieldDef, zh: Translator) -> str:
    """The template's instructions for a question: what its type accepts, and when it must be
    filled in."""
    gettext = zh.gettext
    labels = ([o.label if o.literal else gettext(o.label) for o in options_for(f, "zh_Hans")]
              if f.field_type.has_options else [])
    note = f.field_type.import_note(f, labels)
    if f.when:
        other = kind.field(f.when["field"])
        shown = [o.label if o.literal else gettext(o.label)
                 for o in options_for(other, "zh_Hans") if o.value in f.when["in"]]
        note = f"仅当“{gettext(other.label)}”为“{'/'.join(shown)}”时必填。" + note
    return note


# --------------------------------------------------------------------------------------------
# The entity
# --------------------------------------------------------------------------------------------

class ReportImporter(EntityImporter):
    """Reports filed before the bot: a type, a community, a date, then the type's questions
    by their labels. Each is checked by the form rules of its kind (``forms.parse_answer``,
    ``forms.validate_complete``) and stored and counted like a submitted one."""

    entity = "reports"
    label = N_("Past reports")
    sheet_title = "历史报告"
    columns = (
        Column("kind", "类型", ("报告类型", "类别", "报告种类", "填报类型", "kind"),
               required=True, note="必填：报告类型名称，见本表名"),
        Column("community", "社区", COMMUNITY, required=True,
               note="必填：社区/村的代码，或不重名的名称"),
        Column("date", "日期", ("活动日期", "开展日期", "时间", "活动时间", "日期(年月日)",
                              "date")),
        Column("status", "状态", ("审核状态", "status"), note="可选：已提交（默认）或已通过"),
        TOWNSHIP_HINT, COUNTY_HINT,
    )

    def __init__(self, scope, today):
        super().__init__(scope, today)
        self.zh = translator("zh_Hans")
        self.kind_rows: dict[str, ReportKind] = {}
        self.kind_names: dict[str, KindDef] = {}
        for row in ReportKind.select().order_by(ReportKind.order):
            kind = KindDef.from_row(row)
            self.kind_rows[kind.code] = row
            for name in (kind.code, kind.name, self.zh.gettext(kind.name)):
                self.kind_names.setdefault(normalize_header(name), kind)
        self.active_kind_names = [self.zh.gettext(r.name) for r in self.kind_rows.values()
                                  if r.active]
        self.field_forms: dict[str, dict[str, str]] = {}  # kind → header form → field
        for code, row in self.kind_rows.items():
            kind = KindDef.from_row(row)
            forms = {}
            for f in kind.fields:
                if not is_importable(f):
                    continue
                for name in (f.name, f.label, self.zh.gettext(f.label)):
                    forms.setdefault(normalize_header(name), f.name)
            self.field_forms[code] = forms

    def header_key(self, header):
        key = super().header_key(header)
        if key is not None:
            return key
        forms = header_forms(header)
        for kind_forms in self.field_forms.values():
            for form in forms:
                if form in kind_forms:
                    return f"field:{form}"
        return None

    def prepare(self, rows):
        super().prepare(rows)
        self.seen: dict[str, int] = {}
        self.kinds_seen: set[str] = set()
        self.kind_columns: dict[str, dict[str, str]] = {}
        self.option_tables: dict[tuple, dict[str, str]] = {}
        self.indicators = list(Indicator.select().where(Indicator.measure != "reference"))

    def _kind(self, text: str, column: str) -> KindDef:
        for form in header_forms(text):
            if form in self.kind_names:
                return self.kind_names[form]
        raise ValidationError(column, "unknown_kind", options="、".join(self.active_kind_names))

    def _field_keys(self, kind: KindDef, row: Row) -> dict[str, str]:
        """Field name → column key for ``kind`` in this file (the same for every row)."""
        if kind.code not in self.kind_columns:
            forms = self.field_forms[kind.code]
            out = {}
            for key in row.cells:
                if key.startswith("field:") and key[6:] in forms:
                    out.setdefault(forms[key[6:]], key)
            date = kind.date_field()
            if date is not None and date.name not in out and "date" in row.cells:
                out[date.name] = "date"
            self.kind_columns[kind.code] = out
        return self.kind_columns[kind.code]

    def _options(self, kind: KindDef, f: FieldDef) -> tuple[dict[str, str], str]:
        """A choice field's words → option values (value, English and Chinese label; an
        action line's slogan too), and the Chinese labels an error lists."""
        key = (kind.code, f.name)
        if key not in self.option_tables:
            table, labels = {}, []
            for o in options_for(f, "zh_Hans"):
                label = o.label if o.literal else self.zh.gettext(o.label)
                labels.append(label)
                for name in (o.value, o.label, label):
                    table.setdefault(normalize_header(name), o.value)
            if f.options_from == "action_lines":
                plan = default_plan()
                for line in ActionLine.select().where(ActionLine.plan == plan):
                    for name in (line.slogan, line.name_en):
                        if name:
                            table.setdefault(normalize_header(name), line.code)
            self.option_tables[key] = (table, "、".join(labels))
        return self.option_tables[key]

    def _option(self, kind: KindDef, f: FieldDef, text: str):
        table, labels = self._options(kind, f)
        for form in header_forms(text):
            if form in table:
                return table[form]
        raise ValidationError(f.name, "invalid_choice", options=labels)

    def check(self, row):
        kind = row.get("kind", self._kind, required=True)
        unit = self.unit(row, "community", ("community",))
        status = row.get("status", PARSE_REPORT_STATUS)
        if kind is None:
            return None
        self.kinds_seen.add(kind.code)
        bind_scope(unit.id if unit else None)  # the community whose volunteers a row may name
        answers: dict = {}
        columns: dict[str, str] = {}
        keys = self._field_keys(kind, row)
        option = functools.partial(self._option, kind)
        for f in kind.fields:
            if not is_importable(f) or not f.applies(answers):
                continue
            key = keys.get(f.name)
            if key is None:
                columns[f.name] = self.zh.gettext(f.label)
                if not f.optional:
                    row.errors.append(RowError(row.line, columns[f.name], "missing_column",
                                               {"column": columns[f.name]}))
                continue
            columns[f.name] = row.column(key)
            text = row.text(key)
            if not text:
                continue
            try:
                answers[f.name] = parse_field_cell(f, text, option=option, today=self.today)
            except ValidationError as e:
                row.errors.append(RowError(row.line, columns[f.name], e.code,
                                           {"value": text, **e.args_}))
        if not row.errors:
            try:
                validate_complete(kind, answers, today=self.today)
            except ValidationError as e:
                row.errors.append(RowError(row.line, columns.get(e.field, e.field), e.code,
                                           {"value": cell_text(answers.get(e.field)), **e.args_}))
        if row.errors:
            return None
        fields = _report_fields(kind, answers, self.today)
        identity = json.dumps([kind.code, unit.code, fields["values"]], sort_keys=True,
                              ensure_ascii=False, default=str)
        uid = str(uuid.uuid5(IMPORT_NAMESPACE, identity))
        if uid in self.seen:
            row.fail("kind", "duplicate_row", value=row.text("kind"), what="report",
                     line=self.seen[uid])
            return None
        self.seen[uid] = row.line
        status = status or "submitted"
        return Op("create", row.line, dict(
            uid=uid, kind=self.kind_rows[kind.code].id, worker=None, org_unit=unit.id,
            org_path=unit.path, status=status, **fields),
            extra={"kind": kind, "columns": columns})

    def finish(self, ops: list[Op]) -> None:
        """Reports already imported (same uid) are updated or left alone, not added again."""
        bind_scope(None)
        uids = [op.values["uid"] for op in ops]
        existing = {}
        for rid, uid, status in where_in(Report.select(Report.id, Report.uid, Report.status)
                                         .tuples(), Report.uid, uids):
            existing[uid] = (rid, status)
        for op in ops:
            hit = existing.get(op.values["uid"])
            if hit is None:
                continue
            rid, status = hit
            op.target = Report(id=rid)
            if status == op.values["status"]:
                op.action, op.values = "unchanged", {}
            else:
                op.action, op.values = "update", {"status": op.values["status"]}

    def ignored(self, headers: dict[str, str]) -> list[str]:
        """Question columns that belong to none of the report types in the file."""
        return [h for key, h in headers.items() if key.startswith("field:") and not any(
            key[6:] in self.field_forms[code] for code in self.kinds_seen)]

    def write(self, ops, actor):
        creates = [op for op in ops if op.action == "create"]
        # Many new reports: the monthly rollup is rebuilt once at the end, not row by row.
        bulk = rollup.suspended() if len(creates) >= SUSPEND_ROLLUP_AT else nullcontext()
        with bulk:
            self._write(ops, creates, actor)

    def _write(self, ops, creates, actor):
        stamp = now()
        for op in creates:
            approved = op.values["status"] == "approved"
            op.values.update(created_at=stamp, updated_at=stamp,
                             reviewed_by=actor if approved else None,
                             reviewed_at=stamp if approved else None)
        insert_rows(Report, [op.values for op in creates])
        by_uid = {op.values["uid"]: op for op in creates}
        contributions = []
        for rid, uid in where_in(Report.select(Report.id, Report.uid).tuples(), Report.uid,
                                 list(by_uid)):
            op = by_uid[uid]
            v = op.values
            op.target = Report(id=rid, kind=v["kind"], worker=None, org_unit=v["org_unit"],
                               org_path=v["org_path"], action_line=v["action_line"],
                               activity_date=v["activity_date"], values=v["values"],
                               status=v["status"], uid=uid)
            contributions += _rows_for(op.target, self.indicators, op.extra["kind"].code)
        insert_rows(Contribution, contributions)
        for op in ops:
            if op.action == "update":  # a status changed since the last import: a review
                review(Report.get_by_id(op.target.id), op.values["status"], actor=actor)
        for op in creates:
            stores = self.kind_rows[op.extra["kind"].code].stores
            if stores:
                try:
                    sinks.apply(stores, Report.get_by_id(op.target.id), created=True)
                except ValidationError as e:  # the registry refused it: the row is bad
                    column = op.extra["columns"].get(e.field or "", None)
                    raise RowRefused(RowError(op.line, column, e.code, dict(e.args_))) from e

    def template_tables(self):
        """One sheet per active report type, then the instructions: the common columns and
        each type's questions."""
        sheets, notes = [], []
        for row in self.kind_rows.values():
            if not row.active:
                continue
            kind = KindDef.from_row(row)
            title = self.zh.gettext(kind.name)
            headers = ["*类型", "*社区", "状态"]
            notes.append([f"【{title}】", "", f"类型一栏填写：{title}"])
            for f in kind.fields:
                if not is_importable(f):
                    continue
                label = self.zh.gettext(f.label)
                required = not f.optional and not f.when
                headers.append(f"*{label}" if required else label)
                notes.append([label, "是" if required else ("视情况" if f.when else "否"),
                              field_template_note(kind, f, self.zh)])
            sheets.append((title, headers, []))
        return sheets + [(NOTES_TITLE, NOTES_HEADER, self.column_notes() + notes)]

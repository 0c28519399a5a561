"""Spreadsheets for officials, as tables: the report list and the progress table, and a
plan's workbook in its document's terms (a sheet per level of places, the 联动指数 sheet).

Headers are Chinese whatever the page language, because the files are filed and forwarded as
Chinese documents; values (kinds, options, places, paces) are Chinese too, through the zh_Hans
catalog (the wording of ``admin.labels``) and the plan's own Chinese names. Pure functions:
rows in, tables out; the views decide which rows (scope and filters), ``admin.downloads``
turns the tables into CSV or XLSX.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import namedtuple
from zoneinfo import ZoneInfo

from models.plans import linkage
from models.forms.kinds import KindDef
from models.core.db import database
from models.core.i18n import Translator, translator
from models.plans.progress import PlanProgress
from models.core.schema import ActionLine, OrgUnit, Plan, Report, Worker

from .answers import action_line_labels, cell, display, places_of
from .downloads import Percent, Table
from .labels import PACE, REPORT_STATUS, worded

REPORT_HEADERS = ["编号", "报告类型", "行动", "活动日期", "区县", "乡镇（街道）", "社区（村）",
                  "填报人", "状态", "退回原因", "审核人", "审核时间", "提交时间", "纬度", "经度"]
CONTENT_HEADER = "填报内容"
PROGRESS_HEADERS = ["行动", "指标", "单位", "目标", "实际完成", "完成率（%）", "按进度应完成",
                    "进度", "统计期间"]

def local_time(value: dt.datetime | None, tz: str | ZoneInfo) -> dt.datetime | None:
    """A stored (naive UTC) time as wall-clock time in ``tz``, naive again for spreadsheets."""
    if value is None:
        return None
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return value.replace(tzinfo=dt.timezone.utc).astimezone(zone).replace(tzinfo=None)


ReportRecord = namedtuple("ReportRecord", (
    "id", "kind_id", "action_line", "activity_date", "org_path", "worker_id", "status",
    "reject_reason", "reviewed_by", "reviewed_at", "created_at", "latitude", "longitude",
    "values"))


def report_records(query) -> list[ReportRecord]:
    """The columns ``report_table`` reads from a (filtered, sorted) report query, read off
    the cursor and converted here: a third of the time peewee takes to build 50,000 rows
    (SQLite hands back dates and JSON as text, PostgreSQL dates as dates)."""
    cursor = database.execute(query.select(
        Report.id, Report.kind, Report.action_line, Report.activity_date, Report.org_path,
        Report.worker, Report.status, Report.reject_reason, Report.reviewed_by,
        Report.reviewed_at, Report.created_at, Report.latitude, Report.longitude,
        Report.values))
    day, moment, loads = dt.date.fromisoformat, dt.datetime.fromisoformat, json.loads
    return [ReportRecord(i, kind, line, day(on) if type(on) is str else on, path, worker,
                         status, reason, by, moment(at) if type(at) is str else at,
                         moment(made) if type(made) is str else made, lat, lon,
                         loads(values) if type(values) is str else values)
            for i, kind, line, on, path, worker, status, reason, by, at, made, lat, lon, values
            in cursor.fetchall()]


def report_table(reports: list, kinds: dict[int, KindDef], t: Translator, tz: str) -> Table:
    """The report list as one sheet (``reports``: Report rows or ``report_records``). When every row is of one kind its answers get a column
    each (numbers summable); mixed kinds get one column with "label: value" pairs.

    The rows are a generator (the download streams them); a field's shown value is worked
    out once per distinct answer (``_Shown``): 50,000 reports repeat a few hundred options
    and numbers, and formatting them (option sources, Babel) is most of the cost."""
    lines = action_line_labels(t.locale)
    places = places_of({r.org_path for r in reports})
    kind_ids = {r.kind_id for r in reports}
    single = kinds[next(iter(kind_ids))] if len(kind_ids) == 1 else None
    fields = [f for f in single.fields if not f.field_type.shown_apart] if single else []
    headers = REPORT_HEADERS + ([t.gettext(f.label) for f in fields] if single
                                else [CONTENT_HEADER])
    ids = {r.worker_id for r in reports if r.worker_id}
    workers = dict(Worker.select(Worker.id, Worker.display_name).where(Worker.id.in_(ids))
                   .tuples()) if ids else {}
    return "报告", headers, _report_rows(reports, kinds, t, tz, lines, places, fields, workers)


def _shown(memo: dict, render, f, value, t: Translator):
    """What ``render`` shows for ``f``'s answer ``value``, worked out once per distinct one."""
    try:
        key = (id(f), type(value), value if not isinstance(value, (list, dict)) else repr(value))
        return memo[key]
    except KeyError:
        shown = memo[key] = render(f, value, t)
        return shown
    except TypeError:  # an unhashable answer of another shape
        return render(f, value, t)


class _LocalTimes:
    """``local_time`` with the zone's offset looked up once per hour of the stored times."""

    def __init__(self, tz: str):
        self.zone, self.offsets = ZoneInfo(tz), {}

    def __call__(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        hour = value.replace(minute=0, second=0, microsecond=0)
        offset = self.offsets.get(hour)
        if offset is None:
            offset = self.offsets[hour] = (local_time(hour, self.zone) - hour)
        return value + offset


def _report_rows(reports, kinds, t, tz, lines, places, fields, workers):
    status = {code: worded(REPORT_STATUS, code, t) for code in REPORT_STATUS}
    kind_names = {k: t.gettext(kind.name) for k, kind in kinds.items()}
    chains = {path: (_name(p.get("county")), _name(p.get("township")),
                     _name(p.get("community"))) for path, p in places.items()}
    # per kind, the fields its content column shows: (field, label, condition)
    shown_fields = {k: [(f, t.gettext(f.label), f.when) for f in kind.fields
                        if not f.field_type.shown_apart] for k, kind in kinds.items()}
    cells, pairs, local, empty = {}, {}, _LocalTimes(tz), (None, "", [])
    for r in reports:
        row = [r.id, kind_names[r.kind_id], lines.get(r.action_line, r.action_line or ""),
               r.activity_date, *chains.get(r.org_path, ("", "", "")),
               workers.get(r.worker_id, "") if r.worker_id else "",
               status.get(r.status) or worded(REPORT_STATUS, r.status, t),
               r.reject_reason or "", r.reviewed_by or "", local(r.reviewed_at),
               local(r.created_at), r.latitude, r.longitude]
        values = r.values
        if fields:
            row += [_shown(cells, cell, f, values.get(f.name), t) if f.applies(values) else None
                    for f in fields]
        else:
            shown = []
            for f, label, when in shown_fields[r.kind_id]:
                if when and values.get(when["field"]) not in when["in"]:
                    continue
                value = values.get(f.name)
                if value in empty:
                    continue
                shown.append(f"{label}：{_shown(pairs, display, f, value, t)}")
            row.append("；".join(shown))
        yield row


def _name(unit) -> str:
    return unit.name if unit is not None else ""


def _percent(row) -> float | None:
    return round(row.percent, 1) if row.percent is not None else None


def _progress_cells(row, lines: dict) -> list:
    ind = row.indicator
    return [lines.get(ind.action_line_id, ""), ind.label("zh_Hans"), ind.unit, row.target,
            row.actual, _percent(row), row.expected, worded(PACE, row.pace, translator("zh_Hans")),
            f"{row.window.start.isoformat()} — {row.window.end.isoformat()}"]


def progress_tables(overall: PlanProgress, parts: list[PlanProgress]) -> list[Table]:
    """The plan's progress in the scope, then per place one level down (``breakdown``)."""
    lines = {l.id: l.label("zh_Hans") for l in
             ActionLine.select().where(ActionLine.plan == overall.plan)}
    first = [_progress_cells(r, lines) for r in overall.rows]
    second = [[pp.scope.name] + _progress_cells(r, lines) for pp in parts for r in pp.rows]
    return [(f"{overall.scope.name}总体进度", PROGRESS_HEADERS, first),
            ("分地区进度", ["地区"] + PROGRESS_HEADERS, second)]


# ---- a plan's workbook ---------------------------------------------------------------------

LEVEL_SHEETS = {"province": "省级", "city": "市级", "county": "区县", "township": "乡镇（街道）",
                "community": "社区（村）"}
PLAN_HEADERS = ["地区", "所属", "行动", "指标", "单位", "目标", "完成", "完成率", "进度",
                "按进度应完成", "统计期间"]
INDEX_SHEET = "联动指数"
INDEX_PARTS_SHEET = "联动指数构成"


def _share(row) -> Percent | None:
    return Percent(row.percent / 100) if row.percent is not None else None


def _within(unit: OrgUnit, scope: OrgUnit, chain: dict[str, OrgUnit]) -> str:
    """The places between ``scope`` and ``unit`` ("雨城区 · 北郊镇"), where names repeat."""
    return " · ".join(u.name for level, u in chain.items()
                      if u.path.startswith(scope.path) and u.path != unit.path
                      and u.path != scope.path)


def plan_tables(plan: Plan, scope: OrgUnit, levels: dict[str, list[PlanProgress]],
                as_of: dt.date) -> list[Table]:
    """A plan's progress in ``scope`` for the workbook officials forward: what the plan is,
    then a sheet per level of places (``linkage.progress_by_level``) with the indicators
    named as the document names them, then the 联动指数 when the plan defines one."""
    zh = translator("zh_Hans")
    lines = {l.id: l.label("zh_Hans") for l in ActionLine.select().where(ActionLine.plan == plan)}
    units = [pp.scope for rows in levels.values() for pp in rows]
    chains = places_of({u.path for u in units})
    about = [["方案", plan.name], ["依据文件", plan.source_title], ["发文单位", plan.issuer or ""],
             ["统计范围", scope.name], ["截至", as_of]]
    tables: list[Table] = [("方案", ["项目", "内容"], about)]
    for level in sorted(levels, key=lambda lv: list(LEVEL_SHEETS).index(lv)):
        rows = []
        for pp in levels[level]:
            where = _within(pp.scope, scope, chains.get(pp.scope.path, {}))
            for r in pp.rows:
                ind = r.indicator
                rows.append([pp.scope.name, where, lines.get(ind.action_line_id, ""),
                             ind.label("zh_Hans"), ind.unit, r.target, r.actual, _share(r),
                             worded(PACE, r.pace, zh), r.expected,
                             f"{r.window.start.isoformat()} — {r.window.end.isoformat()}"])
        tables.append((LEVEL_SHEETS.get(level, level), PLAN_HEADERS, rows))
    elements = linkage.elements_of(plan)
    if elements:
        tables += index_tables(plan, scope, levels, elements, chains)
    return tables


def index_tables(plan: Plan, scope: OrgUnit, levels: dict[str, list[PlanProgress]],
                 elements: list, chains: dict) -> list[Table]:
    """Each place's element scores and index, ranked among the places of its level; and what
    each element is made of (weight, indicators), as the plan file sets it."""
    headers = ["地区", "所属", "层级"] + [e.name for e in elements] + ["联动指数", "排名"]
    rows = []
    for level in sorted(levels, key=lambda lv: list(LEVEL_SHEETS).index(lv)):
        scored = linkage.ranked([linkage.score(pp, elements) for pp in levels[level]])
        for rank, ix in enumerate(scored, start=1):
            rows.append([ix.place.name, _within(ix.place, scope, chains.get(ix.place.path, {})),
                         LEVEL_SHEETS.get(level, level)]
                        + [_round(e.score) for e in ix.elements]
                        + [_round(ix.total), rank if ix.total is not None else None])
    names = {i.code: i.name for i in plan.indicators}
    parts = [[e.name, float(e.weight), "、".join(names.get(c, c) for c in e.indicators)]
             for e in elements]
    return [(INDEX_SHEET, headers, rows), (INDEX_PARTS_SHEET, ["要素", "权重", "指标"], parts)]


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None

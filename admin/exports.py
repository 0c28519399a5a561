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
from zoneinfo import ZoneInfo

from models.plans import linkage
from models.forms.kinds import KindDef
from models.core.i18n import Translator, translator
from models.plans.progress import PlanProgress
from models.core.schema import ActionLine, OrgUnit, Plan

from .answers import action_line_labels, answer_rows, cell, places_of
from .downloads import Percent, Table
from .labels import PACE, REPORT_STATUS, worded

REPORT_HEADERS = ["编号", "报告类型", "行动", "活动日期", "区县", "乡镇（街道）", "社区（村）",
                  "填报人", "状态", "退回原因", "审核人", "审核时间", "提交时间", "纬度", "经度"]
CONTENT_HEADER = "填报内容"
PROGRESS_HEADERS = ["行动", "指标", "单位", "目标", "实际完成", "完成率（%）", "按进度应完成",
                    "进度", "统计期间"]

def local_time(value: dt.datetime | None, tz: str) -> dt.datetime | None:
    """A stored (naive UTC) time as wall-clock time in ``tz``, naive again for spreadsheets."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def report_table(reports: list, kinds: dict[int, KindDef], t: Translator, tz: str) -> Table:
    """The report list as one sheet. When every row is of one kind its answers get a column
    each (numbers summable); mixed kinds get one column with "label: value" pairs."""
    lines = action_line_labels(t.locale)
    places = places_of({r.org_path for r in reports})
    kind_ids = {r.kind_id for r in reports}
    single = kinds[next(iter(kind_ids))] if len(kind_ids) == 1 else None
    fields = [f for f in single.fields if not f.field_type.shown_apart] if single else []
    headers = REPORT_HEADERS + ([t.gettext(f.label) for f in fields] if single
                                else [CONTENT_HEADER])
    rows = []
    for r in reports:
        kind = kinds[r.kind_id]
        place = places.get(r.org_path, {})
        worker = r.worker
        row = [r.id, t.gettext(kind.name), lines.get(r.action_line, r.action_line or ""),
               r.activity_date, _name(place.get("county")), _name(place.get("township")),
               _name(place.get("community")), worker.display_name if worker else "",
               worded(REPORT_STATUS, r.status, t), r.reject_reason or "", r.reviewed_by or "",
               local_time(r.reviewed_at, tz), local_time(r.created_at, tz), r.latitude,
               r.longitude]
        if single:
            row += [cell(f, r.values.get(f.name), t) if f.applies(r.values) else None
                    for f in fields]
        else:
            row.append("；".join(f"{label}：{value}"
                                for label, value in answer_rows(kind, r.values, t)))
        rows.append(row)
    return "报告", headers, rows


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

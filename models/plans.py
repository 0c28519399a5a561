"""Plans as data files: loading them, and deciding which indicators a report counts toward.

A plan file cites its source document; loading it again updates it in place, and a second
plan loads beside the first. After a load, every stored report is recounted against it, so a
report entered once is counted in every plan it belongs to.
"""
from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from . import rollup
from .db import database
from .forms import clear_cache, numeric
from .schema import ActionLine, Contribution, Indicator, OrgUnit, Plan, Report, ReportKind, Target

PLANS_DIR = Path(__file__).parent / "data" / "plans"
DEFAULT_PLAN_FILE = PLANS_DIR / "yaan_jiuxiang.toml"


def shipped_plan_files() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.toml"))


def read_plan_file(path: Path) -> dict:
    return tomllib.loads(Path(path).read_text("utf-8"))


def _indicator_specs(spec: dict) -> list[dict]:
    """Indicators with targets, then counters (per action line where ``per_line``)."""
    out = [dict(i) for i in spec.get("indicators", [])]
    for c in spec.get("counters", []):
        if c.get("per_line"):
            for line in spec["action_lines"]:
                d = dict(c)
                d["code"] = f"{c['code']}_{line['code']}"
                d["line"] = line["code"]
                d["filters"] = {**c.get("filters", {}), "action_line": [line["code"]]}
                out.append(d)
        else:
            out.append(dict(c))
    return out


def load_plan(path: Path = DEFAULT_PLAN_FILE) -> Plan:
    """Create or update a plan from its data file, then recount stored reports against it."""
    spec = read_plan_file(path)
    with database.atomic():
        values = dict(name=spec["name"], name_en=spec.get("name_en"),
                      source_file=spec["source_file"], source_title=spec["source_title"],
                      issuer=spec.get("issuer"), issued_on=spec.get("issued_on"),
                      start_date=spec["start_date"],
                      counted_statuses=spec.get("counted_statuses", ["submitted", "approved"]))
        plan = Plan.get_or_none(Plan.code == spec["code"])
        if plan is None:
            plan = Plan.create(code=spec["code"], **values)
        else:
            for k, v in values.items():
                setattr(plan, k, v)
            plan.save()
        if spec.get("default"):
            Plan.update(is_default=(Plan.id == plan.id)).execute()
            plan.is_default = True

        lines = {}
        for line in spec["action_lines"]:
            row, _ = ActionLine.get_or_create(plan=plan, code=line["code"], defaults=dict(
                number=line["number"], name=line["name"], name_en=line["name_en"]))
            row.number, row.name, row.name_en = line["number"], line["name"], line["name_en"]
            row.slogan = line.get("slogan")
            row.save()
            lines[line["code"]] = row

        units = {u.code: u for u in OrgUnit.select()}
        kept = []
        for order, i in enumerate(_indicator_specs(spec), start=1):
            values = dict(
                name=i["name"], name_en=i["name_en"], action_line=lines.get(i.get("line")),
                unit=i.get("unit", ""), unit_en=i.get("unit_en", ""),
                measure=i.get("measure", "count"), report_kind=i.get("kind"),
                field=i.get("field"), filters=i.get("filters", {}),
                period=i.get("period", "year"), due=i.get("due"),
                target_basis=i.get("target_basis", "explicit"),
                per_unit_target=i.get("per_unit_target"), source_quote=i.get("quote", ""),
                order=order)
            ind = Indicator.get_or_none(Indicator.plan == plan, Indicator.code == i["code"])
            if ind is None:
                ind = Indicator.create(plan=plan, code=i["code"], **values)
            else:
                for k, v in values.items():
                    setattr(ind, k, v)
                ind.save()
            kept.append(ind.id)
            Target.delete().where(Target.indicator == ind).execute()
            year = i.get("target_year")
            for code, value in i.get("targets", {}).items():
                if code not in units:
                    raise ValueError(f"plan {spec['code']}: indicator {i['code']} targets "
                                     f"unknown org unit {code}; load the places first")
                Target.create(indicator=ind, org_unit=units[code], year=year, value=value)
        Indicator.delete().where(Indicator.plan == plan, Indicator.id.not_in(kept)).execute()
        recount(plan=plan)
    clear_cache()
    return plan


def matches(indicator: Indicator, report: Report, kind_code: str | None = None) -> bool:
    kind_code = kind_code or report.kind.code
    if indicator.measure == "reference" or indicator.report_kind != kind_code:
        return False
    for key, allowed in (indicator.filters or {}).items():
        value = report.action_line if key == "action_line" else report.values.get(key)
        values = value if isinstance(value, list) else [value]
        if not set(map(str, values)) & set(map(str, allowed)):
            return False
    return True


def contribution_value(indicator: Indicator, report: Report) -> Decimal:
    if indicator.measure == "count":
        return Decimal(1)
    return numeric(report.values.get(indicator.field))


def _rows_for(report: Report, indicators, kind_code: str) -> list[dict]:
    return [dict(report=report.id, indicator=ind.id, org_unit=report.org_unit_id,
                 org_path=report.org_path, activity_date=report.activity_date,
                 status=report.status, value=contribution_value(ind, report))
            for ind in indicators if matches(ind, report, kind_code)]


def count_report(report: Report, indicators=None) -> int:
    """(Re)write the report's contributions to every indicator of every plan it belongs to."""
    if indicators is None:
        indicators = list(Indicator.select().where(Indicator.measure != "reference"))
    Contribution.delete().where(Contribution.report == report).execute()
    rows = _rows_for(report, indicators, report.kind.code)
    if rows:
        Contribution.insert_many(rows).execute()
    return len(rows)


def recount(plan: Plan | None = None, batch: int = 2000) -> int:
    """Rebuild contributions (for one plan's indicators, or all) from the stored reports."""
    query = Indicator.select().where(Indicator.measure != "reference")
    if plan is not None:
        query = query.where(Indicator.plan == plan)
    indicators = list(query)
    ids = [i.id for i in indicators]
    total = 0
    # Bulk rewrite: the monthly rollup is rebuilt once at the end, not row by row.
    with database.atomic(), rollup.suspended():
        if ids:
            Contribution.delete().where(Contribution.indicator.in_(ids)).execute()
        codes = {k.id: k.code for k in ReportKind.select()}
        wanted = [kid for kid, code in codes.items() if code in {i.report_kind for i in indicators}]
        reports = Report.select().where(Report.kind.in_(wanted)).order_by(Report.id)
        rows = []
        for report in reports.iterator():
            rows += _rows_for(report, indicators, codes[report.kind_id])
            if len(rows) >= batch:
                Contribution.insert_many(rows).execute()
                total += len(rows)
                rows = []
        if rows:
            Contribution.insert_many(rows).execute()
            total += len(rows)
    return total

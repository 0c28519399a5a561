"""Plans as data files: loading them, and deciding which indicators a report counts toward.

A plan file cites its source document; loading it again updates it in place, and a second
plan loads beside the first. After a load, every stored report is recounted against it, so a
report entered once is counted in every plan it belongs to.

An indicator's ``measure`` is ``count`` or ``sum`` of report fields (kept as ``Contribution``
rows), ``reference`` (quoted, not measured), or one that ``models.plans.progress`` computes from
the places and registries: ``registry``, ``ratio``, ``presence``, ``tier``; their settings
are the indicator's ``spec`` table (checked here, at load). The sections of a plan file
beyond its indicators (an index, an approval chain, ...) are kept in ``Plan.spec``.
"""
from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from models.plans import rollup
from models.core.db import database, prepared
from models.forms.kinds import clear_cache, numeric
from models.plans.measures import REGISTRY_EXTRA_FILTERS, REGISTRY_MODELS, REGISTRY_SOURCES
from models.core.loads import Conflict, Kept, LoadResult, Subject, settle, sync
from models.core.owners import owner
from models.core.schema import (ActionLine, AuditLog, Contribution, Indicator, OrgUnit, Plan,
                                Report, ReportKind, Target, now)
from models.core.paths import DATA_DIR

CONTRIBUTION_MEASURES = ("count", "sum")
PLANS_DIR = DATA_DIR / "plans"
DEFAULT_PLAN_FILE = PLANS_DIR / "yaan_jiuxiang.toml"


MEASURES = ("count", "sum", "reference", "registry", "ratio", "presence", "tier")
# What an indicator says about how its document states it (models.plans.fidelity checks them):
# kept in the indicator's spec (``reads`` as ``target_reads``: the spec has its own ``reads``),
# where progress reads ``direction`` and ``strict`` and the admin shows an ``assumed`` due
# date as an assumption.
FIDELITY_KEYS = {"reads": "target_reads", "due_reads": "due_reads", "assumed": "assumed",
                 "start_date": "start_date", "start_reads": "start_reads",
                 "start_assumed": "start_assumed", "direction": "direction", "strict": "strict"}
DIRECTIONS = ("min", "max")
# What loading turns into columns; every other top-level section goes to ``Plan.spec``.
PLAN_KEYS = {"code", "name", "name_en", "source_file", "source_title", "issuer", "issued_on",
             "start_date", "default", "counted_statuses", "action_lines", "indicators",
             "counters"}


class PlanFileError(ValueError):
    """A plan file that cannot be loaded as written (an unknown measure, a ratio without a
    denominator, an index naming an unknown indicator, ...)."""


def shipped_plan_files() -> list[Path]:
    """The plan files, the default plan first (it is the first plan of a fresh database)."""
    return sorted(PLANS_DIR.glob("*.toml"), key=lambda p: (p != DEFAULT_PLAN_FILE, p.name))


def read_plan_file(path: Path) -> dict:
    return tomllib.loads(Path(path).read_text("utf-8"))


def _indicator_specs(spec: dict) -> list[dict]:
    """Indicators with targets, then counters (per action line where ``per_line``)."""
    out = [dict(i) for i in spec.get("indicators", [])]
    for c in spec.get("counters", []):
        if c.get("per_line"):
            for line in spec.get("action_lines", []):
                d = dict(c)
                d["code"] = f"{c['code']}_{line['code']}"
                d["line"] = line["code"]
                d["filters"] = {**c.get("filters", {}), "action_line": [line["code"]]}
                out.append(d)
        else:
            out.append(dict(c))
    return out


def _plain(value):
    """TOML values as JSON: dates as ISO strings, tables and arrays walked."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _default_basis(measure: str) -> str:
    return {"ratio": "uniform", "presence": "units", "tier": "units"}.get(measure, "explicit")


def check_indicator(plan_code: str, i: dict, codes: set[str]) -> None:
    """Raise ``PlanFileError`` when an indicator's measure cannot be computed as written."""
    where = f"plan {plan_code}: indicator {i['code']}"
    measure = i.get("measure", "count")
    spec = i.get("spec", {})
    if measure not in MEASURES:
        raise PlanFileError(f"{where}: unknown measure {measure!r} (one of {', '.join(MEASURES)})")
    if i.get("direction", "min") not in DIRECTIONS:
        raise PlanFileError(f"{where}: direction must be min or max, not {i['direction']!r}")
    if not isinstance(i.get("strict", False), bool):
        raise PlanFileError(f"{where}: strict must be true or false")

    def registry_spec(r, what):
        if r.get("source") not in REGISTRY_SOURCES:
            raise PlanFileError(f"{where}: {what} needs a source, one of {', '.join(REGISTRY_SOURCES)}")
        if r["source"] == "units" and r.get("sum") and not r.get("level"):
            raise PlanFileError(f"{where}: {what} sums {r['sum']!r} over places: name their level")
        model = REGISTRY_MODELS.get(r["source"])
        if model is not None:
            known = set(model._meta.fields) | REGISTRY_EXTRA_FILTERS.get(r["source"], set())
            names = [k for k in (r.get("where") or {}) if k != "any"]
            names += [k for one in (r.get("where") or {}).get("any", []) for k in one]
            unknown = [k for k in names + [r.get("sum"), r.get("distinct")]
                       if k and k not in known]
            if unknown:
                raise PlanFileError(f"{where}: {what} has no column {', '.join(map(repr, unknown))}")

    def operand(o, what):
        if o in ("population", "households"):
            return
        if isinstance(o, list):  # a sum of operands
            for part in o:
                operand(part, what)
            return
        if isinstance(o, str):
            if o not in codes:
                raise PlanFileError(f"{where}: {what} names unknown indicator {o!r}")
        elif isinstance(o, dict) and "attr" in o and "source" not in o:
            return
        elif isinstance(o, dict):
            registry_spec(o, what)
        else:
            raise PlanFileError(f"{where}: {what} must be population, households, an "
                                f"indicator code, {{attr = ...}} or a registry")

    if measure in ("count", "sum") and not i.get("kind"):
        raise PlanFileError(f"{where}: a {measure} needs the report kind it counts")
    if measure == "sum" and not (i.get("field") or spec.get("fields")):
        raise PlanFileError(f"{where}: a sum needs a field")
    if measure == "registry":
        registry_spec(spec, "the registry")
    if measure == "ratio":
        for part in ("numerator", "denominator"):
            if part not in spec:
                raise PlanFileError(f"{where}: a ratio needs a {part}")
            operand(spec[part], part)
    if measure == "presence":
        if "level" not in spec or not ("attr" in spec or "count" in spec or "source" in spec):
            raise PlanFileError(f"{where}: a presence needs a level and an attr, a count or a source")
        if isinstance(spec.get("count"), str):
            operand(spec["count"], "the count")
        elif "count" in spec:
            registry_spec(spec["count"], "the count")
        elif "source" in spec:
            registry_spec(spec, "the source")
        if spec["level"] == "station" and not isinstance(spec.get("count"), str):
            raise PlanFileError(f"{where}: a presence over stations needs a count: an indicator code")
    if measure == "tier":
        if not all(k in spec for k in ("attr", "of", "tiers")):
            raise PlanFileError(f"{where}: a tier needs attr, of and tiers")
        operand(spec["of"], "of")
        for t in spec["tiers"]:
            if not all(k in t for k in ("from", "to", "target")):
                raise PlanFileError(f"{where}: each tier needs from, to and target")
    for m in spec.get("milestones", []):
        if "by" not in m or "share" not in m:
            raise PlanFileError(f"{where}: each milestone needs by and share")


def load_plan(path: Path = DEFAULT_PLAN_FILE, *, overwrite: bool = False) -> LoadResult:
    """Create or update a plan from its data file, then recount stored reports against it;
    the result holds the plan (``.plan``), the changes (each audited), the conflicts and the
    officials' targets the file does not list.

    The file owns the plan's definition (names, quotes, measures, filters, action lines,
    which indicators there are). A target the file loaded follows the file; a target (or the
    counted statuses) an official or an import set is kept when the file says otherwise and
    reported as a conflict, unless ``overwrite`` (then the file wins, audited). A target the
    file lists that an official deleted stays deleted (a conflict), and one officials added
    that the file does not list is kept. An indicator dropped from the file goes, unless it
    holds officials' targets: then it is kept and reported (deleted if ``overwrite``).

    Targets name org units by code. When the plan's ``scope`` (the place its document covers)
    is not among the loaded places — a plan for another province shown on this database's
    places — targets of places that are not loaded are kept in the indicator's spec
    (``targets``) instead of failing; the per-place standards (ratios, presences, tiers)
    measure the loaded places all the same. Otherwise an unknown place is an error."""
    spec = read_plan_file(path)
    indicators = _indicator_specs(spec)
    codes = {i["code"] for i in indicators}
    for i in indicators:
        check_indicator(spec["code"], i, codes)
    extra = _plain({k: v for k, v in spec.items() if k not in PLAN_KEYS})
    result = LoadResult(source=Path(path).name)
    with database.atomic():
        values = dict(name=spec["name"], name_en=spec.get("name_en"),
                      source_file=spec["source_file"], source_title=spec["source_title"],
                      issuer=spec.get("issuer"), issued_on=spec.get("issued_on"),
                      start_date=spec["start_date"], spec=extra)
        statuses = spec.get("counted_statuses", ["submitted", "approved"])
        plan = Plan.get_or_none(Plan.code == spec["code"])
        created = plan is None
        if created:
            plan = Plan.create(code=spec["code"], counted_statuses=statuses, **values)
            result.create("plan", plan.id, plan.code)
        else:
            if sync(result, "plan", plan, values):
                Plan.update(loaded_at=now()).where(Plan.id == plan.id).execute()
            settle(result, "plan", plan, "counted_statuses", statuses,
                   Subject(plan=plan.code, field="counted_statuses"), overwrite)
        if spec.get("default") and not plan.is_default:
            for other in Plan.select().where(Plan.is_default == True):  # noqa: E712
                result.change("plan", other.id, "update", before={"is_default": True},
                              after={"is_default": False})
            Plan.update(is_default=(Plan.id == plan.id)).execute()
            plan.is_default = True
            if not created:
                result.change("plan", plan.id, "update", before={"is_default": False},
                              after={"is_default": True})
        result.plan = plan

        lines = {}
        for line in spec.get("action_lines", []):
            values = dict(number=line["number"], name=line["name"], name_en=line["name_en"],
                          slogan=line.get("slogan"))
            row = ActionLine.get_or_none(ActionLine.plan == plan, ActionLine.code == line["code"])
            if row is None:
                row = ActionLine.create(plan=plan, code=line["code"], **values)
                result.create("action_line", row.id, f"{plan.code}/{row.code}")
            else:
                sync(result, "action_line", row, values)
            lines[line["code"]] = row

        units = {u.code: u for u in OrgUnit.select()}
        names = {u.id: f"{u.name} ({u.code})" for u in units.values()}
        placed = spec.get("scope") is None or spec.get("scope") in units
        deleted = _deleted_by_officials()
        kept = []
        for order, i in enumerate(indicators, start=1):
            measure = i.get("measure", "count")
            ind_spec = _plain(i.get("spec", {}))
            if i.get("targets"):
                ind_spec["targets"] = _plain(i["targets"])
            ind_spec.update({kept: _plain(i[k]) for k, kept in FIDELITY_KEYS.items() if k in i})
            if i.get("nature"):  # 约束性 (binding) / 预期性 (expected), and why when assumed
                ind_spec["nature"] = i["nature"]
                if i.get("nature_assumed"):
                    ind_spec["nature_assumed"] = i["nature_assumed"]
            values = dict(
                name=i["name"], name_en=i["name_en"], action_line=lines.get(i.get("line")),
                unit=i.get("unit", ""), unit_en=i.get("unit_en", ""),
                measure=measure, report_kind=i.get("kind"),
                field=i.get("field"), filters=i.get("filters", {}),
                period=i.get("period", "year"), due=i.get("due"),
                target_basis=i.get("target_basis", _default_basis(measure)),
                per_unit_target=i.get("per_unit_target"), source_quote=i.get("quote", ""),
                order=order, spec=ind_spec)
            ind = Indicator.get_or_none(Indicator.plan == plan, Indicator.code == i["code"])
            if ind is None:
                ind = Indicator.create(plan=plan, code=i["code"], **values)
                result.create("indicator", ind.id, f"{plan.code}/{ind.code}")
            else:
                sync(result, "indicator", ind, values)
            kept.append(ind.id)
            year = i.get("target_year")
            wanted = {}
            for code, value in i.get("targets", {}).items():
                if code not in units:
                    if not placed:
                        continue
                    raise ValueError(f"plan {spec['code']}: indicator {i['code']} targets "
                                     f"unknown org unit {code}; load the places first")
                wanted[(units[code].id, year)] = value
            _settle_targets(result, ind, wanted, names, deleted, overwrite)
        for ind in Indicator.select().where(Indicator.plan == plan, Indicator.id.not_in(kept)):
            _drop_indicator(result, ind, overwrite)
        used = {i.action_line_id for i in Indicator.select().where(Indicator.plan == plan)}
        for row in ActionLine.select().where(ActionLine.plan == plan,
                                             ActionLine.code.not_in(list(lines) or [""])):
            if row.id not in used:
                result.change("action_line", row.id, "delete",
                              before={"plan": plan.id, "code": row.code})
                row.delete_instance()
        _check_index(plan, codes)
        recount(plan=plan)
        result.finish()
    clear_cache()
    return result


def _target_row(t: Target) -> dict:
    return {"indicator": t.indicator_id, "org_unit": t.org_unit_id, "year": t.year,
            "value": t.value}


def _deleted_by_officials() -> dict[tuple, dict]:
    """(indicator id, org unit id, year) of targets whose last deletion was an official's
    (not a load's), with who deleted them and when: a load does not bring them back."""
    out = {}
    query = (AuditLog.select().where(AuditLog.entity == "target", AuditLog.action == "delete")
             .order_by(AuditLog.id))
    for entry in query:
        b = entry.before or {}
        key = (b.get("indicator"), b.get("org_unit"), b.get("year"))
        out[key] = None if entry.actor.startswith("load:") else {
            "by": entry.actor, "at": entry.at.isoformat(timespec="seconds")}
    return {k: v for k, v in out.items() if v is not None}


def _settle_targets(result: LoadResult, ind: Indicator, wanted: dict, names: dict,
                    deleted: dict, overwrite: bool) -> None:
    """The indicator's targets as the file states them (``wanted``: (unit id, year) →
    value), officials' targets kept unless ``overwrite``."""
    def subject(unit_id, year):
        return Subject(indicator=ind.code, place=names.get(unit_id, str(unit_id)), year=year)

    have = {(t.org_unit_id, t.year): t for t in Target.select().where(Target.indicator == ind)}
    for (unit_id, year), value in wanted.items():
        t = have.get((unit_id, year))
        if t is None:
            gone = deleted.get((ind.id, unit_id, year))
            if gone is not None:
                result.conflicts.append(Conflict(subject(unit_id, year), value, None,
                                                 gone["by"], gone["at"], deleted=True,
                                                 overwritten=overwrite))
                if not overwrite:
                    continue
            t = Target.create(indicator=ind, org_unit=unit_id, year=year, value=value)
            result.create("target", t.id, f"{ind.code}/{unit_id}/{year}")
        else:
            settle(result, "target", t, "value", value, subject(unit_id, year), overwrite)
    for key, t in have.items():
        if key in wanted:
            continue
        who = owner(t, "value")
        if who is not None:
            result.kept.append(Kept(subject(*key), t.value, who.get("by"), who.get("at")))
            continue
        result.change("target", t.id, "delete", before=_target_row(t))
        t.delete_instance()


def _drop_indicator(result: LoadResult, ind: Indicator, overwrite: bool) -> None:
    """An indicator no longer in the file: deleted (audited, with its targets), unless it
    holds officials' targets and the load does not overwrite them."""
    targets = list(Target.select().where(Target.indicator == ind))
    theirs = [t for t in targets if owner(t, "value") is not None]
    if theirs:
        result.kept.append(Kept(Subject(plan=ind.plan.code, indicator=ind.code),
                                count=len(theirs), overwritten=overwrite))
        if not overwrite:
            return
    for t in targets:
        result.change("target", t.id, "delete", before=_target_row(t))
    result.change("indicator", ind.id, "delete", before={"plan": ind.plan_id, "code": ind.code})
    ind.delete_instance()


def _check_index(plan: Plan, codes: set[str]) -> None:
    for e in (plan.spec.get("index") or {}).get("elements", []):
        missing = [c for c in e.get("indicators", []) if c not in codes]
        if missing:
            raise PlanFileError(f"plan {plan.code}: index element {e.get('code')} names "
                                f"unknown indicators {', '.join(missing)}")


def matches(indicator: Indicator, report: Report, kind_code: str | None = None) -> bool:
    """Whether ``report`` counts toward ``indicator`` (a count or a sum of its kind whose
    filters its answers pass), whichever plan the indicator belongs to."""
    kind_code = kind_code or report.kind.code
    if indicator.measure not in CONTRIBUTION_MEASURES or indicator.report_kind != kind_code:
        return False
    for key, allowed in (indicator.filters or {}).items():
        value = report.action_line if key == "action_line" else report.values.get(key)
        values = value if isinstance(value, list) else [value]
        if not set(map(str, values)) & set(map(str, allowed)):
            return False
    return True


def contribution_value(indicator: Indicator, report: Report) -> Decimal:
    """1 for a count; for a sum its field, or the total of its ``spec.fields`` (money and
    the value of donated goods, which the Tianjin document counts together)."""
    if indicator.measure == "count":
        return Decimal(1)
    fields = (indicator.spec or {}).get("fields")
    if fields:
        return sum((numeric(report.values.get(f)) for f in fields), Decimal(0))
    return numeric(report.values.get(indicator.field))


def _rows_for(report: Report, indicators, kind_code: str) -> list[dict]:
    return [dict(report=report.id, indicator=ind.id, org_unit=report.org_unit_id,
                 org_path=report.org_path, activity_date=report.activity_date,
                 status=report.status, value=contribution_value(ind, report))
            for ind in indicators if matches(ind, report, kind_code)]


#: What ``matches`` and ``contribution_value`` read of an indicator: all a Submit loads.
_COUNTED_FIELDS = (Indicator.id, Indicator.measure, Indicator.report_kind, Indicator.field,
                   Indicator.filters, Indicator.spec)
_CONTRIBUTION_FIELDS = (Contribution.report, Contribution.indicator, Contribution.org_unit,
                        Contribution.org_path, Contribution.activity_date, Contribution.status,
                        Contribution.value)


def counted_indicators(kind_code: str) -> list[Indicator]:
    """The count and sum indicators of every plan that count reports of ``kind_code``, with
    the columns counting reads. Read on every call, so a plan loaded a moment ago counts the
    next report at once; its SQL is written once (``prepared``) and only that kind's
    indicators are read and built (the bot's Submit, issue 15)."""
    sql = prepared("counted_indicators", lambda: Indicator.select(*_COUNTED_FIELDS).where(
        Indicator.measure.in_(CONTRIBUTION_MEASURES), Indicator.report_kind == ""))
    out = []
    for values in database.execute_sql(sql, [*CONTRIBUTION_MEASURES, kind_code]):
        ind = Indicator(__no_default__=True)
        ind.__data__.update((f.name, f.python_value(v)) for f, v in zip(_COUNTED_FIELDS, values))
        out.append(ind)
    return out


def _insert_contributions(rows: list[dict]) -> None:
    """One INSERT of ``rows``, its SQL written once per number of rows (``prepared``)."""
    sql = prepared(("contributions", len(rows)), lambda: Contribution.insert_many(
        [[None] * len(_CONTRIBUTION_FIELDS)] * len(rows), fields=_CONTRIBUTION_FIELDS))
    database.execute_sql(sql, [f.db_value(row[f.name]) for row in rows
                               for f in _CONTRIBUTION_FIELDS])


def count_report(report: Report, indicators=None, *, fresh: bool = False) -> int:
    """(Re)write the report's contributions to every indicator of every plan it belongs to;
    ``fresh``: the report was stored in this transaction, so it has none to delete yet."""
    kind_code = report.kind.code
    if indicators is None:
        indicators = counted_indicators(kind_code)
    if not fresh:
        Contribution.delete().where(Contribution.report == report).execute()
    rows = _rows_for(report, indicators, kind_code)
    if rows:
        _insert_contributions(rows)
    return len(rows)


def recount(plan: Plan | None = None, batch: int = 2000) -> int:
    """Rebuild contributions (for one plan's indicators, or all) from the stored reports."""
    query = Indicator.select().where(Indicator.measure.in_(CONTRIBUTION_MEASURES))
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

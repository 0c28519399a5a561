"""The count and sum measures: sums of ``Contribution`` rows (one per report × indicator),
read from the monthly rollup when the period is whole months (one query for every such
period), else one grouped query per distinct period, so every caller sees the same numbers."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee as pw

from models.core.db import instances, run_prepared
from models.plans import rollup
from models.plans.pacing import WINDOWED, Window, indicator_window
from models.core.schema import Contribution, Indicator, OrgUnit, Plan

# Measures summed from Contribution rows; the others are computed by ``Measures``.
CONTRIBUTION_MEASURES = ("count", "sum")


def plan_indicators(plan: Plan) -> list[Indicator]:
    """A plan's indicators in the plan file's order (the order every table shows); read on
    every dashboard page, so its SQL is written once."""
    fields = Indicator._meta.sorted_fields
    rows = run_prepared("plan_indicators", lambda: Indicator.select(*fields).where(
        Indicator.plan == plan.id).order_by(Indicator.order), [plan.id])
    return instances(Indicator, fields, rows)


def inside(path_field, scope: OrgUnit):
    """``path_field`` is in ``scope``'s subtree, as an exact prefix comparison: the same on
    SQLite and PostgreSQL, case-sensitive, and cheap to test on index entries."""
    return pw.fn.SUBSTR(path_field, 1, len(scope.path)) == scope.path


def _sum_query(indicator_ids, scope: OrgUnit, start: dt.date, end: dt.date, statuses):
    return (Contribution.select(Contribution.indicator, pw.fn.SUM(Contribution.value).alias("total"))
            .where(Contribution.indicator.in_(indicator_ids),
                   Contribution.activity_date.between(start, end),
                   Contribution.org_path.startswith(scope.path),
                   Contribution.status.in_(statuses)))


def _by_period(indicators, plan: Plan, year: int, window: Window | None
               ) -> dict[tuple[dt.date, dt.date], list[int]]:
    """The count and sum indicators grouped by the dates they read."""
    groups: dict[tuple[dt.date, dt.date], list[int]] = {}
    for ind in indicators:
        if ind.measure not in CONTRIBUTION_MEASURES:
            continue
        w = window if (window and ind.period in WINDOWED) else indicator_window(ind, plan, year)
        groups.setdefault((w.start, w.end), []).append(ind.id)
    return groups


def contribution_actuals(indicators, plan: Plan, scope: OrgUnit, year: int,
                         window: Window | None) -> dict[int, Decimal]:
    """Each count and sum indicator's total inside ``scope`` (absent: nothing counted)."""
    out: dict[int, Decimal] = {}
    periods = _by_period(indicators, plan, year, window)
    rolled = {w: ids for w, ids in periods.items() if rollup.covers(*w)}
    for ind, _, total in rollup.totals(rolled, plan.counted_statuses, path=scope.path):
        out[ind] = total
    for (start, end), ids in periods.items():
        if (start, end) in rolled:
            continue
        q = _sum_query(ids, scope, start, end, plan.counted_statuses).group_by(Contribution.indicator)
        for row in q.dicts():
            out[row["indicator"]] = rollup.as_decimal(row["total"])
    return out


def contribution_actuals_by_child(indicators, plan: Plan, scope: OrgUnit, year: int,
                                  children: list[OrgUnit], window: Window | None
                                  ) -> dict[tuple[int, int], Decimal]:
    """The same per (indicator, child), grouped by the children's path prefix in one query
    per period, for drill-down tables."""
    if not children:
        return {}
    length = len(children[0].path)
    by_prefix = {c.path: c.id for c in children}
    out: dict[tuple[int, int], Decimal] = {}
    prefix = pw.fn.SUBSTR(Contribution.org_path, 1, length)
    direct = all(c.parent_id == scope.id for c in children)
    periods = _by_period(indicators, plan, year, window)
    rolled = {w: ids for w, ids in periods.items() if direct and rollup.covers(*w)}
    for ind, path, total in rollup.totals(rolled, plan.counted_statuses, parent_path=scope.path):
        if path in by_prefix:
            out[(ind, by_prefix[path])] = total
    for (start, end), ids in periods.items():
        if (start, end) in rolled:
            continue
        q = (Contribution.select(Contribution.indicator, prefix.alias("prefix"),
                                 pw.fn.SUM(Contribution.value).alias("total"))
             .where(Contribution.indicator.in_(ids), Contribution.activity_date.between(start, end),
                    Contribution.org_path.startswith(scope.path),
                    Contribution.status.in_(plan.counted_statuses))
             .group_by(Contribution.indicator, prefix))
        for row in q.dicts():
            child = by_prefix.get(row["prefix"])
            if child is not None:
                out[(row["indicator"], child)] = rollup.as_decimal(row["total"])
    return out

"""Progress and pacing against targets — computed here once, used by bot, admin, pushes, charts.

Actuals are sums of ``Contribution`` rows (one per report × indicator), so every caller sees
the same numbers. Pace compares the actual with what is expected by ``as_of`` if the target
were spread evenly over its period: expected = target × elapsed share.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import peewee as pw

from . import rollup
from .places import stations_in, units_in
from .schema import Contribution, Indicator, OrgUnit, Plan, Report, Station, Target

BEHIND_RATIO = Decimal("0.75")
PACES = ("done", "on_track", "behind", "at_risk", "missed", "no_target", "not_measured")


@dataclass(frozen=True)
class Window:
    """The dates a view covers: a year, a half, a quarter, or a plan's whole period."""

    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def year(cls, year: int) -> "Window":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}")

    @classmethod
    def quarter(cls, year: int, q: int) -> "Window":
        start = dt.date(year, 3 * q - 2, 1)
        end = (dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)) - dt.timedelta(days=1)
        return cls(start, end, f"{year}Q{q}")

    @classmethod
    def half(cls, year: int, h: int) -> "Window":
        return cls(dt.date(year, 1, 1) if h == 1 else dt.date(year, 7, 1),
                   dt.date(year, 6, 30) if h == 1 else dt.date(year, 12, 31), f"{year}H{h}")

    def share_elapsed(self, as_of: dt.date) -> Decimal:
        if as_of < self.start:
            return Decimal(0)
        if as_of >= self.end:
            return Decimal(1)
        return Decimal((as_of - self.start).days + 1) / Decimal((self.end - self.start).days + 1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class IndicatorProgress:
    indicator: Indicator
    actual: Decimal | None
    target: Decimal | None
    expected: Decimal | None
    window: Window
    pace: str

    @property
    def percent(self) -> float | None:
        if self.target in (None, 0) or self.actual is None:
            return None
        return float(self.actual / self.target * 100)

    @property
    def has_target(self) -> bool:
        return self.target is not None and self.indicator.measure != "reference"


@dataclass
class PlanProgress:
    plan: Plan
    scope: OrgUnit
    year: int
    as_of: dt.date
    rows: list[IndicatorProgress] = field(default_factory=list)

    @property
    def targeted(self) -> list[IndicatorProgress]:
        return [r for r in self.rows if r.has_target]

    @property
    def completion(self) -> float | None:
        """Mean completion of the targeted indicators, each capped at 100 %, for rankings."""
        items = [min(r.percent, 100.0) for r in self.targeted if r.percent is not None]
        return sum(items) / len(items) if items else None

    @property
    def expected_completion(self) -> float | None:
        """What ``completion`` would be today if every targeted indicator were exactly on
        pace: the pace mark that ``completion`` is compared with."""
        items = [min(float(r.expected / r.target * 100), 100.0) for r in self.targeted
                 if r.percent is not None and r.expected is not None]
        return sum(items) / len(items) if items else None

    def by_line(self) -> dict:
        out: dict = {}
        for r in self.rows:
            out.setdefault(r.indicator.action_line_id, []).append(r)
        return out


def indicator_window(indicator: Indicator, plan: Plan, year: int) -> Window:
    if indicator.period == "plan":
        end = indicator.due or dt.date(year, 12, 31)
        return Window(plan.start_date, end, f"{plan.start_date.year}–{end.year}")
    return Window.year(year)


def pace_of(actual: Decimal, target: Decimal | None, window: Window, as_of: dt.date) -> tuple[str, Decimal | None]:
    if target is None:
        return "no_target", None
    expected = (target * window.share_elapsed(as_of)).quantize(Decimal("0.01"))
    if actual >= target:
        return "done", expected
    if as_of > window.end:
        return "missed", expected
    if expected == 0 or actual >= expected:
        return "on_track", expected
    if actual >= expected * BEHIND_RATIO:
        return "behind", expected
    return "at_risk", expected


def _explicit_targets(indicators: list[Indicator], year: int) -> dict[int, list[tuple[str, Decimal]]]:
    rows = (Target.select(Target.indicator, Target.value, OrgUnit.path)
            .join(OrgUnit)
            .where(Target.indicator.in_([i.id for i in indicators]),
                   (Target.year.is_null()) | (Target.year == year)))
    out: dict[int, list[tuple[str, Decimal]]] = {}
    for t in rows:
        out.setdefault(t.indicator_id, []).append((t.org_unit.path, Decimal(t.value)))
    return out


def _unit_counts(scopes: list[OrgUnit]) -> dict:
    """Stations and counties inside each of ``scopes`` (the ``counts`` ``target_for`` reads),
    from two small queries instead of two per place."""
    stations = [p for (p,) in Station.select(Station.path).tuples()]
    counties = [p for (p,) in OrgUnit.select(OrgUnit.path).where(OrgUnit.level == "county").tuples()]
    counts: dict = {}
    for scope in scopes:
        counts[("per_station", scope.id)] = sum(p.startswith(scope.path) for p in stations)
        counts[("per_county", scope.id)] = sum(p.startswith(scope.path) for p in counties)
    return counts


def target_for(indicator: Indicator, scope: OrgUnit, year: int, explicit=None,
               counts: dict | None = None) -> Decimal | None:
    """The target of ``scope``: its own, else the sum of the topmost targets inside it."""
    if indicator.target_basis in ("per_station", "per_county"):
        if indicator.per_unit_target is None:
            return None
        counts = counts if counts is not None else {}
        key = (indicator.target_basis, scope.id)
        if key not in counts:
            counts[key] = (stations_in(scope).count() if indicator.target_basis == "per_station"
                           else units_in(scope, "county").count())
        n = counts[key]
        return Decimal(indicator.per_unit_target) * n if n else None
    if explicit is not None:  # prefetched for every indicator: absent means none
        targets = explicit.get(indicator.id, [])
    else:
        targets = _explicit_targets([indicator], year).get(indicator.id, [])
    own = [v for path, v in targets if path == scope.path]
    if own:
        return own[0]
    inside = [(path, v) for path, v in targets if path.startswith(scope.path)]
    if not inside:
        return None
    top = min(p.count("/") for p, _ in inside)
    return sum((v for p, v in inside if p.count("/") == top), Decimal(0))


def _sum_query(indicator_ids, scope: OrgUnit, start: dt.date, end: dt.date, statuses):
    return (Contribution.select(Contribution.indicator, pw.fn.SUM(Contribution.value).alias("total"))
            .where(Contribution.indicator.in_(indicator_ids),
                   Contribution.activity_date.between(start, end),
                   Contribution.org_path.startswith(scope.path),
                   Contribution.status.in_(statuses)))


def actuals(indicators: list[Indicator], plan: Plan, scope: OrgUnit, year: int,
            window: Window | None = None) -> dict[int, Decimal]:
    """Sum of contributions per indicator inside ``scope``, one query per distinct period
    (from the monthly rollup when the period is whole months)."""
    out: dict[int, Decimal] = {}
    groups: dict[tuple, list[int]] = {}
    for ind in indicators:
        if ind.measure == "reference":
            continue
        w = window if (window and ind.period == "year") else indicator_window(ind, plan, year)
        groups.setdefault((w.start, w.end), []).append(ind.id)
    for (start, end), ids in groups.items():
        if rollup.covers(start, end):
            for ind, _, total in rollup.totals(ids, start, end, plan.counted_statuses,
                                               path=scope.path):
                out[ind] = total
            continue
        q = _sum_query(ids, scope, start, end, plan.counted_statuses).group_by(Contribution.indicator)
        for row in q.dicts():
            out[row["indicator"]] = rollup.as_decimal(row["total"])
    return out


def actuals_by_child(indicators: list[Indicator], plan: Plan, scope: OrgUnit, year: int,
                     children: list[OrgUnit], window: Window | None = None) -> dict[tuple[int, int], Decimal]:
    """Actuals per (indicator, child) for drill-down tables, in one grouped query per period."""
    if not children:
        return {}
    length = len(children[0].path)
    by_prefix = {c.path: c.id for c in children}
    out: dict[tuple[int, int], Decimal] = {}
    groups: dict[tuple, list[int]] = {}
    for ind in indicators:
        if ind.measure == "reference":
            continue
        w = window if (window and ind.period == "year") else indicator_window(ind, plan, year)
        groups.setdefault((w.start, w.end), []).append(ind.id)
    prefix = pw.fn.SUBSTR(Contribution.org_path, 1, length)
    direct = all(c.parent_id == scope.id for c in children)
    for (start, end), ids in groups.items():
        if direct and rollup.covers(start, end):
            for ind, path, total in rollup.totals(ids, start, end, plan.counted_statuses,
                                                  parent_path=scope.path):
                if path in by_prefix:
                    out[(ind, by_prefix[path])] = total
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


def plan_indicators(plan: Plan) -> list[Indicator]:
    return list(Indicator.select().where(Indicator.plan == plan).order_by(Indicator.order))


def _progress_of(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date, window: Window | None,
                 indicators: list[Indicator], actual_of, explicit: dict, counts: dict) -> PlanProgress:
    """One place's rows, from actuals already summed (``actual_of(indicator)``)."""
    result = PlanProgress(plan=plan, scope=scope, year=year, as_of=as_of)
    for ind in indicators:
        w = indicator_window(ind, plan, year)
        target = target_for(ind, scope, year, explicit, counts)
        if window and ind.period == "year" and target is not None:
            target = (target * Decimal(window.days) / Decimal(w.days)).quantize(Decimal("0.01"))
            w = window
        if ind.measure == "reference":
            result.rows.append(IndicatorProgress(ind, None, target, None, w, "not_measured"))
            continue
        actual = actual_of(ind)
        pace, expected = pace_of(actual, target, w, as_of)
        result.rows.append(IndicatorProgress(ind, actual, target, expected, w, pace))
    return result


def plan_progress(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
                  window: Window | None = None, indicators: list[Indicator] | None = None) -> PlanProgress:
    """Every indicator of ``plan`` for ``scope``: actual, target, expected by ``as_of``, pace.

    With a ``window`` (a quarter, a half) annual indicators count only inside it and their
    target is the annual one pro rata, so 季度小结 and 半年通报 read the same way as the year.
    """
    indicators = indicators if indicators is not None else plan_indicators(plan)
    got = actuals(indicators, plan, scope, year, window)
    return _progress_of(plan, scope, year, as_of, window, indicators,
                        lambda ind: got.get(ind.id, Decimal(0)),
                        _explicit_targets(indicators, year), _unit_counts([scope]))


def breakdown(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
              window: Window | None = None) -> dict[int, PlanProgress]:
    """Progress of each child of ``scope`` (counties of the city, townships of a county...)."""
    children = list(OrgUnit.select().where(OrgUnit.parent == scope).order_by(OrgUnit.code))
    indicators = plan_indicators(plan)
    got = actuals_by_child(indicators, plan, scope, year, children, window)
    explicit = _explicit_targets(indicators, year)
    counts = _unit_counts(children)
    return {child.id: _progress_of(plan, child, year, as_of, window, indicators,
                                   lambda ind, c=child.id: got.get((ind.id, c), Decimal(0)),
                                   explicit, counts)
            for child in children}


def ranking(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date) -> list[tuple[OrgUnit, float | None]]:
    """Places (never people) below ``scope`` ranked by mean completion (年终评比)."""
    return ranked(breakdown(plan, scope, year, as_of))


def ranked(parts: dict[int, PlanProgress]) -> list[tuple[OrgUnit, float | None]]:
    """The places of a year's ``breakdown`` in ranking order: best completion first, places
    without a target last, ties by code. For a caller that has the breakdown already."""
    places = [(pp.scope, pp.completion) for pp in parts.values()]
    return sorted(places, key=lambda x: (-(x[1] if x[1] is not None else -1), x[0].code))


def _inside(path_field, scope: OrgUnit):
    """``path_field`` is in ``scope``'s subtree, as an exact prefix comparison: the same on
    SQLite and PostgreSQL, case-sensitive, and cheap to test on index entries."""
    return pw.fn.SUBSTR(path_field, 1, len(scope.path)) == scope.path


@dataclass
class WeekPoint:
    """One week of the trend: reports dated in it, and where the annual targets stood by its
    end against where they would stand on pace (both as ``PlanProgress.completion``)."""

    start: dt.date
    end: dt.date
    reports: int
    completion: float | None
    expected: float | None


def weekly_trend(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date) -> list[WeekPoint]:
    """Week by week (Monday to Sunday) through ``year`` up to ``as_of``: reports inside
    ``scope`` in the plan's counted statuses, and the completion of the annual targeted
    indicators by the week's end."""
    window = Window.year(year)
    last = min(as_of, window.end)
    if last < window.start:
        return []
    statuses = plan.counted_statuses
    per_day: dict[dt.date, int] = {}
    for day, n in (Report.select(Report.activity_date, pw.fn.COUNT(Report.id))
                   .where(_inside(Report.org_path, scope),
                          Report.activity_date.between(window.start, last),
                          Report.status.in_(statuses))
                   .group_by(Report.activity_date).tuples()):
        per_day[dt.date.fromisoformat(day) if isinstance(day, str) else day] = n
    annual = [i for i in plan_indicators(plan) if i.period == "year" and i.measure != "reference"]
    explicit = _explicit_targets(annual, year)
    counts: dict = {}
    targets = {i.id: target_for(i, scope, year, explicit, counts) for i in annual}
    targeted = [i for i in annual if targets[i.id] is not None]
    daily: dict[int, dict[dt.date, Decimal]] = {i.id: {} for i in targeted}
    if targeted:
        for ind, day, total in (
                Contribution.select(Contribution.indicator, Contribution.activity_date,
                                    pw.fn.SUM(Contribution.value))
                .where(Contribution.indicator.in_([i.id for i in targeted]),
                       Contribution.activity_date.between(window.start, last),
                       _inside(Contribution.org_path, scope), Contribution.status.in_(statuses))
                .group_by(Contribution.indicator, Contribution.activity_date).tuples()):
            day = dt.date.fromisoformat(day) if isinstance(day, str) else day
            daily[ind][day] = rollup.as_decimal(total)
    points = []
    monday = window.start - dt.timedelta(days=window.start.weekday())
    running = {i.id: Decimal(0) for i in targeted}
    while monday <= last:
        sunday = monday + dt.timedelta(days=6)
        days = [monday + dt.timedelta(days=k) for k in range(7)]
        for ind in targeted:
            running[ind.id] += sum((daily[ind.id].get(d, Decimal(0)) for d in days), Decimal(0))
        end = min(sunday, last)
        pp = PlanProgress(plan=plan, scope=scope, year=year, as_of=end)
        for ind in targeted:
            pace, expected = pace_of(running[ind.id], targets[ind.id], window, end)
            pp.rows.append(IndicatorProgress(ind, running[ind.id], targets[ind.id], expected,
                                             window, pace))
        points.append(WeekPoint(monday, sunday, sum(per_day.get(d, 0) for d in days),
                                pp.completion, pp.expected_completion))
        monday += dt.timedelta(days=7)
    return points


def silent_communities(scope: OrgUnit, as_of: dt.date, days: int = 14) -> list[tuple[OrgUnit, dt.date | None]]:
    """Communities in ``scope`` with no report dated or filed in the last ``days`` days."""
    since = as_of - dt.timedelta(days=days)
    # One (org_path, activity_date) index probe per community for its last date, instead of
    # a scan of every report in the scope.
    last = (Report.select(pw.fn.MAX(Report.activity_date))
            .where(Report.org_path == OrgUnit.path))
    quiet: dict[int, dt.date | None] = {}
    for unit_id, seen in (units_in(scope, "community")
                          .select(OrgUnit.id, last.alias("last_seen")).tuples()):
        if isinstance(seen, str):
            seen = dt.date.fromisoformat(seen)
        if seen is None or seen < since:
            quiet[unit_id] = seen
    if not quiet:
        return []
    units = OrgUnit.select().where(OrgUnit.id.in_(list(quiet))).order_by(OrgUnit.code)
    return [(unit, quiet[unit.id]) for unit in units]


def worker_summary(worker, year: int) -> dict[str, int]:
    """A worker's own report counts this year, by kind: for their own view only, never ranked."""
    rows = (Report.select(Report.kind, pw.fn.COUNT(Report.id))
            .where(Report.worker == worker, Report.activity_date.between(
                dt.date(year, 1, 1), dt.date(year, 12, 31)), Report.status != "rejected")
            .group_by(Report.kind).tuples())
    from .schema import ReportKind
    codes = {k.id: k.code for k in ReportKind.select()}
    return {codes[k]: n for k, n in rows}

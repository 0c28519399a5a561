"""Progress and pacing against targets — computed here once, used by bot, admin, pushes, charts.

Every indicator of a plan for a place: its actual (``contributions`` for counts and sums,
``measures`` for registries, ratios, presence and tiers), its target (the place's own, or the
sum of the topmost targets inside it) and its pace (``pacing``). The names of those modules
that callers use stay importable from here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import peewee as pw

from models.core.db import instances, run_prepared
from models.plans import rollup
from models.plans.contributions import (CONTRIBUTION_MEASURES, contribution_actuals,  # noqa: F401
                                        contribution_actuals_by_child, inside, plan_indicators)
from models.plans.measures import (DERIVED_MEASURES, REGISTRY_EXTRA_FILTERS,  # noqa: F401
                                   REGISTRY_MODELS, REGISTRY_SOURCES, STATE_MEASURES, Measures,
                                   unit_matches)
from models.plans.pacing import (BEHIND_RATIO, PACES, WINDOWED, Window, due_share,  # noqa: F401
                                 indicator_window, milestone_share, pace_of, share)
from models.plans.pacing import bounds
from models.org.places import stations_in, units_in
from models.core.schema import (AuditLog, Contribution, Indicator, OrgUnit, Plan, Report,
                                ReportKind, Station, Target)


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

    @property
    def capped(self) -> float | None:
        """``percent`` capped at 100: what an average or a ranking counts (69 of 1 is done,
        not 69 times done)."""
        return None if self.percent is None else min(self.percent, 100.0)

    @property
    def over(self) -> bool:
        """Over-achieved: more than the target, shown as such instead of a percent like 6,900 %."""
        return self.percent is not None and self.percent > 100.0

    @property
    def reached(self) -> bool:
        """The target is met (达成), for a period that has ended."""
        return self.percent is not None and self.percent >= 100.0


@dataclass
class PlanProgress:
    plan: Plan
    scope: OrgUnit
    year: int
    as_of: dt.date
    rows: list[IndicatorProgress] = field(default_factory=list)
    window: Window | None = None  # the period asked for (a quarter, a half); None: the year

    @property
    def period(self) -> Window:
        return self.window or Window.year(self.year)

    @property
    def targeted(self) -> list[IndicatorProgress]:
        return [r for r in self.rows if r.has_target]

    @property
    def current(self) -> list[IndicatorProgress]:
        """Targeted rows whose own period includes the period asked for: what the headline
        rate, the ranking and the pace cards count. A 2023–2025 target is not part of 2026."""
        p = self.period
        return [r for r in self.targeted if r.window.end >= p.start and r.window.start <= p.end]

    @property
    def ended(self) -> list[IndicatorProgress]:
        """Targeted rows whose period ended before the period asked for (已结束的目标期)."""
        return [r for r in self.targeted if r.window.end < self.period.start]

    @property
    def past(self) -> list[IndicatorProgress]:
        """Every row whose period ended before the period asked for, targeted or not."""
        return [r for r in self.rows if r.window.end < self.period.start]

    @property
    def counted(self) -> list[IndicatorProgress]:
        """The rows ``completion`` averages: current, targeted and measured at this place."""
        return [r for r in self.current if r.percent is not None]

    @property
    def basis(self) -> int:
        """How many indicators the place's rate is computed over (按 N 项指标计): the ones
        that apply at its level, i.e. with a target for it in the period."""
        return len(self.counted)

    @property
    def completion(self) -> float | None:
        """Mean completion of the current targeted indicators, each capped at 100 %."""
        return _mean([r.capped for r in self.counted])

    @property
    def expected_completion(self) -> float | None:
        """What ``completion`` would be today if every counted indicator were exactly on
        pace: the pace mark that ``completion`` is compared with."""
        return _mean([min(float(r.expected / r.target * 100), 100.0) for r in self.counted
                      if r.expected is not None])

    def completion_over(self, codes) -> float | None:
        """``completion`` over only the indicators ``codes``: a parent read on the basis of
        its children (同口径), so a city on 6 indicators is compared with counties on 1."""
        return _mean([r.capped for r in self.counted if r.indicator.code in codes])

    def by_line(self) -> dict:
        out: dict = {}
        for r in self.rows:
            out.setdefault(r.indicator.action_line_id, []).append(r)
        return out


def _mean(items: list[float]) -> float | None:
    return sum(items) / len(items) if items else None


def _explicit_targets(indicators: list[Indicator], year: int) -> dict[int, list[tuple[str, Decimal]]]:
    ids = [i.id for i in indicators]
    if not ids:
        return {}
    rows = run_prepared(("explicit_targets", len(ids)), lambda: (
        Target.select(Target.indicator, Target.value, OrgUnit.path).join(OrgUnit)
        .where(Target.indicator.in_(ids), (Target.year.is_null()) | (Target.year == year))),
        [*ids, year])
    out: dict[int, list[tuple[str, Decimal]]] = {}
    for indicator_id, value, path in rows:
        out.setdefault(indicator_id, []).append((path, Decimal(Target.value.python_value(value))))
    return out


def _unit_counts(scopes: list[OrgUnit], indicators: list[Indicator]) -> dict:
    """Stations and counties inside each of ``scopes`` (the ``counts`` ``target_for`` reads),
    from a small query each instead of one per place, for the bases ``indicators`` use."""
    bases = {i.target_basis for i in indicators}
    counts: dict = {}
    for basis, query, params in (
            ("per_station", lambda: Station.select(Station.path), []),
            ("per_county", lambda: OrgUnit.select(OrgUnit.path).where(OrgUnit.level == "county"),
             ["county"])):
        if basis not in bases:
            continue
        paths = [p for (p,) in run_prepared(("unit_counts", basis), query, params)]
        for scope in scopes:
            counts[(basis, scope.id)] = sum(p.startswith(scope.path) for p in paths)
    return counts


def target_for(indicator: Indicator, scope: OrgUnit, year: int, explicit=None,
               counts: dict | None = None, measures: "Measures | None" = None) -> Decimal | None:
    """The target of ``scope``: its own, else the sum of the topmost targets inside it.

    ``uniform``: the same value (a ratio, a share) for every place; ``units``: computed from
    the places in scope (how many of a level there are, how many sites have a tier)."""
    if indicator.target_basis == "uniform":
        return None if indicator.per_unit_target is None else Decimal(indicator.per_unit_target)
    if indicator.target_basis == "units":
        if measures is None:
            measures = Measures(indicator.plan, year, None, scope)
        return measures.target(indicator, scope.path)
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

def actuals(indicators: list[Indicator], plan: Plan, scope: OrgUnit, year: int,
            window: Window | None = None, measures: "Measures | None" = None
            ) -> dict[int, Decimal | None]:
    """The actual of each indicator inside ``scope``: sums of contributions (one query over
    the monthly rollup for every period of whole months), then the
    measures computed from them and from the registries (``None``: not measured)."""
    out = contribution_actuals(indicators, plan, scope, year, window)
    derived = [i for i in indicators if i.measure in DERIVED_MEASURES]
    if derived:
        m = measures or Measures(plan, year, window, scope)
        m.seed(scope.path, indicators, out)
        for ind in derived:
            out[ind.id] = m.value(ind, scope.path)
    return out


def actuals_by_child(indicators: list[Indicator], plan: Plan, scope: OrgUnit, year: int,
                     children: list[OrgUnit], window: Window | None = None,
                     measures: "Measures | None" = None) -> dict[tuple[int, int], Decimal | None]:
    """Actuals per (indicator, child) for drill-down tables: contributions in one grouped
    query per period, the other measures from the same ``Measures`` for every child."""
    out = contribution_actuals_by_child(indicators, plan, scope, year, children, window)
    derived = [i for i in indicators if i.measure in DERIVED_MEASURES]
    if derived and children:
        m = measures or Measures(plan, year, window, scope)
        by_child: dict[int, dict[int, Decimal]] = {}
        for (i, c), v in out.items():
            by_child.setdefault(c, {})[i] = v
        for child in children:
            m.seed(child.path, indicators, by_child.get(child.id, {}))
            for ind in derived:
                out[(ind.id, child.id)] = m.value(ind, child.path)
    return out



def _rules(plan: Plan, year: int, as_of: dt.date, window: Window | None,
           indicators: list[Indicator]) -> list[tuple]:
    """What each indicator's row needs besides the place, the same for every place of an
    ``overview``: (indicator, its window, the days a yearly target is taken pro rata over
    (days in the period, days in the year) or None, the share due by ``as_of``, how it is met)."""
    out = []
    for ind in indicators:
        w = indicator_window(ind, plan, year)
        days = None
        if window and ind.period in WINDOWED:
            if ind.measure not in STATE_MEASURES and ind.period == "year":
                days = (Decimal(window.days), Decimal(w.days))
            w = window
        if ind.measure == "reference":
            out.append((ind, w, days, None, None))
        else:
            out.append((ind, w, days, due_share(ind, plan, w, as_of), bounds(ind)))
    return out


def _progress_of(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date, window: Window | None,
                 indicators: list[Indicator], actual_of, explicit: dict, counts: dict,
                 measures: "Measures | None" = None, rules: list | None = None) -> PlanProgress:
    """One place's rows, from actuals already computed (``actual_of(indicator)``); ``rules``:
    ``_rules`` of the same indicators, when the caller rates several places."""
    result = PlanProgress(plan=plan, scope=scope, year=year, as_of=as_of, window=window)
    rows = result.rows
    for ind, w, days, elapsed, how in rules or _rules(plan, year, as_of, window, indicators):
        target = target_for(ind, scope, year, explicit, counts, measures)
        if days is not None and target is not None:
            target = (target * days[0] / days[1]).quantize(Decimal("0.01"))
        if how is None:  # a reference: named, not measured
            rows.append(IndicatorProgress(ind, None, target, None, w, "not_measured"))
            continue
        actual = actual_of(ind)
        pace, expected = pace_of(actual, target, w, as_of, elapsed=elapsed, **how)
        rows.append(IndicatorProgress(ind, actual, target, expected, w, pace))
    return result


def plan_progress(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
                  window: Window | None = None, indicators: list[Indicator] | None = None) -> PlanProgress:
    """Every indicator of ``plan`` for ``scope``: actual, target, expected by ``as_of``, pace.

    With a ``window`` (a quarter, a half) annual indicators count only inside it and their
    target is the annual one pro rata, so 季度小结 and 半年通报 read the same way as the year.
    """
    whole = plan_indicators(plan) if indicators is None else None  # a subset: not every code
    indicators = whole if whole is not None else indicators
    measures = Measures(plan, year, window, scope, whole)
    got = actuals(indicators, plan, scope, year, window, measures)
    return _progress_of(plan, scope, year, as_of, window, indicators,
                        lambda ind: got.get(ind.id, Decimal(0)),
                        _explicit_targets(indicators, year), _unit_counts([scope], indicators),
                        measures)


def breakdown(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
              window: Window | None = None) -> dict[int, PlanProgress]:
    """Progress of each child of ``scope`` (counties of the city, townships of a county...)."""
    return overview(plan, scope, year, as_of, window, own=False)[1]


def overview(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
             window: Window | None = None, *, own: bool = True
             ) -> tuple[PlanProgress | None, dict[int, PlanProgress]]:
    """``plan_progress`` of ``scope`` (unless not ``own``) and its ``breakdown`` together,
    each input read once for both: the indicators, the targets, the places counted and the
    measures (a dashboard showed each of them read twice)."""
    fields = OrgUnit._meta.sorted_fields
    children = instances(OrgUnit, fields, run_prepared("children", lambda: OrgUnit.select(
        *fields).where(OrgUnit.parent == scope.id).order_by(OrgUnit.code), [scope.id]))
    indicators = plan_indicators(plan)
    measures = Measures(plan, year, window, scope, indicators)
    explicit = _explicit_targets(indicators, year)
    counts = _unit_counts([scope, *children] if own else children, indicators)
    rules = _rules(plan, year, as_of, window, indicators)
    total = None
    if own:
        got = actuals(indicators, plan, scope, year, window, measures)
        total = _progress_of(plan, scope, year, as_of, window, indicators,
                             lambda ind: got.get(ind.id, Decimal(0)), explicit, counts, measures,
                             rules)
    by_child = actuals_by_child(indicators, plan, scope, year, children, window, measures)
    return total, {child.id: _progress_of(plan, child, year, as_of, window, indicators,
                                          lambda ind, c=child.id: by_child.get((ind.id, c),
                                                                               Decimal(0)),
                                          explicit, counts, measures, rules)
                   for child in children}


def ranking(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date) -> list[tuple[OrgUnit, float | None]]:
    """Places (never people) below ``scope`` ranked by mean completion (年终评比)."""
    return ranked(breakdown(plan, scope, year, as_of))


def ranked(parts: dict[int, PlanProgress]) -> list[tuple[OrgUnit, float | None]]:
    """The places of a year's ``breakdown`` in ranking order: best completion first, places
    without a target last, ties by code. For a caller that has the breakdown already."""
    places = [(pp.scope, pp.completion) for pp in parts.values()]
    return sorted(places, key=lambda x: (-(x[1] if x[1] is not None else -1), x[0].code))




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
    indicators by the week's end.

    The weeks before ``as_of``'s are read from the weekly rollup (53 rows per series whatever
    the number of reports); the days of ``as_of``'s week up to it from the raw rows."""
    window = Window.year(year)
    last = min(as_of, window.end)
    if last < window.start:
        return []
    statuses = plan.counted_statuses
    current = rollup.week_of(last)
    before = current - dt.timedelta(days=1)
    per_week = rollup.weekly_reports(scope.path, window.start, before, statuses)
    per_week[current] = (Report.select().where(
        inside(Report.org_path, scope), Report.activity_date.between(current, last),
        Report.status.in_(statuses)).count())
    # Week by week from the contributions: the counts and sums (the other measures are
    # states read off the places and registries, not a running total).
    annual = [i for i in plan_indicators(plan)
              if i.period == "year" and i.measure in CONTRIBUTION_MEASURES]
    explicit = _explicit_targets(annual, year)
    counts: dict = {}
    targets = {i.id: target_for(i, scope, year, explicit, counts) for i in annual}
    targeted = [i for i in annual if targets[i.id] is not None]
    weekly: dict[tuple[int, dt.date], Decimal] = {}
    if targeted:
        ids = [i.id for i in targeted]
        weekly = rollup.weekly_totals(ids, scope.path, window.start, before, statuses)
        for ind, total in (
                Contribution.select(Contribution.indicator, pw.fn.SUM(Contribution.value))
                .where(Contribution.indicator.in_(ids),
                       Contribution.activity_date.between(current, last),
                       inside(Contribution.org_path, scope), Contribution.status.in_(statuses))
                .group_by(Contribution.indicator).tuples()):
            weekly[(ind, current)] = rollup.as_decimal(total)
    points = []
    monday = window.start - dt.timedelta(days=window.start.weekday())
    running = {i.id: Decimal(0) for i in targeted}
    while monday <= last:
        sunday = monday + dt.timedelta(days=6)
        week = max(monday, window.start)
        for ind in targeted:
            running[ind.id] += weekly.get((ind.id, week), Decimal(0))
        end = min(sunday, last)
        pp = PlanProgress(plan=plan, scope=scope, year=year, as_of=end)
        for ind in targeted:
            pace, expected = pace_of(running[ind.id], targets[ind.id], window, end, **bounds(ind))
            pp.rows.append(IndicatorProgress(ind, running[ind.id], targets[ind.id], expected,
                                             window, pace))
        points.append(WeekPoint(monday, sunday, per_week.get(week, 0),
                                pp.completion, pp.expected_completion))
        monday += dt.timedelta(days=7)
    return points


def silent_communities(scope: OrgUnit, as_of: dt.date, days: int = 14) -> list[tuple[OrgUnit, dt.date | None]]:
    """Communities in ``scope`` with no report dated or filed in the last ``days`` days."""
    since = as_of - dt.timedelta(days=days)
    # One (org_path, activity_date) index probe per community for its last date, instead of
    # a scan of every report in the scope; the quiet ones only come back, in one query.
    fields = OrgUnit._meta.sorted_fields

    def build():
        last = (Report.select(pw.fn.MAX(Report.activity_date))
                .where(Report.org_path == OrgUnit.path))
        return (OrgUnit.select(*fields, last.alias("last_seen"))
                .where(inside(OrgUnit.path, scope), OrgUnit.level == "community",
                       pw.fn.COALESCE(last, dt.date.min) < since)
                .order_by(OrgUnit.code))

    rows = list(run_prepared("silent_communities", build,
                             [1, len(scope.path), scope.path, "community", dt.date.min, since]))
    units = instances(OrgUnit, fields, [row[:-1] for row in rows])
    return [(unit, dt.date.fromisoformat(row[-1]) if isinstance(row[-1], str) else row[-1])
            for unit, row in zip(units, rows)]


def worker_summary(worker, year: int) -> dict[str, int]:
    """A worker's own report counts this year, by kind: for their own view only, never ranked."""
    rows = (Report.select(Report.kind, pw.fn.COUNT(Report.id))
            .where(Report.worker == worker, Report.activity_date.between(
                dt.date(year, 1, 1), dt.date(year, 12, 31)), Report.status != "rejected")
            .group_by(Report.kind).tuples())
    codes = {k.id: k.code for k in ReportKind.select()}
    return {codes[k]: n for k, n in rows}


def data_version() -> tuple:
    """What the figures were computed from, read in one cheap query (primary-key maxima): a
    cache of progress keyed by it is stale as soon as it changes, in every process. Every
    write the product makes to reports (a submission, a review), targets, plans, places and
    registries is audited, so the newest audit row moves with each of them; a new report and
    a plan (re)load are read from their own tables as well. An official's own account (a
    sign-in, a password, a language) changes no figure: its audit rows are passed over (the
    newest other row is found walking the primary key down, not by a scan), or every sign-in
    would empty every cache."""
    audit = AuditLog._meta.table_name
    newest_change = (f'(SELECT id FROM "{audit}" WHERE entity <> \'{ACCOUNT_ENTITY}\''
                     ' ORDER BY id DESC LIMIT 1)')
    subqueries = ", ".join([newest_change, *(
        f'(SELECT {what} FROM "{model._meta.table_name}")' for model, what in (
            (Report, "MAX(id)"), (Target, "COUNT(*)"), (Plan, "MAX(loaded_at)")))])
    return tuple(Report._meta.database.execute_sql(f"SELECT {subqueries}").fetchone())


#: The audit entity of an official's account (admin/auth.py): its rows change no figure.
ACCOUNT_ENTITY = "admin_user"

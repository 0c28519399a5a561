"""Progress and pacing against targets — computed here once, used by bot, admin, pushes, charts.

Counts and sums are sums of ``Contribution`` rows (one per report × indicator), so every
caller sees the same numbers. The other measures a plan file may name are computed here from
those same actuals and from the places and registries (``Measures``):

* ``registry``: a count (or a sum) of registry rows inside the scope — volunteers, their
  service hours, social organizations, workers, stations, or org units by their ``attrs``;
* ``ratio``: numerator / denominator × ``per`` over the scope (volunteers / residents,
  certified social workers per 10,000); a denominator that is not known (a place without its
  population) leaves the ratio *not measured*, never 0 %;
* ``presence``: how many places of a level have something (a fund, a hub organization, five
  active organizations), against how many there are (× a share);
* ``tier``: how many sites meet the money target of their tier (joint sites 1–5 vs 6–11).

Pace compares the actual with what is expected by ``as_of``: the target spread evenly over its
period (expected = target × elapsed share), or the step function of dated partial targets
(``milestones``: 50 % by one date, 100 % by another).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import peewee as pw

from models.plans import rollup
from models.org.places import stations_in, units_in
from models.core.schema import (Application, Contribution, Indicator, OrgUnit, Plan, Report,
                     SocialOrganization, Station, Target, Volunteer, VolunteerHours, Worker)

BEHIND_RATIO = Decimal("0.75")
PACES = ("done", "on_track", "behind", "at_risk", "missed", "no_target", "not_measured")
# Measures summed from Contribution rows; the others are computed by ``Measures``.
CONTRIBUTION_MEASURES = ("count", "sum")
DERIVED_MEASURES = ("registry", "ratio", "presence", "tier")
# Measures of a state (a share, how many places have something) rather than a flow: a quarter
# does not take a quarter of their target.
STATE_MEASURES = ("ratio", "presence", "tier")
# Periods read over the year, or over the quarter or half a view picks.
WINDOWED = ("year", "standing")


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
    """``year``: the year; ``plan``: from the plan's start to ``due``; ``standing``: a
    standard to reach by ``due`` and hold after it, read over the year."""
    if indicator.period == "plan":
        end = indicator.due or dt.date(year, 12, 31)
        return Window(plan.start_date, end, f"{plan.start_date.year}–{end.year}")
    return Window.year(year)


def share(value) -> Decimal:
    """A share as the plan file writes it: 0.5, 1, or "1/3" (三分之一)."""
    if isinstance(value, str) and "/" in value:
        f = Fraction(value)
        return Decimal(f.numerator) / Decimal(f.denominator)
    return Decimal(str(value))


def milestone_share(milestones, as_of: dt.date) -> Decimal:
    """The share of the target due by ``as_of`` under dated partial targets: the largest
    share whose date has come (0 before the first)."""
    due = [share(m["share"]) for m in milestones
           if (m["by"] if isinstance(m["by"], dt.date) else dt.date.fromisoformat(m["by"])) <= as_of]
    return max(due, default=Decimal(0))


def pace_of(actual: Decimal | None, target: Decimal | None, window: Window, as_of: dt.date,
            milestones=None, elapsed: Decimal | None = None) -> tuple[str, Decimal | None]:
    """The pace of ``actual`` against ``target``: expected by ``as_of`` is the target spread
    evenly over ``window``, or with ``milestones`` ([{by, share}]) the share due by then, or
    the share ``elapsed`` given (a standing target's, see ``due_share``)."""
    if actual is None:
        return "not_measured", None
    if target is None:
        return "no_target", None
    if elapsed is None:
        elapsed = milestone_share(milestones, as_of) if milestones else window.share_elapsed(as_of)
    expected = (target * elapsed).quantize(Decimal("0.01"))
    if actual >= target:
        return "done", expected
    if as_of > window.end:
        return "missed", expected
    if expected == 0 or actual >= expected:
        return "on_track", expected
    if actual >= expected * BEHIND_RATIO:
        return "behind", expected
    return "at_risk", expected


def due_share(indicator: Indicator, plan: Plan, window: Window, as_of: dt.date) -> Decimal:
    """The share of an indicator's target due by ``as_of``: dated ``milestones`` when the
    plan file gives them; for a ``standing`` target, the plan's start to ``due`` spread
    evenly, then all of it; otherwise the window spread evenly."""
    milestones = (indicator.spec or {}).get("milestones")
    if milestones:
        return milestone_share(milestones, as_of)
    if indicator.period == "standing" and indicator.due is not None:
        due = indicator.due if isinstance(indicator.due, dt.date) else dt.date.fromisoformat(str(indicator.due))
        return Window(plan.start_date, due, "").share_elapsed(as_of)
    return window.share_elapsed(as_of)


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


def _sum_query(indicator_ids, scope: OrgUnit, start: dt.date, end: dt.date, statuses):
    return (Contribution.select(Contribution.indicator, pw.fn.SUM(Contribution.value).alias("total"))
            .where(Contribution.indicator.in_(indicator_ids),
                   Contribution.activity_date.between(start, end),
                   Contribution.org_path.startswith(scope.path),
                   Contribution.status.in_(statuses)))


def actuals(indicators: list[Indicator], plan: Plan, scope: OrgUnit, year: int,
            window: Window | None = None, measures: "Measures | None" = None
            ) -> dict[int, Decimal | None]:
    """The actual of each indicator inside ``scope``: sums of contributions, one query per
    distinct period (from the monthly rollup when the period is whole months), then the
    measures computed from them and from the registries (``None``: not measured)."""
    out = _contribution_actuals(indicators, plan, scope, year, window)
    derived = [i for i in indicators if i.measure in DERIVED_MEASURES]
    if derived:
        m = measures or Measures(plan, year, window, scope)
        m.seed(scope.path, indicators, out)
        for ind in derived:
            out[ind.id] = m.value(ind, scope.path)
    return out


def _contribution_actuals(indicators, plan: Plan, scope: OrgUnit, year: int,
                          window: Window | None) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    groups: dict[tuple, list[int]] = {}
    for ind in indicators:
        if ind.measure not in CONTRIBUTION_MEASURES:
            continue
        w = window if (window and ind.period in WINDOWED) else indicator_window(ind, plan, year)
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
                     children: list[OrgUnit], window: Window | None = None,
                     measures: "Measures | None" = None) -> dict[tuple[int, int], Decimal | None]:
    """Actuals per (indicator, child) for drill-down tables: contributions in one grouped
    query per period, the other measures from the same ``Measures`` for every child."""
    out = _contribution_actuals_by_child(indicators, plan, scope, year, children, window)
    derived = [i for i in indicators if i.measure in DERIVED_MEASURES]
    if derived and children:
        m = measures or Measures(plan, year, window, scope)
        for child in children:
            m.seed(child.path, indicators, {i: v for (i, c), v in out.items() if c == child.id})
            for ind in derived:
                out[(ind.id, child.id)] = m.value(ind, child.path)
    return out


def _contribution_actuals_by_child(indicators, plan: Plan, scope: OrgUnit, year: int,
                                   children: list[OrgUnit], window: Window | None
                                   ) -> dict[tuple[int, int], Decimal]:
    if not children:
        return {}
    length = len(children[0].path)
    by_prefix = {c.path: c.id for c in children}
    out: dict[tuple[int, int], Decimal] = {}
    groups: dict[tuple, list[int]] = {}
    for ind in indicators:
        if ind.measure not in CONTRIBUTION_MEASURES:
            continue
        w = window if (window and ind.period in WINDOWED) else indicator_window(ind, plan, year)
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


# ---- measures beyond count and sum -----------------------------------------------------------

def _num(value) -> Decimal:
    """An attribute's value as a number: True → 1, missing/False/blank → 0."""
    if value is None or value is False or value == "":
        return Decimal(0)
    if value is True:
        return Decimal(1)
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(0)


def _matches(value, expected) -> bool:
    """One filter of a plan file: a list (any of), {min, max}, true/false, or a value."""
    if isinstance(expected, list):
        return str(value) in {str(e) for e in expected} or value in expected
    if isinstance(expected, dict):
        n = _num(value)
        return (("min" not in expected or n >= _num(expected["min"]))
                and ("max" not in expected or n <= _num(expected["max"])))
    if isinstance(expected, bool):
        return bool(value) is expected
    return value == expected or str(value) == str(expected)


_UNIT_COLUMNS = ("code", "level", "is_rural", "population", "households", "name")


def _unit_value(unit: OrgUnit, name: str):
    """A place's column (population, is_rural, ...) or, for any other name, its attribute."""
    return getattr(unit, name) if name in _UNIT_COLUMNS else (unit.attrs or {}).get(name)


def unit_matches(unit: OrgUnit, among: dict | None) -> bool:
    """Whether a place passes ``among`` (its columns, else its ``attrs``)."""
    for key, expected in (among or {}).items():
        if not _matches(_unit_value(unit, key), expected):
            return False
    return True


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0))


# The registries a ``registry`` measure counts in: the model, the path of a row's place, and
# whether it is a stock (rows up to the window's end) or a flow (rows inside the window).
REGISTRY_SOURCES = ("volunteers", "volunteer_hours", "organizations", "workers", "stations",
                    "applications", "units")
REGISTRY_MODELS = {"volunteers": Volunteer, "volunteer_hours": VolunteerHours,
                   "organizations": SocialOrganization, "workers": Worker, "stations": Station,
                   "applications": Application}
# Filters a registry spec may use beyond the table's own columns.
REGISTRY_EXTRA_FILTERS = {"volunteers": {"with_hours"}}


class Measures:
    """The actuals and targets of registry, ratio, presence and tier indicators for the
    places inside ``root``, sharing what they read: the places once, each registry once per
    window (grouped by place), each contribution sum once per place.

    Made per ``plan_progress`` / ``breakdown`` call; ``seed`` hands it the contribution sums
    already computed so that a ratio of two counts reads the same numbers as the counts."""

    def __init__(self, plan: Plan, year: int, window: Window | None, root: OrgUnit):
        self.plan, self.year, self.window, self.root = plan, year, window, root
        self._units: dict[str, OrgUnit] | None = None
        self._sorted: list[tuple[str, OrgUnit]] | None = None
        self._children: dict[str, list[str]] = {}
        self._base: dict[tuple[int, str], Decimal] = {}
        self._leaves: dict[tuple, dict[str, Decimal]] = {}
        self._values: dict[tuple[int, str], Decimal | None] = {}
        self._presence: dict[tuple[int, str], tuple[Decimal, Decimal]] = {}
        self._codes: dict[str, Indicator] | None = None
        self._pop: dict[tuple[str, str], Decimal | None] = {}

    # -- places ---------------------------------------------------------------------------------
    @property
    def units(self) -> dict[str, OrgUnit]:
        if self._units is None:
            rows = list(OrgUnit.select().where(OrgUnit.path.startswith(self.root.path)))
            self._units = {u.path: u for u in rows}
            by_id = {u.id: u for u in rows}
            for u in rows:
                parent = by_id.get(u.parent_id)
                if parent is not None:
                    self._children.setdefault(parent.path, []).append(u.path)
        return self._units

    def units_in(self, path: str, level: str | None = None, among: dict | None = None) -> list[OrgUnit]:
        if self._sorted is None:
            self._sorted = sorted(self.units.items())
        return [u for p, u in self._sorted if p.startswith(path)
                and (level is None or u.level == level) and unit_matches(u, among)]

    def population(self, path: str, column: str = "population") -> Decimal | None:
        """A place's own figure, else the sum of its children's; None when a place on the
        way down has neither (a ratio over it is then not measured)."""
        key = (path, column)
        if key not in self._pop:
            unit = self.units.get(path)
            own = getattr(unit, column) if unit is not None else None
            if own is not None:
                self._pop[key] = Decimal(own)
            else:
                kids = self._children.get(path, [])
                parts = [self.population(k, column) for k in kids]
                self._pop[key] = (None if not kids or any(p is None for p in parts)
                                  else sum(parts, Decimal(0)))
        return self._pop[key]

    # -- windows and indicators -------------------------------------------------------------------
    def window_of(self, ind: Indicator) -> Window:
        if self.window and ind.period in WINDOWED:
            return self.window
        return indicator_window(ind, self.plan, self.year)

    def indicator(self, code: str) -> Indicator:
        if self._codes is None:
            self._codes = {i.code: i for i in plan_indicators(self.plan)}
        try:
            return self._codes[code]
        except KeyError:
            raise LookupError(f"plan {self.plan.code}: no indicator {code!r}") from None

    def seed(self, path: str, indicators, got: dict) -> None:
        """Contribution sums already computed for ``path`` (absent: 0)."""
        for ind in indicators:
            if ind.measure in CONTRIBUTION_MEASURES:
                self._base[(ind.id, path)] = got.get(ind.id, Decimal(0))

    # -- actuals --------------------------------------------------------------------------------
    def value(self, ind: Indicator, path: str) -> Decimal | None:
        key = (ind.id, path)
        if key in self._values:
            return self._values[key]
        spec = ind.spec or {}
        m = ind.measure
        w = self.window_of(ind)
        if m in CONTRIBUTION_MEASURES:
            if key not in self._base:
                got = _contribution_actuals([ind], self.plan, self.units[path], self.year,
                                            self.window)
                self._base[key] = got.get(ind.id, Decimal(0))
            value = self._base[key]
        elif m == "registry":
            value = self.registry(spec, path, w)
        elif m == "ratio":
            value = self.ratio(spec, path, w)
        elif m == "presence":
            value = self.presence(ind, path)[0]
        elif m == "tier":
            value = self.tier(ind, path)[0]
        else:
            value = None
        self._values[key] = value
        return value

    def leaf_value(self, ind: Indicator, path: str) -> Decimal | None:
        """An indicator's actual at one of many places (each community of a presence, each
        site of a tier): a count or sum from one grouped query per indicator for the whole
        root, summed by path prefix; other measures as ``value``."""
        if ind.measure not in CONTRIBUTION_MEASURES:
            return self.value(ind, path)
        key = ("contributions", ind.id)
        if key not in self._leaves:
            w = self.window_of(ind)
            q = (Contribution.select(Contribution.org_path, pw.fn.SUM(Contribution.value))
                 .where(Contribution.indicator == ind.id,
                        Contribution.activity_date.between(w.start, w.end),
                        _inside(Contribution.org_path, self.root),
                        Contribution.status.in_(self.plan.counted_statuses))
                 .group_by(Contribution.org_path))
            self._leaves[key] = {p: rollup.as_decimal(v) for p, v in q.tuples()}
        return sum((v for p, v in self._leaves[key].items() if p.startswith(path)), Decimal(0))

    def target(self, ind: Indicator, path: str) -> Decimal | None:
        """A ``units`` target: the places that should have it (presence), the sites with a
        tier (tier); None where there are none (a street without a joint site has no tier
        to meet, as a place without a station has no per-station target)."""
        if ind.measure == "presence":
            target = self.presence(ind, path)[1]
        elif ind.measure == "tier":
            target = self.tier(ind, path)[1]
        else:
            return None
        return target or None

    def operand(self, spec, path: str, w: Window) -> Decimal | None:
        """A ratio's numerator or denominator: "population" / "households" (of the places),
        an indicator code (its actual), {attr: name} (the attribute summed over the places)
        or a registry spec ({source: ..., where: ...})."""
        if spec in ("population", "households"):
            return self.population(path, spec)
        if isinstance(spec, str):
            return self.value(self.indicator(spec), path)
        if "attr" in spec and "source" not in spec:
            spec = {"source": "units", "sum": spec["attr"], "among": spec.get("among"),
                    "level": spec.get("level", "community")}
        return self.registry(spec, path, w)

    def ratio(self, spec: dict, path: str, w: Window) -> Decimal | None:
        num = self.operand(spec["numerator"], path, w)
        den = self.operand(spec["denominator"], path, w)
        if num is None or den is None or den == 0:
            return None
        per = Decimal(str(spec.get("per", 1)))
        places = Decimal("0.01") if per >= 100 else Decimal("0.0001")
        return (num / den * per).quantize(places)

    def presence(self, ind: Indicator, path: str) -> tuple[Decimal, Decimal]:
        """(places that have it, places × share) among the places of ``level`` in scope."""
        key = (ind.id, path)
        if key not in self._presence:
            spec = ind.spec or {}
            units = self.units_in(path, spec["level"], spec.get("among"))
            least = _num(spec.get("min", 1))
            most = _num(spec["max"]) if "max" in spec else None
            test = spec.get("count") or ({k: spec[k] for k in ("source", "where", "sum")
                                          if k in spec} if "source" in spec else None)
            w = self.window_of(ind)
            have = 0
            for u in units:
                if isinstance(test, str):  # an indicator's actual at the place
                    n = self.leaf_value(self.indicator(test), u.path) or Decimal(0)
                elif test is not None:
                    n = self.registry(test, u.path, w) or Decimal(0)
                else:
                    n = _num(_unit_value(u, spec["attr"]))
                have += n >= least and (most is None or n <= most)
            target = (Decimal(len(units)) * share(spec.get("share", 1))).quantize(Decimal("0.01"))
            self._presence[key] = (Decimal(have), target)
        return self._presence[key]

    def tier(self, ind: Indicator, path: str) -> tuple[Decimal, Decimal]:
        """(sites whose ``of`` reaches their tier's target, sites with a tier) in scope."""
        spec = ind.spec or {}
        of = self.indicator(spec["of"])
        sites = []
        for u in self.units_in(path, spec.get("level")):
            raw = (u.attrs or {}).get(spec["attr"])
            if raw is None or raw == "":
                continue
            n = _num(raw)
            tier = next((t for t in spec["tiers"] if _num(t["from"]) <= n <= _num(t["to"])), None)
            if tier is not None:
                sites.append((u, _num(tier["target"])))
        met = sum((self.leaf_value(of, u.path) or Decimal(0)) >= goal for u, goal in sites)
        return Decimal(met), Decimal(len(sites))

    # -- registries -----------------------------------------------------------------------------
    def registry(self, spec: dict, path: str, w: Window) -> Decimal | None:
        """The count (or ``sum``) of a registry's rows inside ``path`` that pass ``where``,
        with their place passing ``among``: stocks up to the window's end, flows (service
        hours, or volunteers with ``flow = true``) inside the window. The places themselves
        (``units``) are counted by their attributes, or an attribute is summed over them:
        ``None`` when no place in scope has that attribute at all (not known is not 0)."""
        source = spec["source"]
        if source not in REGISTRY_SOURCES:
            raise ValueError(f"unknown registry source {source!r}")
        among = spec.get("among")
        if source == "units":
            total, name = Decimal(0), spec.get("sum")
            for u in self.units_in(path, spec.get("level"), among):
                if not unit_matches(u, spec.get("where")):
                    continue
                if name:
                    value = _unit_value(u, name)
                    if value is None:  # one place not known: the sum is not known
                        return None
                    total += _num(value)
                else:
                    total += 1
            return total
        leaves = self._registry_leaves(spec, w)
        return sum((v for p, v in leaves.items() if p.startswith(path)
                    and (not among or (p in self.units and unit_matches(self.units[p], among)))),
                   Decimal(0))

    def _registry_leaves(self, spec: dict, w: Window) -> dict[str, Decimal]:
        """Totals per place path inside the root, one grouped query per spec and window."""
        import json

        key = (json.dumps(spec, sort_keys=True, default=str), w.start, w.end)
        if key in self._leaves:
            return self._leaves[key]
        source, where, total = spec["source"], dict(spec.get("where") or {}), spec.get("sum")
        if source == "volunteer_hours":
            model, path_col = VolunteerHours, Volunteer.org_path
            agg = pw.fn.SUM(VolunteerHours.hours) if total else pw.fn.COUNT(VolunteerHours.id)
            q = (VolunteerHours.select(path_col, agg).join(Volunteer)
                 .where(VolunteerHours.date.between(w.start, w.end)))
        elif source == "volunteers":
            model, path_col = Volunteer, Volunteer.org_path
            with_hours = where.pop("with_hours", None)
            agg = pw.fn.COUNT(Volunteer.id)
            if spec.get("distinct"):  # e.g. "team": how many volunteer teams
                col = getattr(Volunteer, spec["distinct"])
                agg = pw.fn.COUNT(col.distinct())
                where.setdefault(spec["distinct"], {"not_blank": True})
            q = Volunteer.select(path_col, agg)
            q = q.where(Volunteer.registered_on.between(w.start, w.end) if spec.get("flow")
                        else Volunteer.registered_on <= w.end)
            if with_hours is not None:
                served = (VolunteerHours.select(VolunteerHours.volunteer)
                          .where(VolunteerHours.date.between(w.start, w.end)))
                q = q.where(Volunteer.id.in_(served) if with_hours else Volunteer.id.not_in(served))
        elif source == "organizations":
            model, path_col = SocialOrganization, SocialOrganization.org_path
            agg = (pw.fn.SUM(getattr(SocialOrganization, total)) if total
                   else pw.fn.COUNT(SocialOrganization.id))
            q = (SocialOrganization.select(path_col, agg)
                 .where(SocialOrganization.founded_on.is_null() | (SocialOrganization.founded_on <= w.end)))
        elif source == "workers":
            model, path_col = Worker, OrgUnit.path
            q = (Worker.select(path_col, pw.fn.COUNT(Worker.id)).join(OrgUnit)
                 .where(Worker.created_at < _end_of(w.end)))
        elif source == "applications":
            model, path_col = Application, Application.org_path
            agg = pw.fn.SUM(Application.subsidy) if total else pw.fn.COUNT(Application.id)
            q = Application.select(path_col, agg).where(Application.created_at < _end_of(w.end))
        else:  # stations
            model, path_col = Station, Station.path
            q = Station.select(path_col, pw.fn.COUNT(Station.id))
        for name, expected in where.items():
            col = getattr(model, name)
            if isinstance(expected, list):
                q = q.where(col.in_(expected))
            elif isinstance(expected, dict):
                if expected.get("not_blank"):
                    q = q.where(col.is_null(False), col != "")
                if "min" in expected:
                    q = q.where(col >= expected["min"])
                if "max" in expected:
                    q = q.where(col <= expected["max"])
            else:
                q = q.where(col == expected)
        q = q.where(pw.fn.SUBSTR(path_col, 1, len(self.root.path)) == self.root.path)
        out = {p: rollup.as_decimal(v) for p, v in q.group_by(path_col).tuples()}
        self._leaves[key] = out
        return out


def plan_indicators(plan: Plan) -> list[Indicator]:
    return list(Indicator.select().where(Indicator.plan == plan).order_by(Indicator.order))


def _progress_of(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date, window: Window | None,
                 indicators: list[Indicator], actual_of, explicit: dict, counts: dict,
                 measures: "Measures | None" = None) -> PlanProgress:
    """One place's rows, from actuals already computed (``actual_of(indicator)``)."""
    result = PlanProgress(plan=plan, scope=scope, year=year, as_of=as_of)
    for ind in indicators:
        w = indicator_window(ind, plan, year)
        target = target_for(ind, scope, year, explicit, counts, measures)
        if window and ind.period in WINDOWED:
            if target is not None and ind.measure not in STATE_MEASURES and ind.period == "year":
                target = (target * Decimal(window.days) / Decimal(w.days)).quantize(Decimal("0.01"))
            w = window
        if ind.measure == "reference":
            result.rows.append(IndicatorProgress(ind, None, target, None, w, "not_measured"))
            continue
        actual = actual_of(ind)
        pace, expected = pace_of(actual, target, w, as_of, elapsed=due_share(ind, plan, w, as_of))
        result.rows.append(IndicatorProgress(ind, actual, target, expected, w, pace))
    return result


def plan_progress(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
                  window: Window | None = None, indicators: list[Indicator] | None = None) -> PlanProgress:
    """Every indicator of ``plan`` for ``scope``: actual, target, expected by ``as_of``, pace.

    With a ``window`` (a quarter, a half) annual indicators count only inside it and their
    target is the annual one pro rata, so 季度小结 and 半年通报 read the same way as the year.
    """
    indicators = indicators if indicators is not None else plan_indicators(plan)
    measures = Measures(plan, year, window, scope)
    got = actuals(indicators, plan, scope, year, window, measures)
    return _progress_of(plan, scope, year, as_of, window, indicators,
                        lambda ind: got.get(ind.id, Decimal(0)),
                        _explicit_targets(indicators, year), _unit_counts([scope]), measures)


def breakdown(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
              window: Window | None = None) -> dict[int, PlanProgress]:
    """Progress of each child of ``scope`` (counties of the city, townships of a county...)."""
    children = list(OrgUnit.select().where(OrgUnit.parent == scope).order_by(OrgUnit.code))
    indicators = plan_indicators(plan)
    measures = Measures(plan, year, window, scope)
    got = actuals_by_child(indicators, plan, scope, year, children, window, measures)
    explicit = _explicit_targets(indicators, year)
    counts = _unit_counts(children)
    return {child.id: _progress_of(plan, child, year, as_of, window, indicators,
                                   lambda ind, c=child.id: got.get((ind.id, c), Decimal(0)),
                                   explicit, counts, measures)
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
    # Week by week from the contributions: the counts and sums (the other measures are
    # states read off the places and registries, not a running total).
    annual = [i for i in plan_indicators(plan)
              if i.period == "year" and i.measure in CONTRIBUTION_MEASURES]
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
    from models.core.schema import ReportKind
    codes = {k.id: k.code for k in ReportKind.select()}
    return {codes[k]: n for k, n in rows}

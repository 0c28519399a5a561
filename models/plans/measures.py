"""The measures beyond count and sum, computed from the contribution sums and from the
places and registries:

* ``registry``: a count (or a sum) of registry rows inside the scope — volunteers, their
  service hours, social organizations, workers, stations, or org units by their ``attrs``;
* ``ratio``: numerator / denominator × ``per`` over the scope (volunteers / residents,
  certified social workers per 10,000); a denominator that is not known (a place without its
  population) leaves the ratio *not measured*, never 0 %;
* ``presence``: how many places of a level have something (a fund, a hub organization, five
  active organizations), against how many there are (× a share);
* ``tier``: how many sites meet the money target of their tier (joint sites 1–5 vs 6–11).
"""
from __future__ import annotations

import datetime as dt
import json
import operator
from functools import reduce
from decimal import Decimal

import peewee as pw

from models.core.db import instances, run_prepared
from models.plans import rollup
from models.plans.contributions import (CONTRIBUTION_MEASURES, contribution_actuals, inside,
                                        plan_indicators)
from models.plans.pacing import WINDOWED, Window, indicator_window, share
from models.core.schema import (Application, Contribution, Indicator, OrgUnit, Plan,
                                SocialOrganization, Station, Volunteer, VolunteerHours, Worker)

DERIVED_MEASURES = ("registry", "ratio", "presence", "tier")
# Measures of a state (a share, how many places have something) rather than a flow: a quarter
# does not take a quarter of their target.
STATE_MEASURES = ("ratio", "presence", "tier")


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

    def __init__(self, plan: Plan, year: int, window: Window | None, root: OrgUnit,
                 indicators: list[Indicator] | None = None):
        """``indicators``: the plan's, when the caller has read them already."""
        self.plan, self.year, self.window, self.root = plan, year, window, root
        self._units: dict[str, OrgUnit] | None = None
        self._sorted: list[tuple[str, OrgUnit]] | None = None
        self._children: dict[str, list[str]] = {}
        self._base: dict[tuple[int, str], Decimal] = {}
        self._leaves: dict[tuple, dict[str, Decimal]] = {}
        self._values: dict[tuple[int, str], Decimal | None] = {}
        self._presence: dict[tuple[int, str], tuple[Decimal, Decimal]] = {}
        self._codes: dict[str, Indicator] | None = (
            None if indicators is None else {i.code: i for i in indicators})
        self._pop: dict[tuple[str, str], Decimal | None] = {}
        self._above: dict[str, OrgUnit | None] = {}
        self._stations: list[Station] | None = None
        self._levels: dict[str, list[tuple[str, OrgUnit]]] = {}
        self._windows: dict[int, Window] = {}

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

    def units_in(self, path: str, level: str | None = None, among: dict | None = None,
                 within: dict | None = None) -> list[OrgUnit]:
        return [u for p, u in self._of_level(level) if p.startswith(path)
                and (level is None or u.level == level) and unit_matches(u, among)
                and (not within or self.is_within(u, within))]

    def _of_level(self, level: str | None) -> list[tuple[str, OrgUnit]]:
        """The places of ``level`` inside the root, by path: read on their own while the
        whole tree is not needed (a city's 128 townships, not its 1,200 places)."""
        if self._units is None and level is not None:
            if level not in self._levels:
                fields = OrgUnit._meta.sorted_fields
                rows = run_prepared(
                    "measures.places_of_level",
                    lambda: OrgUnit.select(*fields).where(inside(OrgUnit.path, self.root),
                                                          OrgUnit.level == level),
                    [1, len(self.root.path), self.root.path, level])
                self._levels[level] = sorted((u.path, u) for u in instances(OrgUnit, fields, rows))
            return self._levels[level]
        if self._sorted is None:
            self._sorted = sorted(self.units.items())
        return self._sorted

    def is_within(self, unit: OrgUnit, within: dict) -> bool:
        """Whether a place lies inside a place that passes ``within`` (its columns or
        attributes): a community of a joint site, a county of a pilot city. Places above the
        root are read too (a community's own progress still knows its pilot county)."""
        parts = unit.path.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            p = "/" + "/".join(parts[:i]) + "/"
            if p not in self._above:
                self._above[p] = self.units.get(p) or OrgUnit.get_or_none(OrgUnit.path == p)
            above = self._above[p]
            if above is not None and unit_matches(above, within):
                return True
        return False

    def stations_in(self, path: str, among: dict | None = None) -> list[Station]:
        """The social-work stations inside ``path`` (``level = "station"`` of a presence:
        每个社工站…不少于5次 counts the stations that reach 5, each read at its township),
        their township passing ``among``."""
        if self._stations is None:
            fields = Station._meta.sorted_fields
            rows = run_prepared(
                "measures.stations",
                lambda: Station.select(*fields).where(inside(Station.path, self.root))
                .order_by(Station.path, Station.code),
                [1, len(self.root.path), self.root.path])
            self._stations = instances(Station, fields, rows)
        return [s for s in self._stations if s.path.startswith(path)
                and (not among or (s.path in self.units and unit_matches(self.units[s.path], among)))]

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
        if ind.id not in self._windows:
            self._windows[ind.id] = indicator_window(ind, self.plan, self.year)
        return self._windows[ind.id]

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
                got = contribution_actuals([ind], self.plan, self.units[path], self.year,
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

    def leaf_value(self, ind: Indicator, path: str, level: str | None = None) -> Decimal | None:
        """An indicator's actual at one of many places (each community of a presence, each
        site of a tier): a count or sum from one grouped query per indicator for the whole
        root — from the monthly rollup, which holds every place's own sum, when the window is
        whole months (only the rows of the places of ``level`` when the caller says all it
        asks for are of that level, "station" for stations); else from the raw rows, summed
        by path prefix — other measures as ``value``."""
        if ind.measure not in CONTRIBUTION_MEASURES:
            return self.value(ind, path)
        key = ("rows", ind.id, level)
        rows = self._leaves.get(key)  # asked for each of many places: the table read once
        if rows is not None:
            return rows.get(path, Decimal(0))
        w = self.window_of(ind)
        if rollup.covers(w.start, w.end):
            statuses = list(self.plan.counted_statuses)
            params = [ind.id, w.start, w.end, 1, len(self.root.path), self.root.path, *statuses]
            if level not in (None, "station"):
                params.append(level)

            def build():
                cm = rollup.ContributionMonth
                q = (cm.select(cm.org_path, pw.fn.SUM(cm.total))
                     .where(cm.indicator_id == ind.id, cm.month.between(w.start, w.end),
                            inside(cm.org_path, self.root), cm.status.in_(statuses))
                     .group_by(cm.org_path))
                if level is not None:  # a row per place of the level, on the unique index
                    places = (Station.select(Station.path) if level == "station" else
                              OrgUnit.select(OrgUnit.path).where(OrgUnit.level == level))
                    q = q.where(cm.org_path.in_(places))
                return q

            shape = ("measures.leaf", level if level in (None, "station") else "level",
                     len(statuses))
            rows = self._leaves[key] = {p: rollup.as_decimal(v) for p, v in
                                        run_prepared(shape, build, params)}
            return rows.get(path, Decimal(0))  # a place's own row: no prefix sum
        key = ("contributions", ind.id)
        if key not in self._leaves:
            q = (Contribution.select(Contribution.org_path, pw.fn.SUM(Contribution.value))
                 .where(Contribution.indicator == ind.id,
                        Contribution.activity_date.between(w.start, w.end),
                        inside(Contribution.org_path, self.root),
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
        if isinstance(spec, list):  # a sum of operands (filed + registered organizations)
            parts = [self.operand(s, path, w) for s in spec]
            return None if any(p is None for p in parts) else sum(parts, Decimal(0))
        if isinstance(spec, str):
            return self.value(self.indicator(spec), path)
        if "attr" in spec and "source" not in spec:
            spec = {"source": "units", "sum": spec["attr"], "among": spec.get("among"),
                    "level": spec.get("level", "community"), "within": spec.get("within")}
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
            mine = [has for p, has in self._marks(ind) if p.startswith(path)]
            share_of = share((ind.spec or {}).get("share", 1))
            self._presence[key] = (Decimal(sum(mine)),
                                   (Decimal(len(mine)) * share_of).quantize(Decimal("0.01")))
        return self._presence[key]

    def _marks(self, ind: Indicator) -> list[tuple[str, bool]]:
        """Each place of a presence's ``level`` inside the root (its path) and whether it has
        it: tested once, then counted for any place (a city and its counties read the same
        townships)."""
        key = ("marks", ind.id)
        if key not in self._leaves:
            spec = ind.spec or {}
            units = (self.stations_in(self.root.path, spec.get("among"))
                     if spec["level"] == "station" else
                     self.units_in(self.root.path, spec["level"], spec.get("among"),
                                   spec.get("within")))
            least = _num(spec.get("min", 1))
            most = _num(spec["max"]) if "max" in spec else None
            test = spec.get("count") or ({k: spec[k] for k in ("source", "where", "sum")
                                          if k in spec} if "source" in spec else None)
            w = self.window_of(ind)
            if isinstance(test, str) and self.window is not None and ind.period == "year":
                # a yearly "at least n per place" read over a quarter or a half asks its share
                # of n, as a count's target is taken pro rata (季度小结, 半年通报)
                least = least * Decimal(self.window.days) / Decimal(Window.year(self.year).days)
            marks = []
            for u in units:
                if isinstance(test, str):  # an indicator's actual at the place
                    n = self.leaf_value(self.indicator(test), u.path, spec["level"]) or Decimal(0)
                elif test is not None:
                    n = self.registry(test, u.path, w) or Decimal(0)
                else:
                    n = _num(_unit_value(u, spec["attr"]))
                marks.append((u.path, n >= least and (most is None or n <= most)))
            self._leaves[key] = marks
        return self._leaves[key]

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
        met = sum((self.leaf_value(of, u.path, spec.get("level")) or Decimal(0)) >= goal
                  for u, goal in sites)
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
            for u in self.units_in(path, spec.get("level"), among, spec.get("within")):
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
            if name == "any":  # any one of several filters: full-time OR part-time OR agency
                q = q.where(reduce(operator.or_, [
                    reduce(operator.and_, [_condition(model, n, e) for n, e in one.items()])
                    for one in expected]))
            else:
                q = q.where(_condition(model, name, expected))
        q = q.where(pw.fn.SUBSTR(path_col, 1, len(self.root.path)) == self.root.path)
        out = {p: rollup.as_decimal(v) for p, v in q.group_by(path_col).tuples()}
        self._leaves[key] = out
        return out


def _condition(model, name: str, expected):
    """One ``where`` filter of a registry spec as a query condition: a list (any of),
    {not_blank, min, max}, or a value."""
    col = getattr(model, name)
    if isinstance(expected, list):
        return col.in_(expected)
    if isinstance(expected, dict):
        parts = []
        if expected.get("not_blank"):
            parts += [col.is_null(False), col != ""]
        if "min" in expected:
            parts.append(col >= expected["min"])
        if "max" in expected:
            parts.append(col <= expected["max"])
        return reduce(operator.and_, parts) if parts else pw.SQL("1 = 1")
    return col == expected

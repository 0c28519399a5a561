"""A community's own view: its reports over time, its share of the targets of the township
and the county it belongs to, and where it stands among its sibling communities.

A community (居委会) has no targets of its own, so the rates that the dashboard shows for a
city or a county read 0 or nothing there. What a community can honestly be told is what it
has contributed to the targets above it (its contributions / the parent's target) and how
that compares with the communities beside it — places, never people. Computed from
``models.plans.progress`` like every other figure.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import peewee as pw

from models.core.schema import Indicator, OrgUnit, Plan, Report
from models.plans import progress
from models.plans.pacing import Window


@dataclass
class Share:
    """What the community counted for one indicator against one parent's target. For a
    target on stations that each hold at least n events (``level = "station"``, ``count``,
    ``min``), the community adds events, not stations: ``counted`` is the events' counter and
    the target is the events the parent's stations need (stations × n)."""

    indicator: Indicator
    actual: Decimal
    target: Decimal
    counted: Indicator | None = None

    @property
    def source(self) -> Indicator:
        """The indicator whose actual the community contributes."""
        return self.counted or self.indicator

    @property
    def percent(self) -> float | None:
        return float(self.actual / self.target * 100) if self.target else None


@dataclass
class ParentShare:
    """The community's shares of one ancestor's (township's, county's) current targets."""

    parent: OrgUnit
    shares: list[Share]

    @property
    def mean(self) -> float | None:
        """Mean share, each capped at 100 % (one indicator cannot carry the others)."""
        items = [min(s.percent, 100.0) for s in self.shares if s.percent is not None]
        return sum(items) / len(items) if items else None


@dataclass
class Sibling:
    """A community beside it: reports in the period and its mean share of the township's
    targets (the same basis for every sibling)."""

    unit: OrgUnit
    reports: int
    share: float | None


@dataclass
class CommunityView:
    unit: OrgUnit
    window: Window
    months: list[tuple[dt.date, int]]  # first day of each month of the year up to as_of
    reports: int  # in the period
    parents: list[ParentShare]
    siblings: list[Sibling] = field(default_factory=list)  # ranked, best first

    @property
    def position(self) -> int | None:
        """1-based rank among the siblings (None when it has none)."""
        for i, s in enumerate(self.siblings, start=1):
            if s.unit.id == self.unit.id:
                return i
        return None


def _report_counts(plan: Plan, units: list[OrgUnit], start: dt.date, end: dt.date) -> dict[int, int]:
    """Reports dated in [start, end] in the plan's counted statuses, per unit (inside it)."""
    out = {}
    for u in units:
        out[u.id] = (Report.select().where(progress.inside(Report.org_path, u),
                                           Report.activity_date.between(start, end),
                                           Report.status.in_(plan.counted_statuses)).count())
    return out


def monthly_reports(plan: Plan, unit: OrgUnit, year: int, as_of: dt.date) -> list[tuple[dt.date, int]]:
    """Reports per calendar month of ``year`` up to ``as_of`` inside ``unit``."""
    last = min(as_of, dt.date(year, 12, 31))
    per: dict[str, int] = {}
    month = pw.fn.SUBSTR(pw.Cast(Report.activity_date, "text"), 1, 7)
    for m, n in (Report.select(month, pw.fn.COUNT(Report.id))
                 .where(progress.inside(Report.org_path, unit),
                        Report.activity_date.between(dt.date(year, 1, 1), last),
                        Report.status.in_(plan.counted_statuses))
                 .group_by(month).tuples()):
        per[m] = n
    return [(dt.date(year, k, 1), per.get(f"{year}-{k:02d}", 0))
            for k in range(1, 13) if dt.date(year, k, 1) <= last]


def _station_counter(ind: Indicator, by_code: dict[str, Indicator]) -> Indicator | None:
    """The counter a presence over stations reads at each station (e.g. 每个社工站每年开展
    “新风弘扬”活动不少于5次 reads the events), if it is one the community's reports add to."""
    spec = ind.spec or {}
    if ind.measure != "presence" or spec.get("level") != "station":
        return None
    counted = by_code.get(spec.get("count")) if isinstance(spec.get("count"), str) else None
    return counted if counted is not None and counted.measure in progress.CONTRIBUTION_MEASURES else None


def _events_per_station(ind: Indicator, year: int, window: Window | None) -> Decimal:
    """The events one station needs in the period: its ``min``, taken pro rata over a quarter
    or a half of a yearly target as ``Measures.presence`` does."""
    least = Decimal(str((ind.spec or {}).get("min", 1)))
    if window is not None and ind.period == "year":
        least = least * Decimal(window.days) / Decimal(Window.year(year).days)
    return least


def _shares(plan: Plan, unit: OrgUnit, parent: OrgUnit, year: int, as_of: dt.date,
            window: Window | None, own: dict[int, Decimal | None],
            by_code: dict[str, Indicator]) -> ParentShare:
    pp = progress.plan_progress(plan, parent, year, as_of, window)
    shares = []
    for r in pp.current:
        if not r.target:
            continue
        if r.indicator.measure in progress.CONTRIBUTION_MEASURES:
            shares.append(Share(r.indicator, own.get(r.indicator.id) or Decimal(0), r.target))
        elif (counted := _station_counter(r.indicator, by_code)) is not None:
            need = (r.target * _events_per_station(r.indicator, year, window)).quantize(Decimal("0.01"))
            shares.append(Share(r.indicator, own.get(counted.id) or Decimal(0), need, counted))
    return ParentShare(parent, shares)


def community_view(plan: Plan, unit: OrgUnit, year: int, as_of: dt.date,
                   window: Window | None = None) -> CommunityView:
    """``unit``'s reports, its shares of its township's and county's targets, and its rank
    among the communities of its township by its mean share (then by reports)."""
    period = window or Window.year(year)
    indicators = progress.plan_indicators(plan)
    own = progress.actuals(indicators, plan, unit, year, window)
    parents = [a for a in unit.ancestors() if a.level in ("township", "county")]
    parents.sort(key=lambda a: len(a.path), reverse=True)  # township first
    by_code = {i.code: i for i in indicators}
    shares = [_shares(plan, unit, a, year, as_of, window, own, by_code) for a in parents]
    siblings: list[Sibling] = []
    township = parents[0] if parents and parents[0].level == "township" else None
    if unit.parent_id is not None:
        units = list(OrgUnit.select().where(OrgUnit.parent == unit.parent_id,
                                            OrgUnit.level == unit.level).order_by(OrgUnit.code))
        counts = _report_counts(plan, units, period.start, min(period.end, as_of))
        ids = [s.source.id for s in shares[0].shares] if township and shares else []
        by_child = (progress.actuals_by_child([i for i in indicators if i.id in ids], plan,
                                              unit.parent, year, units, window) if ids else {})
        for u in units:
            items = [min(float((by_child.get((s.source.id, u.id)) or 0) / s.target * 100), 100.0)
                     for s in shares[0].shares] if ids else []
            siblings.append(Sibling(u, counts[u.id], sum(items) / len(items) if items else None))
        siblings.sort(key=lambda s: (-(s.share if s.share is not None else -1), -s.reports,
                                     s.unit.code))
    last = min(period.end, as_of)
    reports = next((s.reports for s in siblings if s.unit.id == unit.id), None)
    if reports is None:
        reports = _report_counts(plan, [unit], period.start, last)[unit.id]
    return CommunityView(unit, period, monthly_reports(plan, unit, year, as_of), reports,
                         shares, siblings)

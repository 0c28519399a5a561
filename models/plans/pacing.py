"""Pace: where an actual should stand by a date, and what its pace is called.

Expected is the target spread evenly over its window (expected = target × elapsed share), or
the step function of dated partial targets (``milestones``: 50 % by one date, 100 % by
another), or for a ``standing`` target the plan's start to ``due`` spread evenly.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from models.core.schema import Indicator, Plan
from models.core.i18n import N_

BEHIND_RATIO = Decimal("0.75")
PACES = ("done", "on_track", "behind", "at_risk", "missed", "no_target", "not_measured")
#: The one wording of each pace state (gettext msgids): the dashboard, the exports and the
#: charts all say it this way.
PACE_LABELS = {"done": N_("Done"), "on_track": N_("On track"), "behind": N_("Behind"),
               "at_risk": N_("At risk"), "missed": N_("Missed"), "no_target": N_("No target"),
               "not_measured": N_("Not measured")}
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

    @classmethod
    def from_label(cls, label: str) -> "Window":
        """The window a label names: "2026", "2026Q3", "2026H1" (``ValueError`` otherwise)."""
        year, rest = int(label[:4]), label[4:]
        if not rest:
            return cls.year(year)
        if rest[0] == "Q" and rest[1:] in ("1", "2", "3", "4"):
            return cls.quarter(year, int(rest[1:]))
        if rest[0] == "H" and rest[1:] in ("1", "2"):
            return cls.half(year, int(rest[1:]))
        raise ValueError(label)

    def ended_by(self, as_of: dt.date) -> bool:
        """Whole by ``as_of``: its charts show the target at its end, not a pace for today."""
        return self.end < as_of

    def share_elapsed(self, as_of: dt.date) -> Decimal:
        if as_of < self.start:
            return Decimal(0)
        if as_of >= self.end:
            return Decimal(1)
        return Decimal((as_of - self.start).days + 1) / Decimal((self.end - self.start).days + 1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1




def indicator_start(indicator: Indicator, plan: Plan) -> dt.date:
    """Where an indicator's own period starts: its ``start_date`` when the plan file gives
    one (a 累计 target of the 14th five-year plan counts from 2021, before a 2023 plan),
    else the plan's start."""
    own = (indicator.spec or {}).get("start_date")
    if own:
        return own if isinstance(own, dt.date) else dt.date.fromisoformat(str(own))
    return plan.start_date


def indicator_window(indicator: Indicator, plan: Plan, year: int) -> Window:
    """``year``: the year; ``plan``: from the indicator's start to ``due``; ``standing``: a
    standard to reach by ``due`` and hold after it, read over the year."""
    if indicator.period == "plan":
        start = indicator_start(indicator, plan)
        end = indicator.due or dt.date(year, 12, 31)
        return Window(start, end, f"{start.year}–{end.year}")
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


def bounds(indicator: Indicator) -> dict:
    """How an indicator's target is met, as its plan file says (kept in its spec by the
    loader): ``direction`` "min" (reach it: 不少于/以上) or "max" (stay within it: 以内/不超过),
    and ``strict`` (超过/突破: only above it counts)."""
    spec = indicator.spec or {}
    return {"direction": spec.get("direction", "min"), "strict": bool(spec.get("strict", False))}


def met(actual: Decimal, target: Decimal, direction: str = "min", strict: bool = False) -> bool:
    """Whether ``actual`` meets ``target``: ≥ (min), > (min, strict), ≤ (max), < (max, strict)."""
    if direction == "max":
        return actual < target if strict else actual <= target
    return actual > target if strict else actual >= target


def pace_of(actual: Decimal | None, target: Decimal | None, window: Window, as_of: dt.date,
            milestones=None, elapsed: Decimal | None = None, direction: str = "min",
            strict: bool = False) -> tuple[str, Decimal | None]:
    """The pace of ``actual`` against ``target``: expected by ``as_of`` is the target spread
    evenly over ``window``, or with ``milestones`` ([{by, share}]) the share due by then, or
    the share ``elapsed`` given (a standing target's, see ``due_share``). A maximum
    (``direction = "max"``) is done while kept and missed once passed; ``strict`` needs the
    actual beyond the target, not at it."""
    if actual is None:
        return "not_measured", None
    if target is None:
        return "no_target", None
    if direction == "max":
        return ("done", target) if met(actual, target, "max", strict) else ("missed", target)
    if elapsed is None:
        elapsed = milestone_share(milestones, as_of) if milestones else window.share_elapsed(as_of)
    expected = (target * elapsed).quantize(Decimal("0.01"))
    if met(actual, target, "min", strict):
        return "done", expected
    if as_of > window.end:
        return "missed", expected
    if expected == 0 or met(actual, expected, "min", strict):  # strict: the share due, passed
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
        return Window(indicator_start(indicator, plan), due, "").share_elapsed(as_of)
    return window.share_elapsed(as_of)

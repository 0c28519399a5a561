"""The 联动指数 (linkage index): one score per place over the five elements of 五社联动.

A plan that defines an index keeps it in its file's ``[index]`` section (stored in
``Plan.spec["index"]``): the elements 社区, 社会组织, 社会工作者, 志愿者, 慈善资源, each with a
weight and the codes of the plan's indicators that measure it. The 浙江 document names the
five areas but gives no weights, so the shipped weights are equal and editable in the file.

The score is read off ``models.plans.progress`` and nothing is counted here:

* an indicator's attainment at a place is min(actual / target, 1), for indicators with a
  target and a measured actual there (others are left out, not counted as 0);
* an element's score is 100 × the mean attainment of its indicators; an element with no
  such indicator at a place is *not measured* (``None``), which is not the same as 0;
* the index is Σ weight × score / Σ weight over the measured elements.

Places are ranked by the index; people never are.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from models.plans import progress
from models.core.schema import LEVELS, OrgUnit, Plan

# The level whose places an index table lists below a scope: the counties of a city, the
# communities of a county or a township (the document scores communities).
CHILD_LEVEL = {"province": "city", "city": "county", "county": "community",
               "township": "community"}


class IndexDefinitionError(ValueError):
    """A plan's index that cannot be scored (a negative weight). An element naming an
    unknown indicator is refused when the plan is loaded (``models.plans.loading``)."""


@dataclass(frozen=True)
class Element:
    """One of the five elements as the plan file defines it."""

    code: str
    name: str
    name_en: str
    weight: Decimal
    indicators: tuple[str, ...]

    def label(self, locale: str) -> str:
        return self.name if locale.startswith("zh") else (self.name_en or self.name)


@dataclass(frozen=True)
class ElementScore:
    """An element's score at a place: 0–100, or ``None`` when nothing of it is measured there.
    ``measured`` names the indicators that went into it."""

    element: Element
    score: float | None
    measured: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return self.element.code

    def label(self, locale: str) -> str:
        return self.element.label(locale)


@dataclass
class LinkageIndex:
    """A place's index: its element scores (in the plan's order) and the weighted total."""

    place: OrgUnit
    elements: list[ElementScore] = field(default_factory=list)
    total: float | None = None

    def score_of(self, code: str) -> float | None:
        return next((e.score for e in self.elements if e.code == code), None)


def elements_of(plan: Plan) -> list[Element]:
    """The plan's index elements, or ``[]`` for a plan without an index.

    Weights default to equal shares; a missing ``weight`` takes that default. Reads
    ``spec["index"]["elements"]`` (a list of tables in the plan file).
    """
    section = (plan.spec or {}).get("index")
    if not section:
        return []
    raw = section.get("elements", []) if isinstance(section, dict) else section
    if not raw:
        return []
    default = Decimal(1) / Decimal(len(raw))
    out = []
    for e in raw:
        weight = Decimal(str(e["weight"])) if e.get("weight") is not None else default
        if weight < 0:
            raise IndexDefinitionError(f"plan {plan.code}: index element {e['code']} has a "
                                       f"negative weight {weight}")
        out.append(Element(code=e["code"], name=e["name"], name_en=e.get("name_en", ""),
                           weight=weight, indicators=tuple(e.get("indicators", []))))
    return out


def has_index(plan: Plan) -> bool:
    return bool(elements_of(plan))


def attainment(row: progress.IndicatorProgress) -> float | None:
    """min(actual / target, 1) for a measured indicator with a positive target, else None."""
    if not row.has_target or row.actual is None or not row.target or row.target <= 0:
        return None
    return min(float(row.actual / row.target), 1.0)


def score(pp: progress.PlanProgress, elements: list[Element] | None = None) -> LinkageIndex:
    """The index of ``pp``'s place from progress already computed (a ``plan_progress`` or one
    place of a ``breakdown``): no query of its own."""
    elements = elements if elements is not None else elements_of(pp.plan)
    rows = {r.indicator.code: r for r in pp.rows}
    scores = []
    for e in elements:
        got = [(code, attainment(rows[code])) for code in e.indicators if code in rows]
        got = [(code, a) for code, a in got if a is not None]
        value = 100 * sum(a for _, a in got) / len(got) if got else None
        scores.append(ElementScore(e, value, tuple(code for code, _ in got)))
    measured = [s for s in scores if s.score is not None]
    weights = sum((s.element.weight for s in measured), Decimal(0))
    total = (sum(float(s.element.weight) * s.score for s in measured) / float(weights)
             if measured and weights > 0 else None)
    return LinkageIndex(place=pp.scope, elements=scores, total=total)


def index_for(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date) -> LinkageIndex:
    """The index of one place (its whole subtree counted), from ``plan_progress``."""
    return score(progress.plan_progress(plan, scope, year, as_of))


def child_level(scope: OrgUnit) -> str | None:
    """The level an index table lists below ``scope``; None for a community."""
    return CHILD_LEVEL.get(scope.level)


def progress_by_level(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
                      window: progress.Window | None = None, down_to: str = "community",
                      include_scope: bool = True) -> dict[str, list[progress.PlanProgress]]:
    """Progress of ``scope`` and of every place inside it down to ``down_to``, by level
    (``{"county": [...], "township": [...], ...}``, each list in code order).

    Walks the tree with ``progress.breakdown``, one per place that has children to show, so
    the communities of a county cost one breakdown per township, never one
    ``plan_progress`` per community; nothing is summed here.
    """
    last = LEVELS.index(down_to)
    out: dict[str, list[progress.PlanProgress]] = {}
    if include_scope:
        out[scope.level] = [progress.plan_progress(plan, scope, year, as_of, window)]
    parents = [scope] if LEVELS.index(scope.level) < last else []
    while parents:
        below = []
        for parent in parents:
            for pp in progress.breakdown(plan, parent, year, as_of, window).values():
                depth = LEVELS.index(pp.scope.level)
                if depth > last:
                    continue
                out.setdefault(pp.scope.level, []).append(pp)
                if depth < last:
                    below.append(pp.scope)
        parents = below
    return {level: sorted(rows, key=lambda pp: pp.scope.code) for level, rows in out.items()}


def index_by_child(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date) -> list[LinkageIndex]:
    """The index of each place one table-level down: the counties of a city, the
    communities of a county or a township (``CHILD_LEVEL``); [] below that."""
    level = child_level(scope)
    if level is None:
        return []
    elements = elements_of(plan)
    parts = progress_by_level(plan, scope, year, as_of, down_to=level, include_scope=False)
    return [score(pp, elements) for pp in parts.get(level, [])]


def ranked(indexes: list[LinkageIndex]) -> list[LinkageIndex]:
    """Best index first, places without one last, ties by code."""
    return sorted(indexes, key=lambda x: (x.total is None, -(x.total or 0.0), x.place.code))


def ranking(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date) -> list[tuple[OrgUnit, float | None]]:
    """Places (never people) below ``scope`` ranked by their index."""
    return [(x.place, x.total) for x in ranked(index_by_child(plan, scope, year, as_of))]


def average(indexes: list[LinkageIndex]) -> list[ElementScore]:
    """Each element's mean score over the places where it is measured (a comparison line for
    one place's radar); ``None`` where no place measures it."""
    if not indexes:
        return []
    out = []
    for i, first in enumerate(indexes[0].elements):
        values = [x.elements[i].score for x in indexes if x.elements[i].score is not None]
        out.append(ElementScore(first.element, sum(values) / len(values) if values else None))
    return out

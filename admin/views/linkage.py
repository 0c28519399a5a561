"""The 联动指数 page: for a plan that defines the index, each place in the official's area
scored on the five elements (社区, 社会组织, 社会工作者, 志愿者, 慈善资源) and in total, ranked
(places, never people), with a radar chart of one place against the places beside it.

A city lists its counties, a county or a township its communities (``models.plans.linkage``), and
a place opens one level down. Scores come from ``models.plans.linkage``, which reads them off
``models.plans.progress``; nothing is counted here. A place from the URL goes through
``admin.base.unit_in_scope`` (404 outside the official's area), for the page and the chart.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from charts import png_bytes
from charts.radar import linkage_radar
from models.org import access
from models.plans import linkage
from models.core.schema import OrgUnit, Plan

from admin.base import Secured, today, unit_in_scope
from admin.chart_cache import cached_chart
from admin.formatting import place_names
from admin.i18n import project_locale, template_gettext
from admin.scoping import all_plans, requested_year

RANKING_TITLES = {"city": _l("Cities ranked by the linkage index"),
                  "county": _l("Counties ranked by the linkage index"),
                  "community": _l("Communities ranked by the linkage index")}


def indexed_plans() -> list[Plan]:
    """The loaded plans that define a 联动指数, the default plan first."""
    return [p for p in all_plans() if linkage.has_index(p)]


@dataclass(frozen=True)
class Selection:
    """Plan, place (the table's scope), the place whose radar is shown, and year."""

    plan: Plan
    scope: OrgUnit
    root: OrgUnit
    place: OrgUnit
    year: int
    as_of: object

    def params(self, **changes) -> dict:
        out = {"plan": self.plan.code, "scope": self.scope.code, "place": self.place.code,
               "year": self.year}
        out.update(changes)
        if out.get("place") == out.get("scope"):
            out.pop("place")
        if out.get("scope") == self.root.code:
            out.pop("scope")
        if out.get("year") == self.as_of.year:
            out.pop("year")
        return out

    def key(self) -> tuple:
        return (self.plan.id, self.scope.id, self.place.id, self.year, self.as_of)


def selection(plans: list[Plan]) -> Selection:
    """The request's choices, checked: an unknown plan or year, or a place outside the
    official's area (or a radar place outside the table's scope), is a 404."""
    code = request.args.get("plan")
    plan = next((p for p in plans if p.code == code), None) if code else plans[0]
    if plan is None:
        abort(404)
    root = access.scope_root(current_user)
    scope = unit_in_scope(request.args.get("scope")) or root
    place = unit_in_scope(request.args.get("place")) or scope
    if not scope.contains(place):
        abort(404)
    as_of = today()
    year = requested_year(plan, as_of)
    return Selection(plan=plan, scope=scope, root=root, place=place, year=year, as_of=as_of)


def fmt(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "—"


def page_data(sel: Selection, plans: list[Plan]) -> dict:
    locale = project_locale()
    elements = linkage.elements_of(sel.plan)
    own = linkage.index_for(sel.plan, sel.scope, sel.year, sel.as_of)
    rows = linkage.ranked(linkage.index_by_child(sel.plan, sel.scope, sel.year, sel.as_of))
    names = {i.code: i.label(locale) for i in sel.plan.indicators}
    level = linkage.child_level(sel.scope)
    return {
        "sel": sel, "plans": plans, "elements": elements, "own": own, "rows": rows,
        "average": linkage.average(rows), "fmt": fmt,
        "labels": [e.label(locale) for e in elements],
        "parts": [(e, [names.get(c, c) for c in e.indicators]) for e in elements],
        "where": place_names([r.place for r in rows]) if level == "community" else {},
        "ranking_title": RANKING_TITLES[level] if level else None,
        "trail": [u for u in sel.scope.ancestors() if u.path.startswith(sel.root.path)],
        "years": list(range(sel.as_of.year, sel.plan.start_date.year - 1, -1)),
        "equal_weights": len({e.weight for e in elements}) == 1,
        "source": (sel.plan.spec or {}).get("index", {}),
    }


def radar_png(sel: Selection) -> bytes:
    """The place's five elements; against the mean of the table's places when the place is
    one of them."""
    elements = linkage.elements_of(sel.plan)
    locale = project_locale()
    place = linkage.index_for(sel.plan, sel.place, sel.year, sel.as_of)
    compare = None
    if sel.place != sel.scope:
        rows = linkage.index_by_child(sel.plan, sel.scope, sel.year, sel.as_of)
        compare = [e.score for e in linkage.average(rows)]
    fig = linkage_radar(
        [e.label(locale) for e in elements], [e.score for e in place.elements], compare,
        title=_("Linkage index: {place}, {year}").format(place=sel.place.name, year=sel.year),
        place_label=sel.place.name,
        compare_label=_("Average of the places in {place}").format(place=sel.scope.name),
        total=place.total, total_label=_("Index {value}"),
        not_measured_label=_("not measured"))
    return png_bytes(fig)


class LinkageView(Secured, BaseView):
    """The 联动指数 of the official's area, for the plans that define one."""

    @expose("/")
    def index(self):
        plans = indexed_plans()
        if not plans:
            return self.render("admin/linkage.html", sel=None, gettext=template_gettext)
        sel = selection(plans)
        return self.render("admin/linkage.html", gettext=template_gettext,
                           link=lambda **kw: url_for(".index", **sel.params(**kw)),
                           radar=url_for(".radar", **sel.params()), **page_data(sel, plans))

    @expose("/radar.png")
    def radar(self):
        plans = indexed_plans()
        if not plans:
            abort(404)
        sel = selection(plans)
        return cached_chart(("radar", *sel.key(), project_locale()), lambda: radar_png(sel))

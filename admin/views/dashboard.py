"""The dashboard: the page after sign-in, progress of a plan in the official's area.

For a plan, a year (or one of its quarters or halves) and a place inside the official's
scope: every indicator's actual against its target with its pace, the nine action lines as
row groups and the place's children as columns (drill down by clicking a column), the year's
ranking of those places (年终评比: places, never people), the communities that have gone
quiet, and two charts.

Every loaded plan has its own dashboard: the plan switcher lists them (the default plan
first) and the choice stays in the query string, so the charts, the ranking and the export
follow it. A plan with a 联动指数 gets its index card (``models.plans.linkage``, scored from the same
progress) linking to the index page.

Every number comes from ``models.plans.progress``; this module only picks the inputs from the
request (defaults: the default plan, this year in ``TIMEZONE``, the official's scope root),
arranges the results and formats them. A place from the URL goes through
``admin.base.unit_in_scope``: the official can narrow the view, never widen it, and a
place outside the scope is a 404, for the page and the charts alike.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Response, abort, current_app, request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import gettext as _
from flask_login import current_user

from charts import PlaceCompletion, completion_by_place, png_bytes, weekly_trend
from models.org import access
from models.plans import linkage, progress
from models.plans.community import community_view
from models.forms.kinds import default_plan
from models.core.i18n import translator
from models.core.schema import ActionLine, OrgUnit, Plan

from admin.base import Secured, today, unit_in_scope
from admin.chart_cache import SharedPages, cached_chart, data_version
from admin.downloads import download, to_xlsx
from admin.exports import plan_tables
from admin.formatting import place_names
from admin.formatting import due_text
from admin.i18n import project_locale, template_gettext
from admin.labels import PACE_LABELS, PACE_STYLES
from admin.scoping import all_plans, requested_year

PERIODS = ("year", "H1", "H2", "Q1", "Q2", "Q3", "Q4")
SILENT_DAYS = 14
SILENT_SHOWN = 50  # the longest-silent ones; the count says how many there are in all


@dataclass(frozen=True)
class Selection:
    """What the request asks for, checked against the official's scope."""

    plan: Plan
    scope: OrgUnit
    root: OrgUnit
    year: int
    period: str
    as_of: dt.date

    @property
    def window(self) -> progress.Window | None:
        if self.period.startswith("Q"):
            return progress.Window.quarter(self.year, int(self.period[1]))
        if self.period.startswith("H"):
            return progress.Window.half(self.year, int(self.period[1]))
        return None

    def params(self, **changes) -> dict:
        """Query-string arguments for a link to the same view with ``changes``."""
        out = {"plan": self.plan.code, "year": self.year, "period": self.period,
               "scope": self.scope.code}
        out.update(changes)
        for name, default in (("scope", self.root.code), ("period", "year"),
                              ("year", self.as_of.year),
                              ("plan", self.plan.code if self.plan.is_default else None)):
            if out[name] == default:
                out.pop(name)
        return out

    def key(self) -> tuple:
        return (self.plan.id, self.scope.id, self.year, self.period, self.as_of)

    def switch_to(self, plan: Plan) -> dict:
        """Arguments for the same place and period in another plan (its own years only)."""
        year = self.year if plan.start_date.year <= self.year <= self.as_of.year + 1 else None
        return self.params(plan=plan.code, year=year)


def selection() -> Selection:
    """Plan, place, year and period from the query string; 404 for anything unknown or
    outside the official's scope."""
    root = access.scope_root(current_user)
    scope = unit_in_scope(request.args.get("scope")) or root
    code = request.args.get("plan")
    plan = Plan.get_or_none(Plan.code == code) if code else default_plan()
    if plan is None:
        abort(404)
    as_of = today()
    year = requested_year(plan, as_of)
    period = request.args.get("period") or "year"
    if period not in PERIODS:
        abort(404)
    return Selection(plan=plan, scope=scope, root=root, year=year, period=period, as_of=as_of)


# ---- formatting ------------------------------------------------------------------------------

class Formatter:
    """Numbers for one request's locale. A page has some 500 of them, so the grouping and
    decimal signs are looked up once, not per number."""

    def __init__(self, locale: str, over: str | None = None):
        self.locale = locale
        t = translator(locale)
        symbols = t.babel_locale.number_symbols.get("latn", t.babel_locale.number_symbols)
        self.group = symbols.get("group", ",")
        self.decimal = symbols.get("decimal", ".")
        self.percent_ = t.percent
        # what an over-achieved cell says instead of a percent
        self.over = _("Over target") if over is None else over

    def __reduce__(self):  # kept (admin.chart_cache.SharedPages) by its locale, not its babel
        return Formatter, (self.locale, self.over)

    def number(self, value) -> str:
        if value is None:
            return "—"
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value):,}"
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.group)

    def percent(self, value: float | None) -> str:
        return self.percent_(value)


def period_label(period: str, year: int) -> str:
    if period == "year":
        return _("{year}, whole year").format(year=year)
    if period.startswith("H"):
        return _("{year}, first half").format(year=year) if period == "H1" else \
            _("{year}, second half").format(year=year)
    return _("{year}, quarter {q}").format(year=year, q=period[1])


# ---- the page's data -----------------------------------------------------------------------

@dataclass(slots=True)
class Cell:
    """One indicator at one place, formatted for the table (a page has some 500: slots)."""

    code: str
    place: str
    row: progress.IndicatorProgress
    actual: str
    target: str | None
    percent: str
    expected: str
    pace: str
    label: str
    style: str

    @property
    def over(self) -> bool:
        return self.row.over

    @property
    def reference(self) -> bool:
        return self.row.indicator.measure == "reference"


def cells(rows, place: str, fmt: Formatter, labels: dict) -> list[Cell]:
    """Each row's figures as text; an over-achieved one says so (``Cell.over``) instead of a
    percent like 6,900 %."""
    out = []
    for r in rows:
        percent = r.percent
        out.append(Cell(r.indicator.code, place, r, fmt.number(r.actual),
                        fmt.number(r.target) if r.target is not None else None,
                        fmt.over if percent is not None and percent > 100.0
                        else fmt.percent(percent),
                        fmt.number(r.expected), r.pace, labels[r.pace], PACE_STYLES[r.pace]))
    return out


CARD_PACES = ("done", "on_track", "behind", "at_risk", "missed")


def pace_counts(pp: progress.PlanProgress) -> list[tuple[str, int]]:
    """The status cards: how many of the place's current targeted indicators are in each
    pace (a card counts indicators, and only those its rate is computed over)."""
    return [(p, sum(1 for r in pp.counted if r.pace == p)) for p in CARD_PACES]


def children_basis(parts: dict) -> set[str]:
    """The indicators the children are rated on (any of them): the parent's rate on the same
    basis (同口径) is what can be set beside theirs."""
    return {r.indicator.code for pp in parts.values() for r in pp.counted}


def page_data(sel: Selection) -> dict:
    """Everything the template shows, from models.plans.progress (nothing computed here)."""
    window = sel.window
    locale = project_locale()
    fmt = Formatter(locale)
    labels = {k: str(v) for k, v in PACE_LABELS.items()}
    total, parts = progress.overview(sel.plan, sel.scope, sel.year, sel.as_of, window)
    children = [pp.scope for pp in parts.values()]
    by_child = {cid: {r.indicator.id: r for r in pp.rows} for cid, pp in parts.items()}
    codes = [c.code for c in children]
    # rows of a period that ended before this one: the targeted ones in their own section,
    # the others (no target here) say nothing about this period
    ended_ids = {r.indicator.id for r in total.past}
    basis = children_basis(parts)
    same_basis = (total.completion_over(basis)
                  if basis and basis != {r.indicator.code for r in total.counted} else None)

    lines = {line.id: line for line in
             ActionLine.select().where(ActionLine.plan == sel.plan).order_by(ActionLine.number)}
    grouped = total.by_line()
    groups = []
    for line_id in list(lines) + [None]:
        rows = [r for r in grouped.get(line_id) or [] if r.indicator.id not in ended_ids]
        if not rows:
            continue
        line = lines.get(line_id)
        groups.append({
            "label": (f"{line.number}. {line.label(locale)}" if line else _("Across all lines")),
            "rows": [{"indicator": r.indicator, "label": r.indicator.label(locale),
                      "unit": r.indicator.unit if locale.startswith("zh") else r.indicator.unit_en,
                      "total": cells([r], sel.scope.code, fmt, labels)[0],
                      "cells": cells([by_child[c.id][r.indicator.id] for c in children], "",
                                     fmt, labels)}
                     for r in rows],
        })

    if not children:
        ranking, ranked_parts = [], {}
    else:  # the year's breakdown is the one the ranking ranks
        ranked_parts = parts if window is None else progress.breakdown(
            sel.plan, sel.scope, sel.year, sel.as_of)
        ranking = progress.ranked(ranked_parts)
    bases = {cid: pp.basis for cid, pp in ranked_parts.items()}
    community = (community_view(sel.plan, sel.scope, sel.year, sel.as_of, window)
                 if sel.scope.level == "community" else None)
    silent = progress.silent_communities(sel.scope, sel.as_of, SILENT_DAYS)
    shown = sorted(silent, key=lambda x: (x[1] or dt.date.min, x[0].code))[:SILENT_SHOWN]
    names = place_names([u for u, _ in shown])
    trail = [u for u in sel.scope.ancestors() if u.path.startswith(sel.root.path)]
    return {
        "sel": sel, "total": total, "children": children, "parts": parts, "groups": groups,
        "codes": codes, "fmt": fmt, "pace_labels": labels,
        "cards": pace_counts(total), "same_basis": same_basis, "basis_size": len(basis),
        "ended": cells(total.past, sel.scope.code, fmt, labels), "bases": bases,
        "community": community, "sel_locale": locale, "finished": (window or progress.Window.year(sel.year))
        .ended_by(sel.as_of),
        "ranking": ranking, "silent": silent, "silent_shown": shown, "silent_where": names,
        "trail": trail,
        "plans": all_plans(),
        "index": linkage.score(total) if linkage.has_index(sel.plan) else None,
        "years": list(range(sel.as_of.year, sel.plan.start_date.year - 1, -1)),
        "periods": [(p, period_label(p, sel.year)) for p in PERIODS],
        "period_label": period_label(sel.period, sel.year),
        "window": window or progress.Window.year(sel.year),
    }


# ---- charts --------------------------------------------------------------------------------

def pace_mark_label(sel: Selection) -> str:
    """A finished period's pace mark is its target at the end (期末目标), not today's share."""
    window = sel.window or progress.Window.year(sel.year)
    return _("Target at period end") if window.ended_by(sel.as_of) else _("Expected by today")


def completion_png(sel: Selection) -> bytes:
    """Completion of the places below; for a community (no targets of its own), its share of
    its township's targets, indicator by indicator; a chart saying so when there is none."""
    period = period_label(sel.period, sel.year)
    labels = {k: str(PACE_LABELS[k]) for k in ("done", "on_track", "behind", "at_risk")}
    if sel.scope.level == "community":
        view = community_view(sel.plan, sel.scope, sel.year, sel.as_of, sel.window)
        town = view.parents[0] if view.parents else None
        items = [PlaceCompletion(s.indicator.name if project_locale().startswith("zh")
                                 else s.indicator.name_en, s.percent, None)
                 for s in (town.shares if town else [])]
        fig = completion_by_place(
            items, title=_("Share of {parent}'s targets: {place}, {period}").format(
                parent=town.parent.name if town else "", place=sel.scope.name, period=period),
            ylabel=_("Share of the target (%)"), target_label=_("Target 100 %"),
            pace_label=pace_mark_label(sel), no_data_label=_("No target"),
            state_labels=labels, neutral=True,
            empty_label=_("No target of the township counts reports of this community."))
        return png_bytes(fig)
    parts = progress.breakdown(sel.plan, sel.scope, sel.year, sel.as_of, sel.window)
    if parts:
        items = [PlaceCompletion(pp.scope.name, pp.completion, pp.expected_completion)
                 for pp in parts.values()]
    else:
        pp = progress.plan_progress(sel.plan, sel.scope, sel.year, sel.as_of, sel.window)
        items = [PlaceCompletion(sel.scope.name, pp.completion, pp.expected_completion)]
    fig = completion_by_place(
        items, title=_("Completion of targets: {place}, {period}").format(
            place=sel.scope.name, period=period),
        ylabel=_("Completion (%)"), target_label=_("Target 100 %"),
        pace_label=pace_mark_label(sel), no_data_label=_("No target"), state_labels=labels,
        empty_label=_("No targets for this period at this level."))
    return png_bytes(fig)


def trend_png(sel: Selection) -> bytes:
    points = progress.weekly_trend(sel.plan, sel.scope, sel.year, sel.as_of)
    fig = weekly_trend(
        [p.start for p in points], [p.reports for p in points],
        [p.completion for p in points], [p.expected for p in points],
        title=_("Reports per week and annual targets: {place}, {year}").format(
            place=sel.scope.name, year=sel.year),
        reports_label=_("Reports per week"), completion_label=_("Annual targets completed"),
        pace_label=_("Expected by then"), percent_axis_label=_("Completion (%)"),
        count_axis_label=_("Reports"),
        no_target_note=(_("A community has no targets of its own: only its reports are shown.")
                        if sel.scope.level == "community"
                        else _("No annual targets at this level")),
        month_format="%-m月" if project_locale().startswith("zh") else "%b")
    return png_bytes(fig)


def _png(name: str, render) -> Response:
    sel = selection()
    return cached_chart((name, *sel.key(), project_locale(), data_version()),
                        lambda: render(sel))


PAGE_TTL = 600  # seconds a page's figures are reused while the data version stays the same
page_cache = SharedPages(size=64)


def cached_page_data(sel: Selection) -> dict:
    """``page_data`` per (plan, place, year, period, day, root, locale), recomputed as soon as a
    report, a target or a plan changes (``progress.data_version``, read from the database,
    so every worker process sees the change on its next request); computed once for every
    worker process (``SharedPages``: kept in the database too)."""
    # the official's root too: the trail and the links of the page start from it
    key = ("page", *sel.key(), sel.root.id, project_locale(), data_version())
    ttl = current_app.config.get("DASHBOARD_PAGE_TTL", PAGE_TTL)
    return page_cache.get_or_render(key, ttl, lambda: page_data(sel))


# ---- the view ------------------------------------------------------------------------------

def digest_url(sel: Selection) -> str | None:
    """The digest page (admin/views/digests.py) for this place and plan, and for the quarter or
    half shown when it has ended; None if the digests are not installed."""
    if "digests.index" not in current_app.view_functions:
        return None
    window = sel.window
    finished = window is not None and window.end < sel.as_of
    params = {k: v for k, v in sel.params().items() if k in ("scope", "plan")}
    if finished:
        params["period"] = f"{sel.year}{sel.period}"
    return url_for("digests.index", **params)


class DashboardView(Secured, AdminIndexView):
    """The admin's index: progress against targets, scoped to the signed-in official."""

    @expose("/")
    def index(self):
        sel = selection()
        data = cached_page_data(sel)
        return self.render("admin/dashboard.html", silent_days=SILENT_DAYS,
                           gettext=template_gettext,
                           pace_styles=PACE_STYLES,
                           link=lambda **kw: url_for(".index", **sel.params(**kw)),
                           chart=lambda name: url_for(f".{name}_chart", **sel.params()),
                           digest_url=digest_url(sel), due_text=due_text, **data)

    @expose("/export.xlsx")
    def export(self):
        """The chosen plan's workbook for the chosen place and year: a sheet per level of
        places down to the communities, and the 联动指数 when the plan has one."""
        sel = selection()
        levels = linkage.progress_by_level(sel.plan, sel.scope, sel.year, sel.as_of, sel.window)
        body = to_xlsx(plan_tables(sel.plan, sel.scope, levels, sel.as_of))
        period = "" if sel.period == "year" else sel.period
        return download(body, f"{sel.plan.name}_{sel.scope.name}_{sel.year}年{period}.xlsx")

    @expose("/chart/completion.png")
    def completion_chart(self):
        return _png("completion", completion_png)

    @expose("/chart/trend.png")
    def trend_chart(self):
        return _png("trend", trend_png)

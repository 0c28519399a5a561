"""The quarterly / half-year digest of a place (季度小结, 半年通报): completion by action line
against the window's share of the annual targets, the weekly trend, the ranking of the places
one level down, and the donations and activities of the period.

Every figure comes from ``models.plans.progress``: completion and ranking from the plan's
targeted indicators, and the donations and activity counts from the plan's counters
(``FIGURES``), the same contributions the admin's progress pages add up.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from models.plans import progress
from models.core.i18n import Translator
from models.plans.progress import PlanProgress, Window, WeekPoint
from models.core.schema import OrgUnit, Plan
from models.pushes.pieces import (PACE_ICONS, RANKING_SHOWN, KindCount, LineProgress, b, by_line,
                                  completion_lines, esc, fit, line_name, pace_text, pair,
                                  place_name, ranked_places, reports_by_kind, reports_by_line,
                                  rounded)

# ---- the quarterly / half-year digest --------------------------------------------------------

class Naming(Protocol):
    """What a digest asks of its push kind (an entry of ``models.pushes.kinds``, which builds
    digests and so cannot be imported here): its code, title and period names."""

    code: str
    title: str

    def period_name(self, label: str, t: Translator) -> str: ...


@dataclass
class Month:
    """One calendar month of a digest's window (clipped to it): what was raised and held."""

    start: dt.date
    donations: Decimal
    xinfeng: int
    placename: int


@dataclass
class Digest:
    """A place's quarter or half-year (季度小结, 半年通报): completion by action line against
    the window's share of the annual targets and the pace line, the weekly trend of the year
    to ``as_of``, the ranking of the places one level down, donations raised, and the
    新风弘扬 and 地名文化 activity."""

    scope: OrgUnit
    plan: Plan
    window: Window
    as_of: dt.date
    push: Naming = field(repr=False)  # the registry's entry for the window's kind
    lines: list[LineProgress]
    overall: LineProgress
    trend: list[WeekPoint]
    ranking: list[tuple[OrgUnit, float | None, float | None]]  # (place, completion, expected)
    ranking_level: str | None
    kinds: list[KindCount]
    donations: Decimal  # money raised (yuan)
    donated_goods: Decimal  # estimated value of goods (yuan)
    donation_reports: int
    xinfeng: int  # 新风弘扬 activities
    placename: int  # 地名文化 promotions
    placename_stories: int
    months: list[Month]
    progress: PlanProgress = field(repr=False)
    # The basis of the figures (``PlanProgress.basis``): how many indicators the place's rate
    # is counted over, how many the places below are ranked on, and the place's own rate on
    # that same basis (同口径), so a city on 6 indicators is not set beside counties on 1
    # without saying so.
    basis: int = 0
    ranking_basis: int = 0
    same_basis: float | None = None

    @property
    def reports(self) -> int:
        return sum(k.count for k in self.kinds)

    @property
    def kind(self) -> str:
        """The push kind's code ('quarterly', 'half'; 'year' for an annual review)."""
        return self.push.code

    def chart_specs(self, locale: str) -> list[dict]:
        """The digest's charts as plain data for ``charts.pushes.render``, in page order:
        completion by action line (when the place has targets), weekly trend, ranking (when
        places below it have targets), donations and 新风弘扬 / 地名文化 counts. A
        community, with no targets of its own, gets the last two."""
        base = {"locale": locale, "scope": self.scope.code, "plan": self.plan.code,
                "period": self.window.label, "as_of": self.as_of.isoformat(),
                "place": place_name(self.scope, locale), "kind": self.kind}
        specs = []
        if self.overall.completion is not None:  # a place with targets of its own
            specs.append({**base, "chart": "digest_lines", "items": [
                [line_name(lp.line, locale, short=True), rounded(lp.completion),
                 rounded(lp.expected)] for lp in self.lines]
                + [["__overall__", rounded(self.overall.completion),
                    rounded(self.overall.expected)]]})
        specs.append({**base, "chart": "digest_trend",
                      "weeks": [p.start.isoformat() for p in self.trend],
                      "reports": [p.reports for p in self.trend],
                      "completion": [rounded(p.completion) for p in self.trend],
                      "expected": [rounded(p.expected) for p in self.trend]})
        if any(c is not None for _, c, _ in self.ranking):  # places with targets to compare
            specs.append({**base, "chart": "digest_ranking", "level": self.ranking_level,
                          "basis": self.ranking_basis,
                          "items": [[place_name(u, locale), rounded(c), rounded(e)]
                                    for u, c, e in self.ranking]})
        specs.append({**base, "chart": "digest_figures",
                      "months": [m.start.isoformat() for m in self.months],
                      "donations": [float(m.donations) for m in self.months],
                      "xinfeng": [m.xinfeng for m in self.months],
                      "placename": [m.placename for m in self.months],
                      "totals": {"donations": float(self.donations),
                                 "goods": float(self.donated_goods),
                                 "xinfeng": self.xinfeng, "placename": self.placename,
                                 "stories": self.placename_stories}})
        return specs


#: Each figure of a digest and the plan indicator (a counter) it is read from. A plan that
#: lacks one of them shows 0 for that figure: the digest never reads report values itself.
FIGURES = {"donations": "donations_money", "goods": "donations_goods",
           "xinfeng": "xinfeng_activities", "placename": "placename_promotions",
           "stories": "placename_stories"}
DONATION_KIND = "donation"  # the report kind whose count is "in {n} donations"


def _months(window: Window, last: dt.date) -> list[Window]:
    """The calendar months of ``window`` up to ``last``, each clipped to them."""
    out, day = [], window.start.replace(day=1)
    while day <= last:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append(Window(max(day, window.start), min(following - dt.timedelta(days=1), last),
                          day.isoformat()[:7]))
        day = following
    return out


def figures(plan: Plan, scope: OrgUnit, window: Window, last: dt.date
            ) -> tuple[list[Month], dict[str, Decimal]]:
    """The window's donations and activities per month and in all, as the progress
    computation counts the plan's ``FIGURES`` indicators (their contributions, in the plan's
    counted statuses, inside ``scope``)."""
    wanted = {i.code: i for i in progress.plan_indicators(plan) if i.code in FIGURES.values()}
    months, totals = [], {name: Decimal(0) for name in FIGURES}
    for month in _months(window, last):
        got = progress.actuals(list(wanted.values()), plan, scope, month.start.year, month)
        value = {name: (got.get(wanted[code].id) or Decimal(0)) if code in wanted else Decimal(0)
                 for name, code in FIGURES.items()}
        months.append(Month(month.start.replace(day=1), value["donations"],
                            int(value["xinfeng"]), int(value["placename"])))
        totals = {name: totals[name] + value[name] for name in FIGURES}
    return months, totals


def digest(scope: OrgUnit, plan: Plan, window: Window, as_of: dt.date, push) -> Digest:
    """The digest of ``window`` (a quarter, a half, a year) for ``scope`` as of ``as_of``
    (the window's last day for a past period); ``push`` is the registry's entry for the
    window's kind (``models.pushes.kinds``), which names and titles it."""
    year = window.start.year
    last = min(window.end, as_of)
    whole_year = window.start == dt.date(year, 1, 1) and window.end == dt.date(year, 12, 31)
    scoped = None if whole_year else window
    pp = progress.plan_progress(plan, scope, year, as_of, scoped)
    lines, overall = by_line(plan, pp, window, reports_by_line(plan, scope, window.start, last))
    parts = progress.breakdown(plan, scope, year, as_of, scoped)
    ranking = ranked_places(parts, window)
    level = ranking[0][0].level if ranking else None
    below = {r.indicator.code for p in parts.values() for r in p.counted}
    kinds = reports_by_kind(plan, scope, window.start, last)
    months, totals = figures(plan, scope, window, last)
    count = {k.code: k.count for k in kinds}
    trend = progress.weekly_trend(plan, scope, year, as_of)
    return Digest(scope=scope, plan=plan, window=window, as_of=as_of, push=push, lines=lines,
                  overall=overall, trend=trend, ranking=ranking, ranking_level=level,
                  kinds=kinds, donations=totals["donations"], donated_goods=totals["goods"],
                  donation_reports=count.get(DONATION_KIND, 0), xinfeng=int(totals["xinfeng"]),
                  placename=int(totals["placename"]), placename_stories=int(totals["stories"]),
                  months=months, progress=pp, basis=pp.basis, ranking_basis=len(below),
                  same_basis=(pp.completion_over(below)
                              if below and below != {r.indicator.code for r in pp.counted}
                              else None))


def digest_title(d: Digest, t: Translator) -> str:
    place = place_name(d.scope, t.locale)
    return t.gettext(d.push.title, place=place,
                     period=d.push.period_name(d.window.label, t))


def format_digest(d: Digest, t: Translator) -> str:
    """The digest as Telegram HTML: the text sent before its charts, also the PDF's cover."""
    loc = t.locale
    out = ["📈 " + b(digest_title(d, t)),
           esc(t.gettext("{start} – {end}", start=t.date(d.window.start),
                                 end=t.date(min(d.window.end, d.as_of)))), ""]
    out.append(b(t.ngettext("{n} report in this period", "{n} reports in this period",
                             d.reports)))
    out += [f"{k.emoji} " + esc(pair(t, t.gettext(k.name), t.number(k.count)))
            for k in d.kinds if k.count]
    out += ["", b(t.gettext("Completion against targets"))]
    out += completion_lines(d.lines, d.overall, t, loc) or [
        esc(t.gettext("No targets for this period at this level."))]
    out += [esc(line) for line in basis_lines(d, t)]
    ranked = [(u, c) for u, c, _ in d.ranking if c is not None]
    if ranked:
        out += ["", b(t.gettext("Ranking of places")) + esc(ranking_basis(d, t))]
        out += [f"{i}. " + esc(pair(t, place_name(u, loc), t.percent(c)))
                for i, (u, c) in enumerate(ranked[:RANKING_SHOWN], start=1)]
        if len(ranked) > RANKING_SHOWN:
            out.append(esc(t.gettext("and {n} more",
                                             n=t.number(len(ranked) - RANKING_SHOWN))))
    out += [""] + [f"{icon} {esc(text)}" for icon, text in zip(
        ("💰", "🎎", "🗺"), _activity_lines(d, t))]
    return fit(out)


def _activity_lines(d: Digest, t: Translator) -> list[str]:
    money = t.ngettext("Donations raised: {money} in {n} donation",
                       "Donations raised: {money} in {n} donations", d.donation_reports,
                       money=t.money(d.donations))
    if d.donated_goods:
        money += t.gettext(", and goods worth {goods}", goods=t.money(d.donated_goods))
    return [
        money,
        t.gettext("New-customs (新风弘扬) activities: {n}", n=t.number(d.xinfeng)),
        t.gettext("Place-name culture (地名文化) promotions: {n}, with {stories} stories collected",
                  n=t.number(d.placename), stories=t.number(d.placename_stories)),
    ]


def digest_cover_lines(d: Digest, t: Translator) -> list[tuple[int, str]]:
    """The digest's text for the PDF's cover, as (font size, plain line): no HTML, no
    emoji (the PDF's font has no emoji glyphs)."""
    loc = t.locale
    out = [(18, digest_title(d, t)),
           (11, t.gettext("{start} – {end}", start=t.date(d.window.start),
                          end=t.date(min(d.window.end, d.as_of)))),
           (11, d.plan.name if t.is_zh else (d.plan.name_en or d.plan.name)), (8, ""),
           (13, t.ngettext("{n} report in this period", "{n} reports in this period", d.reports))]
    out += [(11, pair(t, t.gettext(k.name), t.number(k.count)))
            for k in d.kinds if k.count]
    out += [(8, ""), (13, t.gettext("Completion against targets"))]
    targeted = [lp for lp in d.lines if lp.completion is not None]
    if targeted:
        out.append((11, t.gettext("Overall: {progress}", progress=pace_text(d.overall, t))
                    .replace(PACE_ICONS.get(d.overall.pace, "") + " ", "")))
        out += [(11, pair(t, line_name(lp.line, loc),
                          pace_text(lp, t).replace(PACE_ICONS.get(lp.pace, "") + " ", "")))
                for lp in targeted]
    else:
        out.append((11, t.gettext("No targets for this period at this level.")))
    out += [(11, line) for line in basis_lines(d, t)]
    ranked = [(u, c) for u, c, _ in d.ranking if c is not None]
    if ranked:
        out += [(8, ""), (13, t.gettext("Ranking of places") + ranking_basis(d, t))]
        out += [(11, f"{i}. " + pair(t, place_name(u, loc), t.percent(c)))
                for i, (u, c) in enumerate(ranked, start=1)]
    out += [(8, ""), (13, t.gettext("Donations and activities"))]
    out += [(11, line) for line in _activity_lines(d, t)]
    return out


def basis_lines(d: Digest, t: Translator) -> list[str]:
    """What the place's rate is counted over, and its rate on the basis of the places below
    when that differs: '按 6 项指标计；与下级同口径（1 项指标）：92.0%'."""
    if not d.basis:
        return []
    text = t.ngettext("Counted over %(num)d indicator", "Counted over %(num)d indicators",
                      d.basis) % {"num": d.basis}
    if d.same_basis is not None:
        text += t.gettext("; ") + t.ngettext(
            "On the basis of the places below (%(num)d indicator)",
            "On the basis of the places below (%(num)d indicators)",
            d.ranking_basis) % {"num": d.ranking_basis} + t.gettext(
            "{name}: {value}", name="", value=t.percent(d.same_basis))
    return [text]


def ranking_basis(d: Digest, t: Translator) -> str:
    """' (按 1 项指标计)' after the ranking's heading."""
    if not d.ranking_basis:
        return ""
    return t.gettext(" ({basis})", basis=t.ngettext(
        "Counted over %(num)d indicator", "Counted over %(num)d indicators",
        d.ranking_basis) % {"num": d.ranking_basis})


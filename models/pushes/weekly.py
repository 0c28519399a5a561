"""The weekly summary of a place: this week's reports by kind and by action line, the year
to date against targets with pace, the places furthest behind and the silent communities.

Its chart is plain, JSON-able data (``chart_specs``): the pushes store that in the outbox, so
the picture a group receives shows the very numbers of the text sent with it, however late the
bot gets to send it (``charts.pushes.render`` draws it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models.plans import progress
from models.core.i18n import Translator
from models.plans.progress import PlanProgress, Window
from models.core.schema import OrgUnit, Plan
from models.pushes.pieces import (BEHIND_SHOWN, SILENT_DAYS, SILENT_SHOWN, KindCount,
                                  LineProgress, b, by_line, completion_lines, esc, fit, iso_week,
                                  line_name, pair, place_name, qualified_names, ranked_places,
                                  reports_by_kind, reports_by_line, rounded)


@dataclass
class WeeklySummary:
    """A place's week: reports in the ISO week of ``as_of`` by kind and by action line, the
    year to date against targets with pace, the places furthest behind and the silent
    communities."""

    scope: OrgUnit
    plan: Plan
    as_of: dt.date
    week: Window
    kinds: list[KindCount]
    lines: list[LineProgress]  # this week's reports and the year's progress per action line
    overall: LineProgress
    other_reports: int  # reports of this week without an action line (donations...)
    behind: list[tuple[OrgUnit, float, float | None]]  # (place, completion, expected), worst first
    behind_level: str | None
    silent: list[tuple[OrgUnit, dt.date | None]]
    progress: PlanProgress = field(repr=False)

    @property
    def reports(self) -> int:
        return sum(k.count for k in self.kinds)

    def chart_specs(self, locale: str) -> list[dict]:
        """The weekly chart as plain data for ``charts.pushes.render``."""
        return [{
            "chart": "weekly", "locale": locale, "scope": self.scope.code,
            "plan": self.plan.code, "period": self.week.label, "as_of": self.as_of.isoformat(),
            "place": place_name(self.scope, locale),
            "lines": [[line_name(lp.line, locale, short=True), lp.reports,
                       rounded(lp.completion), rounded(lp.expected), lp.pace]
                      for lp in self.lines],
            "overall": [rounded(self.overall.completion), rounded(self.overall.expected),
                        self.overall.pace],
        }]



def furthest_behind(plan: Plan, scope: OrgUnit, year: int, as_of: dt.date,
                    n: int = BEHIND_SHOWN
                    ) -> tuple[list[tuple[OrgUnit, float, float | None]], str | None]:
    """The ``n`` places one level below ``scope`` with the lowest completion of this year's
    targets (``progress.breakdown``, ``ranked_places``), worst first, with their pace mark.
    Places without a target of their own are not compared (with the shipped plan,
    communities have none: their township's station carries them)."""
    if not OrgUnit.select().where(OrgUnit.parent == scope).exists():
        return [], None  # a community: nothing below it (and a weekly run has many)
    parts = progress.breakdown(plan, scope, year, as_of)
    ranked = [p for p in ranked_places(parts, Window.year(year)) if p[1] is not None]
    ranked.sort(key=lambda x: (x[1], x[0].code))
    level = next(iter(parts.values())).scope.level if parts else None
    return ranked[:n], level


def weekly_summary(scope: OrgUnit, plan: Plan, as_of: dt.date) -> WeeklySummary:
    """The summary of the ISO week that contains ``as_of`` (its reports up to ``as_of``),
    with the year to date. The year is the week's ISO year, so the week that straddles New
    Year (2026-W53, 28 December – 3 January) closes 2026 (as of 31 December) instead of
    opening 2027 with three days of pace."""
    week = iso_week(as_of)
    year = int(week.label[:4])
    ytd = min(as_of, dt.date(year, 12, 31))
    last = min(week.end, as_of)
    kinds = reports_by_kind(plan, scope, week.start, last)
    per_line = reports_by_line(plan, scope, week.start, last)
    pp = progress.plan_progress(plan, scope, year, ytd)
    lines, overall = by_line(plan, pp, Window.year(year), per_line)
    known = {lp.line.code for lp in lines}
    other = sum(n for code, n in per_line.items() if code not in known)
    behind, level = furthest_behind(plan, scope, year, ytd)
    silent = progress.silent_communities(scope, as_of, SILENT_DAYS)
    return WeeklySummary(scope=scope, plan=plan, as_of=as_of, week=week, kinds=kinds,
                         lines=lines, overall=overall, other_reports=other, behind=behind,
                         behind_level=level, silent=silent, progress=pp)



def format_weekly(s: WeeklySummary, t: Translator) -> str:
    """The weekly summary as Telegram HTML (names escaped) in ``t``'s language."""
    loc = t.locale
    year = s.progress.year
    out = ["📊 " + b(t.gettext("Weekly summary: {place}", place=place_name(s.scope, loc))),
           esc(t.gettext("{week}, {start} – {end}", week=s.week.label,
                                 start=t.date(s.week.start), end=t.date(s.week.end))),
           ""]
    out.append(b(t.ngettext("{n} report this week", "{n} reports this week", s.reports)))
    kinds = [f"{k.emoji} " + esc(pair(t, t.gettext(k.name), t.number(k.count)))
             for k in s.kinds if k.count]
    out += kinds or [esc(t.gettext("No reports dated this week."))]
    busy = [lp for lp in s.lines if lp.reports]
    if busy:
        out += ["", b(t.gettext("By action line"))]
        out += ["• " + esc(pair(t, line_name(lp.line, loc), t.number(lp.reports)))
                for lp in busy]
        if s.other_reports:
            out.append("• " + esc(t.gettext("Other reports: {n}",
                                                    n=t.number(s.other_reports))))
    out += ["", b(t.gettext("Year {year} to date against targets", year=year))]
    out += completion_lines(s.lines, s.overall, t, loc) or [
        esc(t.gettext("No annual targets at this level."))]
    if s.behind:
        out += ["", b(t.gettext("Furthest behind"))]
        out += ["• " + esc(pair(t, place_name(u, loc), t.gettext(
            "{percent} (expected {expected})", percent=t.percent(c), expected=t.percent(e))))
            for u, c, e in s.behind]
    out += [""]
    if s.silent:
        out.append(b(t.ngettext("{n} community without reports for two weeks",
                                 "{n} communities without reports for two weeks",
                                 len(s.silent))))
        names = [esc(n) for n in qualified_names(
            [u for u, _ in s.silent[:SILENT_SHOWN]], s.scope, loc)]
        line = ("、" if t.is_zh else ", ").join(names)
        if len(s.silent) > SILENT_SHOWN:
            line += " " + esc(t.gettext("and {n} more",
                                                n=t.number(len(s.silent) - SILENT_SHOWN)))
        out.append(line)
    else:
        out.append("👏 " + esc(t.gettext(
            "Every community has reported in the last two weeks.")))
    return fit(out)


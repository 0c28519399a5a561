"""What a group is told: the weekly summary and the quarterly / half-year digest of a place.

Places, not people: every figure is about the scope's subtree or the places inside it, never
about a worker. Progress, pace, rankings, the trend and silent communities all come from
``models.plans.progress`` (the one computation the admin and the bot use too); this module only
picks the rows a summary needs, counts this week's reports, and formats the result as
Telegram HTML in the reader's language.

Each summary also gives its charts as plain, JSON-able data (``chart_specs``): the pushes
store that in the outbox, so the picture a group receives shows the very numbers of the text
sent with it, however late the bot gets to send it (``charts.pushes.render`` draws it).
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import peewee as pw

from models.plans import progress
from models.core.i18n import N_, Translator
from models.plans.progress import BEHIND_RATIO, IndicatorProgress, PlanProgress, Window, WeekPoint
from models.core.schema import ActionLine, OrgUnit, Plan, Report, ReportKind

MESSAGE_LIMIT = 4096  # Telegram's limit for a message's text
SILENT_DAYS = 14
BEHIND_SHOWN = 5  # places furthest behind, in the weekly summary
SILENT_SHOWN = 10  # silent communities named; the count says how many there are in all
RANKING_SHOWN = 10  # places named in a digest's text (the chart shows them all)

PACE_ICONS = {"done": "✅", "on_track": "🟢", "behind": "🟡", "at_risk": "🔴", "missed": "⚫"}
PACE_NAMES = {
    "done": N_("done"),
    "on_track": N_("on track"),
    "behind": N_("behind"),
    "at_risk": N_("at risk"),
    "missed": N_("missed"),
}
DONATION_KIND = "donation"
XINFENG_KIND = "xinfeng"
PLACENAME_KIND = "placename"


# ---- shared pieces ---------------------------------------------------------------------------

@dataclass
class KindCount:
    """Reports of one kind: ``name`` is the kind's msgid."""

    code: str
    name: str
    emoji: str
    count: int


@dataclass
class LineProgress:
    """An action line's (or the whole plan's, ``line`` None) completion of its targeted
    indicators against where it would stand on pace: both as ``PlanProgress.completion``,
    the mean of the indicators' completions, each capped at 100 %."""

    line: ActionLine | None
    completion: float | None
    expected: float | None
    pace: str
    reports: int = 0


def mean_pace(completion: float | None, expected: float | None) -> str:
    """On track / behind for a mean completion against its pace mark, by the same rule as
    one indicator (``progress.pace_of``): behind below the pace, at risk below
    ``BEHIND_RATIO`` of it."""
    if completion is None:
        return "no_target"
    if completion >= 100:
        return "done"
    if expected is None or completion >= expected:
        return "on_track"
    if completion >= expected * float(BEHIND_RATIO):
        return "behind"
    return "at_risk"


def _line_progress(line: ActionLine | None, rows: list[IndicatorProgress], pp: PlanProgress,
                   reports: int = 0) -> LineProgress:
    part = PlanProgress(plan=pp.plan, scope=pp.scope, year=pp.year, as_of=pp.as_of, rows=rows)
    return LineProgress(line, part.completion, part.expected_completion,
                        mean_pace(part.completion, part.expected_completion), reports)


def current_rows(pp: PlanProgress, window: Window) -> list[IndicatorProgress]:
    """Rows that speak about ``window``: not reference figures, and not a plan-period target
    that ended before it (2023–2025 targets are history in a 2026 summary)."""
    return [r for r in pp.rows
            if r.indicator.measure != "reference" and r.window.end >= window.start]


def overall_of(pp: PlanProgress, window: Window) -> LineProgress:
    """A place's completion over its current targeted rows (``current_rows``): what its
    summary says, and what places are ranked by in a summary."""
    return _line_progress(None, current_rows(pp, window), pp)


def plan_lines(plan: Plan) -> list[ActionLine]:
    return list(ActionLine.select().where(ActionLine.plan == plan).order_by(ActionLine.number))


def by_line(plan: Plan, pp: PlanProgress, window: Window,
            reports: dict[str | None, int] | None = None
            ) -> tuple[list[LineProgress], LineProgress]:
    """Each action line's progress over ``pp``'s current targeted rows, and the whole plan's."""
    rows = current_rows(pp, window)
    reports = reports or {}
    lines = []
    for line in plan_lines(plan):
        mine = [r for r in rows if r.indicator.action_line_id == line.id]
        lines.append(_line_progress(line, mine, pp, reports.get(line.code, 0)))
    return lines, _line_progress(None, rows, pp, sum(reports.values()))


def ranked_places(parts: dict[int, PlanProgress], window: Window
                  ) -> list[tuple[OrgUnit, float | None, float | None]]:
    """The places of a ``progress.breakdown`` by their completion over ``window``'s current
    rows, best first, places without a target last, ties by code (as ``progress.ranked``)."""
    places = []
    for pp in parts.values():
        o = overall_of(pp, window)
        places.append((pp.scope, o.completion, o.expected))
    return sorted(places, key=lambda x: (-(x[1] if x[1] is not None else -1), x[0].code))


def _inside(path_field, scope: OrgUnit):
    """``path_field`` is in ``scope``'s subtree (an exact prefix, as ``models.plans.progress``)."""
    return pw.fn.SUBSTR(path_field, 1, len(scope.path)) == scope.path


def _counted(plan: Plan, scope: OrgUnit, start: dt.date, end: dt.date):
    return (Report.activity_date.between(start, end), _inside(Report.org_path, scope),
            Report.status.in_(plan.counted_statuses))


def reports_by_kind(plan: Plan, scope: OrgUnit, start: dt.date, end: dt.date) -> list[KindCount]:
    """Reports dated in [start, end] inside ``scope``, in the plan's counted statuses, per
    kind (every kind, in the form order, zeros included)."""
    got = dict(Report.select(Report.kind, pw.fn.COUNT(Report.id))
               .where(*_counted(plan, scope, start, end)).group_by(Report.kind).tuples())
    return [KindCount(k.code, k.name, k.emoji, got.get(k.id, 0))
            for k in ReportKind.select().order_by(ReportKind.order)]


def reports_by_line(plan: Plan, scope: OrgUnit, start: dt.date,
                    end: dt.date) -> dict[str | None, int]:
    """Reports dated in [start, end] inside ``scope`` per action-line code (None: no line)."""
    return dict(Report.select(Report.action_line, pw.fn.COUNT(Report.id))
                .where(*_counted(plan, scope, start, end)).group_by(Report.action_line).tuples())


def place_name(unit: OrgUnit, locale: str) -> str:
    return unit.name if locale.startswith("zh") else (unit.name_en or unit.name)


def qualified_names(units: list[OrgUnit], scope: OrgUnit, locale: str) -> list[str]:
    """Names of places with their parent's when it is below ``scope`` ('东城街道太平社区'),
    since generated village names repeat across townships; one query for the parents."""
    ids = {u.parent_id for u in units if u.parent_id and u.parent_id != scope.id}
    parents = {p.id: p for p in OrgUnit.select().where(OrgUnit.id.in_(list(ids)))} if ids else {}
    out = []
    for u in units:
        name, parent = place_name(u, locale), parents.get(u.parent_id)
        if parent is None:
            out.append(name)
        else:
            out.append(f"{place_name(parent, locale)}{name}" if locale.startswith("zh")
                       else f"{name} ({place_name(parent, locale)})")
    return out


def line_name(line: ActionLine, locale: str, short: bool = False) -> str:
    """'8. 婚丧嫁娶“新风弘扬”行动'; short: the slogan (新风弘扬) or the English name's head."""
    if short:
        return (line.slogan or line.name) if locale.startswith("zh") else line.name_en.split(":")[0]
    return f"{line.number}. {line.label(locale)}"


def iso_week(day: dt.date) -> Window:
    """The ISO week (Monday to Sunday) containing ``day``, labelled '2026-W48'."""
    year, week, weekday = day.isocalendar()
    monday = day - dt.timedelta(days=weekday - 1)
    return Window(monday, monday + dt.timedelta(days=6), f"{year}-W{week:02d}")


# ---- the weekly summary ----------------------------------------------------------------------

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
                       _round(lp.completion), _round(lp.expected), lp.pace]
                      for lp in self.lines],
            "overall": [_round(self.overall.completion), _round(self.overall.expected),
                        self.overall.pace],
        }]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


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


def esc(text: str) -> str:
    """Text for Telegram HTML: only <, > and & are special outside tags."""
    return html.escape(text, quote=False)


def _b(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def pair(t: Translator, name: str, value: str) -> str:
    """'开展活动：2' / 'Activity held: 2' (the colon is the language's)."""
    return t.gettext("{name}: {value}", name=name, value=value)


def _pace_text(lp: LineProgress, t: Translator) -> str:
    """'42.0% (expected 88.0%, 🔴 at risk)'."""
    return t.gettext("{percent} (expected {expected}, {icon} {pace})",
                     percent=t.percent(lp.completion), expected=t.percent(lp.expected),
                     icon=PACE_ICONS.get(lp.pace, ""), pace=t.gettext(PACE_NAMES[lp.pace]))


def fit(lines: list[str], limit: int = MESSAGE_LIMIT, more: str = "…") -> str:
    """Join ``lines`` (each a whole HTML fragment) and drop lines from the end until the
    text fits ``limit``, so no tag is ever cut in half."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    kept = list(lines)
    while kept and len("\n".join(kept + [more])) > limit:
        kept.pop()
    return "\n".join(kept + [more])


def _completion_lines(lines: list[LineProgress], overall: LineProgress, t: Translator,
                      loc: str) -> list[str]:
    """Overall pace, then each targeted line's; empty when no line has a target."""
    targeted = [lp for lp in lines if lp.completion is not None]
    if not targeted:
        return []
    return [PACE_ICONS.get(overall.pace, "") + " " + esc(
        t.gettext("Overall: {progress}", progress=_pace_text(overall, t)))] + [
        "• " + esc(pair(t, line_name(lp.line, loc), _pace_text(lp, t))) for lp in targeted]


def format_weekly(s: WeeklySummary, t: Translator) -> str:
    """The weekly summary as Telegram HTML (names escaped) in ``t``'s language."""
    loc = t.locale
    year = s.progress.year
    out = ["📊 " + _b(t.gettext("Weekly summary: {place}", place=place_name(s.scope, loc))),
           esc(t.gettext("{week}, {start} – {end}", week=s.week.label,
                                 start=t.date(s.week.start), end=t.date(s.week.end))),
           ""]
    out.append(_b(t.ngettext("{n} report this week", "{n} reports this week", s.reports)))
    kinds = [f"{k.emoji} " + esc(pair(t, t.gettext(k.name), t.number(k.count)))
             for k in s.kinds if k.count]
    out += kinds or [esc(t.gettext("No reports dated this week."))]
    busy = [lp for lp in s.lines if lp.reports]
    if busy:
        out += ["", _b(t.gettext("By action line"))]
        out += ["• " + esc(pair(t, line_name(lp.line, loc), t.number(lp.reports)))
                for lp in busy]
        if s.other_reports:
            out.append("• " + esc(t.gettext("Other reports: {n}",
                                                    n=t.number(s.other_reports))))
    out += ["", _b(t.gettext("Year {year} to date against targets", year=year))]
    out += _completion_lines(s.lines, s.overall, t, loc) or [
        esc(t.gettext("No annual targets at this level."))]
    if s.behind:
        out += ["", _b(t.gettext("Furthest behind"))]
        out += ["• " + esc(pair(t, place_name(u, loc), t.gettext(
            "{percent} (expected {expected})", percent=t.percent(c), expected=t.percent(e))))
            for u, c, e in s.behind]
    out += [""]
    if s.silent:
        out.append(_b(t.ngettext("{n} community without reports for two weeks",
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


# ---- the quarterly / half-year digest --------------------------------------------------------

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

    @property
    def reports(self) -> int:
        return sum(k.count for k in self.kinds)

    @property
    def kind(self) -> str:
        """'quarterly', 'half' or 'year', from the window's label."""
        return "quarterly" if "Q" in self.window.label else "half" if "H" in self.window.label \
            else "year"

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
                [line_name(lp.line, locale, short=True), _round(lp.completion),
                 _round(lp.expected)] for lp in self.lines]
                + [["__overall__", _round(self.overall.completion),
                    _round(self.overall.expected)]]})
        specs.append({**base, "chart": "digest_trend",
                      "weeks": [p.start.isoformat() for p in self.trend],
                      "reports": [p.reports for p in self.trend],
                      "completion": [_round(p.completion) for p in self.trend],
                      "expected": [_round(p.expected) for p in self.trend]})
        if any(c is not None for _, c, _ in self.ranking):  # places with targets to compare
            specs.append({**base, "chart": "digest_ranking", "level": self.ranking_level,
                          "items": [[place_name(u, locale), _round(c), _round(e)]
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


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _months(window: Window, last: dt.date) -> list[dt.date]:
    out, day = [], window.start.replace(day=1)
    while day <= last:
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _activity(plan: Plan, scope: OrgUnit, window: Window, last: dt.date):
    """Donations, 新风弘扬 and 地名文化 reports of the window, per month: the reports' own
    values (amount, goods_value, stories), in the plan's counted statuses."""
    months = {m: Month(m, Decimal(0), 0, 0) for m in _months(window, last)}
    totals = {"goods": Decimal(0), "stories": 0, "donation_reports": 0}
    codes = {k.id: k.code for k in ReportKind.select().where(
        ReportKind.code.in_([DONATION_KIND, XINFENG_KIND, PLACENAME_KIND]))}
    if not codes or last < window.start:
        return list(months.values()), totals
    rows = (Report.select(Report.kind, Report.activity_date, Report.values)
            .where(Report.kind.in_(list(codes)), *_counted(plan, scope, window.start, last))
            .tuples())
    for kind_id, day, values in rows:
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        month = months[day.replace(day=1)]
        code = codes[kind_id]
        if code == DONATION_KIND:
            month.donations += _decimal(values.get("amount"))
            totals["goods"] += _decimal(values.get("goods_value"))
            totals["donation_reports"] += 1
        elif code == XINFENG_KIND:
            month.xinfeng += 1
        else:
            month.placename += 1
            totals["stories"] += int(_decimal(values.get("stories")))
    return list(months.values()), totals


def digest(scope: OrgUnit, plan: Plan, window: Window, as_of: dt.date) -> Digest:
    """The digest of ``window`` (a quarter, a half, a year) for ``scope`` as of ``as_of``
    (the window's last day for a past period)."""
    year = window.start.year
    last = min(window.end, as_of)
    whole_year = window.start == dt.date(year, 1, 1) and window.end == dt.date(year, 12, 31)
    scoped = None if whole_year else window
    pp = progress.plan_progress(plan, scope, year, as_of, scoped)
    lines, overall = by_line(plan, pp, window, reports_by_line(plan, scope, window.start, last))
    ranking = ranked_places(progress.breakdown(plan, scope, year, as_of, scoped), window)
    level = ranking[0][0].level if ranking else None
    kinds = reports_by_kind(plan, scope, window.start, last)
    months, totals = _activity(plan, scope, window, last)
    count = {k.code: k.count for k in kinds}
    trend = progress.weekly_trend(plan, scope, year, as_of)
    return Digest(scope=scope, plan=plan, window=window, as_of=as_of, lines=lines,
                  overall=overall, trend=trend, ranking=ranking, ranking_level=level,
                  kinds=kinds, donations=sum((m.donations for m in months), Decimal(0)),
                  donated_goods=totals["goods"], donation_reports=totals["donation_reports"],
                  xinfeng=count.get(XINFENG_KIND, 0), placename=count.get(PLACENAME_KIND, 0),
                  placename_stories=totals["stories"], months=months, progress=pp)


def period_name(window: Window, t: Translator) -> str:
    return label_name(window.label, t)


def label_name(label: str, t: Translator) -> str:
    """'2026, quarter 3' / '2026, first half' / '2026, whole year' for a period label
    ('2026Q3', '2026H1', '2026'), localized."""
    year = label[:4]
    if "Q" in label:
        return t.gettext("{year}, quarter {q}", year=year, q=label[-1])
    if label.endswith("H1"):
        return t.gettext("{year}, first half", year=year)
    if label.endswith("H2"):
        return t.gettext("{year}, second half", year=year)
    return t.gettext("{year}, whole year", year=year)


def digest_title(d: Digest, t: Translator) -> str:
    place = place_name(d.scope, t.locale)
    period = period_name(d.window, t)
    if d.kind == "quarterly":
        return t.gettext("Quarterly digest: {place}, {period}", place=place, period=period)
    if d.kind == "half":
        return t.gettext("Half-year report: {place}, {period}", place=place, period=period)
    return t.gettext("Annual review: {place}, {period}", place=place, period=period)


def format_digest(d: Digest, t: Translator) -> str:
    """The digest as Telegram HTML: the text sent before its charts, also the PDF's cover."""
    loc = t.locale
    out = ["📈 " + _b(digest_title(d, t)),
           esc(t.gettext("{start} – {end}", start=t.date(d.window.start),
                                 end=t.date(min(d.window.end, d.as_of)))), ""]
    out.append(_b(t.ngettext("{n} report in this period", "{n} reports in this period",
                             d.reports)))
    out += [f"{k.emoji} " + esc(pair(t, t.gettext(k.name), t.number(k.count)))
            for k in d.kinds if k.count]
    out += ["", _b(t.gettext("Completion against targets"))]
    out += _completion_lines(d.lines, d.overall, t, loc) or [
        esc(t.gettext("No targets for this period at this level."))]
    ranked = [(u, c) for u, c, _ in d.ranking if c is not None]
    if ranked:
        out += ["", _b(t.gettext("Ranking of places"))]
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
        out.append((11, t.gettext("Overall: {progress}", progress=_pace_text(d.overall, t))
                    .replace(PACE_ICONS.get(d.overall.pace, "") + " ", "")))
        out += [(11, pair(t, line_name(lp.line, loc),
                          _pace_text(lp, t).replace(PACE_ICONS.get(lp.pace, "") + " ", "")))
                for lp in targeted]
    else:
        out.append((11, t.gettext("No targets for this period at this level.")))
    ranked = [(u, c) for u, c, _ in d.ranking if c is not None]
    if ranked:
        out += [(8, ""), (13, t.gettext("Ranking of places"))]
        out += [(11, f"{i}. " + pair(t, place_name(u, loc), t.percent(c)))
                for i, (u, c) in enumerate(ranked, start=1)]
    out += [(8, ""), (13, t.gettext("Donations and activities"))]
    out += [(11, line) for line in _activity_lines(d, t)]
    return out

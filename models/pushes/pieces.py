"""The pieces a group's summaries are made of: progress by action line, report counts, place
and line names, and Telegram HTML that fits one message.

Places, not people: every figure is about the scope's subtree or the places inside it, never
about a worker. Progress, pace and rankings come from ``models.plans.progress`` (the one
computation the admin and the bot use too); this module only picks the rows a summary needs
and counts reports.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import peewee as pw

from models.core.i18n import N_, Translator
from models.plans.progress import BEHIND_RATIO, IndicatorProgress, PlanProgress, Window
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


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def esc(text: str) -> str:
    """Text for Telegram HTML: only <, > and & are special outside tags."""
    return html.escape(text, quote=False)


def b(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def pair(t: Translator, name: str, value: str) -> str:
    """'开展活动：2' / 'Activity held: 2' (the colon is the language's)."""
    return t.gettext("{name}: {value}", name=name, value=value)


def pace_text(lp: LineProgress, t: Translator) -> str:
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


def completion_lines(lines: list[LineProgress], overall: LineProgress, t: Translator,
                      loc: str) -> list[str]:
    """Overall pace, then each targeted line's; empty when no line has a target."""
    targeted = [lp for lp in lines if lp.completion is not None]
    if not targeted:
        return []
    return [PACE_ICONS.get(overall.pace, "") + " " + esc(
        t.gettext("Overall: {progress}", progress=pace_text(overall, t)))] + [
        "• " + esc(pair(t, line_name(lp.line, loc), pace_text(lp, t))) for lp in targeted]


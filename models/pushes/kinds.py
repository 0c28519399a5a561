"""The kinds of push a group can receive, in one registry: code -> the one entry that owns it.

Like healthchecks' ``TRANSPORTS``: a push kind (the weekly summary, the quarterly digest, the
half-year report) is one entry here that knows its period rule (the label of a period,
'2026-W47' / '2026Q3' / '2026H1', reading such a label, the periods that have ended by a
day), its name for people (a gettext msgid), when its push is due, and how it is rendered
(the text and the charts' specs). Everything that branches on a kind or a period string —
the schedule, the outbox, the bot's ``/digest``, the admin's pages, the command line — asks
``KINDS`` or ``parse`` instead. A new kind is one entry in ``KINDS`` plus its test; groups
subscribe to it by its code (``models.pushes.deliveries.change_group``).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

from models.core.errors import DomainError
from models.core.i18n import N_, Translator
from models.core.schema import OrgUnit, Plan
from models.plans.progress import Window
from models.pushes import digest, weekly
from models.pushes.pieces import iso_week


class PeriodError(DomainError, ValueError):
    """A period string that cannot be read, or a period that has not ended yet.

    ``msgid`` is the English message with named placeholders filled from ``params``; the bot
    and the admin show ``message(t)`` in the reader's language."""

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params
        super().__init__(msgid.format(**params))

    def message(self, t) -> str:
        return t.gettext(self.msgid, **self.params)


BAD_PERIOD = N_("“{period}” is not a period. Write a week as 2026-W48, a quarter as 2026Q3 "
                "or a half-year as 2026H1.")
BAD_KIND = N_("“{kind}” is not a kind of push: weekly, quarterly or half.")
NOT_ENDED = N_("{period} has not ended yet: a summary covers a period that is over.")

YEARS = range(2000, 2101)  # periods outside these years are typing mistakes


class PushKind:
    """One kind of push. Subclasses set the class attributes and the period rule."""

    code: str  # stored in Delivery.kind and in a group's subscriptions
    label: str  # msgid: what the admin and the command line call it
    title: str  # msgid of its text's title, with {place} and {period}
    pattern: re.Pattern  # the shape of a period label, the year its first group
    digest: bool = True  # a digest of a past quarter or half (the admin's digest page)

    def window(self, text: str) -> Window:
        """The period a label names ('2026Q3'); ``ValueError`` if it is not one of this kind."""
        m = self.pattern.match(text)
        if m is None:
            raise ValueError(text)
        window = self._window(*map(int, m.groups()))
        if window.start.year not in YEARS:
            raise ValueError(text)
        return window

    def _window(self, year: int, n: int) -> Window:
        raise NotImplementedError

    def ended(self, day: dt.date) -> Iterator[Window]:
        """The periods of this kind that ended before ``day``, latest first."""
        raise NotImplementedError

    def due_on(self, window: Window, schedule) -> dt.datetime:
        """When its push is due, as naive local time of ``schedule``: the first push moment
        after the period ends (a week's on the Monday after, a quarter's on the first push
        weekday of the next quarter, with that week's summary)."""
        return schedule.on_or_after(window.end + dt.timedelta(days=1))

    def period_name(self, label: str, t: Translator) -> str:
        """'2026, quarter 3' for '2026Q3', in ``t``'s language."""
        return label

    def summarize(self, scope: OrgUnit, plan: Plan, window: Window, as_of: dt.date):
        """The summary object of the period (with ``chart_specs(locale)``)."""
        raise NotImplementedError

    def text(self, summary, t: Translator) -> str:
        """The summary as the Telegram HTML sent before its charts."""
        raise NotImplementedError

    def render(self, scope: OrgUnit, plan: Plan, window: Window, as_of: dt.date,
               t: Translator) -> tuple[str, list[dict]]:
        """The push's text and its charts' specs, in ``t``'s language."""
        summary = self.summarize(scope, plan, window, as_of)
        return self.text(summary, t), summary.chart_specs(t.locale)


class WeeklySummaryPush(PushKind):
    code = "weekly"
    label = N_("Weekly summary")
    title = N_("Weekly summary: {place}")
    pattern = re.compile(r"^(\d{4})-W(\d{1,2})$")
    digest = False

    def _window(self, year: int, week: int) -> Window:
        return iso_week(dt.date.fromisocalendar(year, week, 1))

    def ended(self, day: dt.date) -> Iterator[Window]:
        sunday = day - dt.timedelta(days=day.weekday() + 1)
        while True:
            yield iso_week(sunday)
            sunday -= dt.timedelta(days=7)

    def summarize(self, scope, plan, window, as_of):
        return weekly.weekly_summary(scope, plan, as_of)

    def text(self, summary, t):
        return weekly.format_weekly(summary, t)


class DigestPush(PushKind):
    """A digest of a part of the year (a quarter '2026Q3', a half '2026H1'): ``make(year,
    n)`` gives the n-th part's dates, ``names`` the msgid naming each part."""

    def __init__(self, code: str, label: str, title: str, letter: str,
                 make: Callable[[int, int], Window], names: tuple[str, ...]):
        self.code, self.label, self.title, self.make, self.names = code, label, title, make, names
        self.per_year = len(names)
        parts = "|".join(str(n) for n in range(self.per_year, 0, -1))
        self.pattern = re.compile(rf"^(\d{{4}}){letter}({parts})$")

    def _window(self, year: int, n: int) -> Window:
        return self.make(year, n)

    def ended(self, day: dt.date) -> Iterator[Window]:
        n = (day.month - 1) * self.per_year // 12 + 1
        year = day.year
        while True:
            n -= 1
            if n == 0:
                year, n = year - 1, self.per_year
            yield self.make(year, n)

    def period_name(self, label, t):
        n = int(self.pattern.match(label).group(2))
        return t.gettext(self.names[n - 1], year=label[:4], q=n)

    def summarize(self, scope, plan, window, as_of):
        return digest.digest(scope, plan, window, as_of, self)

    def text(self, summary, t):
        return digest.format_digest(summary, t)


class AnnualReview(DigestPush):
    """A whole year's digest ('2026'): drawn on request, never pushed (not in ``KINDS``)."""

    def __init__(self):
        title = N_("Annual review: {place}, {period}")
        super().__init__("year", title, title, "", lambda year, n: Window.year(year),
                         (N_("{year}, whole year"),))
        self.pattern = re.compile(r"^(\d{4})$")

    def window(self, text: str) -> Window:
        m = self.pattern.match(text)
        if m is None or int(m.group(1)) not in YEARS:
            raise ValueError(text)
        return Window.year(int(m.group(1)))

    def period_name(self, label, t):
        return t.gettext(self.names[0], year=label[:4])


#: Every kind of push, in the order the schedule lists them and the admin shows them. A
#: new kind is one entry here (a ``DigestPush`` for another part of the year, or a class).
KINDS: dict[str, PushKind] = {k.code: k for k in (
    WeeklySummaryPush(),
    DigestPush("quarterly", N_("Quarterly digest"), N_("Quarterly digest: {place}, {period}"),
               "Q", Window.quarter, (N_("{year}, quarter {q}"),) * 4),
    # 半年有通报: the half-year report
    DigestPush("half", N_("Half-year digest"), N_("Half-year report: {place}, {period}"),
               "H", Window.half, (N_("{year}, first half"), N_("{year}, second half"))),
)}
ANNUAL = AnnualReview()


def get(code: str) -> PushKind:
    """The kind with ``code``; ``PeriodError`` (BAD_KIND) for any other."""
    try:
        return KINDS[code]
    except (KeyError, TypeError):
        raise PeriodError(BAD_KIND, kind=code) from None


def window_of(code: str, period: str) -> Window:
    """The period ``period`` of kind ``code``; ``PeriodError`` for an unknown kind, a
    malformed period or a period of another kind."""
    kind = get(code)
    try:
        return kind.window((period or "").strip().upper())
    except ValueError:
        raise PeriodError(BAD_PERIOD, period=period) from None


def shaped(period: str) -> PushKind | None:
    """The kind whose labels look like ``period`` (its values unchecked), or None."""
    text = (period or "").strip().upper()
    return next((k for k in KINDS.values() if k.pattern.match(text)), None)


def parse(period: str) -> tuple[PushKind, Window]:
    """The kind and the period a label names ('2026-W48', '2026Q3', '2026h1');
    ``PeriodError`` (BAD_PERIOD) for anything else."""
    kind = shaped(period)
    if kind is None:
        raise PeriodError(BAD_PERIOD, period=period)
    return kind, window_of(kind.code, period)


def for_label(label: str) -> PushKind:
    """The entry that names and titles a period label: a kind of ``KINDS``, else the annual
    review (a year, '2026')."""
    return shaped(label) or ANNUAL


def period_name(label: str, t: Translator) -> str:
    """'2026, quarter 3' / '2026, first half' / '2026, whole year' for a period label."""
    return for_label(label).period_name(label, t)

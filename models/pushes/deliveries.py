"""Pushes to Telegram groups: which groups, when, what, and exactly once.

A group the bot is in is tracked (``track_group``) and, once bound to a place
(``bind_group``), receives that place's weekly summary and its quarterly and half-year
digests, in the group's language. ``Schedule.due`` says which periods' pushes are due at a
moment; ``enqueue`` writes, per group and in one transaction, a ``Delivery`` (unique per
group, kind and period: the exactly-once log) and its ``Outbox`` rows, only when the delivery
is new. The bot drains the outbox in ``seq`` order and calls ``settle`` after each row, so a
crash at any point resumes from the rows still pending: nothing is queued twice and nothing
is skipped. Chart rows carry a JSON spec of the chart (its data), never image bytes; the
bot's sender draws it with ``charts.pushes.render``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import peewee as pw

from models.pushes import summaries
from models.core.db import database
from models.core.errors import DomainError
from models.forms.kinds import default_plan
from models.core.i18n import N_, SUPPORTED, negotiate, translator
from models.plans.progress import Window
from models.core.schema import Delivery, Group, OrgUnit, Outbox, Plan, Worker, audit, now

KINDS = ("weekly", "quarterly", "half")
DEFAULT_TZ = "Asia/Shanghai"
CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption

CHART_CAPTIONS = {
    "weekly": N_("Year to date against targets, and this week's reports by action line"),
    "digest_lines": N_("Completion by action line against the pace line"),
    "digest_trend": N_("Reports per week and annual targets"),
    "digest_ranking": N_("Ranking of places by completion"),
    "digest_figures": N_("Donations raised, new-customs and place-name activities"),
}


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


# ---- groups ----------------------------------------------------------------------------------

def track_group(chat_id: int, title: str, *, active: bool = True,
                reason: str | None = None) -> Group:
    """Create or update the group the bot was added to (``active``) or removed or kicked from
    (``active=False`` with the ``reason``). Its binding is kept: added back, a group resumes
    its pushes. A change of state is audited."""
    with database.atomic():
        group = Group.get_or_none(Group.chat_id == chat_id)
        if group is None:
            group = Group.create(chat_id=chat_id, title=title or "", active=active,
                                 inactive_reason=None if active else reason)
            audit("telegram", "track", "group", chat_id, after={"active": active, "title": title})
            return group
        before = {"active": group.active, "reason": group.inactive_reason}
        if title:
            group.title = title
        group.active = active
        group.inactive_reason = None if active else reason
        group.updated_at = now()
        group.save()
        if before["active"] != active:
            audit("telegram", "activate" if active else "deactivate", "group", chat_id,
                  before=before, after={"active": active, "reason": group.inactive_reason})
    return group


def can_bind(worker: Worker, unit: OrgUnit) -> bool:
    """Who may bind a group to ``unit`` from Telegram.

    An active worker may bind a group to their own place or to any place inside it (a
    community worker to their community). A worker with role ``leader`` may also bind it to
    the township their place belongs to (its parent, when that is a township), so a
    township's group covers all its communities. Nobody may bind a group to a place above
    that, nor to a sibling: officials bind wider groups from the admin."""
    if worker is None or not worker.is_active or unit is None:
        return False
    home = worker.org_unit
    if home.contains(unit):
        return True
    if worker.role == "leader" and home.parent_id is not None and unit.id == home.parent_id:
        return unit.level == "township"
    return False


def bind_group(chat_id: int, unit: OrgUnit, *, actor: str, language: str | None = None,
               plan: Plan | None = None) -> Group:
    """Bind the group to ``unit`` (its pushes cover that subtree), optionally choosing its
    language (a supported locale, or a code such as 'zh-CN' / 'en') and plan; audited. A
    group not tracked yet is created. Authorisation is the caller's (``can_bind`` for the
    bot, the official's scope for the admin)."""
    with database.atomic():
        group = Group.get_or_none(Group.chat_id == chat_id)
        if group is None:
            group = Group.create(chat_id=chat_id)
        before = {"org_unit": group.org_unit_id, "language": group.language,
                  "plan": group.plan_id}
        group.org_unit = unit
        if language:
            group.language = language if language in SUPPORTED else negotiate(language,
                                                                              group.language)
        if plan is not None:
            group.plan = plan
        group.bound_by = actor
        group.bound_at = now()
        group.updated_at = now()
        group.save()
        audit(actor, "bind", "group", chat_id, before=before,
              after={"org_unit": unit.id, "language": group.language, "plan": group.plan_id})
    return group


def deactivate(chat_id: int, reason: str) -> None:
    """Mark the group inactive (the bot was kicked, the chat is gone); audited. Its binding
    and its delivery log stay; an unknown chat is a no-op."""
    with database.atomic():
        group = Group.get_or_none(Group.chat_id == chat_id)
        if group is None or (not group.active and group.inactive_reason == reason):
            return
        before = {"active": group.active, "reason": group.inactive_reason}
        Group.update(active=False, inactive_reason=reason, updated_at=now()).where(
            Group.id == group.id).execute()
        audit("telegram", "deactivate", "group", chat_id, before=before,
              after={"active": False, "reason": reason})


GROUP_SETTINGS = ("language", "plan", "weekly", "quarterly", "active", "inactive_reason")


def change_group(chat_id: int, *, actor: str, action: str = "update", **changes) -> bool:
    """Change a group's settings (language, plan, which pushes, active) in one audited
    transaction, before → after with the person who changed them; False when nothing changes.
    Binding is ``bind_group``: it also resets when the group was bound."""
    unknown = set(changes) - set(GROUP_SETTINGS)
    if unknown:
        raise TypeError(f"not a group setting: {', '.join(sorted(unknown))}")
    if "language" in changes:
        changes["language"] = negotiate(changes["language"])
    with database.atomic():
        group = Group.get(Group.chat_id == chat_id)
        before = {k: group.__data__.get(k) for k in changes}  # ids, not rows
        after = {k: (v.id if isinstance(v, pw.Model) else v) for k, v in changes.items()}
        if before == after:
            return False
        Group.update(updated_at=now(), **changes).where(Group.id == group.id).execute()
        audit(actor, action, "group", chat_id, before=before, after=after)
    return True


def migrate(old_chat_id: int, new_chat_id: int) -> Group | None:
    """A group upgraded to a supergroup has a new chat id (Telegram's ``migrate_to_chat_id``):
    the group keeps its binding, language and delivery log, and its pending messages go to
    the new id; audited. If the bot already tracked the new id as a group of its own, that
    row is kept when it is bound (the old one is then deactivated), else replaced."""
    with database.atomic():
        group = Group.get_or_none(Group.chat_id == old_chat_id)
        if group is None:
            return None
        Outbox.update(chat_id=new_chat_id).where(Outbox.chat_id == old_chat_id,
                                                 Outbox.status == "pending").execute()
        twin = Group.get_or_none(Group.chat_id == new_chat_id)
        if twin is not None and (twin.org_unit_id is not None or twin.deliveries.exists()):
            Group.update(active=False, inactive_reason="migrated to a supergroup",
                         updated_at=now()).where(Group.id == group.id).execute()
            audit("telegram", "migrate", "group", old_chat_id, after={"into": new_chat_id})
            return twin
        if twin is not None:
            twin.delete_instance()
        Group.update(chat_id=new_chat_id, active=True, inactive_reason=None,
                     updated_at=now()).where(Group.id == group.id).execute()
        audit("telegram", "migrate", "group", old_chat_id, before={"chat_id": old_chat_id},
              after={"chat_id": new_chat_id})
    return Group.get_by_id(group.id)


# ---- when ------------------------------------------------------------------------------------

@dataclass(frozen=True, init=False)
class Schedule:
    """When pushes are due, in local time (no DST in Asia/Shanghai, but any zone works).

    - weekly: every ``weekday`` (0 = Monday) at ``time``; the push covers the last complete
      ISO week before it (a Monday 09:00 push covers Monday to Sunday just ended).
    - quarterly / half: at ``time`` on the first ``weekday`` on or after the first day of
      the next quarter (half-year), i.e. together with that week's summary: Q3 2026 ends on
      Wednesday 30 September, its digest goes out on Monday 5 October at 09:00. Q2 and H1
      (Q4 and H2) fall on the same day.

    ``due`` returns only the latest period of each kind whose time has come: after an
    outage the missed periods are not sent in a burst; ``enqueue`` makes a period already
    delivered a no-op, so calling it every minute is cheap and safe.
    """

    weekday: int
    time: dt.time
    timezone: str

    def __init__(self, settings=None, *, weekday: int | None = None,
                 time: str | dt.time | None = None, timezone: str | None = None):
        weekday = weekday if weekday is not None else getattr(settings, "push_weekday", 0)
        time = time if time is not None else getattr(settings, "push_time", "09:00")
        if isinstance(time, str):
            hour, _, minute = time.partition(":")
            time = dt.time(int(hour), int(minute or 0))
        object.__setattr__(self, "weekday", int(weekday))
        object.__setattr__(self, "time", time)
        object.__setattr__(self, "timezone", timezone or getattr(settings, "timezone", DEFAULT_TZ))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, now_utc: dt.datetime) -> dt.datetime:
        """``now_utc`` (naive values are UTC, as ``schema.now()``) in local time, naive."""
        if now_utc.tzinfo is None:
            now_utc = now_utc.replace(tzinfo=dt.timezone.utc)
        return now_utc.astimezone(self.tz).replace(tzinfo=None)

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        """A naive local time as naive UTC, the way the database stores times."""
        return local.replace(tzinfo=self.tz).astimezone(dt.timezone.utc).replace(tzinfo=None)

    def _on_or_after(self, day: dt.date) -> dt.datetime:
        """The push moment on the first push weekday on or after ``day``."""
        day = day + dt.timedelta(days=(self.weekday - day.weekday()) % 7)
        return dt.datetime.combine(day, self.time)

    def last_weekly(self, local: dt.datetime) -> dt.datetime:
        moment = self._on_or_after(local.date())
        return moment if moment <= local else moment - dt.timedelta(days=7)

    def fires_at(self, kind: str, period: str) -> dt.datetime:
        """When the push of (``kind``, ``period``) is scheduled, as naive UTC."""
        window, _ = period_window(kind, period)
        return self.to_utc(self._on_or_after(window.end + dt.timedelta(days=1)))

    def due(self, now_utc: dt.datetime) -> list[tuple[str, str]]:
        """The (kind, period) pairs whose push time has come: the latest of each kind."""
        local = self.local(now_utc)
        pushed_on = self.last_weekly(local).date()
        last_sunday = pushed_on - dt.timedelta(days=pushed_on.weekday() + 1)
        out = [("weekly", summaries.iso_week(last_sunday).label)]
        for kind, per_year, make in (("quarterly", 4, Window.quarter), ("half", 2, Window.half)):
            for window in _ended(local.date(), per_year, make):
                if self._on_or_after(window.end + dt.timedelta(days=1)) <= local:
                    out.append((kind, window.label))
                    break
        return out


def _ended(day: dt.date, per_year: int, make):
    """The last two quarters (``per_year`` 4) or halves (2) that ended before ``day``,
    latest first: two are enough to find the latest one due."""
    n = (day.month - 1) * per_year // 12 + 1
    year = day.year
    for _ in range(2):
        n -= 1
        if n == 0:
            year, n = year - 1, per_year
        yield make(year, n)


def kind_of(period: str) -> str:
    """The kind of push a period string names: '2026-W48' weekly, '2026Q3' quarterly,
    '2026H1' half; ``PeriodError`` otherwise (for commands that take only the period)."""
    text = (period or "").strip().upper()
    kind = "weekly" if "-W" in text else "quarterly" if "Q" in text else "half" if "H" in text \
        else None
    if kind is None:
        raise PeriodError(BAD_PERIOD, period=period)
    period_window(kind, text)
    return kind


def period_window(kind: str, period: str) -> tuple[Window, dt.date]:
    """The dates of a period and the day its summary is as of (its last day).

    '2026-W48' (an ISO week, for ``weekly``), '2026Q3' (``quarterly``), '2026H1' (``half``).
    Raises ``PeriodError`` for an unknown kind, a malformed period or one of another kind."""
    if kind not in KINDS:
        raise PeriodError(BAD_KIND, kind=kind)
    text = (period or "").strip().upper()
    try:
        if kind == "weekly":
            year, sep, week = text.partition("-W")
            if not (sep and len(year) == 4 and week.isdigit() and len(week) <= 2):
                raise ValueError
            monday = dt.date.fromisocalendar(int(year), int(week), 1)
            window = summaries.iso_week(monday)
        else:
            letter = "Q" if kind == "quarterly" else "H"
            year, sep, n = text.partition(letter)
            if not (sep and len(year) == 4 and year.isdigit() and n.isdigit()
                    and 1 <= int(n) <= (4 if letter == "Q" else 2)):
                raise ValueError
            window = (Window.quarter if letter == "Q" else Window.half)(int(year), int(n))
        if not 2000 <= window.start.year <= 2100:
            raise ValueError
    except ValueError:
        raise PeriodError(BAD_PERIOD, period=period) from None
    return window, window.end


# ---- what ------------------------------------------------------------------------------------

def _messages(kind: str, period: str, unit: OrgUnit, plan: Plan,
              locale: str) -> list[tuple[str, dict]]:
    """(text, payload) of each message of a push, in order: the text, then the charts."""
    t = translator(locale)
    window, as_of = period_window(kind, period)
    if kind == "weekly":
        summary = summaries.weekly_summary(unit, plan, as_of)
        text = summaries.format_weekly(summary, t)
    else:
        summary = summaries.digest(unit, plan, window, as_of)
        text = summaries.format_digest(summary, t)
    out = [(text, {"parse_mode": "HTML", "kind": kind, "period": period})]
    for spec in summary.chart_specs(t.locale):
        msgid = CHART_CAPTIONS[spec["chart"]]
        caption = t.gettext(msgid)[:CAPTION_LIMIT]
        out.append((caption, {"photo": spec, "caption": caption}))
    return out


def _targets(kind: str, period: str, groups: list[Group] | None,
             bound_before: dt.datetime | None):
    """Groups that should get (kind, period) and have no delivery of it yet."""
    done = Delivery.select(Delivery.group).where(Delivery.kind == kind, Delivery.period == period)
    if groups is not None:
        ids = [g.id for g in groups]
        if not ids:
            return []
        q = Group.select().where(Group.id.in_(ids), Group.active == True)  # noqa: E712
    else:
        flag = Group.weekly if kind == "weekly" else Group.quarterly
        q = Group.select().where(Group.active == True, flag == True)  # noqa: E712
        if bound_before is not None:
            q = q.where(Group.bound_at.is_null() | (Group.bound_at <= bound_before))
    q = q.where(Group.org_unit.is_null(False), Group.id.not_in(done))
    return list(q.order_by(Group.id))


def enqueue(kind: str, period: str, *, now: dt.datetime | None = None,
            groups: list[Group] | None = None, requested_by: str | None = None,
            timezone: str = DEFAULT_TZ, bound_before: dt.datetime | None = None) -> list[Delivery]:
    """Queue the push of (``kind``, ``period``) to every active, bound group with that kind
    enabled (``weekly`` for weekly, ``quarterly`` for quarterly and half), or to ``groups``
    (on demand: those of them active and bound, flags aside: an inactive group cannot
    receive). Returns the deliveries created.

    Per group, one transaction creates the delivery and its outbox rows (seq 0 the text,
    1.. the charts, keys ``push:<delivery>:<seq>``); a group that already has the delivery,
    from an earlier run or a concurrent one, gets nothing new. ``bound_before`` (the
    schedule's push time) skips groups bound after it: binding a group does not send it the
    periods that were pushed before it was bound. A period that has not ended by ``now``
    (local date in ``timezone``) raises ``PeriodError``.
    """
    window, _ = period_window(kind, period)
    current = now or dt.datetime.now(dt.timezone.utc)
    today = Schedule(timezone=timezone).local(current).date()
    if window.end >= today:
        raise PeriodError(NOT_ENDED, period=window.label)
    fallback = None
    made: dict[tuple, list[tuple[str, dict]]] = {}
    created = []
    for group in _targets(kind, period, groups, bound_before):
        if group.org_unit_id is None:
            continue
        plan = group.plan
        if plan is None:
            fallback = fallback or default_plan()
            plan = fallback
        if plan is None:
            continue
        key = (group.org_unit_id, plan.id, group.language)
        if key not in made:  # groups of one place and language share the numbers
            made[key] = _messages(kind, period, group.org_unit, plan, group.language)
        try:
            with database.atomic():
                delivery = Delivery.create(group=group, kind=kind, period=period,
                                           requested_by=requested_by)
                for seq, (text, payload) in enumerate(made[key]):
                    Outbox.create(key=f"push:{delivery.id}:{seq}", chat_id=group.chat_id,
                                  text=text, payload=payload, delivery=delivery, seq=seq)
        except pw.IntegrityError:
            continue  # another run created this group's delivery first
        created.append(delivery)
    return created


def settle(delivery_id: int) -> str:
    """Recompute a delivery's status from its outbox rows: every row sent → 'sent' (with the
    last row's sent_at), any row failed → 'failed' (error: the first failed row's
    last_error), else 'queued'. Returns the status."""
    rows = list(Outbox.select(Outbox.status, Outbox.last_error, Outbox.sent_at)
                .where(Outbox.delivery == delivery_id).order_by(Outbox.seq, Outbox.id))
    failed = [r for r in rows if r.status == "failed"]
    if failed:
        status, fields = "failed", {"error": failed[0].last_error or "failed", "sent_at": None}
    elif rows and all(r.status == "sent" for r in rows):
        status = "sent"
        fields = {"error": None, "sent_at": max((r.sent_at for r in rows if r.sent_at),
                                                default=None) or now()}
    else:
        status, fields = "queued", {"error": None, "sent_at": None}
    Delivery.update(status=status, **fields).where(Delivery.id == delivery_id).execute()
    return status


def run_due(now_utc: dt.datetime, settings) -> list[Delivery]:
    """Queue whatever the schedule says is due at ``now_utc``; idempotent, so the bot calls
    it every minute. Returns the deliveries created by this call."""
    schedule = Schedule(settings)
    created = []
    for kind, period in schedule.due(now_utc):
        created += enqueue(kind, period, now=now_utc, timezone=schedule.timezone,
                           bound_before=schedule.fires_at(kind, period))
    return created


# ---- demo ------------------------------------------------------------------------------------

def demo_groups(today: dt.date, *, timezone: str = DEFAULT_TZ) -> dict[str, int]:
    """Work groups for the demo: the city's and two counties' (one in English), one the bot
    was just added to (not bound yet), one it was kicked from; last week's summary delivered
    to the first ones and failed for the kicked one, as the bot's outbox would leave them."""
    city = OrgUnit.get(OrgUnit.parent.is_null())
    counties = {u.code: u for u in OrgUnit.select().where(OrgUnit.level == "county")}
    bound = [(-1005118, "雅安市五社联动工作群", city, "zh_Hans"),
             (-1511802, "雨城区社工站工作群", counties.get("511802"), "zh_Hans"),
             (-1511803, "Mingshan volunteers", counties.get("511803"), "en"),
             (-1511822, "荥经县五社联动", counties.get("511822"), "zh_Hans")]
    bound = [b for b in bound if b[2] is not None]
    bound_at = dt.datetime.combine(today - dt.timedelta(days=60), dt.time(1, 0))
    for chat_id, title, unit, language in bound:
        track_group(chat_id, title)
        bind_group(chat_id, unit, actor="demo", language=language)
    Group.update(bound_at=bound_at).where(Group.chat_id.in_([b[0] for b in bound])).execute()
    track_group(-1511825, "汉源县社区工作者群")  # added, waiting for someone to /bind it
    last_monday = today - dt.timedelta(days=today.weekday())
    period = f"{(last_monday - dt.timedelta(days=1)).isocalendar()[0]}-W" \
             f"{(last_monday - dt.timedelta(days=1)).isocalendar()[1]:02d}"
    at = dt.datetime.combine(last_monday, dt.time(1, 0))  # Monday 09:00 in Shanghai
    made = enqueue("weekly", period, now=at, timezone=timezone)
    kicked = bound[-1][0]
    for delivery in made:
        if delivery.group.chat_id == kicked:
            Outbox.update(status="failed", attempts=1,
                          last_error="Forbidden: bot was kicked from the group chat").where(
                Outbox.delivery == delivery.id).execute()
        else:
            Outbox.update(status="sent", attempts=1, sent_at=at).where(
                Outbox.delivery == delivery.id).execute()
        settle(delivery.id)
    deactivate(kicked, "Forbidden: bot was kicked from the group chat")
    return {"groups": len(bound) + 1, "deliveries": len(made)}

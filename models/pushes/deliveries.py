"""Pushes to Telegram groups: which groups, when, what, and exactly once.

A group the bot is in is tracked (``track_group``) and, once bound to a place
(``bind_group``), receives that place's pushes of the kinds it subscribes to (the weekly
summary, the quarterly digest, the half-year report: ``models.pushes.kinds``), in the
group's language. ``Schedule.due`` says which periods' pushes are due at a
moment; ``enqueue`` writes, per group and in one transaction, a ``Delivery`` (unique per
group, kind and period: the exactly-once log) and its ``Outbox`` rows, only when the delivery
is new. The bot drains the outbox in ``seq`` order and calls ``settle`` after each row, so a
crash at any point resumes from the rows still pending: nothing is queued twice and nothing
is skipped. Chart rows carry a JSON spec of the chart (its data), never image bytes; the
bot's sender draws it with ``charts.pushes.render``.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw

from models.core.db import database
from models.core.i18n import N_, SUPPORTED, negotiate, translator
from models.core.schema import (Delivery, Group, OrgUnit, Outbox, Plan, Subscription, Worker,
                                audit, now)
from models.core.text import clean
from models.forms.kinds import default_plan
from models.plans.progress import Window
from models.pushes import kinds
from models.pushes.kinds import BAD_KIND, BAD_PERIOD, NOT_ENDED, PeriodError
from models.pushes.schedule import DEFAULT_TZ, Schedule

__all__ = ["BAD_KIND", "BAD_PERIOD", "CHART_CAPTIONS", "DEFAULT_TZ", "GROUP_SETTINGS", "KINDS",
           "NOT_ENDED", "PeriodError", "Schedule", "bind_group", "can_bind", "change_group",
           "deactivate", "enqueue", "kind_of", "migrate", "period_window", "run_due", "settle",
           "subscribe", "subscribers", "subscriptions", "subscriptions_of", "track_group"]

KINDS = tuple(kinds.KINDS)  # the codes of every push kind
CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption

CHART_CAPTIONS = {
    "weekly": N_("Year to date against targets, and this week's reports by action line"),
    "digest_lines": N_("Completion by action line against the pace line"),
    "digest_trend": N_("Reports per week and annual targets"),
    "digest_ranking": N_("Ranking of places by completion"),
    "digest_figures": N_("Donations raised, new-customs and place-name activities"),
}


# ---- groups ----------------------------------------------------------------------------------

def track_group(chat_id: int, title: str, *, active: bool = True,
                reason: str | None = None) -> Group:
    """Create or update the group the bot was added to (``active``) or removed or kicked from
    (``active=False`` with the ``reason``). Its binding is kept: added back, a group resumes
    its pushes. A change of state is audited. The chat's title is cleaned as typed text is."""
    title = clean(title)
    with database.atomic():
        group = Group.get_or_none(Group.chat_id == chat_id)
        if group is None:
            group = Group.create(chat_id=chat_id, title=title or "", active=active,
                                 inactive_reason=None if active else reason)
            subscribe(group, KINDS)
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
            subscribe(group, KINDS)
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


GROUP_SETTINGS = ("language", "plan", "active", "inactive_reason")


def subscriptions(group: Group) -> set[str]:
    """The codes of the push kinds ``group`` receives."""
    return subscriptions_of([group.id]).get(group.id, set())


def subscriptions_of(group_ids) -> dict[int, set[str]]:
    """Each group's push kinds, in one query whatever the number of groups."""
    out: dict[int, set[str]] = {}
    ids = list(group_ids)
    for group_id, kind in (Subscription.select(Subscription.group, Subscription.kind)
                           .where(Subscription.group.in_(ids)).tuples() if ids else []):
        out.setdefault(group_id, set()).add(kind)
    return out


def subscribers(kind: str) -> pw.Select:
    """The ids of the groups that take ``kind``, as a subquery."""
    return Subscription.select(Subscription.group).where(Subscription.kind == kind)


def subscribe(group: Group, codes, on: bool = True) -> None:
    """Turn the push kinds ``codes`` on (or off) for ``group``; the caller audits."""
    codes = [kinds.get(code).code for code in codes]
    if on:
        Subscription.insert_many([{"group": group.id, "kind": code} for code in codes]) \
            .on_conflict_ignore().execute()
    else:
        Subscription.delete().where(Subscription.group == group.id,
                                    Subscription.kind.in_(codes)).execute()


def change_group(chat_id: int, *, actor: str, action: str = "update", **changes) -> bool:
    """Change a group's settings (language, plan, active) and its subscriptions (a kind's
    code: on or off, ``weekly=False``) in one audited transaction, before → after with the
    person who changed them; False when nothing changes. Binding is ``bind_group``: it also
    resets when the group was bound."""
    unknown = set(changes) - set(GROUP_SETTINGS) - set(KINDS)
    if unknown:
        raise TypeError(f"not a group setting: {', '.join(sorted(unknown))}")
    if "language" in changes:
        changes["language"] = negotiate(changes["language"])
    with database.atomic():
        group = Group.get(Group.chat_id == chat_id)
        taken = subscriptions(group)
        before = {k: (k in taken) if k in KINDS else group.__data__.get(k)  # ids, not rows
                  for k in changes}
        after = {k: (v.id if isinstance(v, pw.Model) else bool(v) if k in KINDS else v)
                 for k, v in changes.items()}
        if before == after:
            return False
        settings = {k: v for k, v in changes.items() if k not in KINDS}
        Group.update(updated_at=now(), **settings).where(Group.id == group.id).execute()
        for code in KINDS:
            if code in changes:
                subscribe(group, [code], bool(changes[code]))
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
            Subscription.delete().where(Subscription.group == twin.id).execute()
            twin.delete_instance()
        Group.update(chat_id=new_chat_id, active=True, inactive_reason=None,
                     updated_at=now()).where(Group.id == group.id).execute()
        audit("telegram", "migrate", "group", old_chat_id, before={"chat_id": old_chat_id},
              after={"chat_id": new_chat_id})
    return Group.get_by_id(group.id)


# ---- periods -------------------------------------------------------------------------------

def kind_of(period: str) -> str:
    """The kind of push a period string names: '2026-W48' weekly, '2026Q3' quarterly,
    '2026H1' half; ``PeriodError`` otherwise (for commands that take only the period)."""
    return kinds.parse(period)[0].code


def period_window(kind: str, period: str) -> tuple[Window, dt.date]:
    """The dates of a period and the day its summary is as of (its last day).

    '2026-W48' (an ISO week, for ``weekly``), '2026Q3' (``quarterly``), '2026H1' (``half``).
    Raises ``PeriodError`` for an unknown kind, a malformed period or one of another kind."""
    window = kinds.window_of(kind, period)
    return window, window.end


# ---- what ------------------------------------------------------------------------------------

def _messages(kind: str, period: str, unit: OrgUnit, plan: Plan,
              locale: str) -> list[tuple[str, dict]]:
    """(text, payload) of each message of a push, in order: the text, then the charts."""
    t = translator(locale)
    window, as_of = period_window(kind, period)
    text, specs = kinds.get(kind).render(unit, plan, window, as_of, t)
    out = [(text, {"parse_mode": "HTML", "kind": kind, "period": period})]
    for spec in specs:
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
        q = Group.select().where(Group.active == True,  # noqa: E712
                                 Group.id.in_(subscribers(kind)))
        if bound_before is not None:
            q = q.where(Group.bound_at.is_null() | (Group.bound_at <= bound_before))
    q = q.where(Group.org_unit.is_null(False), Group.id.not_in(done))
    return list(q.order_by(Group.id))


def enqueue(kind: str, period: str, *, now: dt.datetime | None = None,
            groups: list[Group] | None = None, requested_by: str | None = None,
            timezone: str = DEFAULT_TZ, bound_before: dt.datetime | None = None) -> list[Delivery]:
    """Queue the push of (``kind``, ``period``) to every active, bound group subscribed to
    that kind, or to ``groups`` (on demand: those of them active and bound, subscriptions
    aside: an inactive group cannot receive). Returns the deliveries created.

    Per group, one transaction creates the delivery and its outbox rows (seq 0 the text,
    1.. the charts, keys ``push:<delivery>:<seq>``); a group that already has the delivery,
    from an earlier run or a concurrent one, gets nothing new. ``bound_before`` (the
    schedule's push time) skips groups bound after it: binding a group does not send it the
    periods that were pushed before it was bound. A period that has not ended by ``now``
    (local date in ``timezone``) raises ``PeriodError``.
    """
    window, _ = period_window(kind, period)
    current = now or dt.datetime.now(dt.timezone.utc)
    # stored naive UTC like schema.now(): the delivery is queued when the run says it is,
    # so its send time (an outbox row's) never comes before it
    queued_at = (current.astimezone(dt.timezone.utc).replace(tzinfo=None)
                 if current.tzinfo else current)
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
                                           requested_by=requested_by, created_at=queued_at)
                for seq, (text, payload) in enumerate(made[key]):
                    Outbox.create(key=f"push:{delivery.id}:{seq}", chat_id=group.chat_id,
                                  text=text, payload=payload, delivery=delivery, seq=seq,
                                  created_at=queued_at)
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

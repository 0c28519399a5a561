"""Demo seeding of work groups: bound groups with last week's summary delivered, one waiting
to be bound, one the bot was kicked from — as the bot's outbox would leave them."""
from __future__ import annotations

import datetime as dt

from models.core.schema import Group, OrgUnit, Outbox
from models.pushes.deliveries import bind_group, deactivate, enqueue, settle, track_group
from models.pushes.kinds import KINDS
from models.pushes.schedule import DEFAULT_TZ


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
    period = next(KINDS["weekly"].ended(today)).label
    at = dt.datetime.combine(last_monday, dt.time(1, 0))  # Monday 09:00 in Shanghai
    made = enqueue("weekly", period, now=at, timezone=timezone)
    kicked = bound[-1][0]
    for delivery in made:
        if delivery.group.chat_id == kicked:
            Outbox.update(status="failed", attempts=1,
                          last_error="Forbidden: bot was kicked from the group chat").where(
                Outbox.delivery == delivery.id).execute()
        else:  # sent a few seconds after it was queued, never before
            Outbox.update(status="sent", attempts=1,
                          sent_at=at + dt.timedelta(seconds=3 + delivery.id % 40)).where(
                Outbox.delivery == delivery.id).execute()
        settle(delivery.id)
    deactivate(kicked, "Forbidden: bot was kicked from the group chat")
    return {"groups": len(bound) + 1, "deliveries": len(made)}

"""Pushes through the real bot: groups joining and binding, the schedule's tick, digests on
demand, exactly once across a restart, Telegram's errors and flood limits.

The application runs against the local Bot API server over HTTP (tests/botkit.py) with its
clock set by the test; pushes are counted per chat in what the server received.
"""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from telegram.ext import AIORateLimiter

from bot import outbox, pushes as tick_module
from bot.flood import FloodLimiter
from bot.gate import NOT_REGISTERED
from models.pushes import deliveries as pushes
from models.core.i18n import SUPPORTED, translator
from models.core.schema import Delivery, Group, OrgUnit, Outbox
from tests import factories

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # the weekly push of 2026-W47
BOUND = dt.datetime(2026, 11, 20)  # groups bound last week, after the 2026-W46 push
PNG = b"\x89PNG\r\n\x1a\n"


def bound_group(api, chat_id: int, place: OrgUnit, language: str = "zh_Hans",
                title: str = "工作群"):
    """A group in the fake Telegram, bound to ``place`` as an official would from the admin,
    last week."""
    fake = api.group(chat_id, title)
    group = pushes.bind_group(chat_id, place, actor="admin:test", language=language)
    Group.update(bound_at=BOUND).where(Group.id == group.id).execute()
    return fake, Group.get_by_id(group.id)


def reports_in(place: OrgUnit, n: int = 2) -> None:
    """Reports dated last week by a worker of a community in ``place``."""
    community = (OrgUnit.select().where(OrgUnit.level == "community",
                                        OrgUnit.path.startswith(place.path))
                 .order_by(OrgUnit.code).first())
    worker = factories.worker(f"w{place.code}", place=community)
    for _ in range(n):
        factories.report("activity", by=worker, date=dt.date(2026, 11, 20))


def pushed(api, chat_id: int) -> list[tuple[str, str]]:
    """What the bot posted in a group, as (kind, text or caption) in order."""
    return [(m["kind"], m.get("text") or "") for m in api.sent(chat_id)]


async def at(harness, moment: dt.datetime) -> list[int]:
    """Set the clock and let the schedule tick (the job's body); returns the new deliveries."""
    harness.clock.set_now(moment)
    return await tick_module.tick(harness.app)


async def said(harness, chat, user, text: str) -> None:
    """``user`` writes ``text`` in the group ``chat``; returns once the bot has handled it."""
    await harness.done.until(await chat.send(user.user, text))


# ---------------------------------------------------------------------------------------------
# The schedule, scope and language
# ---------------------------------------------------------------------------------------------

async def test_the_weekly_push_fires_at_monday_nine_in_shanghai_and_not_before(bot_app):
    api = bot_app.api
    yucheng = factories.county("511802")
    reports_in(yucheng)
    fake, group = bound_group(api, -1001, yucheng)
    assert await at(bot_app, MONDAY_9 - dt.timedelta(minutes=1)) == []
    assert pushed(api, -1001) == []
    created = await at(bot_app, MONDAY_9)
    [delivery] = Delivery.select().where(Delivery.group == group)
    assert created == [delivery.id] and (delivery.kind, delivery.period) == ("weekly", "2026-W47")
    assert delivery.status == "sent" and delivery.requested_by is None
    (kind, text), (photo, _) = pushed(api, -1001)
    assert (kind, photo) == ("message", "photo") and "雨城区" in text and "2026-W47" in text
    assert api.sent(-1001)[0]["parse_mode"] == "HTML"
    assert api.file_bytes(api.sent(-1001)[1]["file_id"]).startswith(PNG)
    # Ticking on during the week sends nothing again.
    assert await at(bot_app, MONDAY_9 + dt.timedelta(minutes=1)) == []
    assert await at(bot_app, MONDAY_9 + dt.timedelta(days=3)) == []
    assert len(api.sent(-1001)) == 2


async def test_each_group_gets_its_own_place_and_language(bot_app):
    api = bot_app.api
    yucheng, mingshan = factories.county("511802"), factories.county("511803")
    reports_in(yucheng, 3)
    reports_in(mingshan, 1)
    bound_group(api, -2001, yucheng, "zh_Hans", "雨城区五社联动")
    bound_group(api, -2002, mingshan, "en", "Mingshan pushes")
    await at(bot_app, MONDAY_9)
    (_, zh), (_, zh_caption) = pushed(api, -2001)
    (_, en), (_, en_caption) = pushed(api, -2002)
    assert "雨城区" in zh and "Mingshan" not in zh and "名山区" not in zh
    assert "Mingshan" in en and "Yucheng" not in en and "雨城区" not in en
    assert "Weekly summary: Mingshan" in en
    rows = {r.chat_id: r for r in Outbox.select().where(Outbox.seq == 1)}
    assert rows[-2001].payload["photo"]["locale"] == "zh_Hans"
    assert rows[-2002].payload["photo"]["locale"] == "en"
    assert rows[-2001].payload["photo"]["scope"] == "511802"
    assert rows[-2002].payload["photo"]["scope"] == "511803"
    # Different places, different pictures.
    files = [api.file_bytes(api.sent(c)[1]["file_id"]) for c in (-2001, -2002)]
    assert files[0] != files[1]


async def test_the_tick_is_a_job_of_the_application(bot_app):
    api = bot_app.api
    bound_group(api, -2101, factories.county("511802"))
    bot_app.clock.set_now(MONDAY_9)
    await bot_app.restart(push_interval=0.05)
    await api.group(-2101).expect("2026-W47", timeout=10)
    await api.group(-2101).next_message(timeout=10, kinds=["photo"])


async def test_identical_charts_are_uploaded_once_and_reused(bot_app):
    api = bot_app.api
    yucheng = factories.county("511802")
    for chat_id in (-2201, -2202, -2203):  # one place, one language: one picture
        bound_group(api, chat_id, yucheng)
    await at(bot_app, MONDAY_9)
    photos = [api.sent(c, kinds=["photo"])[0] for c in (-2201, -2202, -2203)]
    assert len({p["file_id"] for p in photos}) == 1
    uploads = [c for c in api.calls_for("sendPhoto") if isinstance(c.params.get("photo"), dict)]
    assert len(uploads) == 1  # the others were sent by file_id


# ---------------------------------------------------------------------------------------------
# Exactly once
# ---------------------------------------------------------------------------------------------

async def test_a_restart_mid_run_sends_nothing_twice_and_skips_nothing(bot_app, monkeypatch):
    api = bot_app.api
    monkeypatch.setattr(outbox, "CONCURRENCY", 3)
    api.latency = 0.03
    places = list(OrgUnit.select().where(OrgUnit.level == "township").order_by(OrgUnit.code)
                  .limit(12))
    chats = [-3001 - i for i in range(len(places))]
    for chat_id, place in zip(chats, places):
        bound_group(api, chat_id, place)
    bot_app.clock.set_now(MONDAY_9)
    run = bot_app.app.create_task(tick_module.tick(bot_app.app))
    def sent_calls():
        return [c for c in api.calls if c.method in ("sendMessage", "sendPhoto")]
    async with asyncio.timeout(60):
        while len([c for c in sent_calls() if c.ok]) < 6:
            await asyncio.sleep(0.01)
    await bot_app.stop()  # stops between rows: what is in flight finishes and is marked
    assert run.done()
    statuses = [r.status for r in Outbox.select()]
    assert 0 < statuses.count("sent") < len(statuses)  # stopped mid-run
    assert statuses.count("sent") == len([c for c in sent_calls() if c.ok])

    await bot_app.start()
    await at(bot_app, MONDAY_9 + dt.timedelta(minutes=1))
    for chat_id in chats:
        assert [kind for kind, _ in pushed(api, chat_id)] == ["message", "photo"], chat_id
    assert len([c for c in sent_calls() if c.ok]) == 2 * len(chats)
    assert {d.status for d in Delivery.select()} == {"sent"}
    assert Delivery.select().count() == len(chats)


async def test_a_429_is_waited_out_and_the_chart_arrives_once(bot_app):
    api = bot_app.api
    bound_group(api, -4001, factories.county("511802"))
    api.fail_next("sendPhoto", error_code=429, retry_after=1, chat_id=-4001)
    await at(bot_app, MONDAY_9)
    assert [kind for kind, _ in pushed(api, -4001)] == ["message", "photo"]
    photo_calls = api.calls_for("sendPhoto")
    assert [c.status for c in photo_calls] == [429, 200]
    assert photo_calls[1].ts - photo_calls[0].ts >= 1.0
    [row] = Outbox.select().where(Outbox.seq == 1)
    assert (row.status, row.attempts) == ("sent", 1)
    assert Delivery.get().status == "sent"


async def test_a_5xx_is_retried_after_a_backoff(bot_app):
    api = bot_app.api
    bound_group(api, -4101, factories.county("511802"))
    api.fail_next("sendPhoto", error_code=500, chat_id=-4101)
    await at(bot_app, MONDAY_9)
    assert [kind for kind, _ in pushed(api, -4101)] == ["message"]
    [row] = Outbox.select().where(Outbox.seq == 1)
    assert (row.status, row.attempts) == ("pending", 1) and row.not_before is not None
    assert Delivery.get().status == "queued"
    assert await outbox.drain(bot_app.app, at=row.not_before) == 1
    assert [kind for kind, _ in pushed(api, -4101)] == ["message", "photo"]
    assert Delivery.get().status == "sent"


async def test_a_kicked_bot_deactivates_the_group_and_the_push_fails_visibly(bot_app):
    api = bot_app.api
    bound_group(api, -4201, factories.county("511802"))
    bound_group(api, -4202, factories.county("511803"))
    api.kick(-4201)
    await at(bot_app, MONDAY_9)
    kicked = Group.get(Group.chat_id == -4201)
    assert not kicked.active and "kicked" in kicked.inactive_reason
    failed = Delivery.get(Delivery.group == kicked)
    assert failed.status == "failed" and "kicked" in failed.error
    assert {r.status for r in Outbox.select().where(Outbox.chat_id == -4201)} == {"failed"}
    assert Delivery.get(Delivery.group != kicked).status == "sent"  # the other group's
    # Next week the inactive group is not pushed to.
    await at(bot_app, MONDAY_9 + dt.timedelta(days=7))
    assert Delivery.select().where(Delivery.group == kicked).count() == 1


# ---------------------------------------------------------------------------------------------
# The bot joining and leaving, /bind, /lang, /digest
# ---------------------------------------------------------------------------------------------

async def test_it_tracks_the_groups_it_is_added_to_and_removed_from(bot_app):
    api = bot_app.api
    ailin = bot_app.chat("ailin")
    chat = api.group(-5001, "和平社区工作群")
    await bot_app.done.until(await chat.add_bot(ailin.user))
    group = Group.get(Group.chat_id == -5001)
    assert group.active and group.title == "和平社区工作群" and group.org_unit is None
    assert "/bind" in chat.last_message["text"]
    await bot_app.done.until(await chat.remove_bot(ailin.user))
    group = Group.get_by_id(group.id)
    assert not group.active and "kicked" in group.inactive_reason
    pushes.bind_group(-5001, factories.community(), actor="admin:test", language="en")
    await bot_app.done.until(await chat.add_bot(ailin.user, status="administrator"))
    group = Group.get_by_id(group.id)
    assert group.active and group.inactive_reason is None and group.org_unit is not None
    assert "Hello again! This group still receives the pushes of" in \
        chat.last_message["text"]
    await bot_app.done.until(await chat.remove_bot(ailin.user, kicked=False))
    assert "removed" in Group.get_by_id(group.id).inactive_reason


async def test_an_authorised_worker_binds_the_group_to_their_place(bot_app):
    api = bot_app.api
    place = factories.community()
    ailin = bot_app.chat("ailin", place=place)
    chat = api.group(-5101, "和平社区工作群")
    pushes.track_group(-5101, "和平社区工作群")
    Group.update(language="en").where(Group.chat_id == -5101).execute()
    await said(bot_app, chat, ailin, "/bind")
    assert "not bound to a place yet" in chat.last_message["text"]
    await said(bot_app, chat, ailin, f"/bind {place.code}")
    group = Group.get(Group.chat_id == -5101)
    assert group.org_unit_id == place.id and group.bound_by == f"tg:{ailin.user.id}"
    assert f"receives the pushes of {place.name_en or place.name} ({place.code})" in \
        chat.last_message["text"]
    await said(bot_app, chat, ailin, "/bind")
    assert f"({place.code})" in chat.last_message["text"]


async def test_bind_is_refused_to_anyone_not_authorised_and_nothing_changes(bot_app):
    api = bot_app.api
    home = factories.community("511802")
    elsewhere = factories.community("511803")
    bowen = bot_app.chat("bowen", place=elsewhere)  # a worker of another county
    stranger = bot_app.chat("caixia", registered=False)
    chat, group = bound_group(api, -5201, home, "en")
    before = (group.org_unit_id, group.bound_by, group.bound_at)
    await said(bot_app, chat, bowen, f"/bind {home.code}")
    assert "You may not bind this group" in chat.last_message["text"]
    await said(bot_app, chat, bowen, "/bind 雨城区")
    assert "You may not bind this group" in chat.last_message["text"]
    await said(bot_app, chat, stranger, f"/bind {elsewhere.code}")
    assert "Only a registered worker" in chat.last_message["text"]
    group = Group.get_by_id(group.id)
    assert (group.org_unit_id, group.bound_by, group.bound_at) == before
    await said(bot_app, chat, bowen, "/bind 没有这个地方")
    assert "No place has the code or the name" in chat.last_message["text"]


async def test_a_group_never_gets_private_chat_prompts(bot_app):
    api = bot_app.api
    stranger = bot_app.chat("caixia", registered=False)
    chat = api.group(-5301, "闲聊群")
    for text in ("大家好", "/report", "/mystats", "/start"):
        await said(bot_app, chat, stranger, text)
    texts = [m["text"] for m in chat.messages]
    prompts = {translator(locale).gettext(NOT_REGISTERED) for locale in SUPPORTED}
    assert not prompts & set(texts)
    assert len(texts) == 1 and "/bind" in texts[0]  # only /start (the group's help) answered
    assert stranger.user.messages == []


async def test_an_authorised_worker_sets_the_groups_language(bot_app):
    api = bot_app.api
    place = factories.community()
    ailin = bot_app.chat("ailin", place=place)
    stranger = bot_app.chat("caixia", registered=False)
    chat, group = bound_group(api, -5401, place, "zh_Hans")
    await said(bot_app, chat, stranger, "/lang en")
    assert Group.get_by_id(group.id).language == "zh_Hans"
    await said(bot_app, chat, ailin, "/lang")
    uid = await chat.press(stranger.user, "English")
    await bot_app.done.until(uid)
    assert (await api.callback_answer(uid))["show_alert"] is True
    assert Group.get_by_id(group.id).language == "zh_Hans"
    uid = await chat.press(ailin.user, "English")
    await bot_app.done.until(uid)
    assert Group.get_by_id(group.id).language == "en"
    assert "From now on this group's pushes are in English." in chat.last_message["text"]
    await said(bot_app, chat, ailin, "/lang 中文")
    assert Group.get_by_id(group.id).language == "zh_Hans"


async def test_digest_sends_a_past_quarter_on_demand(bot_app):
    api = bot_app.api
    place = factories.community()
    ailin = bot_app.chat("ailin", place=place)
    chat, group = bound_group(api, -5501, place, "en")
    factories.report("activity", by=factories.worker("w", place=place),
                     date=dt.date(2026, 8, 12))
    bot_app.clock.set_now(MONDAY_9)
    await said(bot_app, chat, ailin, "/digest 2026q3")
    await chat.expect("Preparing the 2026Q3 digest", timeout=5)
    await chat.expect("Quarterly digest", timeout=20)  # the digest's text
    await chat.next_message(timeout=20, kinds=["photo"])
    delivery = Delivery.get(Delivery.group == group)
    assert (delivery.kind, delivery.period) == ("quarterly", "2026Q3")
    assert delivery.requested_by == f"tg:{ailin.user.id}"
    async with asyncio.timeout(30):
        while delivery.status != "sent":
            await asyncio.sleep(0.05)
            delivery = Delivery.get_by_id(delivery.id)
    charts = len(api.sent(-5501, kinds=["photo"]))
    assert charts == Outbox.select().where(Outbox.delivery == delivery).count() - 1
    # Asked again: already sent, nothing sent twice.
    await said(bot_app, chat, ailin, "/digest 2026Q3")
    assert "already sent to this group" in chat.last_message["text"]
    assert len(api.sent(-5501, kinds=["photo"])) == charts


@pytest.mark.parametrize("period, message", [
    ("2026Q9", "is not a period"),
    ("soon", "is not a period"),
    ("2026Q4", "has not ended yet"),
])
async def test_digest_explains_a_bad_period_and_queues_nothing(bot_app, period, message):
    api = bot_app.api
    place = factories.community()
    ailin = bot_app.chat("ailin", place=place)
    chat, _ = bound_group(api, -5601, place, "en")
    bot_app.clock.set_now(MONDAY_9)
    await said(bot_app, chat, ailin, f"/digest {period}")
    assert message in chat.last_message["text"]
    assert Delivery.select().count() == 0 and Outbox.select().count() == 0


async def test_digest_is_for_authorised_workers_of_a_bound_group(bot_app):
    api = bot_app.api
    place = factories.community("511802")
    bowen = bot_app.chat("bowen", place=factories.community("511803"))
    chat, group = bound_group(api, -5701, place, "en")
    bot_app.clock.set_now(MONDAY_9)
    await said(bot_app, chat, bowen, "/digest 2026Q3")
    assert "Only a registered worker" in chat.last_message["text"]
    unbound = api.group(-5702, "new group")
    pushes.track_group(-5702, "new group")
    Group.update(language="en").where(Group.chat_id == -5702).execute()
    await said(bot_app, unbound, bowen, "/digest 2026Q3")
    assert "not bound to a place yet" in unbound.last_message["text"]
    assert Delivery.select().count() == 0


# ---------------------------------------------------------------------------------------------
# Telegram's flood limits
# ---------------------------------------------------------------------------------------------

async def _burst(harness, limiter, n: int = 45) -> list:
    api = harness.api
    api.limit(global_per_sec=15, per_chat_per_min=None)
    await harness.restart(rate_limiter=limiter)
    for i in range(n):
        api.group(-6001 - i, f"g{i}")
        Outbox.create(key=f"burst:{i}", chat_id=-6001 - i, text=f"m{i}")
    await outbox.drain(harness.app)
    return [c for c in api.calls_for("sendMessage")]


async def test_the_flood_limiter_keeps_within_the_servers_limit(bot_app):
    calls = await _burst(bot_app, FloodLimiter(overall_per_second=15))
    assert [c.status for c in calls] == [200] * 45
    assert Outbox.select().where(Outbox.status == "sent").count() == 45


async def test_a_leaky_bucket_would_overrun_the_same_limit(bot_app):
    """Why bot/flood.py: AIORateLimiter's bucket starts empty and lets twice the rate
    through in the first second."""
    calls = await _burst(bot_app, AIORateLimiter(overall_max_rate=15, max_retries=3))
    assert 429 in [c.status for c in calls]
    assert Outbox.select().where(Outbox.status == "sent").count() == 45  # retried, all sent

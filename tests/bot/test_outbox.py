"""The bot delivers what the admin queues: a rejection notice, whose button reopens the report,
and the pushes' rows (tests/pushes/test_bot.py drives whole pushes)."""
from __future__ import annotations

import datetime as dt

import pytest

from models.reports.filing import review
from models.core.schema import Delivery, Group, Outbox, Report, now

from bot import outbox
from tests import factories
from tests.botkit import draft_of, open_at, reports_of, worker_of

NOTICE = "Your report “Activity held” of Nov 20, 2026 was returned for correction.\nReason: 人数对不上"


def rejected(chat, reason: str = "人数对不上") -> tuple[Report, Outbox]:
    report = factories.report("activity", by=worker_of(chat))
    review(report, "rejected", actor="admin:zhang", reason=reason)
    row = Outbox.create(key=f"reject:{report.uid}:1", chat_id=chat.user.id, text=NOTICE,
                        payload={"report_uid": report.uid, "action": "fix"})
    return report, row


async def test_it_sends_a_rejection_notice_whose_button_reopens_the_report(bot_app):
    ailin = bot_app.chat("ailin")
    report, row = rejected(ailin)
    assert await outbox.drain(bot_app.app) == 1
    notice = ailin.user.last_message
    assert notice["text"] == NOTICE and ailin.keyboard() == ["Correct this report"]
    row = Outbox.get_by_id(row.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None) and row.sent_at
    assert await outbox.drain(bot_app.app) == 0  # sent once

    await ailin.press("Correct this report")
    assert "Correcting a report that was sent back. Reason: 人数对不上" in ailin.last
    assert "Participants: 30" in ailin.last
    await ailin.press("Edit a field")
    await ailin.press("Participants")
    await ailin.send("28")
    await ailin.press("Submit")
    assert "Your corrected report was sent for review again." in ailin.last
    [again] = reports_of(ailin)
    assert again.id == report.id and again.status == "submitted"
    assert again.values["participants"] == 28 and again.reject_reason is None
    reach = {c.value for c in again.contributions if c.indicator.code == "participants_children"}
    assert reach == {28}
    await ailin.press("Correct this report", notice)
    assert "This report is not waiting for a correction." in \
        (await bot_app.api.callback_answer(ailin.update_id))["text"]


async def test_it_asks_before_a_correction_replaces_an_unfinished_report(bot_app):
    ailin = bot_app.chat("ailin")
    report, _ = rejected(ailin)
    open_at(ailin, "xinfeng", event_type="council")
    await outbox.drain(bot_app.app)
    await ailin.press("Correct this report")
    assert "You have an unfinished report. Correcting this one will discard it." in ailin.last
    await ailin.press("Keep my draft")
    assert draft_of(ailin).kind.code == "xinfeng" and "Step 2/5" in ailin.last


async def test_it_records_failures_and_retries_later(bot_app):
    ailin = bot_app.chat("ailin")
    blocked = bot_app.chat("bowen")
    _, row = rejected(ailin)
    _, gone = rejected(blocked)
    bot_app.api.kick(blocked.user.id)
    bot_app.api.fail_next("sendMessage", error_code=502, chat_id=ailin.user.id)
    assert await outbox.drain(bot_app.app) == 0
    row, gone = Outbox.get_by_id(row.id), Outbox.get_by_id(gone.id)
    assert (row.status, row.attempts) == ("pending", 1) and "Bad Gateway" in row.last_error
    assert row.not_before >= now() + dt.timedelta(seconds=outbox.BACKOFF - 1)  # backing off
    assert (gone.status, gone.attempts) == ("failed", 1) and "blocked" in gone.last_error
    assert await outbox.drain(bot_app.app) == 0  # not before its backoff is over
    assert await outbox.drain(bot_app.app, at=row.not_before) == 1
    assert Outbox.get_by_id(row.id).status == "sent" and ailin.user.last_message["text"] == NOTICE


async def test_it_drains_the_outbox_on_a_timer(bot_app):
    ailin = bot_app.chat("ailin")
    await bot_app.restart(outbox_interval=0.05)
    rejected(ailin)
    await ailin.user.expect("returned for correction", timeout=5)


# ---------------------------------------------------------------------------------------------
# Rows of a delivery (a push): order, waits, flood limits, errors, a group that is gone
# ---------------------------------------------------------------------------------------------

_chat_ids = iter(range(-1_000_100, -2_000_000, -1))


def delivery(api, texts=("<b>周报</b> 第一条", "第二条", "第三条"), *, chat_id=None,
             title="和平社区工作群") -> tuple[Group, Delivery, list[Outbox]]:
    """A bound group with a queued delivery of ``texts``, as ``models.pushes.deliveries.enqueue`` leaves
    one: seq 0, 1, ... in a fake group chat."""
    chat_id = chat_id or next(_chat_ids)
    api.group(chat_id, title)
    group = (Group.get_or_none(Group.chat_id == chat_id)
             or Group.create(chat_id=chat_id, title=title, org_unit=factories.community()))
    d = Delivery.create(group=group, kind="weekly", period=f"2026-W{47 - len(group.deliveries)}")
    rows = [Outbox.create(key=f"push:{d.id}:{seq}", chat_id=chat_id, text=text, delivery=d,
                          seq=seq, payload={"parse_mode": "HTML"})
            for seq, text in enumerate(texts)]
    return group, d, rows


def texts_in(api, chat_id) -> list[str]:
    return [m["text"] for m in api.sent(chat_id)]


async def test_it_sends_a_delivery_in_order_as_html_and_settles_it(bot_app):
    api = bot_app.api
    group, d, rows = delivery(api)
    # Queued last, the first row still goes first: seq, not id, orders a delivery.
    Outbox.update(seq=9).where(Outbox.id == rows[0].id).execute()
    assert await outbox.drain(bot_app.app) == 3
    assert texts_in(api, group.chat_id) == ["第二条", "第三条", "<b>周报</b> 第一条"]
    assert {m["parse_mode"] for m in api.sent(group.chat_id)} == {"HTML"}
    d = Delivery.get_by_id(d.id)
    assert d.status == "sent" and d.sent_at is not None and d.error is None
    assert await outbox.drain(bot_app.app) == 0


async def test_it_holds_a_deliverys_later_rows_until_the_earlier_one_is_sent(bot_app):
    api = bot_app.api
    group, d, rows = delivery(api)
    later = now() + dt.timedelta(minutes=5)
    Outbox.update(not_before=later).where(Outbox.id == rows[1].id).execute()
    ailin = bot_app.chat("ailin")
    rejected(ailin)  # another chat's notice is not held up
    assert await outbox.drain(bot_app.app) == 2
    assert texts_in(api, group.chat_id) == ["<b>周报</b> 第一条"]
    assert ailin.user.last_message["text"] == NOTICE
    assert Delivery.get_by_id(d.id).status == "queued"
    assert await outbox.drain(bot_app.app, at=later) == 2
    assert texts_in(api, group.chat_id) == ["<b>周报</b> 第一条", "第二条", "第三条"]
    assert Delivery.get_by_id(d.id).status == "sent"


async def test_it_waits_out_a_429_and_sends_the_row_once(bot_app):
    api = bot_app.api
    group, d, rows = delivery(api)
    api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=group.chat_id)
    assert await outbox.drain(bot_app.app) == 3
    assert texts_in(api, group.chat_id) == ["<b>周报</b> 第一条", "第二条", "第三条"]
    first = [c for c in api.calls_for("sendMessage") if c.params["chat_id"] == group.chat_id][:2]
    assert [c.status for c in first] == [429, 200]
    assert first[1].ts - first[0].ts >= 1.0  # retry_after waited out
    row = Outbox.get_by_id(rows[0].id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)  # not a failure
    assert Delivery.get_by_id(d.id).status == "sent"


async def test_it_keeps_a_row_for_later_when_telegram_asks_for_a_long_wait(bot_app):
    api = bot_app.api
    group, d, rows = delivery(api)
    api.fail_next("sendMessage", error_code=429, retry_after=3600, chat_id=group.chat_id)
    assert await outbox.drain(bot_app.app) == 0
    row = Outbox.get_by_id(rows[0].id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.not_before >= now() + dt.timedelta(minutes=59)
    assert api.sent(group.chat_id) == []  # the later rows wait with it
    assert await outbox.drain(bot_app.app, at=row.not_before) == 3


async def test_it_retries_a_5xx_with_backoff_then_fails_the_delivery(bot_app):
    api = bot_app.api
    group, d, rows = delivery(api)
    api.fail_next("sendMessage", error_code=500, chat_id=group.chat_id,
                  times=outbox.MAX_ATTEMPTS)
    waits = []
    at = None
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert await outbox.drain(bot_app.app, at=at) == 0
        row = Outbox.get_by_id(rows[0].id)
        assert row.attempts == attempt and "Internal Server Error" in row.last_error
        if attempt < outbox.MAX_ATTEMPTS:
            assert row.status == "pending"
            waits.append(row.not_before)
            at = row.not_before
    assert row.status == "failed"
    gaps = [(b - a).total_seconds() for a, b in zip(waits, waits[1:])]
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:]))  # exponential
    assert {r.status for r in Outbox.select().where(Outbox.delivery == d)} == {"failed"}
    d = Delivery.get_by_id(d.id)
    assert d.status == "failed" and "Internal Server Error" in d.error
    assert api.sent(group.chat_id) == [] and Group.get_by_id(group.id).active


async def test_it_retries_a_5xx_and_the_message_arrives_once(bot_app):
    api = bot_app.api
    group, d, rows = delivery(api)
    api.fail_next("sendMessage", error_code=502, chat_id=group.chat_id)
    assert await outbox.drain(bot_app.app) == 0
    row = Outbox.get_by_id(rows[0].id)
    assert await outbox.drain(bot_app.app, at=row.not_before) == 3
    assert texts_in(api, group.chat_id) == ["<b>周报</b> 第一条", "第二条", "第三条"]
    assert Delivery.get_by_id(d.id).status == "sent"


@pytest.mark.parametrize("description, reason", [
    ("Forbidden: bot was kicked from the group chat", "kicked"),
    ("Forbidden: bot is not a member of the supergroup chat", "not a member"),
])
async def test_a_kicked_bot_deactivates_the_group_and_fails_its_rows(bot_app, description,
                                                                     reason):
    api = bot_app.api
    group, d, rows = delivery(api)
    _, other, _ = delivery(api, ("另一条",), chat_id=group.chat_id)
    api.kick(group.chat_id, description)
    assert await outbox.drain(bot_app.app) == 0
    group = Group.get_by_id(group.id)
    assert not group.active and reason in group.inactive_reason
    for row in Outbox.select().where(Outbox.chat_id == group.chat_id):
        assert row.status == "failed" and reason in row.last_error
    for each in (d, other):
        each = Delivery.get_by_id(each.id)
        assert each.status == "failed" and reason in each.error
    assert len(api.calls_for("sendMessage")) == 1  # nothing more was tried


async def test_a_vanished_chat_deactivates_the_group(bot_app):
    api = bot_app.api
    group, d, rows = delivery(api)
    api._chats.pop(group.chat_id)  # Telegram: "Bad Request: chat not found"
    assert await outbox.drain(bot_app.app) == 0
    group = Group.get_by_id(group.id)
    assert not group.active and "not found" in group.inactive_reason.lower()
    assert Delivery.get_by_id(d.id).status == "failed"


async def test_it_sends_to_many_chats_at_once_each_in_order(bot_app):
    api = bot_app.api
    api.latency = 0.05
    pushes = [delivery(api, (f"{n}-0", f"{n}-1")) for n in range(40)]
    assert await outbox.drain(bot_app.app) == 80
    for n, (group, _, _) in enumerate(pushes):
        assert texts_in(api, group.chat_id) == [f"{n}-0", f"{n}-1"]
    # Requests overlapped: some started before the one before them had been answered.
    calls = api.calls_for("sendMessage")
    assert any(b.ts < a.ts + api.latency for a, b in zip(calls, calls[1:]))

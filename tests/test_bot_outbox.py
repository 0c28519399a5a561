"""The bot delivers what the admin queues: a rejection notice, whose button reopens the report."""
from __future__ import annotations

from models.reports import review
from models.schema import Outbox, Report

from bot import outbox
from tests import factories
from tests.botkit import bot_api, bot_app, draft_of, open_at, reports_of, worker_of  # noqa: F401

NOTICE = "Your report “Activity held” of Nov 20, 2026 was returned for correction.\nReason: 人数对不上"


def rejected(chat, reason: str = "人数对不上") -> tuple[Report, Outbox]:
    report = factories.report("activity", by=worker_of(chat))
    review(report, "rejected", actor="admin:zhang", reason=reason)
    row = Outbox.create(key=f"reject:{report.uid}:1", chat_id=chat.user.id, text=NOTICE,
                        payload={"report_uid": report.uid, "action": "fix"})
    return report, row


async def test_it_sends_a_rejection_notice_whose_button_reopens_the_report(bot_app):
    alice = bot_app.chat("alice")
    report, row = rejected(alice)
    assert await outbox.drain(bot_app.app) == 1
    notice = alice.user.last_message
    assert notice["text"] == NOTICE and alice.keyboard() == ["Correct this report"]
    row = Outbox.get_by_id(row.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None) and row.sent_at
    assert await outbox.drain(bot_app.app) == 0  # sent once

    await alice.press("Correct this report")
    assert "Correcting a report that was sent back. Reason: 人数对不上" in alice.last
    assert "Participants: 30" in alice.last
    await alice.press("Edit a field")
    await alice.press("Participants")
    await alice.send("28")
    await alice.press("Submit")
    assert "Your corrected report was sent for review again." in alice.last
    [again] = reports_of(alice)
    assert again.id == report.id and again.status == "submitted"
    assert again.values["participants"] == 28 and again.reject_reason is None
    reach = {c.value for c in again.contributions if c.indicator.code == "participants_children"}
    assert reach == {28}
    await alice.press("Correct this report", notice)
    assert "This report is not waiting for a correction." in \
        (await bot_app.api.callback_answer(alice.update_id))["text"]


async def test_it_asks_before_a_correction_replaces_an_unfinished_report(bot_app):
    alice = bot_app.chat("alice")
    report, _ = rejected(alice)
    open_at(alice, "xinfeng", event_type="council")
    await outbox.drain(bot_app.app)
    await alice.press("Correct this report")
    assert "You have an unfinished report. Correcting this one will discard it." in alice.last
    await alice.press("Keep my draft")
    assert draft_of(alice).kind.code == "xinfeng" and "Step 2/5" in alice.last


async def test_it_records_failures_and_retries_later(bot_app):
    alice = bot_app.chat("alice")
    blocked = bot_app.chat("bob")
    _, row = rejected(alice)
    _, gone = rejected(blocked)
    bot_app.api.kick(blocked.user.id)
    bot_app.api.fail_next("sendMessage", error_code=502, chat_id=alice.user.id)
    assert await outbox.drain(bot_app.app) == 0
    row, gone = Outbox.get_by_id(row.id), Outbox.get_by_id(gone.id)
    assert (row.status, row.attempts) == ("pending", 1) and "Bad Gateway" in row.last_error
    assert (gone.status, gone.attempts) == ("failed", 1) and "blocked" in gone.last_error
    assert await outbox.drain(bot_app.app) == 1
    assert Outbox.get_by_id(row.id).status == "sent" and alice.user.last_message["text"] == NOTICE


async def test_it_drains_the_outbox_on_a_timer(bot_app):
    alice = bot_app.chat("alice")
    await bot_app.restart(outbox_interval=0.05)
    rejected(alice)
    await alice.user.expect("returned for correction", timeout=5)

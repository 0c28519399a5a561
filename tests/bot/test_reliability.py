"""Exactly once, across restarts, redeliveries and double taps; failures told, never leaked."""
from __future__ import annotations

import datetime as dt
import io
import logging

from models.core.schema import ProcessedUpdate, Report, now

from bot import engine
from bot.gate import KEEP_UPDATE_IDS, forget_updates_before
from bot.logs import configure
from tests.botkit import (ACTIVITY, CONTINUE, TOKEN, at_card, draft_of, open_at, reports_of,
                          walk)


async def test_it_continues_a_report_after_a_restart(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, ACTIVITY[:6])
    assert "Step 5/13" in ailin.last
    await bot_app.restart()
    await walk(ailin, ACTIVITY[6:])
    assert "Please check your report" in ailin.last
    await ailin.press("Submit")
    [report] = reports_of(ailin)
    assert report.values["title"] == "四点半课堂" and report.values["participants"] == 30


async def test_it_resumes_a_multi_select_after_a_restart(bot_app):
    ailin = bot_app.chat("ailin")
    open_at(ailin, "activity", action_line="children", activity_type="service", title="t",
            date="2026-11-20", place="p", participants=12, minors=5, groups=None)
    await walk(ailin, ["/report", ("press", "Continue"), ("press", "Volunteers")])
    await bot_app.restart()
    await ailin.press("Social workers")  # the selection so far lives in the buttons
    await ailin.press("Done")
    assert draft_of(ailin).answers["parties"] == ["social_worker", "volunteer"]


async def test_it_ignores_a_redelivered_update(bot_app):
    ailin = bot_app.chat("ailin")
    draft = open_at(ailin, "activity", action_line="children", activity_type="service")
    await ailin.send("四点半课堂")
    update_id = ailin.update_id
    sent = len(ailin.user.events)
    await bot_app.api.redeliver(update_id)
    await ailin.done.until(update_id, times=2)
    assert len(ailin.user.events) == sent  # no second reply, not even an edit
    assert draft_of(ailin).answers["title"] == "四点半课堂"
    assert draft_of(ailin).step == "date" and draft.uid == draft_of(ailin).uid


async def test_it_stores_one_report_for_a_redelivered_submit(bot_app):
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    press = await ailin.user.press("Submit")
    await ailin.done.until(press)
    sent = len(ailin.user.events)
    await bot_app.api.redeliver(press)
    await ailin.done.until(press, times=2)
    assert len(ailin.user.events) == sent
    assert Report.select().count() == 1


async def test_it_stores_one_report_for_a_double_tap_on_submit(bot_app):
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    first = await ailin.user.press("Submit")
    second = await ailin.user.press("Submit")  # before the bot has answered the first
    await ailin.done.until(second)
    assert Report.select().count() == 1
    saved = [m for m in ailin.user.messages if "Your report is saved" in (m["text"] or "")]
    assert len(saved) == 1
    assert (await bot_app.api.callback_answer(first))["text"] == "Saved"
    assert (await bot_app.api.callback_answer(second))["text"] == "This report is already saved."


async def test_it_tells_the_user_when_something_breaks_and_logs_the_context(bot_app, monkeypatch,
                                                                            caplog):
    ailin = bot_app.chat("ailin")
    draft = open_at(ailin, "activity", action_line="children", activity_type="service")

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(engine, "parse_answer", broken)
    with caplog.at_level(logging.INFO):
        await ailin.send("四点半课堂")
    assert "Sorry, something went wrong on my side" in ailin.last
    [record] = [r for r in caplog.records if r.name == "bot.errors"]
    assert record.levelno == logging.ERROR
    assert f"(message from user {ailin.user.id}) failed" in record.getMessage()
    assert "the disk is on fire" in caplog.text
    assert draft_of(ailin).answers == draft.answers  # nothing half-done
    monkeypatch.undo()
    await ailin.send("四点半课堂")
    assert "Step 4/13" in ailin.last


async def test_it_keeps_the_token_out_of_the_logs(bot_app):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out = io.StringIO()
    try:
        configure(secrets=[TOKEN], level=logging.DEBUG, stream=out)
        logging.getLogger("httpx").setLevel(logging.DEBUG)  # even if someone turns it up
        ailin = bot_app.chat("ailin")
        at_card(ailin)
        await walk(ailin, CONTINUE + [("press", "Submit")])
        logging.getLogger("bot.x").error("oops %s", bot_app.app.bot)  # repr shows the token
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    text = out.getvalue()
    assert "report 1 stored" in text and "HTTP Request" in text and "[redacted]" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


async def test_it_forgets_update_ids_after_a_few_days(bot_app):
    ailin = bot_app.chat("ailin")
    await ailin.send("/help")  # a chat's first update writes its ChatState, the mark with it
    await ailin.send("/help")  # (models.reports.filing.finish_update); this one's is a row
    old = ProcessedUpdate.get(ProcessedUpdate.update_id == ailin.update_id)
    ProcessedUpdate.update(processed_at=now() - dt.timedelta(days=4)).where(
        ProcessedUpdate.update_id == old.update_id).execute()
    await ailin.send("/help")
    assert forget_updates_before(now() - KEEP_UPDATE_IDS) == 1
    assert [u.update_id for u in ProcessedUpdate.select()] == [ailin.update_id]
    assert sorted(j.name for j in bot_app.app.job_queue.jobs()) == ["forget-updates", "heartbeat"]

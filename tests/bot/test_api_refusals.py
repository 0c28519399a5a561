"""Bot API calls the conversation can do without never stall it.

Answering a button (its spinner, its toast) and editing a message already sent fail in normal
operation: a button's query is "too old" after a restart or a slow moment, a double tap edits a
message into what it already says, a worker deletes a message. The answer is recorded and the
next question is sent all the same, with one log line. A Submit pressed again or redelivered
after its report was stored says which report holds it.
"""
from __future__ import annotations

import logging

import pytest

from models.core.schema import Report
from models.pushes import deliveries as pushes

from tests import factories
from tests.botkit import (CONTINUE, STALE, at_card, draft_of, only_the_newest_acts, open_at,
                          reports_of, unchanged, unmark, walk)

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")
NOT_FOUND = "Bad Request: message to edit not found"
SORRY = "Sorry, something went wrong on my side"


def skipped(caplog, method: str) -> list[str]:
    """The log lines of the calls of ``method`` that were let pass."""
    return [r.getMessage() for r in caplog.records
            if r.name == "bot.chat" and f"{method} skipped" in r.getMessage()]


async def at_first_question(chat) -> None:
    open_at(chat, "activity")
    await walk(chat, CONTINUE)
    assert "Which action line" in chat.last


@pytest.mark.parametrize("error_code, description", [(400, TOO_OLD), (502, "Bad Gateway")],
                         ids=["too-old", "bad-gateway"])
async def test_it_asks_the_next_question_when_a_button_cannot_be_answered(
        bot_app, caplog, error_code, description):
    ailin = bot_app.chat("ailin")
    await at_first_question(ailin)
    bot_app.api.fail_next("answerCallbackQuery", error_code=error_code, description=description)
    with caplog.at_level(logging.INFO):
        await ailin.press("Child care")
    assert bot_app.api.calls_for("answerCallbackQuery")[-1].status == error_code
    assert draft_of(ailin).answers == {"action_line": "children"}
    assert "What kind of activity" in ailin.last and "Service" in ailin.keyboard()
    assert SORRY not in ailin.transcript()
    [line] = skipped(caplog, "answerCallbackQuery")
    assert f"update {ailin.update_id} (callback 'a:action_line:" in line
    assert f"from user {ailin.user.id})" in line
    assert description.split(": ")[-1][:20].lower() in line.lower()
    await ailin.press("Service")  # and on it goes
    assert draft_of(ailin).answers["activity_type"] == "service"


async def test_it_stores_and_confirms_a_submit_whose_button_cannot_be_answered(bot_app):
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    bot_app.api.fail_next("answerCallbackQuery", error_code=400, description=TOO_OLD)
    await ailin.press("Submit")
    [report] = reports_of(ailin)
    assert f"Your report is saved (No. {report.id})" in ailin.last
    assert SORRY not in ailin.transcript() and draft_of(ailin) is None


@pytest.mark.parametrize("description", [NOT_MODIFIED, NOT_FOUND],
                         ids=["not-modified", "not-found"])
async def test_it_goes_on_when_the_tapped_question_cannot_be_edited(bot_app, caplog,
                                                                    description):
    ailin = bot_app.chat("ailin")
    await at_first_question(ailin)
    bot_app.api.fail_next("editMessageText", error_code=400, description=description)
    with caplog.at_level(logging.INFO):
        await ailin.press("Child care")
    assert bot_app.api.calls_for("editMessageText")[-1].status == 400
    assert draft_of(ailin).answers == {"action_line": "children"}
    assert "What kind of activity" in ailin.last and SORRY not in ailin.transcript()
    [line] = skipped(caplog, "editMessageText")
    assert f"update {ailin.update_id} (callback 'a:action_line:" in line


async def test_a_stale_tap_is_refused_when_its_message_is_gone(bot_app, caplog):
    """A typed answer leaves the buttons of the question above in place (one call: the next
    question); a tap on them is refused and they are removed, and that message may have been
    deleted meanwhile: the refusal stands, nothing changes."""
    ailin = bot_app.chat("ailin")
    open_at(ailin, "activity", action_line="children", activity_type="service")
    await walk(ailin, CONTINUE)
    assert ailin.keyboard()  # the title question has its Back button
    asked_title = ailin.live()[-1]
    before = len(bot_app.api.calls)
    await ailin.send("四点半课堂")
    assert [c.method for c in bot_app.api.calls[before:] if c.method != "getUpdates"] == [
        "sendMessage"]
    assert draft_of(ailin).answers["title"] == "四点半课堂" and "Step 4/13" in ailin.last
    draft = draft_of(ailin)
    bot_app.api.fail_next("editMessageReplyMarkup", error_code=400, description=NOT_FOUND)
    with caplog.at_level(logging.INFO):
        await ailin.press("⬅ Back", asked_title["message_id"])
    answer = await bot_app.api.callback_answer(ailin.update_id)
    assert answer["text"] == STALE
    assert bot_app.api.calls_for("editMessageReplyMarkup")[-1].status == 400
    assert unchanged(draft) and "Step 4/13" in ailin.last and SORRY not in ailin.transcript()
    [line] = skipped(caplog, "editMessageReplyMarkup")
    assert f"update {ailin.update_id} (callback 'b:title' from user" in line
    assert "Message to edit not found" in line


async def test_the_thanks_come_as_a_message_when_the_card_cannot_be_edited(bot_app, caplog):
    """The Submit edits the card into the saved report; a card deleted meanwhile: the report
    is stored all the same and the thanks come as a message of their own."""
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    bot_app.api.fail_next("editMessageText", error_code=400, description=NOT_FOUND)
    with caplog.at_level(logging.INFO):
        replies = await ailin.press("Submit")
    [report] = reports_of(ailin)
    assert [r["kind"] for r in replies] == ["message"]
    assert replies[0]["text"] == (f"Thank you! Your report is saved (No. {report.id}). Send "
                                  "/report for the next one.")
    assert SORRY not in ailin.transcript() and len(skipped(caplog, "editMessageText")) == 1


async def test_it_confirms_a_groups_language_when_the_buttons_cannot_be_removed(bot_app):
    api = bot_app.api
    place = factories.community()
    ailin = bot_app.chat("ailin", place=place)
    group = api.group(-5501, "工作群")
    pushes.bind_group(-5501, place, actor="admin:test", language="zh_Hans")
    await bot_app.done.until(await group.send(ailin.user, "/lang"))
    api.fail_next("editMessageReplyMarkup", error_code=400, description=NOT_FOUND)
    await bot_app.done.until(await group.press(ailin.user, "English"))
    assert api.calls_for("editMessageReplyMarkup")[-1].status == 400
    assert "From now on this group's pushes are in English." in group.last_message["text"]


@pytest.mark.parametrize("method, error_code, description", [
    ("sendMessage", 400, "Bad Request: chat not found"),
    ("answerCallbackQuery", 400, "Bad Request: message is too long"),
    ("editMessageText", 400, "Bad Request: message text is empty"),
], ids=["send", "answer", "edit"])
async def test_it_still_reports_a_failure_that_matters(bot_app, method, error_code,
                                                       description):
    """Only the refusals that leave the conversation as meant are let pass: a question that
    could not be sent, or a call the bot got wrong, goes to the error handler."""
    ailin = bot_app.chat("ailin")
    await at_first_question(ailin)
    bot_app.api.fail_next(method, error_code=error_code, description=description)
    if method == "sendMessage":  # a tap edits its question into the next: a command sends
        await ailin.send("/report")
    else:
        await ailin.press("Child care")
    assert SORRY in ailin.last


# ---------------------------------------------------------------------------------------------
# Submit again
# ---------------------------------------------------------------------------------------------

async def test_it_says_which_report_holds_a_submit_tapped_twice(bot_app):
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    await ailin.user.press("Submit")
    second = await ailin.user.press("Submit")
    await ailin.done.until(second)
    [report] = reports_of(ailin)
    texts = [m["text"] for m in ailin.user.messages if m.get("text")]
    assert f"Thank you! Your report is saved (No. {report.id})." in texts[-2]
    assert texts[-1] == f"This report is already saved (No. {report.id})."


async def test_it_says_which_report_holds_submits_tapped_while_the_bot_was_down(bot_app):
    """Both taps wait for the restart; by then neither button can be answered."""
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    await bot_app.stop()
    await ailin.user.press("Submit")
    second = await ailin.user.press("Submit")
    bot_app.api.fail_next("answerCallbackQuery", error_code=400, description=TOO_OLD, times=2)
    await bot_app.start()
    await ailin.done.until(second)
    [report] = reports_of(ailin)
    texts = [m["text"] for m in ailin.user.messages if m.get("text")]
    assert f"Thank you! Your report is saved (No. {report.id})." in texts[-2]
    assert texts[-1] == f"This report is already saved (No. {report.id})."
    assert SORRY not in ailin.transcript()


async def test_it_says_which_report_holds_a_submit_redelivered_after_it_was_stored(bot_app):
    """The bot stored the report but died before it marked the update handled: Telegram
    delivers the Submit again, and its query was answered already."""
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    press = await ailin.user.press("Submit")
    await ailin.done.until(press)
    unmark(press)
    await bot_app.api.redeliver(press)
    await ailin.done.until(press, times=2)
    assert bot_app.api.calls_for("answerCallbackQuery")[-1].status == 400  # too old
    [report] = reports_of(ailin)
    assert Report.select().count() == 1
    assert ailin.last == f"This report is already saved (No. {report.id})."


async def test_it_carries_on_with_the_next_report_after_an_old_submit(bot_app):
    """A Submit of a stored report comes again while the worker is on the next one: it says
    which report holds it and asks the open question again, its buttons live."""
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    press = await ailin.user.press("Submit")
    await ailin.done.until(press)
    await walk(ailin, ["/report", ("press", "Activity held")])
    unmark(press)
    await bot_app.api.redeliver(press)
    await ailin.done.until(press, times=2)
    [report] = reports_of(ailin)
    assert ailin.last.startswith(f"This report is already saved (No. {report.id}).\n\n")
    assert "Which action line" in ailin.last
    assert any(label.startswith("Child care") for label in ailin.keyboard())
    await only_the_newest_acts(ailin)  # the question asked before the Submit came again
    await ailin.press("Child care")
    assert draft_of(ailin).answers == {"action_line": "children"}


async def test_it_says_so_in_chinese(bot_app):
    ailin = bot_app.chat("ailin", language_code="zh")
    draft = at_card(ailin)
    await walk(ailin, ["/report", ("press", "rc")])
    await ailin.user.press(f"sub:{draft.uid}")
    second = await ailin.user.press(f"sub:{draft.uid}")
    await ailin.done.until(second)
    [report] = reports_of(ailin)
    assert ailin.last == f"这份报告已保存（编号{report.id}）。"

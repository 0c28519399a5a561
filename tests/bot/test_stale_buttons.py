"""Buttons left on screen: a new question is sent without editing the buttons off the one above
(one Bot API call per typed answer, bot/chat.py), so older keyboards stay visible. Only the
live question's buttons act; a tap on an older one changes nothing, says so in the worker's
language (a toast), and removes the stale buttons. End to end through the local Bot API
server, polling as run_bot.py does."""
from __future__ import annotations

from models.core.schema import Report

from tests.botkit import ACTIVITY, STALE, draft_of, reports_of, unchanged, walk

ZH_STALE = "这个按钮属于前面的问题。"
TITLE_ASKED = ["/report", ("press", "k:activity"), ("press", "a:action_line:2"),
               ("press", "a:activity_type:0")]


def markup_of(chat, message_id: int) -> list:
    return (chat.user._chat.messages[message_id].get("reply_markup") or {}).get(
        "inline_keyboard") or []


async def tap(chat, message: dict, data: str) -> None:
    """A tap on ``message``'s button ``data``, as a client still showing it sends it."""
    user = chat.user

    async def tapped() -> int:
        return user.api._callback(user._chat, user, message, data)

    await chat._step(f"[{data}]", tapped())


async def test_an_old_question_s_button_is_refused_in_chinese(bot_app):
    lin = bot_app.chat("lin", language_code="zh-hans")
    await walk(lin, TITLE_ASKED)
    title_question = lin.live()[-1]
    assert draft_of(lin).step == "title" and "第3/13步" in title_question["text"]
    await lin.send("四点半课堂")
    # the title question keeps its Back button: two keyboards on screen, one live
    assert len(lin.live()) == 2 and markup_of(lin, title_question["message_id"])
    date_question = lin.live()[-1]
    draft = draft_of(lin)
    sent_before = len(lin.user.messages)
    await lin.press("⬅ 返回", title_question["message_id"])
    answer = await bot_app.api.callback_answer(lin.update_id)
    assert answer["text"] == ZH_STALE
    assert unchanged(draft) and draft.step == "date"
    assert markup_of(lin, title_question["message_id"]) == []  # the stale button is gone
    assert lin.live() == [date_question] and len(lin.user.messages) == sent_before
    await lin.press("昨天")  # the live question's buttons act
    assert draft_of(lin).answers["date"] == "2026-11-22"


async def test_a_question_asked_again_takes_its_answer_only_from_its_newest_message(bot_app):
    """Back asks the date again in a new message: the first one's date buttons answer the same
    field, yet are refused, so no answer is taken (or a message edited) far up the chat."""
    ailin = bot_app.chat("ailin")
    await walk(ailin, TITLE_ASKED + ["四点半课堂"])
    first_date = ailin.live()[-1]
    await walk(ailin, ["11月20日", ("press", "⬅ Back")])
    assert "When was it held?" in ailin.last and draft_of(ailin).step == "date"
    second_date = ailin.live()[-1]
    assert second_date["message_id"] != first_date["message_id"]
    draft = draft_of(ailin)
    await ailin.press("Yesterday", first_date["message_id"])
    assert (await bot_app.api.callback_answer(ailin.update_id))["text"] == STALE
    assert unchanged(draft) and draft.answers["date"] == "2026-11-20"
    assert markup_of(ailin, first_date["message_id"]) == []
    assert "When was it held?" in ailin.user._chat.messages[second_date["message_id"]]["text"]
    await ailin.press("Yesterday", second_date["message_id"])
    assert draft_of(ailin).answers["date"] == "2026-11-22" and draft_of(ailin).step == "place"


async def test_an_older_menu_and_card_act_on_nothing_but_the_card_s_submit(bot_app):
    """A kinds menu is refused once a newer message holds the buttons; so are an older card's
    Cancel and Edit. Its Submit names its report and stores it (a card asked twice after a
    crash: the worker taps the first copy): that card becomes the saved report, as stored,
    and the newer card's buttons are closed."""
    ailin = bot_app.chat("ailin")
    await walk(ailin, ["/report", "/report"])
    old_menu, menu = ailin.live()
    await ailin.press("Activity held", old_menu["message_id"])
    assert (await bot_app.api.callback_answer(ailin.update_id))["text"] == STALE
    assert draft_of(ailin) is None and ailin.live() == [menu]
    await walk(ailin, ACTIVITY[1:])  # on the live menu
    assert "Please check your report" in ailin.last
    old_card = ailin.live()[-1]
    await ailin.send("好了")  # not an answer: the card comes again, asking for its buttons
    card = ailin.live()[-1]
    assert card["message_id"] != old_card["message_id"] and "Submit" in ailin.keyboard()[0]
    draft = draft_of(ailin)
    for data in ("x", "ed"):  # Cancel, Edit a field
        await tap(ailin, old_card, data)
        assert (await bot_app.api.callback_answer(ailin.update_id))["text"] == STALE, data
        assert unchanged(draft) and Report.select().count() == 0, data
        assert markup_of(ailin, old_card["message_id"]) == [], data
        assert ailin.live()[-1] == card, data  # the new card, its buttons as they were
    await tap(ailin, old_card, f"sub:{draft.uid}")
    [report] = reports_of(ailin)
    assert (await bot_app.api.callback_answer(ailin.update_id))["text"] == "Saved"
    saved = ailin.user._chat.messages[old_card["message_id"]]
    assert saved["text"].endswith(f"✅ Thank you! Your report is saved (No. {report.id}). "
                                  "Send /report for the next one.")
    assert "Please check" not in saved["text"] and "Title: 四点半课堂" in saved["text"]
    assert markup_of(ailin, card["message_id"]) == [] and draft_of(ailin) is None
    await tap(ailin, card, f"sub:{draft.uid}")  # a client still showing the newer card
    assert (await bot_app.api.callback_answer(ailin.update_id))["text"] == (
        "This report is already saved.")
    assert f"already saved (No. {report.id})" in ailin.last and len(reports_of(ailin)) == 1

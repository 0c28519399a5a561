"""Where an update's "handled" mark is kept (models.reports.filing.finish_update, issue 15): a
typed answer's rides on the chat's ChatState, written with the new question's keyboard, so
the answer costs three statements; it drops a redelivery as a ProcessedUpdate row does, and
for as long (KEEP_HANDLED)."""
from __future__ import annotations

import datetime as dt

from models.core.schema import ChatState, ProcessedUpdate, now
from models.reports.filing import KEEP_HANDLED

from tests import factories
from tests.botkit import draft_of, open_at

WAITING_ON_VOLUNTEERS = ("action_line", "activity_type", "title", "date", "place",
                         "participants", "minors", "parties")


async def _answered(bot_app):
    ailin = bot_app.chat("ailin")
    answers = {k: v for k, v in factories.ANSWERS["activity"].items()
               if k in WAITING_ON_VOLUNTEERS}
    open_at(ailin, "activity", **answers, groups=None)
    await ailin.send("12")
    return ailin


async def test_a_typed_answer_delivered_again_after_it_was_handled_is_dropped(bot_app):
    ailin = await _answered(bot_app)
    state = ChatState.get(ChatState.tg_user_id == ailin.user.id)
    assert ailin.update_id in state.data["handled"]
    assert not ProcessedUpdate.select().where(
        ProcessedUpdate.update_id == ailin.update_id).exists()
    saved, replies = draft_of(ailin), len(ailin.user.messages)
    await bot_app.api.redeliver(ailin.update_id)
    await ailin.done.until(ailin.update_id, times=2)
    assert len(ailin.user.messages) == replies  # not a word
    again = draft_of(ailin)
    assert (again.answers, again.step, again.updated_at) == (
        saved.answers, saved.step, saved.updated_at)


async def test_a_mark_in_the_chat_state_is_forgotten_after_a_few_days(bot_app):
    ailin = await _answered(bot_app)
    ChatState.update(updated_at=now() - KEEP_HANDLED - dt.timedelta(hours=1)).where(
        ChatState.tg_user_id == ailin.user.id).execute()
    asked = ailin.last
    await bot_app.api.redeliver(ailin.update_id)
    await ailin.done.until(ailin.update_id, times=2)
    assert ailin.last == asked  # handled again: its draft's stamp asks the question again
    assert len([m for m in ailin.user.messages if m.get("text") == asked]) == 2

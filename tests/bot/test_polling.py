"""The getUpdates loop of bot/polling.py: an update's offset is confirmed only once it and
every update fetched before it are handled; chats are handled concurrently, each in order;
failures of getUpdates are retried; a stop finishes and confirms what is in flight."""
from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict

from telegram import Update
from telegram.ext import ApplicationBuilder, ExtBot, TypeHandler

from bot.polling import Offsets, Poller, parse_update
from bot.updates import PerChatUpdateProcessor
from tests.botkit import TOKEN


def test_the_offset_never_passes_an_unfinished_update():
    offsets = Offsets()
    assert offsets.take([5, 6, 7, 8]) == [5, 6, 7, 8]
    offsets.finish(6)  # another chat's update, finished first
    offsets.finish(8)
    assert offsets.offset is None  # 5 is still in flight: nothing is confirmed
    offsets.finish(5)
    assert offsets.offset == 7  # 5 and 6 are done; 7 is not
    offsets.finish(7)
    assert offsets.offset == 9


def test_updates_fetched_again_while_in_flight_are_not_handled_twice():
    offsets = Offsets()
    assert offsets.take([1, 2]) == [1, 2]
    offsets.finish(2)
    assert offsets.take([1, 2, 3]) == [3]  # 1 in flight, 2 done but not yet confirmed
    offsets.finish(1)
    assert offsets.offset == 3
    assert offsets.take([3, 4]) == [4]
    assert offsets.in_flight == 2
    offsets.finish(3)
    assert offsets.take([3, 4], sent=3) == []  # asked before 3 was done: not new
    assert offsets.take([2], sent=4) == [2]  # below the offset it was asked with: a duplicate


def test_an_update_that_could_not_be_handled_is_fetched_again():
    offsets = Offsets()
    offsets.take([1, 2, 3])
    offsets.finish(2)
    offsets.forget(1)  # the database was down: not done, and not in flight either
    offsets.finish(3)
    assert offsets.offset is None  # 1 still holds it
    assert offsets.take([1, 2, 3]) == [1]
    offsets.finish(1)
    assert offsets.offset == 4


class Recorder:
    """A handler that records what it handles and holds the texts a test names."""

    def __init__(self):
        self.handled: list[str] = []
        self.started: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.release: dict[str, asyncio.Event] = {}

    def hold(self, text: str) -> None:
        self.release[text] = asyncio.Event()

    async def __call__(self, update: Update, context) -> None:
        text = update.effective_message.text
        self.started[text].set()
        if text in self.release:
            await self.release[text].wait()
        self.handled.append(text)


@contextlib.asynccontextmanager
async def polling(bot_api, recorder, **options):
    app = (ApplicationBuilder().token(TOKEN).base_url(bot_api.base_url)
           .concurrent_updates(PerChatUpdateProcessor(8)).build())
    app.add_handler(TypeHandler(Update, recorder))
    await app.initialize()
    poller = Poller(app, timeout=1, **options)
    task = asyncio.create_task(poller.run())
    try:
        yield poller
    finally:
        poller.stop()
        await asyncio.wait_for(task, 30)
        await app.shutdown()


def offsets_sent(bot_api) -> list[int]:
    return [c.params.get("offset") or 0 for c in bot_api.calls if c.method == "getUpdates"]


async def test_a_slow_update_holds_the_offset_while_other_chats_go_on(bot_api):
    recorder = Recorder()
    ann, bo = bot_api.user(801, "Ann"), bot_api.user(802, "Bo")
    recorder.hold("ann 1")
    async with polling(bot_api, recorder):
        slow = await ann.send("ann 1")
        await recorder.started["ann 1"].wait()
        await ann.send("ann 2")  # same chat: waits for "ann 1"
        await bo.send("bo 1")  # another chat: handled meanwhile
        await asyncio.wait_for(recorder.started["bo 1"].wait(), 10)
        await bo.send("bo 2")
        await asyncio.wait_for(recorder.started["bo 2"].wait(), 10)
        async with asyncio.timeout(10):
            while "bo 2" not in recorder.handled:
                await asyncio.sleep(0.01)
        assert recorder.handled == ["bo 1", "bo 2"]
        assert max(offsets_sent(bot_api)) <= slow  # nothing from "ann 1" on is confirmed
        assert bot_api.pending_updates == 4
        recorder.release["ann 1"].set()
        await bot_api.wait_delivered(timeout=10)
    assert recorder.handled == ["bo 1", "bo 2", "ann 1", "ann 2"]
    assert max(offsets_sent(bot_api)) == slow + 4


async def test_a_stop_finishes_and_confirms_the_updates_in_flight(bot_api):
    recorder = Recorder()
    ann = bot_api.user(803, "Ann")
    recorder.hold("held")
    async with polling(bot_api, recorder) as poller:
        sent = await ann.send("held")
        await recorder.started["held"].wait()
        poller.stop()
        await asyncio.sleep(0.05)  # the loop has stopped fetching, the update is still held
        assert bot_api.pending_updates == 1
        recorder.release["held"].set()
    assert recorder.handled == ["held"]
    assert bot_api.pending_updates == 0 and offsets_sent(bot_api)[-1] == sent + 1


async def test_get_updates_failures_are_retried(bot_api, caplog):
    recorder = Recorder()
    ann = bot_api.user(804, "Ann")
    bot_api.fail_next("getUpdates", 502, times=2)
    bot_api.fail_next("getUpdates", 409, description="Conflict: terminated by other "
                      "getUpdates request; make sure that only one bot instance is running")
    bot_api.fail_next("getUpdates", 429, retry_after=1)
    async with polling(bot_api, recorder, backoff=(0.01, 0.05)):
        await ann.send("hello")
        await bot_api.wait_delivered(timeout=20)
    assert recorder.handled == ["hello"]
    statuses = [c.status for c in bot_api.calls if c.method == "getUpdates"]
    assert statuses[:5] == [502, 502, 409, 429, 200]
    assert "flood control, retry in 1.5 s" in caplog.text
    assert "Conflict" in caplog.text


async def test_an_update_in_flight_is_not_parsed_again(bot_api, monkeypatch):
    """getUpdates returns an update in flight again and again (the offset waits for it):
    only new updates are parsed, each once."""
    parsed = []
    de_json = Update.de_json.__func__

    def counted(cls, data, bot=None):
        parsed.append(data["update_id"])
        return de_json(cls, data, bot)

    monkeypatch.setattr(Update, "de_json", classmethod(counted))
    recorder = Recorder()
    ann, bo = bot_api.user(805, "Ann"), bot_api.user(806, "Bo")
    recorder.hold("held")
    async with polling(bot_api, recorder):
        held = await ann.send("held")
        await recorder.started["held"].wait()
        for i in range(3):  # each fetch returns "held" again
            await bo.send(f"bo {i}")
            await asyncio.wait_for(recorder.started[f"bo {i}"].wait(), 10)
        recorder.release["held"].set()
        await bot_api.wait_delivered(timeout=10)
    assert len([c for c in bot_api.calls if c.method == "getUpdates"]) > 3
    assert parsed == [held, held + 1, held + 2, held + 3]


def test_a_tapped_messages_keyboard_is_not_parsed_but_what_handlers_read_is():
    """A tap's update is parsed without the tapped message's buttons (no handler reads them);
    its text, id, chat and the message it replies to are kept, and the update as Telegram
    sent it is left as it was."""
    chat = {"id": 41, "type": "private", "first_name": "Ann"}
    keyboard = {"inline_keyboard": [[{"text": f"{i}", "callback_data": f"k:{i}"}]
                                    for i in range(11)]}
    item = {"update_id": 9, "callback_query": {
        "id": "q9", "chat_instance": "c", "data": "k:3",
        "from": {"id": 41, "is_bot": False, "first_name": "Ann"},
        "message": {"message_id": 77, "date": 1, "chat": chat, "text": "第 2/13 步",
                    "reply_markup": keyboard,
                    "reply_to_message": {"message_id": 76, "date": 1, "chat": chat,
                                         "text": "原文"}}}}
    update = parse_update(item, ExtBot(TOKEN))
    message = update.callback_query.message
    assert (message.message_id, message.chat_id, message.text) == (77, 41, "第 2/13 步")
    assert message.reply_to_message.text == "原文" and update.callback_query.data == "k:3"
    assert message.reply_markup is None
    assert item["callback_query"]["message"]["reply_markup"] is keyboard
    sent = {"update_id": 10, "message": {"message_id": 5, "date": 1, "chat": chat, "text": "hi",
                                         "reply_markup": keyboard}}
    assert parse_update(sent, ExtBot(TOKEN)).message.reply_markup is not None  # only taps

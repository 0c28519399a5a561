"""The bot's transport and scheduling: aiohttp to the Bot API, per-chat ordered concurrency."""
from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, Chat, Message, Update, User
from telegram.error import NetworkError, TimedOut

from bot.http import AiohttpRequest
from bot.updates import PerChatUpdateProcessor, chat_key

from devkit.botapi import LocalBotAPI

TOKEN = "5151:transport-TEST"


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "W", False)
    chat = Chat(chat_id, "private")
    return Update(update_id, message=Message(update_id, None, chat, from_user=user, text="x"))


async def test_it_keeps_one_chats_updates_in_order_but_lets_other_chats_pass():
    processor = PerChatUpdateProcessor(8)
    log: list[str] = []
    release_first = asyncio.Event()

    async def work(name: str, wait: asyncio.Event | None = None):
        log.append(f"start {name}")
        if wait:
            await wait.wait()
        log.append(f"end {name}")

    a1 = asyncio.create_task(processor.process_update(_update(1, 10), work("a1", release_first)))
    a2 = asyncio.create_task(processor.process_update(_update(2, 10), work("a2")))
    b1 = asyncio.create_task(processor.process_update(_update(3, 20), work("b1")))
    await asyncio.wait_for(b1, 2)
    assert "end b1" in log and "start a2" not in log  # chat 20 was not held up by chat 10
    release_first.set()
    await asyncio.wait_for(asyncio.gather(a1, a2), 2)
    assert log.index("end a1") < log.index("start a2")
    assert processor._locks == {} and processor._holders == {}
    assert chat_key(object()) is None


async def _bot(api, **kw) -> Bot:
    bot = Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url,
              request=AiohttpRequest(**kw))
    await bot.initialize()
    return bot


async def test_it_uploads_and_downloads_files_over_aiohttp():
    async with LocalBotAPI(token=TOKEN) as api:
        user = api.user(77, "Ann")
        bot = await _bot(api)
        try:
            sent = await bot.send_photo(user.chat_id, photo=b"\xff\xd8\xff\xe0png-bytes" * 50,
                                        caption="图表")
            assert sent.caption == "图表"
            entry = await user.next_message(kinds={"photo"})
            assert api.file_bytes(entry["file_id"]).startswith(b"\xff\xd8")
            update_id = await user.send_photo(b"from-the-worker")
            photo = api.updates[-1]["message"]["photo"][-1]
            data = await (await bot.get_file(photo["file_id"])).download_as_bytearray()
            assert bytes(data) == b"from-the-worker" and update_id == api.updates[-1]["update_id"]
        finally:
            await bot.shutdown()


async def test_a_slow_server_times_out_and_a_dead_one_is_a_network_error():
    async with LocalBotAPI(token=TOKEN) as api:
        user = api.user(78, "Bo")
        bot = await _bot(api, read_timeout=0.2, write_timeout=0.2)
        try:
            api.latency = 1.0
            with pytest.raises(TimedOut):
                await bot.send_message(user.chat_id, "hello")
        finally:
            api.latency = 0
            await bot.shutdown()
        port = api.port
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest())
    with pytest.raises(NetworkError):
        await bot.initialize()
    await bot.shutdown()


async def test_a_call_without_files_reaches_the_api_with_its_parameters_intact():
    """Sent as one JSON body: nested objects, numbers, flags and Chinese text arrive as they
    were given."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    async with LocalBotAPI(token=TOKEN) as api:
        user = api.user(79, "Cy")
        bot = await _bot(api)
        try:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("是 “好”", callback_data="a:1")]])
            sent = await bot.send_message(user.chat_id, "第 1/13 步\n“引号” & 100%",
                                          reply_markup=markup, disable_notification=True)
            call = next(c for c in api.calls if c.method == "sendMessage")
            assert call.params["chat_id"] == user.chat_id
            assert call.params["text"] == sent.text == "第 1/13 步\n“引号” & 100%"
            assert call.params["disable_notification"] is True
            assert call.params["reply_markup"] == {
                "inline_keyboard": [[{"text": "是 “好”", "callback_data": "a:1"}]]}
        finally:
            await bot.shutdown()


async def test_a_raw_call_answers_json_with_ptbs_refusals_and_the_flood_limiter():
    """``bot.http.call`` skips parsing the answer, nothing else: the message comes back as
    JSON, a 429 is waited out by the rate limiter (bot/flood.py) and tried again, and the
    refusals are PTB's exceptions (bot/chat.py's ``moot`` reads them)."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.error import BadRequest, Forbidden
    from telegram.ext import ExtBot

    from bot.flood import FloodLimiter
    from bot.http import call

    async with LocalBotAPI(token=TOKEN) as api:
        user = api.user(80, "Di")
        limiter = FloodLimiter()
        bot = ExtBot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url,
                     request=AiohttpRequest(), rate_limiter=limiter)
        await bot.initialize()
        try:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("是", callback_data="a:1")]])
            api.fail_next("sendMessage", error_code=429, retry_after=1)
            sent = await call(bot, "sendMessage", chat_id=user.chat_id, text="问",
                              reply_markup=markup)
            assert isinstance(sent, dict) and sent["text"] == "问" and limiter.retries == 1
            assert [c.status for c in api.calls_for("sendMessage")] == [429, 200]
            assert api.calls_for("sendMessage")[-1].params["reply_markup"] == {
                "inline_keyboard": [[{"text": "是", "callback_data": "a:1"}]]}
            assert await call(bot, "editMessageReplyMarkup", chat_id=user.chat_id,
                              message_id=sent["message_id"], reply_markup=None)
            assert "reply_markup" not in api.calls_for("editMessageReplyMarkup")[-1].params
            with pytest.raises(BadRequest, match="(?i)chat not found"):
                await call(bot, "sendMessage", chat_id=777, text="x")
            api.kick(user.chat_id)
            with pytest.raises(Forbidden):
                await call(bot, "sendMessage", chat_id=user.chat_id, text="x")
        finally:
            await bot.shutdown()

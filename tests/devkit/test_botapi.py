"""The LocalBotAPI fake works with the real python-telegram-bot 22.8 over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from devkit.botapi import LocalBotAPI

TOKEN = "123:ABC"


@pytest_asyncio.fixture
async def api():
    async with LocalBotAPI(token=TOKEN) as server:
        yield server


def build_app(api: LocalBotAPI, token: str = TOKEN) -> Application:
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )


@contextlib.asynccontextmanager
async def running(app: Application):
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    kb = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Yes", callback_data="y"), InlineKeyboardButton("No", callback_data="n")]]
    )
    await update.effective_message.reply_text(f"hello {' '.join(context.args)}", reply_markup=kb)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("update_ids", []).append(update.update_id)
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    q = update.callback_query
    await q.answer(f"got {q.data}")
    await q.edit_message_text(f"pressed {q.data}")


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    photo = update.effective_message.photo[-1]
    data = await (await context.bot.get_file(photo.file_id)).download_as_bytearray()
    await update.effective_message.reply_text(f"got {len(data)} bytes")
    await update.effective_message.reply_photo(bytes(data), caption="back")


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    loc = update.effective_message.location
    await update.effective_message.reply_text(f"at {loc.latitude:.2f},{loc.longitude:.2f}")


def echo_app(api: LocalBotAPI) -> Application:
    app = build_app(api)
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.LOCATION, on_location))
    return app


@pytest.mark.asyncio
async def test_echo_command_and_button(api: LocalBotAPI):
    u = api.user(42, first_name="Ann")
    async with running(echo_app(api)):
        await u.send("/start abc")
        m = await u.next_message()
        assert m["kind"] == "message" and m["text"] == "hello abc"
        assert u.last_keyboard() == ["Yes", "No"]
        assert m["message"]["from"]["username"] == "wushe_test_bot"
        with pytest.raises(AssertionError, match=r"available.*'Yes', 'y'"):
            await u.press("Maybe")

        upd = await u.press("No")
        edit = await u.next_message()
        assert edit["kind"] == "edit" and edit["text"] == "pressed n"
        assert edit["message_id"] == m["message_id"]
        assert (await api.callback_answer(upd))["text"] == "got n"
        # editing without reply_markup removed the inline keyboard
        assert "reply_markup" not in u.current(m["message_id"])

        await u.send("hi there")
        assert (await u.expect("echo:"))["text"] == "echo: hi there"
        await u.send_location(31.23, 121.47)
        await u.expect("at 31.23,121.47")

        with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
            await u.press("Maybe")  # no inline keyboard left
        with pytest.raises(AssertionError, match="nope"):
            await u.send("x")
            await u.expect("nope", timeout=0.5)

    kinds = [c.method for c in api.calls]
    assert kinds[0] == "getMe" and "deleteWebhook" in kinds and "answerCallbackQuery" in kinds
    # message ids are per chat and shared by both sides
    assert [mm["message_id"] for mm in u.messages] == sorted(mm["message_id"] for mm in u.messages)


@pytest.mark.asyncio
async def test_photo_round_trip(api: LocalBotAPI):
    u = api.user(7)
    payload = bytes(range(256)) * 40
    async with running(echo_app(api)):
        await u.send_photo(payload, caption="pic")
        await u.expect(f"got {len(payload)} bytes")
        back = await u.next_message()
        assert back["kind"] == "photo" and back["caption"] == "back"
        assert api.file_bytes(back["file_id"]) == payload
        assert back["message"]["photo"][-1]["file_size"] == len(payload)


@pytest.mark.asyncio
async def test_group_chat(api: LocalBotAPI):
    g = api.group(-100500, "Team")
    a, b = api.user(1, "A"), api.user(2, "B")
    async with running(echo_app(api)):
        await g.send(a, "/start@wushe_test_bot x")
        m = await g.next_message()
        assert m["text"] == "hello x" and m["message"]["chat"]["type"] == "group"
        await g.press(b, "Yes")
        assert (await g.next_message())["text"] == "pressed y"
        await g.send(b, "yo")
        await g.expect("echo: yo")
    assert a.messages == [] and [e["text"] for e in api.sent(-100500)][-1] == "echo: yo"


@pytest.mark.asyncio
async def test_wrong_token_is_rejected(api: LocalBotAPI):
    app = build_app(api, token="999:WRONG")
    with pytest.raises(InvalidToken):
        await app.initialize()
    assert api.calls[-1].status == 401


@pytest.mark.asyncio
async def test_injected_429_raises_retry_after(api: LocalBotAPI):
    api.user(5)
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        api.fail_next("sendMessage", error_code=429, retry_after=3)
        with pytest.raises(RetryAfter) as ei:
            await bot.send_message(5, "x")
        assert "Retry in 3 seconds" in str(ei.value)
        await bot.send_message(5, "ok")  # only the next call fails

        api.kick(5)
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(5, "x")
        api.unkick(5)

        api.limit(global_per_sec=100, per_chat_per_min=2)
        await bot.send_message(5, "1")
        await bot.send_message(5, "2")
        with pytest.raises(RetryAfter):
            await bot.send_message(5, "3")
        api.limit(None, None)

        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(777, "x")
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")
    assert [c.status for c in api.calls_for("sendMessage")] == [429, 200, 403, 200, 200, 429, 400]


@pytest.mark.asyncio
async def test_kicked_group(api: LocalBotAPI):
    api.group(-1001, "G")
    api.kick(-1001)
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        with pytest.raises(Forbidden, match="kicked from the group chat"):
            await bot.send_message(-1001, "x")


@pytest.mark.asyncio
async def test_redelivered_update(api: LocalBotAPI):
    u = api.user(9)
    app = echo_app(api)
    async with running(app):
        uid = await u.send("dup")
        await u.expect("echo: dup")
        await api.redeliver(uid)
        await u.expect("echo: dup")
        await u.send("next")
        await u.expect("echo: next")
        await u.expect_silence(0.2)
    assert app.bot_data["update_ids"] == [uid, uid, uid + 1]


@pytest.mark.asyncio
async def test_bot_methods_round_trip(api: LocalBotAPI):
    u = api.user(11)
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        from telegram import BotCommand, BotCommandScopeAllPrivateChats

        await bot.set_my_commands([BotCommand("start", "Start")], language_code="zh")
        await bot.set_my_commands(
            [BotCommand("help", "Help")], scope=BotCommandScopeAllPrivateChats()
        )
        assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start"]
        assert await bot.get_my_commands() == ()
        assert api.get_commands("all_private_chats")[0]["command"] == "help"
        await bot.delete_my_commands(language_code="zh")
        assert api.get_commands(language_code="zh") == []

        await bot.set_webhook("https://example.com/hook")
        assert (await bot.get_webhook_info()).url == "https://example.com/hook"
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""

        m = await bot.send_message(11, "a", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("B", callback_data="b")]]))
        assert m.reply_markup.inline_keyboard[0][0].callback_data == "b"
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("a", 11, m.message_id, reply_markup=m.reply_markup)
        await bot.edit_message_reply_markup(11, m.message_id)
        assert u.events[-1]["kind"] == "edit_markup"
        assert await bot.delete_message(11, m.message_id)
        with pytest.raises(BadRequest, match="not found"):
            await bot.delete_message(11, m.message_id)

        await bot.send_chat_action(11, "typing")
        assert u.actions == ["typing"]
        doc = await bot.send_document(11, b"hello doc", filename="a.txt")
        assert doc.document.file_name == "a.txt"
        f = await bot.get_file(doc.document.file_id)
        assert await f.download_as_bytearray() == bytearray(b"hello doc")
        group = await bot.send_media_group(
            11, [InputMediaPhoto(b"p1"), InputMediaPhoto(doc.document.file_id, caption="c")]
        )
        assert len(group) == 2 and group[0].media_group_id == group[1].media_group_id
        assert (await bot.get_chat(11)).type == "private"
        assert (await bot.get_me()).id == 1000

        # long poll really waits, and returns as soon as an update arrives
        t0 = time.monotonic()
        assert await bot.get_updates(timeout=0.3) == ()
        assert time.monotonic() - t0 >= 0.25
        task = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        t0 = time.monotonic()
        uid = await u.send("wake")
        updates = await task
        assert time.monotonic() - t0 < 1
        assert [x.update_id for x in updates] == [uid]
        assert (await bot.get_updates(offset=uid + 1)) == ()
        assert api.pending_updates == 0


def test_background_thread_for_sync_code():
    import json
    import urllib.request

    api = LocalBotAPI(token=TOKEN).start_in_thread()
    try:
        u = api.user(3)
        with urllib.request.urlopen(f"{api.base_url}{TOKEN}/getMe") as r:
            assert json.load(r)["result"]["username"] == "wushe_test_bot"
        uid = api.run(u.send("/start"))
        req = urllib.request.Request(
            f"{api.base_url}{TOKEN}/getUpdates",
            data=json.dumps({"offset": 0, "timeout": 1}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req) as r:
            upd = json.load(r)["result"][0]
        assert upd["update_id"] == uid
        assert upd["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        method, params, ts = api.calls[-1]
        assert method == "getUpdates" and params["offset"] == 0 and ts > 0
        with pytest.raises(urllib.error.HTTPError) as ei:
            urllib.request.urlopen(f"{api.base_url}{TOKEN}/fooBar")
        body = json.loads(ei.value.read())
        assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    finally:
        api.stop_thread()

"""The fake Bot API delivers to a webhook as Telegram does (devkit/botapi/webhook.py): posts
with the secret, concurrently across chats up to max_connections, in order within a chat,
again until answered 2xx; the method of a 2xx answer is made (not a get*), of a 500 never."""
from __future__ import annotations

import asyncio
import socket

from aiohttp import web
from telegram import Bot

from devkit.botapi import LocalBotAPI

TOKEN = "123:ABC"
SECRET = "hook-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeBot:
    """A webhook that answers each post after a moment, with a sendMessage to ride the 200;
    the first post of ``refuse`` gets 500, and ``ask_get`` answers with a getMe."""

    def __init__(self, refuse: int, ask_get: int):
        self.refuse, self.ask_get = refuse, ask_get
        self.posts: list[int] = []
        self.done: list[tuple[int, int]] = []  # (chat, update id) as answered 200
        self.in_flight: list[int] = []  # chats
        self.most = 0
        self.secrets: set[str | None] = set()

    async def __call__(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.secrets.add(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        uid, chat = update["update_id"], update["message"]["chat"]["id"]
        assert chat not in self.in_flight, "two updates of one chat at once"
        self.in_flight.append(chat)
        self.most = max(self.most, len(self.in_flight))
        self.posts.append(uid)
        await asyncio.sleep(0.02)
        self.in_flight.remove(chat)
        if uid == self.refuse and self.posts.count(uid) == 1:
            return web.json_response({"method": "sendMessage", "chat_id": chat, "text": "no"},
                                     status=500)
        self.done.append((chat, uid))
        if uid == self.ask_get:
            return web.json_response({"method": "getMe"})
        return web.json_response({"method": "sendMessage", "chat_id": chat, "text": f"re {uid}"})


async def test_updates_are_pushed_in_order_per_chat_and_the_answers_method_is_made():
    port = _free_port()
    async with LocalBotAPI(token=TOKEN, push_webhook=True) as api:
        users = [api.user(100 + i, f"U{i}") for i in range(4)]
        sent = [await users[i % 4].send(f"m{n}") for n, i in enumerate(range(12))]
        fake = FakeBot(refuse=sent[5], ask_get=sent[6])
        site_app = web.Application()
        site_app.router.add_post("/hook", fake.__call__)
        runner = web.AppRunner(site_app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with Bot(TOKEN, base_url=api.base_url) as bot:
                await bot.set_webhook(f"http://127.0.0.1:{port}/hook", max_connections=3,
                                      secret_token=SECRET)
            await api.wait_delivered(timeout=30)
        finally:
            await runner.cleanup()
    assert fake.secrets == {SECRET}
    assert sorted(uid for _, uid in fake.done) == sent
    for user in users:
        mine = [uid for chat, uid in fake.done if chat == user.id]
        assert mine == sorted(mine), user
    assert fake.posts.count(sent[5]) == 2  # refused once, posted again
    assert 1 < fake.most <= 3  # concurrent across chats, within max_connections
    replies = [(c.method, c.params["text"]) for c in api.webhook_replies]
    assert sorted(replies) == sorted(("sendMessage", f"re {uid}") for uid in sent
                                     if uid != sent[6])  # not the 500's, not the getMe
    assert all(c.ok for c in api.webhook_replies)


async def test_a_chat_that_keeps_writing_does_not_hold_the_connection():
    """The next update of a chat that wrote again before its post was answered waits behind
    older updates of other chats (one connection here)."""
    port = _free_port()
    order: list[str] = []
    async with LocalBotAPI(token=TOKEN, push_webhook=True) as api:
        ann, bo = api.user(201, "Ann"), api.user(202, "Bo")

        async def hook(request: web.Request) -> web.Response:
            update = await request.json()
            name = update["message"]["chat"]["first_name"]
            order.append(name)
            if name == "Ann" and order.count("Ann") < 3:
                await ann.send("again")  # she answers before the post is answered
            return web.Response()

        site_app = web.Application()
        site_app.router.add_post("/hook", hook)
        runner = web.AppRunner(site_app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            await ann.send("first")
            await bo.send("first")
            async with Bot(TOKEN, base_url=api.base_url) as bot:
                await bot.set_webhook(f"http://127.0.0.1:{port}/hook", max_connections=1)
            await api.wait_delivered(timeout=30)
        finally:
            await runner.cleanup()
    assert order == ["Ann", "Bo", "Ann", "Ann"]

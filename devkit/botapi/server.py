"""LocalBotAPI: an in-process fake of the Telegram Bot API for end-to-end tests.

The real python-telegram-bot ``Application`` talks to it over real HTTP on 127.0.0.1::

    async with LocalBotAPI(token="123:ABC") as api:
        app = (
            ApplicationBuilder()
            .token("123:ABC")
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .build()
        )
        ...
        u = api.user(42, first_name="Ann")
        await u.send("/start")
        msg = await u.expect("Welcome")
        await u.press("Next")

Everything (server, FakeUser/FakeGroup helpers, waiting) lives on ONE event loop: the loop
``start()`` was awaited on.  To use it from synchronous code, call ``api.start_in_thread()``
and drive helpers with ``api.run(u.send("hi"))``.

A bot on a webhook (setWebhook) gets its updates posted by the server: one at a time with
``api.post_update(update_id)``, or all of them as Telegram does with ``push_webhook=True``;
a method in the bot's answer to a post is made as Telegram makes it, recorded with
``Call.via == "webhook reply"`` (webhook.py).

Requests are accepted as JSON bodies, url-encoded forms (what PTB's HTTPXRequest sends
when there are no files: every non-string value is JSON encoded) and multipart form data
(uploads).  Responses follow https://core.telegram.org/bots/api#making-requests.
"""
from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from typing import Any, Awaitable, Callable, Iterable

from aiohttp import web

from .http import HTTPLayer
from .methods import BotMethods
from .records import (DEFAULT_DESCRIPTIONS, MESSAGE_KINDS, BotAPIError, Call, ChatState, Fault,
                      FileRecord, wake)
from .updates import UpdateMaker
from .users import FakeGroup, FakeUser
from .webhook import WebhookPoster

Handler = Callable[[dict, dict], Any]


class LocalBotAPI(UpdateMaker, HTTPLayer, BotMethods, WebhookPoster):
    """Fake Telegram Bot API server.  See module docstring."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 1000,
        bot_username: str = "wushe_test_bot",
        bot_first_name: str = "Wushe Test Bot",
        auto_create_chats: bool = False,
        push_webhook: bool = False,
    ):
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = bot_id
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        #: if True, sending to an unknown positive chat_id creates a private chat instead of
        #: answering 400 "Bad Request: chat not found"
        self.auto_create_chats = auto_create_chats
        #: if True, once the bot sets a webhook the server posts every update to it as
        #: Telegram does (webhook.py); otherwise a test posts them with ``post_update``
        self.push_webhook = push_webhook
        self.webhook_posts: list[dict] = []
        #: artificial delay (seconds) applied to every method except getUpdates
        self.latency: float = 0.0

        self.calls: list[Call] = []
        self.updates: list[dict] = []  # every update ever enqueued, in order
        self.files: dict[str, FileRecord] = {}
        self.webhook: dict | None = None  # params of the last setWebhook, None if deleted
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.callback_answers: dict[str, dict] = {}  # callback_query_id -> params
        self.bot_settings: dict[str, dict] = {}  # setMyDescription etc. -> last params

        self._chats: dict[int, ChatState] = {}
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._cq_ids = itertools.count(1)
        self._pending: deque[dict] = deque()  # unconfirmed updates, ascending update_id
        self._redeliver: deque[dict] = deque()
        self._by_update_id: dict[int, dict] = {}
        self._cq_by_update: dict[int, str] = {}
        self._cq_known: set[str] = set()
        self._files_by_path: dict[str, FileRecord] = {}
        self._allowed_updates: list[str] | None = None
        self._update_waiters: list = []
        self._call_waiters: list = []
        self._poller: asyncio.Future | None = None  # current long poll (for 409 Conflict)
        self._faults: list[Fault] = []
        self._limits: dict[str, float | None] = {}
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[Any, deque[float]] = {}
        self._chat_sec_windows: dict[Any, deque[float]] = {}
        self._handlers: dict[str, Handler] = {}
        self._custom: dict[str, Handler] = {}
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._register_handlers()

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> "LocalBotAPI":
        self._loop = asyncio.get_running_loop()
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5,
                                     handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._closing = True
        wake(self._update_waiters)
        wake(self._call_waiters)
        for chat in self._chats.values():
            wake(chat.waiters)
        await self._stop_pushing()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "LocalBotAPI":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    # -- background-thread usage (for sync code) --
    def start_in_thread(self) -> "LocalBotAPI":
        """Run the server on its own event loop in a daemon thread."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="LocalBotAPI", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("LocalBotAPI did not start")
        return self

    def run(self, coro: Awaitable, timeout: float | None = 30) -> Any:
        """From another thread: run a coroutine (e.g. ``u.send("hi")``) on the server loop."""
        assert self._loop is not None, "not started"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop_thread(self) -> None:
        if self._thread is None:
            return
        loop = self._loop
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        self._thread = None

    # ------------------------------------------------------------------ test-side API
    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "zh-hans",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """Get/create a simulated user (and its private chat).  Idempotent per user_id."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        chat = self._chats.get(user_id)
        if chat is None:
            chat = ChatState(user_id, "private", first_name=first_name, last_name=last_name,
                         username=username)
            self._chats[user_id] = chat
        fu = FakeUser(self, chat, user)
        self._users[user_id] = fu
        return fu

    def group(self, chat_id: int, title: str = "Test group", type: str = "group") -> FakeGroup:
        """Get/create a group chat (type "group" or "supergroup")."""
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = ChatState(chat_id, type, title=title)
            self._chats[chat_id] = chat
        g = FakeGroup(self, chat)
        self._groups[chat_id] = g
        return g

    def sent(self, chat_id: int, kinds: Iterable[str] | None = None) -> list[dict]:
        """Bot output entries for any chat (default: message kinds)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        kinds = MESSAGE_KINDS if kinds is None else frozenset(kinds)
        return [e for e in chat.outbox if e["kind"] in kinds]

    def add_update(self, update: dict) -> int:
        """Enqueue a raw update (update_id is assigned).  Returns update_id."""
        update = dict(update)
        update["update_id"] = next(self._update_ids)
        self._enqueue(update)
        return update["update_id"]

    async def redeliver(self, update_id: int) -> int:
        """Put an already enqueued/delivered update back, same update_id; it is returned by
        the next getUpdates regardless of offset (simulates a duplicate delivery)."""
        upd = self._by_update_id.get(update_id)
        if upd is None:
            raise KeyError(f"unknown update_id {update_id}")
        self._redeliver.append(upd)
        wake(self._update_waiters)
        return update_id

    @property
    def pending_updates(self) -> int:
        return len(self._pending) + len(self._redeliver)

    async def wait_delivered(self, timeout: float = 5.0) -> None:
        """Wait until every enqueued update has been confirmed by the bot (offset passed)."""
        deadline = time.monotonic() + timeout
        while self._pending or self._redeliver:
            if not await self._wait_call(deadline):
                raise AssertionError(f"{self.pending_updates} update(s) still unconfirmed")

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        since: int = 0,
    ) -> Call:
        """Wait for a completed call of ``method`` (case-insensitive) matching predicate,
        looking at api.calls[since:]."""
        m = method.lower()
        deadline = time.monotonic() + timeout
        idx = since
        while True:
            while idx < len(self.calls):
                c = self.calls[idx]
                if c.status == 0:
                    break  # in flight: wait for it to finish
                idx += 1
                if c.method.lower() == m and (predicate is None or predicate(c)):
                    return c
            if not await self._wait_call(deadline):
                raise AssertionError(f"no {method} call within {timeout}s")

    def calls_for(self, method: str) -> list[Call]:
        m = method.lower()
        return [c for c in self.calls if c.method.lower() == m]

    async def callback_answer(self, ref: "int | str", timeout: float = 5.0) -> dict:
        """answerCallbackQuery params for a press (update_id from press(), or query id)."""
        qid = self._cq_by_update.get(ref, ref) if isinstance(ref, int) else ref
        deadline = time.monotonic() + timeout
        while qid not in self.callback_answers:
            if not await self._wait_call(deadline):
                raise AssertionError(f"callback query {qid} was not answered within {timeout}s")
        return self.callback_answers[qid]

    def get_commands(self, scope: "dict | str | None" = None, language_code: str = "") -> list[dict]:
        return self.commands.get((self._scope_key(scope), language_code or ""), [])

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    # -- fault injection --
    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        *,
        times: int = 1,
        chat_id: Any = None,
        parameters: dict | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" = any method except getUpdates;
        optionally only for ``chat_id``) fail with ``error_code``.  retry_after is sent
        (parameters.retry_after) only for 429."""
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(error_code, "Error")
        params = dict(parameters or {})
        if error_code == 429 and retry_after:
            params["retry_after"] = retry_after
        for _ in range(times):
            self._faults.append(
                Fault(method.lower(), error_code, description, params or None, chat_id)
            )

    def clear_faults(self) -> None:
        self._faults.clear()

    def kick(self, chat_id: int, description: str | None = None) -> None:
        """Every method on ``chat_id`` answers 403 (group: "bot was kicked from the group
        chat"; private chat: "bot was blocked by the user")."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = ChatState(chat_id, "private" if chat_id > 0 else "group")
            self._chats[chat_id] = chat
        if description is None:
            description = (
                "Forbidden: bot was blocked by the user"
                if chat.type == "private"
                else "Forbidden: bot was kicked from the group chat"
            )
        chat.forbidden = description

    block = kick

    def unkick(self, chat_id: int) -> None:
        chat = self._chats.get(chat_id)
        if chat is not None:
            chat.forbidden = None

    unblock = unkick

    def limit(
        self,
        global_per_sec: float | None = 30,
        per_chat_per_min: float | None = 20,
        per_chat_per_sec: float | None = None,
    ) -> None:
        """Enable flood limits for sending methods (send*/copy/forward); exceeding them
        answers 429 with retry_after.  ``api.limit(None, None)`` disables."""
        self._limits = {
            "global_per_sec": global_per_sec,
            "per_chat_per_min": per_chat_per_min,
            "per_chat_per_sec": per_chat_per_sec,
        }
        self._global_window.clear()
        self._chat_windows.clear()
        self._chat_sec_windows.clear()

    def handle(self, method: str, func: Handler) -> None:
        """Override / add a method: ``func(params, files) -> result`` (sync or async);
        raise BotAPIError to fail."""
        self._custom[method.lower()] = func


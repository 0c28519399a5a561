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

Requests are accepted as JSON bodies, url-encoded forms (what PTB's HTTPXRequest sends
when there are no files: every non-string value is JSON encoded) and multipart form data
(uploads).  Responses follow https://core.telegram.org/bots/api#making-requests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable

from aiohttp import web

__all__ = [
    "BotAPIError",
    "Call",
    "FakeGroup",
    "FakeUser",
    "FileRecord",
    "LocalBotAPI",
    "MESSAGE_KINDS",
]

#: kinds returned by next_message()/expect()/messages by default
MESSAGE_KINDS = frozenset({"message", "photo", "document", "edit", "caption", "location", "media"})

#: parameters that are plain strings and must never be JSON-decoded
_STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token",
        "language_code", "action", "file_id", "photo", "document", "video", "audio",
        "voice", "animation", "sticker", "title", "description", "short_description",
        "name", "query", "inline_message_id", "emoji", "question", "phone_number",
        "first_name", "last_name", "address", "ip_address", "business_connection_id",
        "message_effect_id", "thumbnail",
    }
)

#: methods counted by api.limit()
_RATE_LIMITED = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendmediagroup", "sendlocation",
        "copymessage", "forwardmessage", "sendvideo", "sendaudio", "sendanimation",
        "sendvoice", "sendsticker",
    }
)

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class BotAPIError(Exception):
    """Raise from a method handler to answer ``{"ok": false, ...}``."""

    def __init__(self, error_code: int, description: str, parameters: dict | None = None):
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict:
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def _bad(description: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {description}")


@dataclass
class Call:
    """One recorded Bot API request.  Unpacks as ``method, params, ts``."""

    method: str  # as requested, e.g. "sendMessage"
    params: dict  # decoded parameters (uploaded files appear as {"filename", "size"})
    ts: float  # time.monotonic() at arrival
    status: int = 0  # HTTP status answered (0 while in flight)
    result: Any = None  # "result" of a successful call
    error: str | None = None  # description of a failed call

    def __iter__(self):
        return iter((self.method, self.params, self.ts))

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None

    def as_file(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class _Fault:
    method: str  # lower-case, or "*"
    error_code: int
    description: str
    parameters: dict | None
    chat_id: Any = None


@dataclass
class _Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    next_mid: int = 1
    messages: dict = field(default_factory=dict)  # message_id -> current Message JSON
    outbox: list = field(default_factory=list)  # bot-output entries, in order
    actions: list = field(default_factory=list)  # sendChatAction actions
    waiters: list = field(default_factory=list)  # futures woken on outbox append
    forbidden: str | None = None  # 403 description when kicked/blocked

    def as_chat(self) -> dict:
        d: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title is not None:
            d["title"] = self.title
        if self.first_name is not None:
            d["first_name"] = self.first_name
        if self.last_name is not None:
            d["last_name"] = self.last_name
        if self.username is not None:
            d["username"] = self.username
        return d


def _wake(waiters: list) -> None:
    for fut in waiters:
        if not fut.done():
            fut.set_result(None)
    waiters.clear()


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _entry_summary(e: dict) -> str:
    text = e.get("text")
    s = f"[{e['kind']} #{e.get('message_id')}] {text!r}"
    buttons = _buttons(e.get("reply_markup"))
    if buttons:
        s += f" buttons={[b.get('text') for b in buttons]}"
    return s


def _buttons(markup: Any) -> list[dict]:
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    out = []
    for row in rows:
        for b in row:
            out.append(b if isinstance(b, dict) else {"text": str(b)})
    return out


class _Waitable:
    """Mixin for chat views: waiting on a chat's bot output with a private cursor."""

    api: "LocalBotAPI"
    _chat: _Chat
    _cursor: int
    _label: str

    # ---- reading bot output -------------------------------------------------------------
    @property
    def chat_id(self) -> int:
        return self._chat.id

    @property
    def events(self) -> list[dict]:
        """Every bot-output entry for this chat (incl. edit_markup / delete)."""
        return list(self._chat.outbox)

    @property
    def messages(self) -> list[dict]:
        """All bot messages to this chat (kinds in MESSAGE_KINDS), in order."""
        return [e for e in self._chat.outbox if e["kind"] in MESSAGE_KINDS]

    @property
    def last_message(self) -> dict | None:
        for e in reversed(self._chat.outbox):
            if e["kind"] in MESSAGE_KINDS:
                return e
        return None

    @property
    def actions(self) -> list[str]:
        """Chat actions sent by the bot (sendChatAction), in order."""
        return list(self._chat.actions)

    def current(self, message_id: int) -> dict | None:
        """Current state (after edits) of a message as Message JSON, None if deleted."""
        return self._chat.messages.get(message_id)

    def drain(self) -> list[dict]:
        """Skip all pending output; next_message() only sees newer output."""
        out = self._chat.outbox[self._cursor:]
        self._cursor = len(self._chat.outbox)
        return [e for e in out if e["kind"] in MESSAGE_KINDS]

    async def _wait_append(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        fut = asyncio.get_running_loop().create_future()
        self._chat.waiters.append(fut)
        try:
            await asyncio.wait_for(fut, remaining)
        except asyncio.TimeoutError:
            return False
        return True

    async def next_message(
        self, timeout: float = 5.0, kinds: Iterable[str] | None = None
    ) -> dict:
        """Next (not yet consumed) bot output entry of one of ``kinds``.

        Raises AssertionError on timeout.
        """
        kinds = MESSAGE_KINDS if kinds is None else frozenset(kinds)
        deadline = time.monotonic() + timeout
        while True:
            outbox = self._chat.outbox
            while self._cursor < len(outbox):
                e = outbox[self._cursor]
                self._cursor += 1
                if e["kind"] in kinds:
                    return e
            if not await self._wait_append(deadline):
                last = self.last_message
                raise AssertionError(
                    f"{self._label}: no bot message within {timeout}s"
                    + (f"; last message was {_entry_summary(last)}" if last else "; none so far")
                )

    async def expect(
        self,
        pattern: "str | re.Pattern[str]",
        timeout: float = 5.0,
        kinds: Iterable[str] | None = None,
    ) -> dict:
        """Consume bot output until an entry whose text (or caption) contains ``pattern``
        (substring, or regex if a compiled pattern) and return it.  Non-matching entries
        are consumed too.  Fails with everything received meanwhile."""
        kinds = MESSAGE_KINDS if kinds is None else frozenset(kinds)
        deadline = time.monotonic() + timeout
        seen: list[dict] = []
        while True:
            outbox = self._chat.outbox
            while self._cursor < len(outbox):
                e = outbox[self._cursor]
                self._cursor += 1
                if e["kind"] not in kinds:
                    continue
                text = e.get("text") or ""
                hit = (
                    pattern.search(text) is not None
                    if isinstance(pattern, re.Pattern)
                    else pattern in text
                )
                if hit:
                    return e
                seen.append(e)
            if not await self._wait_append(deadline):
                shown = "\n".join("  " + _entry_summary(e) for e in seen) or "  (nothing)"
                raise AssertionError(
                    f"{self._label}: expected a bot message containing {pattern!r} "
                    f"within {timeout}s; received instead:\n{shown}"
                )

    async def expect_silence(self, timeout: float = 0.3) -> None:
        """Assert that no new bot message arrives within ``timeout`` seconds."""
        try:
            e = await self.next_message(timeout=timeout)
        except AssertionError:
            return
        raise AssertionError(f"{self._label}: expected no bot message, got {_entry_summary(e)}")

    def last_keyboard(self, rows: bool = False) -> list:
        """Button texts of the most recent bot message that carries a keyboard (inline or
        reply keyboard).  Flat list, or list of rows if ``rows=True``.  [] if none."""
        for e in reversed(self._chat.outbox):
            markup = e.get("reply_markup")
            if isinstance(markup, dict) and (markup.get("inline_keyboard") or markup.get("keyboard")):
                raw = markup.get("inline_keyboard") or markup.get("keyboard")
                texts = [[b["text"] if isinstance(b, dict) else str(b) for b in r] for r in raw]
                return texts if rows else [t for r in texts for t in r]
        return []

    def _find_button(self, button: str, message: Any) -> tuple[dict, dict]:
        chat = self._chat
        if message is not None:
            mid = message if isinstance(message, int) else message["message_id"]
            msg = chat.messages.get(mid)
            if msg is None:
                raise AssertionError(f"{self._label}: message {mid} does not exist (deleted?)")
            candidates = [msg]
        else:
            candidates = [
                m
                for m in reversed(list(chat.messages.values()))
                if m.get("from", {}).get("id") == self.api.bot_id
                and (m.get("reply_markup") or {}).get("inline_keyboard")
            ][:1]
        if not candidates:
            raise AssertionError(
                f"{self._label}: cannot press {button!r}: no bot message with an inline keyboard"
            )
        msg = candidates[0]
        buttons = _buttons(msg.get("reply_markup"))
        found = [b for b in buttons if b.get("text") == button] or [
            b for b in buttons if b.get("callback_data") == button
        ]
        if not found:
            low = button.lower()
            found = [b for b in buttons if low in (b.get("text") or "").lower()]
            if len(found) > 1:
                found = []
        if not found or "callback_data" not in found[0]:
            avail = [(b.get("text"), b.get("callback_data")) for b in buttons]
            raise AssertionError(
                f"{self._label}: no callback button {button!r} on message "
                f"#{msg['message_id']} ({msg.get('text') or msg.get('caption')!r}); "
                f"available (text, callback_data): {avail}"
            )
        return msg, found[0]


class FakeUser(_Waitable):
    """A simulated Telegram user with its private chat with the bot."""

    def __init__(self, api: "LocalBotAPI", chat: _Chat, user: dict):
        self.api = api
        self._chat = chat
        self._cursor = 0
        self.user = user  # User JSON as sent in updates
        self._label = f"user {user['id']}"

    def __repr__(self) -> str:
        return f"<FakeUser {self.user['id']} {self.user.get('first_name')!r}>"

    @property
    def id(self) -> int:
        return self.user["id"]

    @property
    def user_id(self) -> int:
        return self.user["id"]

    @property
    def first_name(self) -> str:
        return self.user["first_name"]

    @property
    def language_code(self) -> str | None:
        return self.user.get("language_code")

    async def send(self, text: str, *, reply_to: Any = None, entities: list | None = None) -> int:
        """User sends text in the private chat.  Returns the update_id."""
        return self.api._user_message(self._chat, self, text=text, reply_to=reply_to,
                                      entities=entities)

    async def reply(self, text: str, to: Any = None) -> int:
        """Send ``text`` as a reply to a bot message (entry dict / message_id; default: last
        bot message).  Returns the update_id."""
        if to is None:
            last = self.last_message
            if last is None:
                raise AssertionError(f"{self._label}: nothing to reply to")
            to = last
        return await self.send(text, reply_to=to)

    async def send_photo(self, data: bytes, caption: str | None = None) -> int:
        return self.api._user_message(self._chat, self, photo=data, caption=caption)

    async def send_document(
        self, data: bytes, file_name: str = "file.bin", mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> int:
        return self.api._user_message(
            self._chat, self, document=(data, file_name, mime_type), caption=caption
        )

    async def send_location(self, latitude: float, longitude: float) -> int:
        return self.api._user_message(self._chat, self, location=(latitude, longitude))

    async def press(self, button: str, message: Any = None) -> int:
        """Click an inline button (matched by exact text, then callback_data, then unique
        case-insensitive substring of the text) on the last bot message with an inline
        keyboard, or on ``message`` (entry dict or message_id).  Returns the update_id."""
        msg, btn = self._find_button(button, message)
        return self.api._callback(self._chat, self, msg, btn["callback_data"])


class FakeGroup(_Waitable):
    """A simulated group chat; the bot's posts there are readable like a user's."""

    def __init__(self, api: "LocalBotAPI", chat: _Chat):
        self.api = api
        self._chat = chat
        self._cursor = 0
        self._label = f"group {chat.id}"

    def __repr__(self) -> str:
        return f"<FakeGroup {self._chat.id} {self._chat.title!r}>"

    @property
    def title(self) -> str | None:
        return self._chat.title

    async def send(self, user: FakeUser, text: str, *, reply_to: Any = None) -> int:
        return self.api._user_message(self._chat, user, text=text, reply_to=reply_to)

    async def send_photo(self, user: FakeUser, data: bytes, caption: str | None = None) -> int:
        return self.api._user_message(self._chat, user, photo=data, caption=caption)

    async def send_location(self, user: FakeUser, latitude: float, longitude: float) -> int:
        return self.api._user_message(self._chat, user, location=(latitude, longitude))

    async def press(self, user: FakeUser, button: str, message: Any = None) -> int:
        msg, btn = self._find_button(button, message)
        return self.api._callback(self._chat, user, msg, btn["callback_data"])

    # ---- the bot's membership (my_chat_member updates) ---------------------------------
    async def add_bot(self, by: FakeUser, status: str = "member") -> int:
        """``by`` adds the bot to this group ("member" or "administrator"); the bot may write
        here again.  Returns the update_id of the my_chat_member update."""
        self._chat.forbidden = None
        return self.api._bot_membership(self, by, status)

    async def remove_bot(self, by: FakeUser, *, kicked: bool = True) -> int:
        """``by`` removes the bot: banned ("kicked", the default) or removed ("left").  From
        then on every method on this chat answers 403, as Telegram does.  Returns the
        update_id of the my_chat_member update."""
        uid = self.api._bot_membership(self, by, "kicked" if kicked else "left")
        self.api.kick(self.chat_id, None if kicked else
                      "Forbidden: bot is not a member of the group chat")
        return uid


Handler = Callable[[dict, dict], Any]


class LocalBotAPI:
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
        #: artificial delay (seconds) applied to every method except getUpdates
        self.latency: float = 0.0

        self.calls: list[Call] = []
        self.updates: list[dict] = []  # every update ever enqueued, in order
        self.files: dict[str, FileRecord] = {}
        self.webhook: dict | None = None  # params of the last setWebhook, None if deleted
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.callback_answers: dict[str, dict] = {}  # callback_query_id -> params
        self.bot_settings: dict[str, dict] = {}  # setMyDescription etc. -> last params

        self._chats: dict[int, _Chat] = {}
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
        self._faults: list[_Fault] = []
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
        _wake(self._update_waiters)
        _wake(self._call_waiters)
        for chat in self._chats.values():
            _wake(chat.waiters)
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
            chat = _Chat(user_id, "private", first_name=first_name, last_name=last_name,
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
            chat = _Chat(chat_id, type, title=title)
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
        _wake(self._update_waiters)
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
                description = _DEFAULT_DESCRIPTIONS.get(error_code, "Error")
        params = dict(parameters or {})
        if error_code == 429 and retry_after:
            params["retry_after"] = retry_after
        for _ in range(times):
            self._faults.append(
                _Fault(method.lower(), error_code, description, params or None, chat_id)
            )

    def clear_faults(self) -> None:
        self._faults.clear()

    def kick(self, chat_id: int, description: str | None = None) -> None:
        """Every method on ``chat_id`` answers 403 (group: "bot was kicked from the group
        chat"; private chat: "bot was blocked by the user")."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = _Chat(chat_id, "private" if chat_id > 0 else "group")
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

    # ------------------------------------------------------------------ internals: updates
    def _enqueue(self, update: dict) -> None:
        self.updates.append(update)
        self._by_update_id[update["update_id"]] = update
        self._pending.append(update)
        _wake(self._update_waiters)

    def _next_mid(self, chat: _Chat) -> int:
        mid = chat.next_mid
        chat.next_mid += 1
        return mid

    def _register_file(self, data: bytes, kind: str, ext: str, mime: str | None = None,
                       name: str | None = None) -> FileRecord:
        n = next(self._file_ids)
        prefix = {"photos": "AgAC", "documents": "BQAC"}.get(kind, "CAAC")
        rec = FileRecord(
            file_id=f"{prefix}{n:08d}",
            file_unique_id=f"AQAD{n:06d}",
            data=bytes(data),
            file_path=f"{kind}/file_{n}.{ext}",
            mime_type=mime,
            file_name=name,
        )
        self.files[rec.file_id] = rec
        self._files_by_path[rec.file_path] = rec
        return rec

    def _photo_sizes(self, rec: FileRecord) -> list[dict]:
        # the thumbnail is registered as a separate file_id with the same content
        thumb = FileRecord(rec.file_id + "t", rec.file_unique_id + "t", rec.data,
                           rec.file_path.replace(".", "_t.", 1), rec.mime_type)
        self.files[thumb.file_id] = thumb
        self._files_by_path[thumb.file_path] = thumb
        return [
            {"file_id": thumb.file_id, "file_unique_id": thumb.file_unique_id,
             "file_size": len(rec.data), "width": 90, "height": 90},
            {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
             "file_size": len(rec.data), "width": 800, "height": 800},
        ]

    def _user_message(
        self,
        chat: _Chat,
        user: FakeUser,
        *,
        text: str | None = None,
        caption: str | None = None,
        photo: bytes | None = None,
        document: tuple | None = None,
        location: tuple | None = None,
        reply_to: Any = None,
        entities: list | None = None,
    ) -> int:
        msg: dict[str, Any] = {
            "message_id": self._next_mid(chat),
            "from": user.user,
            "chat": chat.as_chat(),
            "date": int(time.time()),
        }
        if text is not None:
            msg["text"] = text
            if entities is not None:
                msg["entities"] = entities
            elif text.startswith("/") and len(text) > 1:
                cmd = text.split(maxsplit=1)[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(cmd)}]
        if photo is not None:
            rec = self._register_file(photo, "photos", "jpg", "image/jpeg")
            msg["photo"] = self._photo_sizes(rec)
        if document is not None:
            data, name, mime = document
            rec = self._register_file(data, "documents", name.rsplit(".", 1)[-1] or "bin",
                                      mime, name)
            msg["document"] = {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
                               "file_name": name, "mime_type": mime, "file_size": len(data)}
        if caption is not None:
            msg["caption"] = caption
        if location is not None:
            msg["location"] = {"latitude": float(location[0]), "longitude": float(location[1])}
        if reply_to is not None:
            mid = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
            target = chat.messages.get(mid)
            if target is not None:
                msg["reply_to_message"] = {k: v for k, v in target.items()
                                           if k != "reply_to_message"}
        chat.messages[msg["message_id"]] = msg
        return self.add_update({"message": msg})

    def _chat_member(self, status: str) -> dict:
        member: dict[str, Any] = {"status": status, "user": self.bot_user}
        if status == "kicked":
            member["until_date"] = 0
        elif status == "administrator":
            member.update({k: False for k in (
                "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                "can_delete_stories")})
        return member

    def _bot_membership(self, group: "FakeGroup", by: FakeUser, status: str) -> int:
        old = getattr(group, "bot_status", "left")
        group.bot_status = status
        return self.add_update({
            "my_chat_member": {
                "chat": group._chat.as_chat(),
                "from": by.user,
                "date": int(time.time()),
                "old_chat_member": self._chat_member(old),
                "new_chat_member": self._chat_member(status),
            }
        })

    def _callback(self, chat: _Chat, user: FakeUser, msg: dict, data: str) -> int:
        qid = f"{next(self._cq_ids)}{abs(user.id) % 100000:05d}"
        uid = self.add_update(
            {
                "callback_query": {
                    "id": qid,
                    "from": user.user,
                    "message": msg,
                    "chat_instance": str(chat.id),
                    "data": data,
                }
            }
        )
        self._cq_by_update[uid] = qid
        self._cq_known.add(qid)
        return uid

    async def _wait_call(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or self._closing:
            return False
        fut = asyncio.get_running_loop().create_future()
        self._call_waiters.append(fut)
        try:
            await asyncio.wait_for(fut, remaining)
        except asyncio.TimeoutError:
            return False
        return True

    # ------------------------------------------------------------------ HTTP layer
    @staticmethod
    def _decode(key: str, value: Any) -> Any:
        if not isinstance(value, str) or key in _STRING_PARAMS:
            return value
        if not value:
            return value
        c = value[0]
        if c in "{[\"-0123456789tfn":
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    async def _read_params(self, request: web.Request) -> tuple[dict, dict]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes, str | None]] = {}
        for k, v in request.query.items():
            params[k] = self._decode(k, v)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.read()
                if body:
                    data = json.loads(body)
                    if isinstance(data, dict):
                        params.update(data)
            elif ctype == "multipart/form-data":
                reader = await request.multipart()
                async for part in reader:
                    if part.filename is not None:
                        files[part.name] = (
                            part.filename,
                            bytes(await part.read()),
                            part.headers.get("Content-Type"),
                        )
                    else:
                        params[part.name] = self._decode(part.name, await part.text())
            else:
                form = await request.post()
                for k, v in form.items():
                    if isinstance(v, str):
                        params[k] = self._decode(k, v)
                    else:  # FileField
                        files[k] = (v.filename, v.file.read(), v.content_type)
        return params, files

    @staticmethod
    def _json(status: int, payload: dict) -> web.Response:
        return web.Response(status=status, body=json.dumps(payload).encode(),
                            content_type="application/json")

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        mkey = method.lower()
        try:
            params, files = await self._read_params(request)
        except Exception as exc:  # malformed body
            return self._json(400, _bad(f"can't parse request: {exc}").payload())
        rec_params = dict(params)
        for k, (fname, data, _) in files.items():
            rec_params.setdefault(k, {"filename": fname, "size": len(data)})
        call = Call(method, rec_params, time.monotonic())
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise BotAPIError(401, "Unauthorized")
            handler = self._custom.get(mkey) or self._handlers.get(mkey)
            if handler is None:
                raise BotAPIError(404, "Not Found: method not found")
            self._check_faults(mkey, params)
            if mkey != "getupdates":
                if self.latency:
                    await asyncio.sleep(self.latency)
                self._check_forbidden(params)
                self._check_rate(mkey, params)
            if mkey == "getupdates":
                result = await self._get_updates(params, request)
            else:
                result = handler(params, files)
                if asyncio.iscoroutine(result):
                    result = await result
        except BotAPIError as err:
            call.status, call.error = err.error_code, err.description
            response = self._json(err.error_code, err.payload())
        except Exception as exc:  # bug in the fake or bad params: make it visible
            call.status, call.error = 500, f"Internal Server Error: {exc!r}"
            response = self._json(500, {"ok": False, "error_code": 500,
                                        "description": call.error})
        else:
            call.status, call.result = 200, result
            response = self._json(200, {"ok": True, "result": result})
        _wake(self._call_waiters)
        return response

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._json(401, BotAPIError(401, "Unauthorized").payload())
        path = request.match_info["path"]
        rec = self._files_by_path.get(path)
        if rec is not None:
            return web.Response(body=rec.data,
                                content_type=(rec.mime_type or "application/octet-stream").split(";")[0])
        return self._json(404, BotAPIError(404, "Not Found").payload())

    def _check_faults(self, mkey: str, params: dict) -> None:
        if not self._faults:
            return
        for i, f in enumerate(self._faults):
            if f.method != mkey and (f.method != "*" or mkey == "getupdates"):
                continue
            if f.chat_id is not None and str(params.get("chat_id")) != str(f.chat_id):
                continue
            del self._faults[i]
            raise BotAPIError(f.error_code, f.description, f.parameters)

    def _check_forbidden(self, params: dict) -> None:
        cid = params.get("chat_id")
        if cid is None:
            return
        chat = self._chats.get(cid) if isinstance(cid, int) else None
        if chat is not None and chat.forbidden:
            raise BotAPIError(403, chat.forbidden)

    def _check_rate(self, mkey: str, params: dict) -> None:
        if not self._limits or mkey not in _RATE_LIMITED:
            return
        now = time.monotonic()
        cid = params.get("chat_id")
        checks = []
        g = self._limits.get("global_per_sec")
        if g:
            checks.append((self._global_window, 1.0, g))
        pm = self._limits.get("per_chat_per_min")
        if pm:
            checks.append((self._chat_windows.setdefault(cid, deque()), 60.0, pm))
        ps = self._limits.get("per_chat_per_sec")
        if ps:
            checks.append((self._chat_sec_windows.setdefault(cid, deque()), 1.0, ps))
        wait = 0.0
        for window, span, limit in checks:
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[0] + span - now)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise BotAPIError(429, f"Too Many Requests: retry after {retry}",
                              {"retry_after": retry})
        for window, _, _ in checks:
            window.append(now)

    # ------------------------------------------------------------------ getUpdates
    def _take_batch(self, offset: Any, limit: int) -> list[dict]:
        pending = self._pending
        if isinstance(offset, int):
            if offset < 0:
                while len(pending) > -offset:
                    pending.popleft()
            else:
                while pending and pending[0]["update_id"] < offset:
                    pending.popleft()
        allowed = self._allowed_updates
        if allowed:
            keep = deque()
            for u in pending:
                if any(k in u for k in allowed):
                    keep.append(u)
            self._pending = pending = keep
        batch = list(itertools.islice(self._redeliver, limit))
        if len(batch) < limit:
            batch.extend(itertools.islice(pending, limit - len(batch)))
        return batch

    async def _get_updates(self, params: dict, request: web.Request) -> list[dict]:
        if self.webhook is not None:
            raise BotAPIError(409, "Conflict: can't use getUpdates method while webhook is "
                                   "active; use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        limit = int(params.get("limit") or 100)
        limit = min(max(limit, 1), 100)
        timeout = float(params.get("timeout") or 0)
        if "allowed_updates" in params and params["allowed_updates"] is not None:
            self._allowed_updates = list(params["allowed_updates"]) or None
        # a newer getUpdates terminates an older waiting one, like Telegram does
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("conflict")
        me = asyncio.get_running_loop().create_future()
        self._poller = me
        deadline = time.monotonic() + timeout
        while True:
            batch = self._take_batch(offset, limit)
            if batch:
                transport = request.transport
                if transport is None or transport.is_closing():
                    return []  # client went away: don't consume redeliveries
                n_re = min(len(self._redeliver), len(batch))
                for _ in range(n_re):
                    self._redeliver.popleft()
                return batch
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return []
            fut = asyncio.get_running_loop().create_future()
            self._update_waiters.append(fut)
            done, _ = await asyncio.wait({fut, me}, timeout=remaining,
                                         return_when=asyncio.FIRST_COMPLETED)
            if me in done:
                raise BotAPIError(409, "Conflict: terminated by other getUpdates request; "
                                       "make sure that only one bot instance is running")

    # ------------------------------------------------------------------ method handlers
    def _register_handlers(self) -> None:
        h = {
            "getme": lambda p, f: self.bot_user,
            "deletewebhook": self._m_delete_webhook,
            "setwebhook": self._m_set_webhook,
            "getwebhookinfo": self._m_get_webhook_info,
            "logout": lambda p, f: True,
            "close": lambda p, f: True,
            "getupdates": lambda p, f: [],  # handled specially
            "sendmessage": self._m_send_message,
            "editmessagetext": self._m_edit_text,
            "editmessagecaption": self._m_edit_caption,
            "editmessagereplymarkup": self._m_edit_markup,
            "deletemessage": self._m_delete_message,
            "answercallbackquery": self._m_answer_cq,
            "setmycommands": self._m_set_commands,
            "getmycommands": self._m_get_commands,
            "deletemycommands": self._m_delete_commands,
            "sendphoto": self._m_send_photo,
            "senddocument": self._m_send_document,
            "sendmediagroup": self._m_send_media_group,
            "sendlocation": self._m_send_location,
            "sendchataction": self._m_send_chat_action,
            "getfile": self._m_get_file,
            "getchat": self._m_get_chat,
            "getchatmember": self._m_get_chat_member,
            "pinchatmessage": lambda p, f: (self._chat_for(p), True)[1],
            "unpinchatmessage": lambda p, f: (self._chat_for(p), True)[1],
            "leavechat": lambda p, f: (self._chat_for(p), True)[1],
            "setchatmenubutton": lambda p, f: self._m_setting("setChatMenuButton", p),
            "getchatmenubutton": lambda p, f: {"type": "default"},
            "setmydescription": lambda p, f: self._m_setting("setMyDescription", p),
            "setmyshortdescription": lambda p, f: self._m_setting("setMyShortDescription", p),
            "setmyname": lambda p, f: self._m_setting("setMyName", p),
        }
        self._handlers = h

    def _m_setting(self, name: str, params: dict) -> bool:
        self.bot_settings[name] = params
        return True

    def _m_delete_webhook(self, p: dict, f: dict) -> bool:
        self.webhook = None
        if p.get("drop_pending_updates"):
            self._pending.clear()
            self._redeliver.clear()
        return True

    def _m_set_webhook(self, p: dict, f: dict) -> bool:
        if "url" not in p:
            raise _bad("bad webhook: URL is empty")
        if not p["url"]:
            return self._m_delete_webhook(p, f)
        self.webhook = dict(p)
        if p.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _m_get_webhook_info(self, p: dict, f: dict) -> dict:
        info: dict[str, Any] = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates,
        }
        if self.webhook and self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.webhook and self.webhook.get("max_connections"):
            info["max_connections"] = self.webhook["max_connections"]
        return info

    def _chat_for(self, p: dict) -> _Chat:
        cid = p.get("chat_id")
        if cid is None or cid == "":
            raise _bad("chat_id is empty")
        chat = None
        if isinstance(cid, int):
            chat = self._chats.get(cid)
        elif isinstance(cid, str) and cid.startswith("@"):
            chat = next((c for c in self._chats.values() if c.username == cid[1:]), None)
        if chat is None:
            if self.auto_create_chats and isinstance(cid, int) and cid > 0:
                return self.user(cid)._chat
            if self.auto_create_chats and isinstance(cid, int):
                return self.group(cid)._chat
            raise _bad("chat not found")
        return chat

    def _message_for(self, chat: _Chat, p: dict, what: str) -> dict:
        mid = p.get("message_id")
        if p.get("inline_message_id"):
            raise _bad("inline messages are not supported by LocalBotAPI")
        if mid is None:
            raise _bad("message identifier is not specified")
        msg = chat.messages.get(int(mid))
        if msg is None:
            raise _bad(f"message to {what} not found")
        return msg

    def _base_message(self, chat: _Chat, p: dict) -> dict:
        msg: dict[str, Any] = {
            "message_id": self._next_mid(chat),
            "from": self.bot_user,
            "chat": chat.as_chat(),
            "date": int(time.time()),
        }
        rp = p.get("reply_parameters")
        reply_mid = None
        if isinstance(rp, dict):
            reply_mid = rp.get("message_id")
        elif p.get("reply_to_message_id"):
            reply_mid = p.get("reply_to_message_id")
        if reply_mid is not None:
            target = chat.messages.get(int(reply_mid))
            if target is not None:
                msg["reply_to_message"] = {k: v for k, v in target.items()
                                           if k != "reply_to_message"}
            elif not (isinstance(rp, dict) and rp.get("allow_sending_without_reply")):
                raise _bad("message to be replied not found")
        return msg

    @staticmethod
    def _apply_markup(msg: dict, markup: Any) -> None:
        # Message.reply_markup can only be an InlineKeyboardMarkup
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)

    def _emit(self, chat: _Chat, kind: str, msg: dict | None, p: dict, **extra: Any) -> dict:
        entry: dict[str, Any] = {
            "kind": kind,
            "chat_id": chat.id,
            "message_id": msg["message_id"] if msg else p.get("message_id"),
            "text": (msg.get("text") if msg.get("text") is not None else msg.get("caption"))
            if msg else None,
            "caption": msg.get("caption") if msg else None,
            "reply_markup": p.get("reply_markup"),
            "parse_mode": p.get("parse_mode"),
            "message": msg,
            "params": p,
            "ts": time.monotonic(),
        }
        entry.update(extra)
        chat.outbox.append(entry)
        _wake(chat.waiters)
        return entry

    def _m_send_message(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        text = p.get("text")
        if text is None or str(text) == "":
            raise _bad("message text is empty")
        text = str(text)
        if len(text) > 4096:
            raise _bad("message is too long")
        msg = self._base_message(chat, p)
        msg["text"] = text
        if p.get("entities"):
            msg["entities"] = p["entities"]
        self._apply_markup(msg, p.get("reply_markup"))
        chat.messages[msg["message_id"]] = msg
        self._emit(chat, "message", msg, p)
        return msg

    def _check_bot_message(self, msg: dict) -> None:
        if msg.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")

    def _m_edit_text(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg = self._message_for(chat, p, "edit")
        self._check_bot_message(msg)
        text = p.get("text")
        if text is None or str(text) == "":
            raise _bad("message text is empty")
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        new = dict(msg)
        new["text"] = str(text)
        self._apply_markup(new, p.get("reply_markup"))
        if new.get("text") == msg.get("text") and new.get("reply_markup") == msg.get("reply_markup"):
            raise _bad("message is not modified: specified new message content and reply "
                       "markup are exactly the same as a current content and reply markup "
                       "of the message")
        new["edit_date"] = int(time.time())
        chat.messages[new["message_id"]] = new
        self._emit(chat, "edit", new, p)
        return new

    def _m_edit_caption(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg = self._message_for(chat, p, "edit")
        self._check_bot_message(msg)
        new = dict(msg)
        if p.get("caption"):
            new["caption"] = str(p["caption"])
        else:
            new.pop("caption", None)
        self._apply_markup(new, p.get("reply_markup"))
        if new.get("caption") == msg.get("caption") and new.get("reply_markup") == msg.get("reply_markup"):
            raise _bad("message is not modified: specified new message content and reply "
                       "markup are exactly the same as a current content and reply markup "
                       "of the message")
        new["edit_date"] = int(time.time())
        chat.messages[new["message_id"]] = new
        self._emit(chat, "caption", new, p)
        return new

    def _m_edit_markup(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg = self._message_for(chat, p, "edit")
        self._check_bot_message(msg)
        new = dict(msg)
        self._apply_markup(new, p.get("reply_markup"))
        if new.get("reply_markup") == msg.get("reply_markup"):
            raise _bad("message is not modified: specified new message content and reply "
                       "markup are exactly the same as a current content and reply markup "
                       "of the message")
        new["edit_date"] = int(time.time())
        chat.messages[new["message_id"]] = new
        self._emit(chat, "edit_markup", new, p)
        return new

    def _m_delete_message(self, p: dict, f: dict) -> bool:
        chat = self._chat_for(p)
        mid = p.get("message_id")
        if mid is None or chat.messages.pop(int(mid), None) is None:
            raise _bad("message to delete not found")
        self._emit(chat, "delete", None, p, message_id=int(mid))
        return True

    def _m_answer_cq(self, p: dict, f: dict) -> bool:
        qid = str(p.get("callback_query_id", ""))
        if qid not in self._cq_known or qid in self.callback_answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[qid] = p
        return True

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if scope is None:
            scope = {"type": "default"}
        elif isinstance(scope, str):
            scope = {"type": scope}
        return json.dumps(scope, sort_keys=True)

    def _m_set_commands(self, p: dict, f: dict) -> bool:
        cmds = p.get("commands")
        if not isinstance(cmds, list):
            raise _bad("commands must be an array")
        for c in cmds:
            if not isinstance(c, dict) or not c.get("command") or not c.get("description"):
                raise _bad("BOT_COMMAND_INVALID")
        self.commands[(self._scope_key(p.get("scope")), p.get("language_code") or "")] = cmds
        return True

    def _m_get_commands(self, p: dict, f: dict) -> list:
        return self.commands.get((self._scope_key(p.get("scope")), p.get("language_code") or ""), [])

    def _m_delete_commands(self, p: dict, f: dict) -> bool:
        self.commands.pop((self._scope_key(p.get("scope")), p.get("language_code") or ""), None)
        return True

    def _input_file(self, p: dict, f: dict, key: str, kind: str, ext: str,
                    mime: str | None) -> FileRecord:
        value = p.get(key)
        if key in f:
            fname, data, ctype = f[key]
            return self._register_file(data, kind, ext, ctype or mime, fname)
        if isinstance(value, str) and value.startswith("attach://"):
            name = value[len("attach://"):]
            if name not in f:
                raise _bad(f"file {name} not found in the request")
            fname, data, ctype = f[name]
            return self._register_file(data, kind, ext, ctype or mime, fname)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            rec = self._register_file(value.encode(), kind, ext, mime, value.rsplit("/", 1)[-1])
            return rec
        if value is None:
            raise _bad(f"there is no {key} in the request")
        raise _bad("wrong file identifier/HTTP URL specified")

    def _media_message(
        self, chat: _Chat, p: dict, f: dict, key: str, kind: str
    ) -> tuple[dict, FileRecord]:
        msg = self._base_message(chat, p)
        if kind == "photo":
            rec = self._input_file(p, f, key, "photos", "jpg", "image/jpeg")
            # a photo sent by file_id of a thumbnail/size: reuse the registered record
            msg["photo"] = self._photo_sizes(rec) if not rec.file_id.endswith("t") else [
                {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
                 "file_size": len(rec.data), "width": 90, "height": 90}]
        else:
            rec = self._input_file(p, f, key, "documents", "bin", "application/octet-stream")
            doc: dict[str, Any] = {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
                                   "file_size": len(rec.data)}
            if rec.file_name:
                doc["file_name"] = rec.file_name
            if rec.mime_type:
                doc["mime_type"] = rec.mime_type
            msg[kind if kind in ("video", "audio", "animation") else "document"] = doc
        if p.get("caption"):
            msg["caption"] = str(p["caption"])
        if p.get("caption_entities"):
            msg["caption_entities"] = p["caption_entities"]
        self._apply_markup(msg, p.get("reply_markup"))
        chat.messages[msg["message_id"]] = msg
        return msg, rec

    def _m_send_photo(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg, rec = self._media_message(chat, p, f, "photo", "photo")
        self._emit(chat, "photo", msg, p, file_id=rec.file_id)
        return msg

    def _m_send_document(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg, rec = self._media_message(chat, p, f, "document", "document")
        self._emit(chat, "document", msg, p, file_id=rec.file_id,
                   file_name=rec.file_name)
        return msg

    def _m_send_media_group(self, p: dict, f: dict) -> list:
        chat = self._chat_for(p)
        media = p.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad("wrong number of media specified (must be 2-10)")
        group_id = str(next(self._file_ids) * 7919)
        out = []
        for item in media:
            kind = item.get("type", "photo")
            sub = {k: v for k, v in p.items() if k not in ("media",)}
            sub["media"] = item.get("media")
            if item.get("caption"):
                sub["caption"] = item["caption"]
            msg, rec = self._media_message(chat, sub, f, "media", kind)
            msg["media_group_id"] = group_id
            self._emit(chat, kind if kind in ("photo", "document") else "media", msg, sub,
                       file_id=rec.file_id, media_group_id=group_id)
            out.append(msg)
        return out

    def _m_send_location(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg = self._base_message(chat, p)
        try:
            msg["location"] = {"latitude": float(p["latitude"]),
                               "longitude": float(p["longitude"])}
        except (KeyError, TypeError, ValueError):
            raise _bad("wrong latitude/longitude") from None
        self._apply_markup(msg, p.get("reply_markup"))
        chat.messages[msg["message_id"]] = msg
        self._emit(chat, "location", msg, p)
        return msg

    def _m_send_chat_action(self, p: dict, f: dict) -> bool:
        chat = self._chat_for(p)
        action = p.get("action")
        if not action:
            raise _bad("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def _m_get_file(self, p: dict, f: dict) -> dict:
        rec = self.files.get(str(p.get("file_id", "")))
        if rec is None:
            raise _bad("invalid file_id")
        return rec.as_file()

    def _m_get_chat(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        d = chat.as_chat()
        d.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return d

    def _m_get_chat_member(self, p: dict, f: dict) -> dict:
        self._chat_for(p)
        uid = p.get("user_id")
        if uid == self.bot_id:
            user = self.bot_user
        elif uid in self._users:
            user = self._users[uid].user
        else:
            raise _bad("user not found")
        return {"status": "member", "user": user}

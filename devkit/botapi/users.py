"""The simulated people: a FakeUser in a private chat and a FakeGroup, each a view on the
bot's output in its chat with a private cursor, so a test waits for what the bot sent."""
from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING, Any, Iterable

from .records import MESSAGE_KINDS, ChatState, buttons_of, entry_summary

if TYPE_CHECKING:
    from .server import LocalBotAPI


class ChatView:
    """Mixin for chat views: waiting on a chat's bot output with a private cursor."""

    api: "LocalBotAPI"
    _chat: ChatState
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
                    + (f"; last message was {entry_summary(last)}" if last else "; none so far")
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
                shown = "\n".join("  " + entry_summary(e) for e in seen) or "  (nothing)"
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
        raise AssertionError(f"{self._label}: expected no bot message, got {entry_summary(e)}")

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
        buttons = buttons_of(msg.get("reply_markup"))
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


class FakeUser(ChatView):
    """A simulated Telegram user with its private chat with the bot."""

    def __init__(self, api: "LocalBotAPI", chat: ChatState, user: dict):
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

    async def forward(self, text: str | None = None, *, photo: bytes | None = None,
                      caption: str | None = None, sender: str = "张社工",
                      date: int | None = None) -> int:
        """Forward into the private chat a message ``sender`` posted at ``date`` (Unix time;
        default now) in another chat: a text, or a photo with a caption."""
        origin = {"type": "hidden_user", "sender_user_name": sender,
                  "date": int(time.time()) if date is None else date}
        return self.api._user_message(self._chat, self, text=text, photo=photo, caption=caption,
                                      forward_origin=origin)

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


class FakeGroup(ChatView):
    """A simulated group chat; the bot's posts there are readable like a user's."""

    def __init__(self, api: "LocalBotAPI", chat: ChatState):
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


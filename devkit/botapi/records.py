"""The fake Bot API's records: chats, files, recorded calls and errors, shared by the
server, its HTTP layer and its Bot API methods."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MESSAGE_KINDS = frozenset({"message", "photo", "document", "edit", "caption", "location", "media"})

#: parameters that are plain strings and must never be JSON-decoded
STRING_PARAMS = frozenset(
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
RATE_LIMITED = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendmediagroup", "sendlocation",
        "copymessage", "forwardmessage", "sendvideo", "sendaudio", "sendanimation",
        "sendvoice", "sendsticker",
    }
)

DEFAULT_DESCRIPTIONS = {
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


def bad_request(description: str) -> BotAPIError:
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
    #: how it came: "http" (a request of the bot's) or "webhook reply" (the method in the bot's
    #: answer to a webhook post, made by the server as Telegram makes it)
    via: str = "http"

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
class Fault:
    method: str  # lower-case, or "*"
    error_code: int
    description: str
    parameters: dict | None
    chat_id: Any = None


@dataclass
class ChatState:
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


def wake(waiters: list) -> None:
    for fut in waiters:
        if not fut.done():
            fut.set_result(None)
    waiters.clear()


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def entry_summary(e: dict) -> str:
    text = e.get("text")
    s = f"[{e['kind']} #{e.get('message_id')}] {text!r}"
    buttons = buttons_of(e.get("reply_markup"))
    if buttons:
        s += f" buttons={[b.get('text') for b in buttons]}"
    return s


def buttons_of(markup: Any) -> list[dict]:
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    out = []
    for row in rows:
        for b in row:
            out.append(b if isinstance(b, dict) else {"text": str(b)})
    return out


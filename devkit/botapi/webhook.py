"""Webhook delivery as Telegram does it: each update posted to the URL of setWebhook with its
secret, confirmed by a 2xx answer; a Bot API method in that answer's body is made by the
server ("Making requests when getting updates" in the Bot API: tdlib's telegram-bot-api runs
any method but get*, setWebhook, deleteWebhook, close and logOut, and reports no result).

``post_update`` posts one update once (a test decides what comes next). With
``push_webhook`` set, the server delivers every pending update by itself, as Telegram does:
concurrently across chats up to the webhook's ``max_connections``, one at a time and in order
within a chat, the oldest waiting update first, an update posted again until it is answered
2xx.
"""
from __future__ import annotations

import asyncio
import heapq
import json
from collections import deque
from typing import Any
from urllib.parse import parse_qsl

import aiohttp

from .records import Call, wake

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_REPLY = "webhook reply"  # Call.via of a method made from a webhook's answer
NOT_IN_REPLY = ("deletewebhook", "setwebhook", "close", "logout")
DEFAULT_CONNECTIONS = 40  # setWebhook's max_connections when none is given
RETRY_DELAY = 0.2  # seconds before an update not answered 2xx is posted again


def chat_key(update: dict) -> Any:
    """The chat an update belongs to (its queue: Telegram keeps each chat's updates in order)."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if chat:
                return chat["id"]
            if value.get("from"):
                return value["from"]["id"]
    return ("update", update["update_id"])


class WebhookPoster:
    """Mixin of LocalBotAPI: posts updates to the bot's webhook and makes the method of its
    answer."""

    push_webhook = False
    _hook_http: aiohttp.ClientSession | None = None
    _pusher: asyncio.Task | None = None

    #: every post answered: {"update_id", "status", "reply": the method its body named, if any}
    webhook_posts: list[dict]

    @property
    def webhook_replies(self) -> list[Call]:
        """The calls made from the bot's answers to webhook posts."""
        return [c for c in self.calls if c.via == WEBHOOK_REPLY]

    async def post_update(self, update_id: int) -> int | None:
        """Post the update once to the webhook: the status of the answer (a 2xx confirms the
        update and its body's method is made first), or None if there is no webhook or the
        connection broke before an answer."""
        hook = self.webhook
        if not hook or not hook.get("url"):
            return None
        headers = {SECRET_HEADER: hook["secret_token"]} if hook.get("secret_token") else {}
        if self._hook_http is None or self._hook_http.closed:
            self._hook_http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        try:
            async with self._hook_http.post(hook["url"], json=self._by_update_id[update_id],
                                            headers=headers) as response:
                status, body = response.status, await response.read()
                content_type = response.content_type
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return None
        reply = self._reply_of(body, content_type)
        self.webhook_posts.append({"update_id": update_id, "status": status, "reply": reply})
        if 200 <= status < 300:
            if reply is not None:
                params = dict(reply)
                method = str(params.pop("method"))
                if method.lower() not in NOT_IN_REPLY and not method.lower().startswith("get"):
                    await self._execute(method, params, {}, via=WEBHOOK_REPLY)
            self._confirm(update_id)
        return status

    def _reply_of(self, body: bytes, content_type: str) -> dict | None:
        """The Bot API call an answer's body names (JSON or a form), if any."""
        if not body:
            return None
        try:
            if content_type == "application/json":
                params = json.loads(body)
            else:
                params = {k: self._decode(k, v) for k, v in parse_qsl(body.decode())}
        except ValueError:
            return None  # Telegram ignores a body it cannot read
        if not isinstance(params, dict) or not params.get("method"):
            return None
        return params

    def _confirm(self, update_id: int) -> None:
        for i, update in enumerate(self._pending):
            if update["update_id"] == update_id:
                del self._pending[i]
                break
        wake(self._call_waiters)

    # ------------------------------------------------------------------ pushing
    def _start_pushing(self) -> None:
        if self.push_webhook and (self._pusher is None or self._pusher.done()):
            self._pusher = asyncio.get_running_loop().create_task(self._push())

    async def _push(self) -> None:
        """Post the pending updates until the webhook is gone: one post per chat at a time,
        and of the chats with an update waiting, the one whose update is oldest first (as
        tdlib's WebhookActor orders them), so a busy chat cannot hold a connection while
        others wait."""
        queues: dict[Any, deque[int]] = {}
        ready: list[tuple[int, Any]] = []  # heap of (oldest update id, chat), none in flight
        busy: dict[asyncio.Task, Any] = {}
        for update in self._pending:
            queues.setdefault(chat_key(update), deque()).append(update["update_id"])
        for key, queue in queues.items():
            heapq.heappush(ready, (queue[0], key))
        try:
            await self._push_until_stopped(queues, ready, busy, len(self.updates))
        finally:
            for task in busy:
                task.cancel()

    async def _push_until_stopped(self, queues: dict, ready: list, busy: dict, seen: int) -> None:
        while self.webhook and self.push_webhook and not self._closing:
            for update in self.updates[seen:]:
                key = chat_key(update)
                if key not in queues:
                    queues[key] = deque()
                    if key not in busy.values():
                        heapq.heappush(ready, (update["update_id"], key))
                queues[key].append(update["update_id"])
            seen = len(self.updates)
            limit = int(self.webhook.get("max_connections") or DEFAULT_CONNECTIONS)
            while ready and len(busy) < limit:
                _, key = heapq.heappop(ready)
                busy[asyncio.create_task(self._deliver(queues[key]))] = key
            woken = asyncio.get_running_loop().create_future()
            self._update_waiters.append(woken)
            done, _ = await asyncio.wait({woken, *busy}, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {woken}:
                key = busy.pop(task)
                if queues[key]:
                    heapq.heappush(ready, (queues[key][0], key))
                else:
                    del queues[key]

    async def _deliver(self, queue: deque[int]) -> None:
        """Post the chat's oldest update until it is answered 2xx."""
        while self.webhook and not self._closing:
            status = await self.post_update(queue[0])
            if status is not None and 200 <= status < 300:
                queue.popleft()
                return
            await asyncio.sleep(RETRY_DELAY)

    async def _stop_pushing(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
            self._pusher = None
        if self._hook_http is not None:
            await self._hook_http.close()
            self._hook_http = None

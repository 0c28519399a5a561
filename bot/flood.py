"""Telegram's flood limits, kept on our side, where Telegram has them.

Source: the Telegram Bot FAQ, "My bot is hitting limits, how do I avoid this?"
(https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
"in a single chat, avoid sending more than one message per second" (short bursts are allowed);
"in a group, bots are not be able to send more than 20 messages per minute"; "for bulk
notifications, bots will not be able to broadcast more than about 30 messages per second".
What applies to which request here:

- **A reply in a private chat** (positive ``chat_id``: the answer to a worker's own tap or
  message — edit the question, send the next one) passes without waiting: the per-chat pace is
  set by the worker's own taps, and the 30/s broadcast window is not meant for it. Capping
  replies at 30/s capped a bot serving a whole city at ~16 updates/s (issue 15).
- **A push** (anything the outbox sends: rejection notices, digests, group summaries —
  marked by ``pushing()``) counts against the overall 30/s window, wherever it goes.
- **Anything in a group** (negative ``chat_id`` or an ``@channel``), reply or push, counts
  against that group's 20/min window and the overall 30/s one.
- Requests that name no chat (``answerCallbackQuery``, ``getMe``) are not counted.
- **Every request** honours a 429's ``retry_after`` (below).

They are counted as sliding windows — no more than N requests in any span of T seconds, which
is how Telegram states them and how devkit/botapi's ``limit()`` enforces them — not as the
leaky buckets of ``AIORateLimiter``: a bucket that starts empty lets a full burst through and
then its steady rate, 60 messages in the first second, and the server answers 429 to the rest.

A request holds its place in a window from the moment it leaves until ``span`` seconds after
its answer came back. The server counts it somewhere in between (when it arrives), so however
late a large upload arrives, or however early a short text, our count is never below the
server's: jitter cannot cause a 429. The price is the round trip: a slot is held for
``span`` plus the request's latency (≈1.02 s against a local server, 1.1–1.3 s against
Telegram).

A 429 that still comes back (another process on the same token, a stricter server) pauses
every request for its ``retry_after`` and the request is tried again, up to ``max_retries``
times; after that it is raised to the caller (the outbox keeps the row for later).
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import logging
from typing import Any, Callable, Coroutine

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
SLACK = 0.01  # seconds added to each window: clock granularity between two processes
IDLE_WINDOWS = 512  # group windows kept before idle ones are dropped


_PUSHING: contextvars.ContextVar[bool] = contextvars.ContextVar("pushing", default=False)


@contextlib.contextmanager
def pushing():
    """Requests made inside are pushes (the outbox): they count against the overall window
    even when they go to a private chat. A context variable, so a reply handled at the same
    time in another task is not affected."""
    token = _PUSHING.set(True)
    try:
        yield
    finally:
        _PUSHING.reset(token)


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, without PTB 22's int-or-timedelta deprecation warning."""
    value = getattr(error, "_retry_after", None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(error.retry_after)  # pragma: no cover - older PTB


class Window:
    """At most ``limit`` requests in any ``span`` seconds. Each entry is ``[answered_at]``,
    None while the request is in flight."""

    def __init__(self, limit: int, span: float):
        self.limit = limit
        self.span = span
        self.entries: list[list[float | None]] = []
        self.lock = asyncio.Lock()  # waiters pass in arrival order
        self.answered = asyncio.Event()

    def wait(self, now: float) -> float | None:
        """Seconds until one more request fits (0: now; None: when one in flight is answered)."""
        self.entries = [e for e in self.entries if e[0] is None or e[0] > now - self.span]
        if len(self.entries) < self.limit:
            return 0.0
        answered = [e[0] for e in self.entries if e[0] is not None]
        return min(answered) + self.span - now if answered else None

    async def room(self) -> None:
        loop = asyncio.get_running_loop()
        while (delay := self.wait(loop.time())) != 0.0:
            if delay is None:
                self.answered.clear()
                await self.answered.wait()
            else:
                await asyncio.sleep(delay)

    def take(self) -> list[float | None]:
        entry: list[float | None] = [None]
        self.entries.append(entry)
        return entry

    def done(self, entry: list[float | None], at: float) -> None:
        entry[0] = at
        self.answered.set()

    def idle(self, now: float) -> bool:
        return all(e[0] is not None and e[0] <= now - self.span for e in self.entries)


class FloodLimiter(BaseRateLimiter[int]):
    """Sliding-window flood limits for pushes and for every request to a group; replies in
    a private chat pass (see the module's docstring for which limit applies to what).

    ``rate_limit_args`` of a call (``bot.send_message(..., rate_limit_args=0)``) overrides
    ``max_retries`` for that call.
    """

    def __init__(self, overall_per_second: int | None = OVERALL_PER_SECOND,
                 group_per_minute: int | None = GROUP_PER_MINUTE, *, slack: float = SLACK,
                 max_retries: int = 2):
        self.overall = Window(overall_per_second, 1.0 + slack) if overall_per_second else None
        self.group_limit = group_per_minute
        self.group_span = 60.0 + slack
        self.groups: dict[int | str, Window] = {}
        self.max_retries = max_retries
        self.paused_until = 0.0
        self.retries = 0  # 429s seen: a figure for the bench and the logs

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group_window(self, group: int | str) -> Window:
        window = self.groups.get(group)
        if window is None:
            if len(self.groups) > IDLE_WINDOWS:
                now = asyncio.get_running_loop().time()
                for key in [k for k, w in self.groups.items() if w.idle(now)
                            and not w.lock.locked()]:
                    del self.groups[key]
            window = self.groups[group] = Window(self.group_limit, self.group_span)
        return window

    async def _pass(self, group: Window | None) -> list[tuple[Window, list]]:
        """Wait for room in the group's window, then in the overall one, and take a place in
        both at once: one group's requests wait for each other, not for other groups'."""
        windows = [w for w in (group, self.overall) if w is not None]
        async with contextlib.AsyncExitStack() as stack:
            for window in windows:
                await stack.enter_async_context(window.lock)
                await window.room()
            return [(window, window.take()) for window in windows]

    async def _resume(self) -> None:
        loop = asyncio.get_running_loop()
        while (delay := self.paused_until - loop.time()) > 0:
            await asyncio.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict | list]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict | list:
        max_retries = self.max_retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        group = None
        counted = False
        if chat_id is not None:
            try:
                chat_id = int(chat_id)
            except (TypeError, ValueError):
                pass
            in_group = isinstance(chat_id, str) or chat_id < 0  # groups, channels
            if in_group and self.group_limit:
                group = chat_id
            counted = in_group or _PUSHING.get()  # a private reply is not a broadcast
        loop = asyncio.get_running_loop()
        for attempt in range(max_retries + 1):
            await self._resume()
            places = []
            if counted:
                places = await self._pass(self._group_window(group) if group is not None
                                          else None)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.retries += 1
                if attempt == max_retries:
                    raise
                wait = retry_after_seconds(error) + 0.1
                log.info("flood limit hit on %s to %s: everything waits %.1f s", endpoint,
                         chat_id, wait)
                self.paused_until = max(self.paused_until, loop.time() + wait)
            finally:
                for window, entry in places:
                    window.done(entry, loop.time())
        raise AssertionError("unreachable")  # pragma: no cover

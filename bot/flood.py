"""Telegram's flood limits, kept on our side: at most 30 messages a second overall and 20 a
minute in one group.

They are counted as sliding windows — no more than N requests in any span of T seconds, which
is how Telegram states them and how tests/botapi.py's ``limit()`` enforces them — not as the
leaky buckets of ``AIORateLimiter``: a bucket that starts empty lets a full burst through and
then its steady rate, 60 messages in the first second, and the server answers 429 to the rest.
A small slack on each window absorbs the jitter between our clock and the server's.

A 429 that still comes back (another process on the same token, a stricter server) pauses
every request for its ``retry_after`` and the request is tried again, up to ``max_retries``
times; after that it is raised to the caller (the outbox keeps the row for later).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import deque
from typing import Any, Callable, Coroutine

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
SLACK = 0.05  # seconds added to each window: request arrival jitter
IDLE_WINDOWS = 512  # group windows kept before idle ones are dropped


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, without PTB 22's int-or-timedelta deprecation warning."""
    value = getattr(error, "_retry_after", None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(error.retry_after)  # pragma: no cover - older PTB


class Window:
    """At most ``limit`` events in any ``span`` seconds."""

    def __init__(self, limit: int, span: float):
        self.limit = limit
        self.span = span
        self.times: deque[float] = deque()
        self.lock = asyncio.Lock()  # waiters pass in arrival order

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0: now)."""
        times = self.times
        while times and times[0] <= now - self.span:
            times.popleft()
        return 0.0 if len(times) < self.limit else times[0] + self.span - now

    def idle(self, now: float) -> bool:
        return not self.times or self.times[-1] <= now - self.span


class FloodLimiter(BaseRateLimiter[int]):
    """Sliding-window flood limits for every request that names a chat.

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

    async def _pass(self, window: Window, then: Window | None = None) -> None:
        """Wait for room in ``window`` (and then in ``then``) and count the request in both at
        the same instant: a group's request is stamped when it really leaves."""
        loop = asyncio.get_running_loop()
        async with window.lock:
            while (delay := window.wait(loop.time())) > 0:
                await asyncio.sleep(delay)
            if then is not None:
                await self._pass(then)
            window.times.append(loop.time())

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
        if chat_id is not None and self.group_limit:
            try:
                chat_id = int(chat_id)
            except (TypeError, ValueError):
                pass
            if isinstance(chat_id, str) or chat_id < 0:  # groups, supergroups, channels
                group = chat_id
        for attempt in range(max_retries + 1):
            await self._resume()
            if group is not None:
                await self._pass(self._group_window(group), self.overall)
            elif chat_id is not None and self.overall is not None:
                await self._pass(self.overall)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.retries += 1
                if attempt == max_retries:
                    raise
                wait = retry_after_seconds(error) + 0.1
                log.info("flood limit hit on %s to %s: everything waits %.1f s", endpoint,
                         chat_id, wait)
                loop = asyncio.get_running_loop()
                self.paused_until = max(self.paused_until, loop.time() + wait)
        raise AssertionError("unreachable")  # pragma: no cover

"""Start-up outlasts a Bot API hiccup: its calls are retried with capped exponential backoff.

Before the application starts handling updates, python-telegram-bot asks the Bot API for the
bot (getMe), sets the command menus (setMyCommands, bot/commands.py) and deletes or sets the
webhook; PTB gives up on the first 5xx ("Network Retry Loop … Aborting") and the process
exits. While ``StartupRetries.active`` (from ``build_application(..., retry_startup=True)``
until ``Application.start``), the bot's request object (bot/http.py) retries each such call
that failed for a passing reason (a 5xx, a network error, a timeout, a 429) and says so in
one log line per retry; a refusal (401 bad token, 400, 403, 409) is raised at once, and
run_bot.py explains it. Once the bot runs, nothing is retried here: a repeated sendMessage
would reach the worker twice (the outbox and the handlers have their own rules).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

from .flood import retry_after_seconds

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_WAIT = 1.0  # seconds before the first retry of a call, doubled each time
LONGEST_WAIT = 60.0  # the cap


class StartupRetries:
    """The retry policy of start-up; ``active`` is switched off when the bot starts."""

    def __init__(self, *, active: bool = True, first: float = FIRST_WAIT,
                 cap: float = LONGEST_WAIT,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep):
        self.active = active
        self.first = first
        self.cap = cap
        self.sleep = sleep

    async def call(self, what: str, action: Callable[[], Awaitable[T]]) -> T:
        """``action()``, retried while start-up lasts and the failure is a passing one."""
        wait, attempt = self.first, 0
        while True:
            try:
                return await action()
            except RetryAfter as err:
                if not self.active:
                    raise
                delay = retry_after_seconds(err)
                reason = "flood control"
            except BadRequest:  # a NetworkError subclass, but the request itself is wrong
                raise
            except NetworkError as err:  # 5xx, connection refused or reset, TimedOut
                if not self.active:
                    raise
                delay, wait = wait, min(self.cap, wait * 2)
                reason = str(err) or type(err).__name__
            attempt += 1
            log.warning("Bot API %s failed at start-up (%s); retry %d in %g s",
                        what, reason, attempt, delay)
            await self.sleep(delay)

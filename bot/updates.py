"""Concurrent update processing that keeps each chat's updates in order.

Workers in different communities should not wait for each other, but one worker's updates
must be handled in the order they were sent (an answer, then the next one; a double tap on
Submit). So updates run concurrently across chats and one at a time within a chat.
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from models.core.db import on_kept_connection, pooled_server


@dataclass
class Handling:
    """How the handling of one update went, for whoever confirms it to Telegram: ``failed``
    when a handler raised (the error handler has spoken; a webhook answers 500 so Telegram
    delivers it again), ``marked`` once it is recorded as handled (bot/gate.py); ``marks_in``
    the ChatState whose handled marks were read for it (``models.reports.filing.load_chat``).

    ``replies``: the update came in a webhook post, whose 200 may carry one Bot API call
    (Telegram makes it and reports no result); ``reply`` is that call, ``ride`` puts it there.
    """

    update_id: int | None = None
    failed: bool = False
    marked: bool = False
    marks_in: object = None
    replies: bool = False
    reply: dict | None = None

    def ride(self, method: str, **params) -> bool:
        """Keep ``method`` to ride the answer to the webhook post, if this update has one and
        nothing rides it yet; False: make the call now. Only for a call whose failure changes
        nothing (a button's spinner), for its result is never known."""
        if not self.replies or self.reply is not None:
            return False
        self.reply = {"method": method, **{k: v for k, v in params.items() if v is not None}}
        return True


#: The update being handled in this task (set by ``WusheApplication.process_update``, or
#: beforehand by a caller that wants to read the outcome: the webhook).
HANDLING: ContextVar[Handling | None] = ContextVar("handling", default=None)


def handling() -> Handling:
    """The current update's outcome record (a detached one outside an update)."""
    return HANDLING.get() or Handling()


def chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most ``max_concurrent_updates`` at once; within one chat, strictly in arrival order."""

    def __init__(self, max_concurrent_updates: int = 64):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


#: Threads that run updates' database round trips on PostgreSQL (``off_loop``), each on a
#: pooled connection of its own that it keeps (``models.core.db.on_kept_connection``): with
#: the event loop's connection and the jobs' threads, within ``POOL_MAX_CONNECTIONS``.
DB_THREADS = 8
_db_threads: ThreadPoolExecutor | None = None


async def off_loop(work: Callable, *args, **kwargs):
    """``work(*args, **kwargs)``, a database call of the update being handled, on a thread
    of its own when the database is a pooled server (``models.core.db.pooled_server``): the
    event loop serves other chats while the statement waits for PostgreSQL (psycopg2 blocks
    the thread that waits; in a burst that thread was the loop's half of the time, issue 15).
    The update awaits it, so its own steps keep their order, and the update processor keeps
    each chat's updates in theirs. ``work`` sees the caller's context variables in a copy:
    what it must hand back, it returns. SQLite: called here and now (no round trip to wait
    for; a connection on another thread would pay its pragmas)."""
    if not pooled_server():
        return work(*args, **kwargs)
    global _db_threads
    if _db_threads is None:
        _db_threads = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="db")
    run = functools.partial(contextvars.copy_context().run, on_kept_connection, work,
                            *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_db_threads, run)

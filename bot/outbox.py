"""Sending what other processes queue in ``Outbox``: the admin's rejection notices, the pushes.

A round (``drain``) takes the rows that are due and sends them, many chats at once, within
the flood limits of the application's rate limiter (bot/flood.py). Its guarantees:

* each row is sent once and marked ``sent`` right after its send returns; rounds never
  overlap (one lock per application), so this process never sends a row twice;
* one chat's rows go one after the other: a delivery's rows in ``seq`` order, and a row
  waits while an earlier row of its delivery is not sent; a row waits for its
  ``not_before``;
* a 429 waits its ``retry_after`` and the same row is tried again, never counted as a
  failure; a 5xx, a timeout or a network error is retried with exponential backoff
  (``not_before``) until ``MAX_ATTEMPTS``, then the row fails; a request Telegram refuses
  (400) or a user who blocked the bot fails the row at once;
* a group the bot was kicked from, or that no longer exists, becomes inactive
  (``models.pushes.deliveries.deactivate``) and all its pending rows fail with that reason;
* after each row of a delivery, ``models.pushes.deliveries.settle`` recomputes the delivery's status.

Chart rows carry a chart's spec, not its image: the images are drawn by ``charts.pushes.render``
in worker processes, ahead of their turn, while the texts go out, so drawing never holds up
the event loop; a spec already uploaded in the round is sent again by its Telegram file_id.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import json
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field

from telegram.error import (BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError)
from telegram.ext import Application

from models.pushes import deliveries as pushes
from models.core.i18n import translator
from models.core.schema import Group, Outbox, now

from . import keyboards as kb
from .context import BotContext, db_session, stored_locale
from .flood import pushing, retry_after_seconds

log = logging.getLogger(__name__)

INTERVAL = 5.0  # seconds between rounds
CONCURRENCY = 32  # chats sent to at once: 30 messages/s with up to ~1 s per request
MAX_ATTEMPTS = 5
BACKOFF = 5.0  # seconds before the first retry of a transient error, doubled each time
LONGEST_WAIT = 60.0  # a retry_after up to this is waited out inside the round
PREFETCH = 2 * CONCURRENCY  # chats whose charts are drawn ahead of their turn
#: What Telegram says when a group is gone for the bot (Forbidden, or BadRequest).
GONE = ("kicked", "not a member", "chat not found", "deactivated", "chat was deleted")


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------

def _render(spec: dict) -> tuple[bytes, float]:
    """In a worker process: the PNG and how long it took (ms)."""
    from charts.pushes import render

    start = time.perf_counter()
    png = render(spec)
    return png, (time.perf_counter() - start) * 1000


_pool: concurrent.futures.ProcessPoolExecutor | None = None
PARENT_CHECK = 0.5  # seconds between a chart worker's looks at its parent


def _exit_with_parent(parent: int) -> None:
    """In each chart worker, at start: exit as soon as the bot process that started it is gone,
    however it died (SIGKILL included: no atexit, no pool shutdown runs then, and the worker
    would wait on its task queue for ever: it holds the queue's writing end itself, so it never
    sees an end of file). A daemon thread watches ``os.getppid()``, which changes when the
    parent dies. (Not PR_SET_PDEATHSIG: it fires when the *thread* that started the worker
    ends, and workers are started by whichever thread first submits a chart.)"""
    if os.getppid() != parent:  # died while this worker was starting
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def render_workers() -> int:
    """Processes drawing charts (WUSHE_RENDER_WORKERS; 0 draws in a thread instead)."""
    value = os.environ.get("WUSHE_RENDER_WORKERS")
    return int(value) if value else max(1, min(2, os.cpu_count() or 1))


def _executor() -> concurrent.futures.Executor | None:
    """One pool per process, started on first use ("spawn": the bot's threads and sockets
    are not copied into it); None when charts are drawn in a thread."""
    global _pool
    workers = render_workers()
    if workers <= 0:
        return None
    if _pool is None:
        _pool = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent, initargs=(os.getpid(),))
    return _pool


def _spec_key(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)


class Charts:
    """The chart images of one round: drawn once per distinct spec, ahead of their turn,
    and uploaded once: after the first upload the spec is sent by its file_id."""

    def __init__(self, render_ms: list[float]):
        self.images: dict[str, asyncio.Future] = {}
        self.file_ids: dict[str, str] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.render_ms = render_ms  # every drawing's time, for the logs and the bench

    def prefetch(self, spec: dict) -> None:
        key = _spec_key(spec)
        if key in self.file_ids or key in self.images:
            return
        loop = asyncio.get_running_loop()
        pool = _executor()
        try:
            future = (loop.run_in_executor(pool, _render, spec) if pool is not None
                      else asyncio.ensure_future(asyncio.to_thread(_render, spec)))
        except concurrent.futures.process.BrokenProcessPool:
            _reset_pool()
            future = asyncio.ensure_future(asyncio.to_thread(_render, spec))
        future.add_done_callback(self._drawn)
        self.images[key] = future

    def _drawn(self, future: asyncio.Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.render_ms.append(future.result()[1])

    @contextlib.asynccontextmanager
    async def image(self, spec: dict):
        """The file_id of an identical chart already uploaded, else the PNG; an upload of
        the same spec in flight is waited for, so each distinct chart is uploaded once.
        Yields (key, photo); the caller reports the upload with ``uploaded``."""
        key = _spec_key(spec)
        async with self.locks.setdefault(key, asyncio.Lock()):
            if key in self.file_ids:
                yield key, self.file_ids[key]
                return
            self.prefetch(spec)
            future = self.images[key]
            try:
                png = (await asyncio.shield(future))[0]
            except Exception:
                self.images.pop(key, None)  # drawn again on the row's next attempt
                raise
            yield key, png

    def uploaded(self, key: str, file_id: str) -> None:
        self.file_ids[key] = file_id
        self.images.pop(key, None)

    def cancel(self) -> None:
        for future in self.images.values():
            future.cancel()


def _reset_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None


# ---------------------------------------------------------------------------------------------
# Choosing what is due
# ---------------------------------------------------------------------------------------------

@dataclass
class Lane:
    """One chat's due rows, in the order they must go out."""

    chat_id: int
    rows: list[int] = field(default_factory=list)
    specs: list[dict] = field(default_factory=list)  # chart specs, for prefetching


def due_lanes(at: dt.datetime) -> list[Lane]:
    """Pending rows due at ``at``, one lane per chat, chats in the order their oldest row was
    queued. A delivery's rows follow its ``seq``; a row that is not due yet holds back the
    rest of its delivery (not other deliveries, nor notices, to the same chat)."""
    rows = list(Outbox.select(Outbox.id, Outbox.chat_id, Outbox.delivery, Outbox.seq,
                              Outbox.not_before, Outbox.payload)
                .where(Outbox.status == "pending").order_by(Outbox.id))
    first_of: dict[int, int] = {}  # delivery -> its oldest row id
    for row in rows:
        if row.delivery_id is not None:
            first_of.setdefault(row.delivery_id, row.id)
    rows.sort(key=lambda r: (first_of.get(r.delivery_id, r.id), r.seq, r.id))
    lanes: dict[int, Lane] = {}
    held: set[int] = set()
    for row in rows:
        if row.delivery_id in held:
            continue
        if row.not_before is not None and row.not_before > at:
            if row.delivery_id is not None:
                held.add(row.delivery_id)
            continue
        lane = lanes.setdefault(row.chat_id, Lane(row.chat_id))
        lane.rows.append(row.id)
        spec = (row.payload or {}).get("photo")
        if isinstance(spec, dict):
            lane.specs.append(spec)
    return list(lanes.values())


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------

def _markup(row: Outbox, default_locale: str):
    payload = row.payload or {}
    if payload.get("action") == "fix" and payload.get("report_uid"):
        t = translator(stored_locale(row.chat_id, default_locale))
        return kb.fix(payload["report_uid"], t)
    return None


def _parse_mode(row: Outbox) -> str | None:
    """HTML for pushes (their texts are written as HTML), else what the payload says."""
    payload = row.payload or {}
    return payload.get("parse_mode") or ("HTML" if row.delivery_id is not None else None)


def _settle(row: Outbox) -> None:
    if row.delivery_id is not None:
        pushes.settle(row.delivery_id)


def is_gone(error: TelegramError) -> bool:
    """Telegram says the bot can no longer write to this group."""
    return isinstance(error, (Forbidden, BadRequest)) and any(
        words in str(error).lower() for words in GONE)


class Round:
    """One drain: the lanes, the charts, and what happened."""

    def __init__(self, application: Application):
        self.app = application
        self.bot = application.bot
        self.default_locale = application.bot_data["settings"].default_locale
        self.charts = Charts(application.bot_data.setdefault("chart_render_ms", []))
        self.sent = 0
        self.gone: set[int] = set()

    @property
    def stopping(self) -> bool:
        return not self.app.running

    async def run(self, lanes: list[Lane]) -> None:
        queue = iter(range(len(lanes)))
        ahead = 0

        async def worker() -> None:
            nonlocal ahead
            for i in queue:
                if self.stopping:
                    return
                while ahead < min(len(lanes), i + PREFETCH):
                    for spec in lanes[ahead].specs:
                        self.charts.prefetch(spec)
                    ahead += 1
                try:
                    await self.lane(lanes[i])
                except Exception:  # the database, most likely: this chat waits for a round
                    log.exception("outbox: chat %s stopped in this round", lanes[i].chat_id)

        try:
            await asyncio.gather(*(worker() for _ in range(min(CONCURRENCY, len(lanes)))))
        finally:
            self.charts.cancel()

    async def lane(self, lane: Lane) -> None:
        held: set[int] = set()  # deliveries with a row that did not go out in this round
        for row_id in lane.rows:
            if self.stopping or lane.chat_id in self.gone:
                return
            row = Outbox.get_or_none(Outbox.id == row_id)
            if row is None or row.status != "pending" or row.delivery_id in held:
                continue
            if not await self.row(row) and row.delivery_id is not None:
                held.add(row.delivery_id)

    async def row(self, row: Outbox) -> bool:
        """Send one row, retrying a 429 in place; True once it is sent."""
        while True:
            try:
                await self.send(row)
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                self._hold(row, wait, str(error))
                if wait > LONGEST_WAIT or self.stopping:
                    return False
                log.info("outbox: row %s waits %.0f s (flood limit)", row.id, wait)
                await asyncio.sleep(wait)
                if self.stopping:
                    return False
                continue
            except ChatMigrated as error:
                try:
                    self._migrate(row, error.new_chat_id)
                except Exception as failure:  # the new chat is known as another group
                    self._failed(row, failure)
                    return False
                continue
            except TelegramError as error:
                self._failed(row, error)
                return False
            except Exception as error:  # a chart that cannot be drawn: a bug, retried later
                log.exception("outbox: row %s could not be prepared", row.id)
                self._failed(row, error)
                return False
            (Outbox.update(status="sent", sent_at=now(), attempts=row.attempts + 1,
                           last_error=None, not_before=None)
             .where(Outbox.id == row.id).execute())
            self.sent += 1
            _settle(row)
            return True

    async def send(self, row: Outbox) -> None:
        with pushing():  # counted against the broadcast window (bot/flood.py)
            await self._send(row)

    async def _send(self, row: Outbox) -> None:
        payload = row.payload or {}
        spec = payload.get("photo")
        if isinstance(spec, dict):
            async with self.charts.image(spec) as (key, photo):
                message = await self.bot.send_photo(
                    row.chat_id, photo, caption=payload.get("caption") or row.text or None,
                    parse_mode=payload.get("parse_mode"))
                if message.photo:
                    self.charts.uploaded(key, message.photo[-1].file_id)
        else:
            await self.bot.send_message(row.chat_id, row.text, parse_mode=_parse_mode(row),
                                        reply_markup=_markup(row, self.default_locale))

    def _hold(self, row: Outbox, seconds: float, reason: str) -> None:
        """A 429: the row waits, its attempts unchanged (a restart honours the wait too)."""
        until = now() + dt.timedelta(seconds=seconds)
        (Outbox.update(not_before=until, last_error=reason[:500])
         .where(Outbox.id == row.id).execute())

    def _migrate(self, row: Outbox, new_chat_id: int) -> None:
        """A group became a supergroup: its rows and its binding follow the new chat id."""
        log.info("outbox: chat %s migrated to %s", row.chat_id, new_chat_id)
        Group.update(chat_id=new_chat_id).where(Group.chat_id == row.chat_id).execute()
        (Outbox.update(chat_id=new_chat_id)
         .where(Outbox.chat_id == row.chat_id, Outbox.status == "pending").execute())
        row.chat_id = new_chat_id

    def _failed(self, row: Outbox, error: Exception) -> None:
        reason = str(error)[:500] or type(error).__name__
        is_group = row.chat_id < 0 or Group.select().where(Group.chat_id == row.chat_id).exists()
        if isinstance(error, TelegramError) and is_group and is_gone(error):
            self._gone(row.chat_id, reason)
            return
        attempts = row.attempts + 1
        # Refused as such, or a user who blocked the bot: trying again will not help.
        final = isinstance(error, (Forbidden, BadRequest)) or attempts >= MAX_ATTEMPTS
        retry_at = None if final else now() + dt.timedelta(seconds=BACKOFF * 2 ** (attempts - 1))
        (Outbox.update(attempts=attempts, last_error=reason, not_before=retry_at,
                       status="failed" if final else "pending")
         .where(Outbox.id == row.id).execute())
        log.warning("outbox: row %s to chat %s failed (attempt %s%s): %s", row.id, row.chat_id,
                    attempts, ", giving up" if final else "", reason)
        if final and row.delivery_id is not None:
            # The rest of the delivery would arrive without its beginning: it fails with it.
            (Outbox.update(status="failed", last_error=reason)
             .where(Outbox.delivery == row.delivery_id, Outbox.status == "pending").execute())
        _settle(row)

    def _gone(self, chat_id: int, reason: str) -> None:
        """The bot cannot write to this group any more: inactive, and nothing left to send."""
        log.warning("outbox: group %s is gone: %s", chat_id, reason)
        self.gone.add(chat_id)
        pushes.deactivate(chat_id, reason)
        deliveries = {d for (d,) in Outbox.select(Outbox.delivery)
                      .where(Outbox.chat_id == chat_id, Outbox.status == "pending",
                             Outbox.delivery.is_null(False)).tuples()}
        (Outbox.update(status="failed", last_error=reason, attempts=Outbox.attempts + 1)
         .where(Outbox.chat_id == chat_id, Outbox.status == "pending").execute())
        for delivery_id in deliveries:
            pushes.settle(delivery_id)


async def drain(application: Application, *, at: dt.datetime | None = None) -> int:
    """Send every due row once; returns how many were sent.

    Rows queued while the round runs, and rows whose wait ends, are taken in the same call;
    it returns when nothing more is due (rows waiting a backoff are left to later rounds)
    or the application stops (it sends only while the application runs). A call while a
    round runs waits for it. ``at`` is the moment rows are due by (default: now).
    """
    if at is not None and at.tzinfo is not None:
        at = at.astimezone(dt.timezone.utc).replace(tzinfo=None)  # as the database stores it
    async with _lock(application):
        work = Round(application)
        with db_session():
            while not work.stopping:
                lanes = due_lanes(at or now())
                if not lanes:
                    break
                before = work.sent
                await work.run(lanes)
                if work.sent == before and at is not None:
                    break  # a fixed moment: what was due is done or deferred
    return work.sent


def _lock(application: Application) -> asyncio.Lock:
    return application.bot_data.setdefault("outbox_lock", asyncio.Lock())


async def job(context: BotContext) -> None:
    """The timer's round; skipped while another round runs (that one takes the new rows)."""
    if not _lock(context.application).locked():
        await drain(context.application)

"""Long polling that confirms an update only after it was handled: at-least-once delivery.

python-telegram-bot's Updater asks for the next updates with an offset past everything it has
fetched, before they are handled: a bot killed in between never sees them again (a tapped
Submit lost). Here the offset sent to getUpdates is one past the highest update id such that
it and every update fetched before it are done (handled, effects committed, marked by
``WusheApplication.process_update``). Updates are handled concurrently across chats and in
order within a chat (``PerChatUpdateProcessor``); an update still in flight that Telegram
returns again is not handled twice. A redelivered update that was handled before the bot died
is dropped or answered again by the handlers (bot/gate.py, bot/card.py).

``run_polling(app)`` replaces ``Application.run_polling``: initialize (with start-up's
retries, bot/startup.py), post_init, deleteWebhook (pending updates kept), start, poll; on
SIGINT or SIGTERM it stops fetching, lets the updates in flight finish, confirms them, and
stops and shuts down the application (jobs, outbox) as PTB does, post_stop and post_shutdown
included.
"""
from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import signal
from collections.abc import Sequence

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from .flood import retry_after_seconds

log = logging.getLogger(__name__)

LONG_POLL = 10  # seconds Telegram holds a getUpdates open when there is nothing new
BUSY_POLL = 0.25  # while updates are in flight getUpdates returns at once: ask at most this often
FIRST_BACKOFF = 1.0  # after a failed getUpdates, then ×1.5 up to LONGEST_BACKOFF (as PTB)
LONGEST_BACKOFF = 30.0
READ_TIMEOUT = 5.0  # seconds beyond the long poll's own timeout (PTB's default read timeout)


def parse_update(item: dict, bot) -> Update:
    """``item`` (an update as Telegram sends it) parsed as ``ExtBot.get_updates`` parses it,
    less the keyboard of a tapped message: a tap's update carries the message with all its
    buttons, which no handler reads (they read the tapped message's text, id, chat and what
    it replies to), and parsing them was ~3 % of the bot's CPU in a burst."""
    message = (item.get("callback_query") or {}).get("message")
    if message and "reply_markup" in message:
        item = {**item, "callback_query": {**item["callback_query"],
                                           "message": {k: v for k, v in message.items()
                                                       if k != "reply_markup"}}}
    update = Update.de_json(item, bot)
    bot.insert_callback_data(update)
    return update


class Offsets:
    """The fetched updates that are not confirmed yet, and which of them are done.

    ``offset`` is what the next getUpdates confirms: every id below it is done. An update
    fetched again while it is in flight, or done but not yet confirmed, is not new.
    """

    def __init__(self) -> None:
        self.offset: int | None = None
        self._open: list[int] = []  # ascending ids >= offset
        self._done: set[int] = set()
        self._stray: set[int] = set()  # below the offset: redelivered, confirms nothing
        self._retry: set[int] = set()  # open, failed: to be handled again when fetched

    def take(self, ids: Sequence[int], sent: int | None = None) -> list[int]:
        """The ids among ``ids`` (the answer to a getUpdates sent with offset ``sent``) to
        handle now; each is then open until ``finish``."""
        new = []
        for i in ids:
            if i in self._retry:  # still open: its offset waits for it
                self._retry.discard(i)
                new.append(i)
                continue
            if i in self._stray or self._is_open(i):
                continue
            if self.offset is not None and i < self.offset:
                if sent is None or i >= sent:
                    continue  # done while this answer was on its way
                self._stray.add(i)  # delivered again below its offset: a duplicate
            else:
                bisect.insort(self._open, i)
            new.append(i)
        return new

    def _is_open(self, i: int) -> bool:
        at = bisect.bisect_left(self._open, i)
        return at < len(self._open) and self._open[at] == i

    def finish(self, i: int) -> None:
        """``i`` is done: the offset moves past it and past every done id after it."""
        if i in self._stray:
            self._stray.discard(i)
            return
        self._done.add(i)
        while self._open and self._open[0] in self._done:
            first = self._open.pop(0)
            self._done.discard(first)
            self.offset = first + 1

    def forget(self, i: int) -> None:
        """``i`` failed before it was handled (the database was down): it stays unconfirmed
        and is handled again when it is fetched again."""
        if i in self._stray:
            self._stray.discard(i)
        elif self._is_open(i):
            self._retry.add(i)

    @property
    def in_flight(self) -> int:
        return len(self._open) - len(self._done) - len(self._retry) + len(self._stray)


class Poller:
    """The getUpdates loop of one application (see the module docstring)."""

    def __init__(self, app: Application, *, allowed_updates: Sequence[str] | None = None,
                 timeout: int = LONG_POLL, busy_poll: float = BUSY_POLL,
                 backoff: tuple[float, float] = (FIRST_BACKOFF, LONGEST_BACKOFF)):
        self.app = app
        self.backoff = backoff  # the first wait after a failed getUpdates, and the longest
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.timeout = timeout
        self.busy_poll = busy_poll
        self.offsets = Offsets()
        self.sent_offset: int | None = None  # the offset of the last getUpdates sent
        self._tasks: set[asyncio.Task] = set()
        self._progress = asyncio.Event()
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Fetch and handle until ``stop()``; then finish what is in flight and confirm it."""
        retry_wait = 0.0
        try:
            while not self._stopping.is_set():
                self._progress.clear()
                wait = asyncio.sleep  # after a failure: the whole delay
                try:
                    updates = await self._until_stopped(self._fetch())
                except InvalidToken:
                    raise
                except RetryAfter as e:
                    delay = retry_after_seconds(e) + 0.5
                    log.warning("getUpdates: flood control, retry in %g s", delay)
                except TimedOut:
                    delay = 0.0
                except TelegramError as e:  # a 5xx, a network error, a 409 Conflict
                    first, longest = self.backoff
                    retry_wait = first if not retry_wait else min(longest, retry_wait * 1.5)
                    delay = retry_wait
                    level = logging.ERROR if isinstance(e, Conflict) else logging.WARNING
                    log.log(level, "getUpdates failed (%s); retry in %g s", e, delay)
                else:
                    retry_wait = 0.0
                    wait = self._wait_progress  # nothing new: until the offset moves
                    delay = 0.0 if self._dispatch(updates) else self.busy_poll
                    if delay and not self._tasks:
                        delay = 0.0  # nothing new and nothing in flight: the long poll waits
                if delay:
                    await self._until_stopped(wait(delay))
        finally:
            await self._drain()

    async def _fetch(self) -> list[Update]:
        """The updates of one getUpdates to handle now (``Offsets.take``), parsed. Only those
        are parsed: during a burst most of an answer is updates still in flight, returned
        again because the offset waits for them, and parsing an update (a tap's carries its
        whole message and keyboard) costs PTB about as much CPU as handling it."""
        timeout = 0 if self._tasks else self.timeout  # something in flight: answered at once
        sent = self.sent_offset = self.offsets.offset
        bot = self.app.bot
        # the call Bot.get_updates makes, rate limiter included, before it parses everything
        # (PTB's public do_api_request warns on every call to a method it knows)
        raw = await bot._post("getUpdates", {"offset": sent, "timeout": timeout,
                                             "allowed_updates": self.allowed_updates},
                              read_timeout=READ_TIMEOUT + timeout)
        fresh = set(self.offsets.take([u["update_id"] for u in raw or ()], sent))
        updates = []
        for item in raw or ():
            if item["update_id"] in fresh:
                fresh.discard(item["update_id"])  # once, even if listed twice
                updates.append(parse_update(item, bot))
        return updates

    def _dispatch(self, updates: Sequence[Update]) -> bool:
        """Start handling the updates ``_fetch`` found new; whether there were any."""
        for update in updates:
            task = asyncio.create_task(self._handle(update), name=f"update {update.update_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return bool(updates)

    async def _handle(self, update: Update) -> None:
        app = self.app
        try:
            await app.update_processor.process_update(update, app.process_update(update))
        except Exception:  # not a handler's error (those reach the error handler): the database
            log.exception("update %s could not be handled; it will be fetched again",
                          update.update_id)
            await asyncio.sleep(self.backoff[0])
            self.offsets.forget(update.update_id)
            self._progress.set()
        else:
            before = self.offsets.offset
            self.offsets.finish(update.update_id)
            if self.offsets.offset != before or not self.offsets.in_flight:
                self._progress.set()  # worth asking again: something new to confirm

    async def _wait_progress(self, delay: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._progress.wait(), delay)

    async def _until_stopped(self, coroutine):
        """Await ``coroutine`` unless ``stop()`` comes first (then it is cancelled: a getUpdates
        cut short confirms nothing that was not confirmed before)."""
        task = asyncio.ensure_future(coroutine)
        stop = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return ()
        return task.result()

    async def _drain(self) -> None:
        """Let the updates in flight finish, then confirm them (one last getUpdates, as PTB's
        Updater does on stop)."""
        if self._tasks:
            log.info("waiting for %d update(s) in flight", len(self._tasks))
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.offsets.offset is not None and self.offsets.offset != self.sent_offset:
            try:
                await self.app.bot.get_updates(offset=self.offsets.offset, limit=1, timeout=0,
                                               allowed_updates=self.allowed_updates)
                self.sent_offset = self.offsets.offset
            except TelegramError as e:
                log.warning("could not confirm the last updates (%s): they will come again "
                            "and be recognised as handled", e)


@contextlib.asynccontextmanager
async def started(app: Application):
    """``app`` started as ``Application.run_polling`` starts it, and stopped as it stops it:
    initialize (getMe, retried while start-up lasts: bot/startup.py), post_init, deleteWebhook
    with the pending updates kept, start (jobs); on the way out stop (jobs finish what they
    are doing), post_stop, shutdown, post_shutdown."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.bot.delete_webhook(drop_pending_updates=False)
        await app.start()
        try:
            yield app
        finally:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def serve(app: Application, poller: Poller, *, stop_signals=(signal.SIGINT, signal.SIGTERM)
                ) -> None:
    """Run ``app`` with ``poller`` until a stop signal, as ``run_polling`` runs it."""
    loop = asyncio.get_running_loop()
    for sig in stop_signals:
        loop.add_signal_handler(sig, poller.stop)
    try:
        async with started(app):
            await poller.run()
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)


def run_polling(app: Application, *, allowed_updates: Sequence[str] | None = None) -> None:
    """``app.run_polling(allowed_updates=...)``, with updates confirmed once handled."""
    asyncio.run(serve(app, Poller(app, allowed_updates=allowed_updates)))

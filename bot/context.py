"""What one update needs beyond Telegram: a database session, the user's language, their
worker row, and "today" in the plan's timezone.

The database connection is opened around each update (``WusheApplication.process_update``)
and each job. Updates and the outbox job interleave on one event loop and share peewee's
connection, so sessions are counted: the connection closes when the last one ends. No
transaction is ever held across an ``await``.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from functools import cached_property
from zoneinfo import ZoneInfo

import peewee
from telegram import Update, User
from telegram.error import Forbidden
from telegram.ext import Application, CallbackContext, ExtBot

from models.core.db import database, unit_of_work
from models.core.i18n import Translator, negotiate, translator
from models.core.schema import ChatState, Draft, Worker
from models.core.settings import Settings
from models.org.workers import find_worker
from models.reports.filing import (finish_update, handled_before, load_chat, open_draft,
                                   read_chat)

from .updates import HANDLING, Handling, handling, off_loop

_sessions = 0


@contextmanager
def db_session():
    """One unit of work: open the connection if nobody has, close it after the last user."""
    global _sessions
    if _sessions == 0:
        database.connect(reuse_if_open=True)
    _sessions += 1
    try:
        yield database
    finally:
        _sessions -= 1
        if _sessions == 0 and not database.is_closed() and not _keeps_connection():
            database.close()


def _keeps_connection() -> bool:
    """SQLite stays open between updates: closing the last connection to a WAL database
    checkpoints it with an fsync (10–20 ms blocking the event loop on every update), and a
    file needs no pool. Server databases are still closed after each unit of work."""
    return isinstance(database.obj, peewee.SqliteDatabase)


class Clock:
    """The one place "today" and "now" come from: the local date in the plan's timezone, and
    the instant the push schedule is checked against.

    Dates are validated against it and the quick-date buttons are computed from it; tests
    freeze it with ``Clock(tz, today=...)`` or ``clock.freeze(day)``, and the instant with
    ``clock.set_now(instant)`` (which moves "today" with it).
    """

    def __init__(self, tz: str = "Asia/Shanghai", today: dt.date | None = None):
        self.tz = ZoneInfo(tz)
        self.fixed = today
        self.instant: dt.datetime | None = None

    def today(self) -> dt.date:
        return self.fixed or dt.datetime.now(self.tz).date()

    def freeze(self, day: dt.date | None) -> None:
        self.fixed = day

    def now_utc(self) -> dt.datetime:
        """The current instant, timezone-aware in UTC."""
        return self.instant or dt.datetime.now(dt.timezone.utc)

    def set_now(self, instant: dt.datetime | None) -> None:
        """Freeze the instant (an aware datetime) and today's date with it; None: real time."""
        self.instant = instant.astimezone(dt.timezone.utc) if instant else None
        self.fixed = instant.astimezone(self.tz).date() if instant else None


class WusheApplication(Application):
    """An Application that wraps each update in a database session, and ends start-up's
    retries (bot/startup.py) when it starts handling updates."""

    startup = None  # a bot.startup.StartupRetries, set by build_application

    async def start(self) -> None:
        if self.startup is not None:
            self.startup.active = False
        await super().start()

    async def process_update(self, update: object) -> None:
        """Handle ``update`` in a database session, then record it as handled (bot/gate.py
        drops it if it comes again). The record is written last, after the handlers' effects
        and replies, and only if no handler failed: an update cut short by a crash or a kill
        is handled again when it is redelivered, and the handlers are idempotent (a Submit
        finds its report, an answer its draft's stamp: bot/questions.py).

        The draft and the chat's keyboard are written at the end too, with the record, in
        one transaction (``finish_update``): one commit per answer, before it is confirmed;
        on PostgreSQL on a thread of its own, the event loop serving other chats meanwhile
        (``bot.updates.off_loop``)."""
        update_id = update.update_id if isinstance(update, Update) else None
        state = HANDLING.get()
        token = None
        if state is None or state.update_id != update_id:
            state = Handling(update_id)
            token = HANDLING.set(state)
        try:
            with db_session(), unit_of_work() as rows:
                await super().process_update(update)
                mark = update_id is not None and not (state.failed or state.marked)
                await off_loop(finish_update, list(rows.values()), update_id if mark else None,
                               state=state.marks_in)
                state.marked = state.marked or mark
        finally:
            if token is not None:
                HANDLING.reset(token)

    async def process_error(self, update, error, job=None, coroutine=None) -> bool:
        """A handler's failure marks its update unhandled (a user who blocked the bot is no
        failure: a redelivery could not reach them either)."""
        state = HANDLING.get()
        if update is not None and state is not None and not isinstance(error, Forbidden):
            state.failed = True
        return await super().process_error(update, error, job, coroutine)


def locale_of(user: User | None, state: ChatState | None, default: str) -> str:
    """The user's language: their /lang choice, else their Telegram app's language."""
    if state is not None and state.language:
        return state.language
    return negotiate(user.language_code if user else None, default)


def stored_locale(tg_user_id: int, default: str) -> str:
    """The language to write to someone outside an update (a push): /lang, else registration."""
    state = ChatState.get_or_none(ChatState.tg_user_id == tg_user_id)
    if state is not None and state.language:
        return state.language
    worker = Worker.get_or_none(Worker.tg_user_id == tg_user_id)
    return (worker.language if worker and worker.language else None) or default


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """CallbackContext with Wushe's per-update helpers; everything is computed lazily."""

    @property
    def settings(self) -> Settings:
        return self.bot_data["settings"]

    @property
    def clock(self) -> Clock:
        return self.bot_data["clock"]

    def today(self) -> dt.date:
        return self.clock.today()

    def for_update(self, update: object) -> "BotContext":
        """Bind the update whose user this context speaks to (done once, by the gate)."""
        self.__dict__["update"] = update
        return self

    async def handled_before(self, update: Update) -> bool:
        """Whether ``update`` was handled already; for a worker's update, the same statement
        loads their worker, chat state and draft for the handlers (``load_chat``), off the
        event loop on PostgreSQL (``bot.updates.off_loop``)."""
        user = update.effective_user if isinstance(update, Update) else None
        read = await off_loop(read_chat, user.id, update.update_id) if user is not None else None
        loaded = load_chat(user.id, update.update_id, read=read) if read is not None else None
        if loaded is None:
            return await off_loop(handled_before, update.update_id)
        handled, worker, state, draft = loaded
        state = state or ChatState(tg_user_id=user.id)
        self.__dict__.update(worker=worker, chat_state=state, _draft=draft, _loaded_for=user.id)
        handling().marks_in = state
        return handled

    def open_draft(self) -> "Draft | None":
        """The worker's open draft: the one loaded with the update the first time, read
        again after that (a handler may have started or discarded one since)."""
        if "_draft" in self.__dict__ and self.__dict__.get("_loaded_for") == (
                self.user.id if self.user else None):
            return self.__dict__.pop("_draft")
        return open_draft(self.worker)

    def has_open_draft(self) -> bool:
        """Whether the worker has a draft open, without using it up: the draft it looks at
        (the one loaded with the update, or read now) is the one the next ``open_draft()``
        returns, so routing on it costs no second read (bot/describe.py)."""
        user_id = self.user.id if self.user else None
        if not ("_draft" in self.__dict__ and self.__dict__.get("_loaded_for") == user_id):
            self.__dict__.update(_draft=open_draft(self.worker), _loaded_for=user_id)
        return self.__dict__["_draft"] is not None

    @property
    def user(self) -> User | None:
        update = self.__dict__.get("update")
        return update.effective_user if isinstance(update, Update) else None

    @cached_property
    def chat_state(self) -> ChatState | None:
        """The user's ChatState row (language, live keyboard), loaded once per update."""
        if self.user is None:
            return None
        return ChatState.get_or_create(tg_user_id=self.user.id)[0]

    @cached_property
    def locale(self) -> str:
        return locale_of(self.user, self.chat_state, self.settings.default_locale)

    @cached_property
    def t(self) -> Translator:
        return translator(self.locale)

    @cached_property
    def worker(self) -> Worker | None:
        return find_worker(self.user.id) if self.user else None

    def forget_language(self) -> None:
        """After /lang: the next ``t`` reads the new choice."""
        self.__dict__.pop("locale", None)
        self.__dict__.pop("t", None)

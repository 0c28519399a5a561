"""Fixtures for the bot's end-to-end tests: the real application over real HTTP.

``bot_api`` is a LocalBotAPI (devkit/botapi); ``bot_app`` builds the application with
``build_application(settings)`` pointed at it, on the test's database (``db_url``: SQLite and
PostgreSQL), with "today" frozen at TODAY, and polls it. Talk to it as a worker would::

    async def test_it_...(bot_app):
        ailin = bot_app.chat(name="ailin")          # a registered, active worker
        await ailin.send("/report")
        await ailin.press("Activity held")
        assert "Step 1/11" in ailin.last

Every step returns once the bot has processed the update (no sleeps). Test users write in
English by default, so assertions read the msgids; Chinese answers are typed all the same.
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import datetime as dt
import itertools
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest_asyncio
from telegram.ext import AIORateLimiter

from bot.app import build_application
from bot.context import Clock
from devkit.botapi import LocalBotAPI
from devkit.conversation import Conversation, running, track
from devkit.conversation import walk  # noqa: F401 (the bot tests' scripts)
from models.core.db import init_db
from models.core.i18n import negotiate
from models.core.schema import ChatState, Draft, ProcessedUpdate, Report, Worker
from models.core.settings import Settings

from tests import factories

TOKEN = "4242:botkit-TEST-token"
TODAY = dt.date(2026, 11, 23)  # a Monday; 上周六 is 2026-11-21
_user_ids = itertools.count(500_001)


class BotHarness:
    """The running application, its fake Bot API, and the chats of the test."""

    def __init__(self, api: LocalBotAPI, settings: Settings, clock: Clock):
        self.api = api
        self.settings = settings
        self.clock = clock
        self.chats: list[Conversation] = []
        self.app = None
        self.done = None
        self._running = None

    async def start(self, **options) -> None:
        # Jobs run only where a test asks for them (outbox_interval=…, push_interval=…).
        options.setdefault("outbox_interval", None)
        options.setdefault("push_interval", None)
        # The fake API answers in a millisecond; Telegram's flood limits would only slow it.
        options.setdefault("rate_limiter", AIORateLimiter(overall_max_rate=0, group_max_rate=0))
        self.app = build_application(self.settings, clock=self.clock, **options)
        self.done = track(self.app)
        self._running = self.serve(self.app)
        await self._running.__aenter__()
        for chat in self.chats:
            chat.retrack(self.done)

    def serve(self, app):
        """How the application gets its updates: polling, as run_bot.py does by default."""
        return running(app)

    async def stop(self) -> None:
        if self._running is not None:
            running, self._running = self._running, None
            await running.__aexit__(None, None, None)

    async def restart(self, **options) -> None:
        """Stop the application and start a new one: only the database carries state."""
        await self.stop()
        await self.start(**options)

    def chat(self, name: str = "ailin", *, language_code: str | None = "en",
             registered: bool = True, status: str = "active", place=None,
             user_id: int | None = None) -> Conversation:
        """A simulated user; by default a registered, active worker in the first community."""
        user_id = user_id or next(_user_ids)
        user = self.api.user(user_id, name.title(), language_code=language_code)
        if registered:  # as /start with an invite leaves them, app language included
            worker = factories.worker(name, tg_user_id=user_id, status=status, place=place)
            worker.language = negotiate(language_code)
            worker.save()
        chat = Conversation(user, self.done)
        self.chats.append(chat)
        return chat


@pytest_asyncio.fixture
async def bot_api():
    async with LocalBotAPI(token=TOKEN) as api:
        yield api


@contextlib.contextmanager
def held_open(db_url: str):
    """Keep a second connection to a SQLite database, as the admin process would in
    production: the bot closes its connection after every update, and the last connection
    to close a WAL database checkpoints it with an fsync (~20 ms each on this disk)."""
    if not db_url.startswith("sqlite:///"):
        yield
        return
    keeper = sqlite3.connect(db_url[len("sqlite:///"):])
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()  # joins the WAL
    try:
        yield
    finally:
        keeper.close()


@contextlib.asynccontextmanager
async def harness_running(api: LocalBotAPI, db_url: str, tmp_path: Path, harness_class=None):
    """A started harness (``BotHarness`` or a subclass) on ``api`` and ``db_url``, stopped after."""
    settings = Settings(database_url=db_url, telegram_bot_token=api.token,
                        telegram_api_base_url=api.base_url, media_dir=str(tmp_path / "media"))
    harness = (harness_class or BotHarness)(api, settings, Clock(settings.timezone, today=TODAY))
    with held_open(db_url), pooled(db_url):
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()


@contextlib.contextmanager
def pooled(db_url: str):
    """PostgreSQL behind a pool while the bot runs, as run_bot.py binds it (bot/app.py): its
    updates' reads and writes then run off the event loop (bot.updates.off_loop)."""
    if db_url.startswith("sqlite"):
        yield
        return
    init_db(db_url, pool=True)
    try:
        yield
    finally:
        init_db(db_url)  # unpooled again, the pool's connections closed


@pytest_asyncio.fixture
async def bot_app(bot_api, db_url, tmp_path):
    async with harness_running(bot_api, db_url, tmp_path) as harness:
        yield harness


# ---------------------------------------------------------------------------------------------
# Reading the database the way the tests check it
# ---------------------------------------------------------------------------------------------

def worker_of(chat: Conversation) -> Worker:
    return Worker.get(Worker.tg_user_id == chat.user.id)


def reports_of(chat: Conversation) -> list[Report]:
    return list(Report.select().join(Worker).where(Worker.tg_user_id == chat.user.id)
                .order_by(Report.id))


def draft_of(chat: Conversation) -> Draft | None:
    return (Draft.select().join(Worker).where(Worker.tg_user_id == chat.user.id).first())


ACTIVITY = [
    "/report", ("press", "Activity held"),
    ("press", "Child care"), ("press", "Service"),
    "四点半课堂", ("press", "Yesterday"), "社区活动室", "30人", "二十", ("press", "Skip"),
    ("press", "Community"), ("press", "Volunteers"), ("press", "Done"),
    "五", ("press", "Skip"), ("press", "Skip"), ("press", "Skip"),
]


def open_at(chat: Conversation, kind: str, **answers) -> Draft:
    """An open draft with these answers already given, waiting on the next field: the engine
    keeps nothing but the Draft row, so this is where a worker would be after answering."""
    from models.forms.kinds import get_kind
    from models.reports.filing import save_draft, start_draft

    draft = start_draft(worker_of(chat), kind)
    draft.answers = answers
    draft.history = list(answers)
    nxt = get_kind(kind).next_field(answers)
    draft.step = nxt.name if nxt else None
    return save_draft(draft)


def unmark(update_id: int) -> None:
    """Forget that an update was handled, wherever its mark is (a ProcessedUpdate row, or its
    chat's ChatState: models.reports.filing.finish_update): the bot died before writing it."""
    ProcessedUpdate.delete().where(ProcessedUpdate.update_id == update_id).execute()
    for state in ChatState.select():
        handled = (state.data or {}).get("handled", [])
        if update_id in handled:
            state.data = {**state.data, "handled": [i for i in handled if i != update_id]}
            state.save()


def unchanged(draft: Draft) -> bool:
    """The draft in the database still has the answers and step it had."""
    now = Draft.get_by_id(draft.id)
    return now.answers == draft.answers and now.step == draft.step


#: What a tap on an older message's buttons is told (bot.chat.refuse_stale), or, when no
#: report is open any more, what a leftover card or question's button says.
STALE = "That button belongs to an earlier question."
REFUSALS = (STALE, "This report is no longer open.")


async def refused(chat: Conversation, messages: list[dict]) -> None:
    """Tap the first button but Submit of each of ``messages`` (bot messages showing
    buttons): each tap is refused with a toast, its buttons go, and nothing else changes (the
    draft, the other messages' buttons, no message sent)."""
    api = chat.user.api
    for message in messages:
        draft = draft_of(chat)
        others = {m["message_id"]: m.get("reply_markup") for m in chat.live()
                  if m["message_id"] != message["message_id"]}
        # a card's Submit names its report and acts from any card of it (bot/card.py)
        data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                    for b in row if not b["callback_data"].startswith("sub:"))
        replies = await chat.press(data, message["message_id"])
        answer = await api.callback_answer(chat.update_id)
        assert answer.get("text") in REFUSALS, (data, answer)
        assert replies == [], (data, replies)  # no message, no text changed
        assert not (chat.user._chat.messages[message["message_id"]].get("reply_markup") or {}
                    ).get("inline_keyboard"), data
        assert {m["message_id"]: m.get("reply_markup") for m in chat.live()} == others, data
        assert (draft_of(chat) is None if draft is None else unchanged(draft)), data


async def only_the_newest_acts(chat: Conversation) -> None:
    """The chat's older keyboards, left on screen when a new question is sent (the bot no
    longer edits them away: bot/chat.py), act on nothing: each is ``refused``."""
    await refused(chat, chat.live()[:-1])


def at_card(chat: Conversation, kind: str = "activity", **answers) -> Draft:
    """An open draft on its confirmation card: the factories' answers, optional fields
    skipped. Send "/report" and press "Continue" to see the card."""
    from models.forms.kinds import get_kind

    values = {**factories.ANSWERS[kind], **answers}
    for f in get_kind(kind).visible_fields(values):
        if f.name not in values and (f.optional or f.type == "photo"):
            values[f.name] = 0 if f.type == "photo" else None
    return open_at(chat, kind, **values)


CONTINUE = ["/report", ("press", "Continue")]


# -- run_bot.py as its own process -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
RUN_BOT = str(ROOT / "run_bot.py")
TEST_TOKEN = "4242:botkit-TEST-token"


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the bot's settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    return {**env, **extra}


_initialized: list[Path] = []  # one database made by `python -m models init`, copied per start


async def initialized_database(path: Path) -> Path:
    """A database at ``path`` as an operator makes one before the first start (`python -m
    models init`: schema, shipped kinds, places and plans); start-up itself writes nothing.
    Made once per session and copied."""
    if not _initialized:
        folder = Path(tempfile.mkdtemp(prefix="wushe-init-"))
        atexit.register(shutil.rmtree, folder, True)
        made = folder / "init.sqlite3"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "models", "--database-url", f"sqlite:///{made}", "init",
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=clean_env())
        out, err = await process.communicate()
        assert process.returncode == 0, (out + err).decode()
        _initialized.append(made)
    shutil.copy(_initialized[0], path)
    return path


async def start_run_bot(tmp_path, *args: str, api: LocalBotAPI | None = None,
                        token: str = TEST_TOKEN, init: bool = True,
                        **env: str) -> asyncio.subprocess.Process:
    """``run_bot.py *args`` as a user starts it: its own process in ``tmp_path``, a SQLite
    file there (made by `python -m models init` unless ``init`` is false or it exists) or
    the ``DATABASE_URL`` given, the fake Bot API ``api`` (if given) as its server."""
    database = tmp_path / "bot.sqlite3"
    if init and not database.exists() and "DATABASE_URL" not in env:
        await initialized_database(database)
    settings = dict(TELEGRAM_BOT_TOKEN=token, DATABASE_URL=f"sqlite:///{database}")
    if api is not None:
        settings["TELEGRAM_API_BASE_URL"] = api.base_url
    return await asyncio.create_subprocess_exec(
        sys.executable, RUN_BOT, *args, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=clean_env(**{**settings, **env}))

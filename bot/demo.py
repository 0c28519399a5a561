"""A whole conversation without Telegram: the real application against a local fake Bot API.

``run_demo`` (``run_bot.py --demo``) registers a scripted worker, files an activity report and
asks for /mystats, printing the chat as the worker sees it. ``running`` and ``Conversation``
are the same driver the end-to-end tests use: each step waits until the bot has processed
the update, then returns what the bot sent, so nothing waits on a sleep.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
from collections import Counter
from pathlib import Path

from telegram.ext import Application

from models.core.settings import ROOT, Settings

from .app import ALLOWED_UPDATES, build_application

DEMO_TOKEN = "424242:DEMO-not-a-real-token"
STEP_TIMEOUT = 10.0


def track(app: Application) -> Counter:
    """Count the updates the application has finished (dropped repeats included)."""
    done: Counter = Counter()
    changed = asyncio.Event()
    original = app.process_update

    async def process_update(update):
        try:
            await original(update)
        finally:
            done[getattr(update, "update_id", None)] += 1
            changed.set()

    async def until(update_id: int, times: int = 1, timeout: float = STEP_TIMEOUT) -> None:
        async with asyncio.timeout(timeout):
            while done[update_id] < times:
                changed.clear()
                await changed.wait()

    app.process_update = process_update
    done.until = until  # type: ignore[attr-defined]
    return done


@contextlib.asynccontextmanager
async def running(app: Application):
    """Start like ``run_polling`` does (initialize, post_init, poll, start); stop cleanly."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()


def buttons(markup) -> list[list[str]]:
    rows = (markup or {}).get("inline_keyboard") or []
    return [[b["text"] for b in row] for row in rows]


def show_entry(entry: dict) -> str:
    """One bot message as the transcript shows it: text, then its buttons."""
    mark = "🤖" if entry["kind"] != "edit" else "✏️"
    text = entry.get("text") or entry.get("caption") or f"({entry['kind']})"
    lines = text.split("\n")
    out = [f"{mark} {lines[0]}"] + [f"   {line}" for line in lines[1:]]
    for row in buttons(entry.get("reply_markup")):
        out.append("   " + " ".join(f"[{label}]" for label in row))
    return "\n".join(out)


class Conversation:
    """A simulated worker (a LocalBotAPI FakeUser) talking to a tracked application."""

    def __init__(self, user, done: Counter):
        self.user = user
        self.done = done
        self.lines: list[str] = []
        self.update_id: int | None = None  # of the last thing the user did

    def retrack(self, done: Counter) -> None:
        """After a restart: follow the new application."""
        self.done = done

    async def _step(self, shown: str, action) -> list[dict]:
        before = len(self.user.events)
        update_id = self.update_id = await action
        await self.done.until(update_id)
        self.lines.append(f"👤 {shown}")
        new = [e for e in self.user.events[before:] if e["kind"] in ("message", "edit", "photo")]
        self.lines += [show_entry(e) for e in new]
        return new

    async def send(self, text: str) -> list[dict]:
        return await self._step(text, self.user.send(text))

    async def press(self, button: str, message: dict | None = None) -> list[dict]:
        """Tap a button, by its label or its callback data, on ``message`` or else on the
        newest message that has buttons."""
        _, found = self.user._find_button(button, message)
        return await self._step(f"[{found['text']}]", self.user.press(button, message))

    async def photo(self, data: bytes) -> list[dict]:
        return await self._step(f"(photo, {len(data)} bytes)", self.user.send_photo(data))

    async def location(self, latitude: float, longitude: float) -> list[dict]:
        return await self._step(f"(location {latitude}, {longitude})",
                                self.user.send_location(latitude, longitude))

    def live(self) -> list[dict]:
        """Bot messages in this chat that still carry buttons."""
        bot_id = self.user.api.bot_id
        return [m for m in self.user._chat.messages.values()
                if m.get("from", {}).get("id") == bot_id
                and (m.get("reply_markup") or {}).get("inline_keyboard")]

    def callbacks(self) -> list[str]:
        """The callback data of the newest live keyboard."""
        live = self.live()
        rows = (live[-1].get("reply_markup") or {}).get("inline_keyboard") or [] if live else []
        return [b.get("callback_data", "") for row in rows for b in row]

    def keyboard(self) -> list[str]:
        """The labels of the newest live keyboard ([] if none)."""
        live = self.live()
        if not live:
            return []
        return [label for row in buttons(live[-1].get("reply_markup")) for label in row]

    @property
    def last(self) -> str:
        """The text of the newest bot message (after edits)."""
        entry = self.user.last_message
        return (entry.get("text") or "") if entry else ""

    def transcript(self) -> str:
        return "\n".join(self.lines)


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------

async def run_demo(settings: Settings, out: io.TextIOBase, *, language_code: str = "zh-hans",
                   var: Path = ROOT / "var") -> int:
    """Register a worker, file an activity report and ask for /mystats, printing the chat.

    The demo database (SQLite) and its photos are made afresh under ``var``.
    """
    try:
        from tests.botapi import LocalBotAPI
    except ImportError:
        out.write("The demo needs tests/botapi.py (run it from the repository).\n")
        return 1
    from models import bootstrap
    from models.core.db import database
    from models.core.schema import OrgUnit
    from models.org.workers import create_invite

    db_file = Path(var) / "demo.sqlite3"
    for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
        path.unlink(missing_ok=True)
    url = f"sqlite:///{db_file}"
    bootstrap(url)
    with database.connection_context():
        place = (OrgUnit.select().where(OrgUnit.level == "community")
                 .order_by(OrgUnit.code).first())
        invite = create_invite(place, created_by="demo")

    async with LocalBotAPI(token=DEMO_TOKEN) as api:
        settings = dataclasses.replace(
            settings, database_url=url, telegram_bot_token=DEMO_TOKEN,
            telegram_api_base_url=api.base_url, telegram_file_base_url=api.base_file_url,
            media_dir=str(Path(var) / "demo-media"))
        app = build_application(settings, outbox_interval=None)
        done = track(app)
        async with running(app):
            chat = Conversation(api.user(7001, "小李", language_code=language_code), done)
            await chat.send(f"/start {invite.code}")
            await chat.send("/report")
            await chat.press("k:activity")
            await chat.press("a:action_line:2")  # 儿童关爱 (children)
            await chat.press("a:activity_type:0")  # service
            await chat.send("四点半课堂")
            await chat.press(f"d:date:{app.bot_data['clock'].today()}")
            await chat.send("社区活动室")
            await chat.send("30人")
            await chat.press("mt:parties:1")
            await chat.press("mt:parties:9")
            await chat.press("md:parties:9")
            await chat.send("五")
            await chat.press("s:summary")
            await chat.photo(b"\xff\xd8\xff\xe0demo-photo" * 200)
            await chat.press("ok:photos")
            await chat.location(30.0123, 103.0011)
            await chat.press(next(data for data in chat.callbacks() if data.startswith("sub:")))
            await chat.send("/mystats")
        out.write(chat.transcript() + "\n")
    database.close()
    return 0

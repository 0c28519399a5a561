"""Talking to the real bot through the fake Bot API, as a user would.

``running`` starts the application as run_bot.py does (bot/polling.py); ``track`` counts the
updates it has finished; a ``Conversation`` is one simulated user whose every step (a text, a
button, a photo, a location) returns once the bot has processed it, with what the bot sent, so
nothing waits on a sleep. The end-to-end tests, the benchmarks and ``run_bot.py --demo`` all drive the
bot this way.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

from telegram.ext import Application

from bot.app import ALLOWED_UPDATES
from bot.polling import Poller, started

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
    """Start as run_bot.py does (bot/polling.py: updates confirmed once handled); stop
    cleanly, the updates in flight finished and confirmed."""
    poller = Poller(app, allowed_updates=ALLOWED_UPDATES, timeout=1)
    async with started(app):
        task = asyncio.create_task(poller.run())
        try:
            yield app
        finally:
            poller.stop()
            await task


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


async def walk(chat: Conversation, steps) -> None:
    """Run a script: a string is typed; ("press", label), ("photo", data) and
    ("location", lat, lon) are the other things a user does."""
    for step in steps:
        if isinstance(step, str):
            await chat.send(step)
        else:
            action, *args = step
            await getattr(chat, action)(*args)

"""The push schedule's tick: every minute, queue what is due and send it.

``models.pushes.deliveries.run_due`` decides what is due at the clock's instant (the weekly summary on
Monday 09:00 local time, a digest after each quarter and half-year) and is idempotent: a
period already queued is not queued again, so ticking every minute, or after a restart, is
safe. Computing a thousand groups' summaries takes a while, so it runs in a worker thread on
its own database connection and the bot keeps answering meanwhile; the outbox then sends
what was queued (bot/outbox.py).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram.ext import Application

from models.pushes import deliveries as pushes
from models.core.db import connection
from models.core.settings import Settings

from . import outbox
from .context import BotContext

log = logging.getLogger(__name__)

INTERVAL = 60.0  # seconds between ticks


def queue_due(at: dt.datetime, settings: Settings) -> list[int]:
    """The deliveries queued for ``at`` (ids); in a worker thread, on its own connection."""
    with connection():
        return [d.id for d in pushes.run_due(at, settings)]


async def tick(application: Application) -> list[int]:
    """Queue what the schedule says is due now, then send; returns the new deliveries."""
    settings = application.bot_data["settings"]
    at = application.bot_data["clock"].now_utc()
    created = await asyncio.to_thread(queue_due, at, settings)
    if created:
        log.info("pushes: %s deliveries queued at %s", len(created), at.isoformat())
    await outbox.drain(application)
    return created


async def job(context: BotContext) -> None:
    await tick(context.application)

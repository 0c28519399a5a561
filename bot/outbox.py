"""Sending what other processes queue in ``Outbox`` (rejection notices now, pushes later).

A JobQueue job drains pending rows every few seconds: each is sent once and marked ``sent``;
a failure records ``attempts`` and ``last_error`` and leaves the row pending for the next
round, until ``MAX_ATTEMPTS``; a chat that blocked the bot or a request Telegram refuses
(400) marks it ``failed`` at once. Rounds never
overlap (one lock per application), so a row is not sent twice by this process.
"""
from __future__ import annotations

import asyncio
import logging

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from models.i18n import translator
from models.schema import Outbox, now

from . import keyboards as kb
from .context import BotContext, db_session, stored_locale

log = logging.getLogger(__name__)

INTERVAL = 5.0  # seconds between rounds
BATCH = 50
MAX_ATTEMPTS = 5


def _markup(row: Outbox, default_locale: str):
    payload = row.payload or {}
    if payload.get("action") == "fix" and payload.get("report_uid"):
        t = translator(stored_locale(row.chat_id, default_locale))
        return kb.fix(payload["report_uid"], t)
    return None


async def drain(application: Application) -> int:
    """Send every pending row once; returns how many were sent."""
    lock = application.bot_data.setdefault("outbox_lock", asyncio.Lock())
    default_locale = application.bot_data["settings"].default_locale
    sent = 0
    async with lock:
        with db_session():
            rows = list(Outbox.select().where(Outbox.status == "pending")
                        .order_by(Outbox.id).limit(BATCH))
            for row in rows:
                try:
                    await application.bot.send_message(row.chat_id, row.text,
                                                       reply_markup=_markup(row, default_locale))
                except RetryAfter as e:
                    log.warning("outbox: flood limit, next round (row %s): %s", row.id, e)
                    break
                except TelegramError as e:
                    attempts = row.attempts + 1
                    # Blocked, or a request Telegram refuses as such: trying again will not help.
                    final = isinstance(e, (Forbidden, BadRequest)) or attempts >= MAX_ATTEMPTS
                    (Outbox.update(attempts=attempts, last_error=str(e)[:500],
                                   status="failed" if final else "pending")
                     .where(Outbox.id == row.id).execute())
                    log.warning("outbox: row %s to chat %s failed (attempt %s%s): %s", row.id,
                                row.chat_id, attempts, ", giving up" if final else "", e)
                    continue
                (Outbox.update(status="sent", sent_at=now(), attempts=row.attempts + 1,
                               last_error=None)
                 .where(Outbox.id == row.id).execute())
                sent += 1
    return sent


async def job(context: BotContext) -> None:
    await drain(context.application)

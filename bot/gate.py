"""What happens to every update before any handler sees it.

Group -2 drops an update already handled to the end (a redelivery must not act or reply
twice); the mark is written after the handlers, by ``WusheApplication.process_update``.
Group -1 binds the update's user to the context and keeps out who may not report: chats that
are not private are ignored; an unregistered user is told how to get an invite and nothing
else; a disabled or pending worker is told so. /start, /help and /lang are open to everyone.
"""
from __future__ import annotations

import datetime as dt
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from models.core.errors import InviteError
from models.forms.kinds import bind_scope
from models.core.i18n import N_
from models.core.messages import explain
from models.core.schema import ProcessedUpdate, now
from models.reports.filing import KEEP_HANDLED

from . import callbacks as cb
from .chat import answer
from .context import BotContext, db_session
from .updates import handling

log = logging.getLogger(__name__)

OPEN_COMMANDS = ("start", "help", "lang")
KEEP_UPDATE_IDS = KEEP_HANDLED
NOT_REGISTERED = N_(
    "This bot is for community workers reporting on the Five Forces plan. To register, open "
    "the invite link your county or township coordinator gave you, or send /start followed by "
    "the invite code.")
PENDING = N_("Your registration is waiting for your coordinator's approval. You can report as "
             "soon as it is approved.")


async def drop_repeats(update: Update, context: BotContext) -> None:
    if await context.handled_before(update):  # and loads the worker's rows (bot/context.py)
        log.info("update %s already processed: dropped", update.update_id)
        handling().marked = True
        raise ApplicationHandlerStop


def forget_updates_before(cutoff: dt.datetime) -> int:
    """Drop processed update ids older than ``cutoff``. Redeliveries come within hours, and
    after a week without updates Telegram numbers the next one at random: an old id kept
    forever could one day swallow a new update."""
    return ProcessedUpdate.delete().where(ProcessedUpdate.processed_at < cutoff).execute()


async def forget_old_updates(context: BotContext) -> None:
    with db_session():
        forget_updates_before(now() - KEEP_UPDATE_IDS)


def _is_open(update: Update) -> bool:
    message = update.message
    if message is not None and message.text and message.text.startswith("/"):
        command = message.text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
        return command in OPEN_COMMANDS
    query = update.callback_query
    if query is not None:
        return cb.unpack(query.data)[0] in cb.OPEN
    return False


async def tell(update: Update, text: str) -> None:
    """Answer whatever the user did with one message (and stop a button's spinner)."""
    if update.callback_query is not None:
        await answer(update)
    await update.effective_chat.send_message(text)


async def gate(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if (chat is None or chat.type != ChatType.PRIVATE or update.effective_user is None
            or not (update.message or update.callback_query)):
        raise ApplicationHandlerStop  # groups, channels, edits, member updates: not for us
    context.for_update(update)
    if _is_open(update):
        return
    worker = context.worker
    t = context.t
    if worker is None:
        await tell(update, t.gettext(NOT_REGISTERED))
        raise ApplicationHandlerStop
    if worker.status == "disabled":
        await tell(update, explain(InviteError("disabled"), t))
        raise ApplicationHandlerStop
    if worker.status != "active":
        await tell(update, t.gettext(PENDING))
        raise ApplicationHandlerStop
    bind_scope(worker.org_unit_id)  # choices from the registry: this worker's community only

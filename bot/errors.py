"""The one error handler: log with context (never the token), tell the user something useful."""
from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from models.core.i18n import negotiate, translator

from .context import BotContext

log = logging.getLogger("bot.errors")


def describe(update: object) -> str:
    if not isinstance(update, Update):
        return "job" if update is None else type(update).__name__
    what = ("callback " + repr(update.callback_query.data) if update.callback_query
            else "message" if update.message else "update")
    user = update.effective_user.id if update.effective_user else "-"
    return f"update {update.update_id} ({what} from user {user})"


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.warning("%s: %s", describe(update), error)  # the user blocked the bot
        raise ApplicationHandlerStop
    if isinstance(error, NetworkError):
        log.warning("%s: network error: %s", describe(update), error)
    else:
        log.error("%s failed", describe(update), exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        context.for_update(update)
        try:
            t = context.t
        except Exception:  # the database may be what failed
            user = update.effective_user
            t = translator(negotiate(user.language_code if user else None))
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
        except TelegramError:
            pass
        try:
            await update.effective_chat.send_message(t.gettext(
                "Sorry, something went wrong on my side. Your unfinished report is kept; please "
                "try again in a moment."))
        except TelegramError:
            pass
    raise ApplicationHandlerStop

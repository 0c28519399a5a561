"""Sending, with one live keyboard per chat: the buttons of the newest question (its message
id is kept in ``ChatState.data["kb"]``). Only they act: a tap on an older message's buttons
changes nothing, says so, and removes them (``is_live``, ``refuse_stale``). A new question is
sent without first editing the buttons off the one above (a typed answer costs one Bot API
call, not two); a question answered by a button is edited in place into the next one.

Answering a button (its spinner, its toast) and editing a message already sent are courtesies:
the answer is recorded and the next question is sent whether they go through or not. They go
through ``courtesy``, which logs and lets pass the refusals that mean the call is moot, and
nothing else: sending the next question is never one of them. Over a webhook the answer to a
button rides the 200 of Telegram's post instead (``answer``; ARCHITECTURE.md, "Webhook
replies"); under polling it is a call of its own, never skipped: without it Telegram's
clients keep the button's spinner turning for seconds whatever else the bot does.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import CallbackQuery, Update
from telegram.error import BadRequest, NetworkError, TelegramError

from models.core.db import save_later

from .context import BotContext
from .errors import describe
from .http import call
from .updates import handling

log = logging.getLogger(__name__)

ANSWER = "answerCallbackQuery"
EDIT_TEXT = "editMessageText"
EDIT_MARKUP = "editMessageReplyMarkup"

#: A message's text at most, in UTF-16 code units (Bot API, sendMessage and editMessageText).
TEXT_LIMIT = 4096
#: What Telegram says when answering a button is moot: its query has expired (the bot was
#: restarted or slow: Telegram waits about 15 s) or was answered already (a redelivery).
STALE_QUERY = ("query is too old", "query id is invalid")
#: ... and when an edit is moot: the message already reads so (a double tap), is gone, or is
#: too old to edit (48 hours).
MOOT_EDIT = ("message is not modified", "message to edit not found", "message can't be edited",
             "message_id_invalid", "there is no text in the message to edit")


def moot(method: str, error: TelegramError) -> bool:
    """Whether ``error`` from ``method`` leaves the conversation as it was meant to be."""
    text = str(error).lower()
    if method == ANSWER:
        if isinstance(error, BadRequest):
            return any(m in text for m in STALE_QUERY)
        return isinstance(error, NetworkError)  # TimedOut, a 5xx: the spinner stops by itself
    return isinstance(error, BadRequest) and any(m in text for m in MOOT_EDIT)


async def courtesy(where: str, method: str, call: Awaitable) -> bool:
    """Await a Bot API call the conversation can do without; False if it was moot (logged in
    one line, ``where`` saying for what). Any other failure is raised, to the error handler."""
    try:
        await call
    except TelegramError as e:
        if not moot(method, e):
            raise
        log.log(logging.WARNING if method == ANSWER else logging.INFO,
                "%s: %s skipped: %s", where, method, e)
        return False
    return True


async def answer(update: Update, text: str | None = None, *, show_alert: bool = False) -> bool:
    """Answer the tapped button: stop its spinner, with ``text`` as a toast or an alert.

    An update posted to the webhook carries its first answer in the reply to the post
    (bot/webhook.py), once it is handled: a tap then costs one HTTP call less. Under polling
    there is no reply to carry it, and the call is made now."""
    query = update.callback_query
    if handling().ride(ANSWER, callback_query_id=query.id, text=text,
                       show_alert=show_alert or None):
        return True
    return await courtesy(describe(update), ANSWER,
                          call(query.get_bot(), ANSWER, callback_query_id=query.id, text=text,
                               show_alert=show_alert))


def _edit(query: CallbackQuery, method: str, **params) -> Awaitable:
    """``query.edit_message_text``/``_reply_markup``, answered in JSON (``bot.http.call``:
    the edited message, keyboard included, is not parsed)."""
    if query.inline_message_id:
        target = {"inline_message_id": query.inline_message_id}
    else:
        target = {"chat_id": query.message.chat_id, "message_id": query.message.message_id}
    return call(query.get_bot(), method, **target, **params)


def _remember_keyboard(context: BotContext, message_id: int | None, *, save: bool = True) -> None:
    """Keep the live keyboard's message id; written with the update's draft and handled mark
    at its end (``models.core.db.save_later``: one write, one commit). ``save=False`` only in
    memory: for a change the next ``send`` of the same update overwrites. Should no send
    follow, the stored id names a message without buttons: closing it again is moot."""
    state = context.chat_state
    data = dict(state.data or {})
    if data.get("kb") == message_id and not (save and state.is_dirty()):
        return
    data["kb"] = message_id
    state.data = data
    if save:
        save_later(state)


def _live_keyboard(context: BotContext) -> int | None:
    return (context.chat_state.data or {}).get("kb")


async def close_keyboard(context: BotContext, chat_id: int, *, forget: bool = True) -> None:
    """Remove the buttons of the last question sent to this chat."""
    message_id = _live_keyboard(context)
    if not message_id:
        return
    await courtesy(f"chat {chat_id}, message {message_id}", EDIT_MARKUP,
                   call(context.bot, EDIT_MARKUP, chat_id=chat_id, message_id=message_id))
    if forget:
        _remember_keyboard(context, None)


async def send(update: Update, context: BotContext, text: str, markup=None) -> int:
    """Send ``text`` to the update's chat; its message id. With buttons it becomes the chat's
    live question, and the buttons above it go stale (they stay on screen: removing them would
    cost a call per question; ``refuse_stale`` answers a tap on them). Without buttons (a
    note, /help) the live question stays live."""
    chat_id = update.effective_chat.id
    message_id = (await call(context.bot, "sendMessage", chat_id=chat_id, text=text,
                             reply_markup=markup))["message_id"]
    # without buttons: the live id unchanged, written only if this update changed it (settle)
    _remember_keyboard(context, message_id if markup is not None else _live_keyboard(context))
    return message_id


def is_live(update: Update, context: BotContext) -> bool:
    """Whether the tapped button is on the chat's live question (the newest with buttons)."""
    message = update.callback_query.message
    return message is not None and message.message_id == _live_keyboard(context)


async def refuse_stale(update: Update, context: BotContext) -> None:
    """A tap on the buttons of an older message: nothing changes; a toast says so and the
    stale buttons are removed, so the worker is not misled twice."""
    await answer(update, context.t.gettext("That button belongs to an earlier question."))
    if update.callback_query.message is not None:
        await courtesy(describe(update), EDIT_MARKUP, _edit(update.callback_query, EDIT_MARKUP))


async def close_in_place(update: Update, context: BotContext, text: str) -> bool:
    """Replace the tapped message's text by ``text``, its buttons gone (the card becomes the
    saved report: no message of its own). False if it could not be edited."""
    query = update.callback_query
    if not getattr(query.message, "text", None) or len(text.encode("utf-16-le")) > 2 * TEXT_LIMIT:
        return False
    if not await courtesy(describe(update), EDIT_TEXT, _edit(query, EDIT_TEXT, text=text)):
        return False
    if _live_keyboard(context) == query.message.message_id:
        _remember_keyboard(context, None)
    return True


async def settle(update: Update, context: BotContext, shown: str | None = None) -> None:
    """Close the tapped question: show the answer under it and drop its buttons."""
    query = update.callback_query
    message = query.message
    if shown is not None and message.text:
        await courtesy(describe(update), EDIT_TEXT,
                       _edit(query, EDIT_TEXT, text=f"{message.text}\n→ {shown}"))
    else:
        await courtesy(describe(update), EDIT_MARKUP,
                       _edit(query, EDIT_MARKUP))
    if _live_keyboard(context) == message.message_id:
        _remember_keyboard(context, None, save=False)  # the next question's send saves it


async def ask_in_place(update: Update, context: BotContext, text: str, markup, *,
                       shown: str) -> None:
    """Turn the tapped question into the next one, in place: one edit instead of closing the
    tapped question and sending a new one (a tap costs two Bot API calls, not three); the
    tapped message keeps the chat's one live keyboard. A message that is no text (a photo)
    is settled and the question sent anew; one that cannot be edited (gone, too old): the
    question is sent anew."""
    message = update.callback_query.message
    if not getattr(message, "text", None):
        await settle(update, context, shown)
    elif await courtesy(describe(update), EDIT_TEXT,
                        _edit(update.callback_query, EDIT_TEXT, text=text, reply_markup=markup)):
        _remember_keyboard(context, message.message_id if markup is not None else None)
        return
    await send(update, context, text.split("\n\n", 1)[-1], markup)


async def swap_buttons(update: Update, markup) -> None:
    """Replace the tapped message's buttons in place (unchanged or gone: nothing to do)."""
    await courtesy(describe(update), EDIT_MARKUP,
                   _edit(update.callback_query, EDIT_MARKUP, reply_markup=markup))


async def no_report(update: Update, context: BotContext) -> None:
    await send(update, context, context.t.gettext(
        "You have no report open. Send /report to start one; /help lists everything I can do."))

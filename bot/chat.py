"""Sending, with one live keyboard per chat: before a new question is sent, the keyboard of
the previous one is removed (its message id is kept in ``ChatState.data["kb"]``), and a
question answered by a button is edited to show the answer."""
from __future__ import annotations

from telegram import Message, Update
from telegram.error import BadRequest

from .context import BotContext


def _remember_keyboard(context: BotContext, message_id: int | None) -> None:
    state = context.chat_state
    data = dict(state.data or {})
    if data.get("kb") == message_id:
        return
    data["kb"] = message_id
    state.data = data
    state.save()


def _live_keyboard(context: BotContext) -> int | None:
    return (context.chat_state.data or {}).get("kb")


async def close_keyboard(context: BotContext, chat_id: int, *, forget: bool = True) -> None:
    """Remove the buttons of the last question sent to this chat."""
    message_id = _live_keyboard(context)
    if not message_id:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest:
        pass  # already without buttons, deleted, or too old to edit
    if forget:
        _remember_keyboard(context, None)


async def send(update: Update, context: BotContext, text: str, markup=None) -> Message:
    chat_id = update.effective_chat.id
    await close_keyboard(context, chat_id, forget=False)
    message = await context.bot.send_message(chat_id, text, reply_markup=markup)
    _remember_keyboard(context, message.message_id if markup is not None else None)
    return message


async def settle(update: Update, context: BotContext, answer: str | None = None) -> None:
    """Close the tapped question: show the answer under it and drop its buttons."""
    query = update.callback_query
    message = query.message
    try:
        if answer is not None and message.text:
            await query.edit_message_text(f"{message.text}\n→ {answer}")
        else:
            await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest:
        pass
    if _live_keyboard(context) == message.message_id:
        _remember_keyboard(context, None)


async def swap_buttons(update: Update, markup) -> None:
    """Replace the tapped message's buttons in place (unchanged or gone: nothing to do)."""
    try:
        await update.callback_query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest:
        pass


async def no_report(update: Update, context: BotContext) -> None:
    await send(update, context, context.t.gettext(
        "You have no report open. Send /report to start one; /help lists everything I can do."))

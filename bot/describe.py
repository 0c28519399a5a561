"""One message, one report: a worker with no report open describes what they did, in their own
words (a text, a photo's caption, a forwarded message), and gets a draft already filled in.

The reading is ``models.extraction``'s; this module only routes. What was read becomes the
draft's answers (each checked by the form engine's own rules; a value they refuse is asked
instead), so the card comes at once when nothing required is missing, else the engine asks
only what is. A note above says what was understood and from which words. When the kind is
unclear, one question offers the likely kinds, as a reply to the message: the tap reads the
message again from that reply, so nothing is kept in between. Nothing is stored as a report
before Submit, as with any draft.
"""
from __future__ import annotations

import asyncio

from telegram import Message, Update
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from models.core.db import database
from models.core.errors import ValidationError
from models.core.messages import explain
from models.core.schema import ReportKind
from models.extraction import Extraction, extract, words_of
from models.forms.kinds import (KindDef, check_answers, earliest_date, options_for,
                                validate_choice)
from models.forms.parsing import parse_multi
from models.reports import photos
from models.reports.filing import save_draft, start_draft, store_photo

from . import callbacks as cb
from . import engine
from .chat import _remember_keyboard, answer, close_keyboard, no_report, settle
from .context import BotContext
from .questions import ask, keep_sources, show_value

#: k d:<kind code>: the kind of the message this question replies to.
KIND = "dk"


def _text_of(message: Message | None) -> str:
    return (message.text or message.caption or "") if message is not None else ""


def _written_on(message: Message, context: BotContext):
    """The day the message's words were written: a forwarded 工作简讯's own day (its 昨天 is
    the day before it was posted, not before it was forwarded), else today."""
    today = context.today()
    origin = getattr(message, "forward_origin", None)
    if origin is None or origin.date is None:
        return today
    return min(today, origin.date.astimezone(context.clock.tz).date())


async def on_text(update: Update, context: BotContext) -> None:
    """A text: an answer when a report is open (the engine's), else a report described."""
    if context.has_open_draft():
        await engine.on_text(update, context)
        return
    await _describe(update, context, update.effective_message)


async def on_photo(update: Update, context: BotContext) -> None:
    """A photo: for the open report's photo question, or with a caption, a report described."""
    message = update.effective_message
    if context.has_open_draft() or not message.caption or not message.photo:
        await engine.on_photo(update, context)
        return
    await _describe(update, context, message)


async def _describe(update: Update, context: BotContext, message: Message,
                    kind: str | None = None) -> None:
    found = extract(_text_of(message), today=_written_on(message, context),
                    earliest=earliest_date(), kind=kind)
    if found.kind is None:
        if not found.kinds:
            await no_report(update, context)
            return
        await _ask_kind(update, context, message, found)
        return
    row = ReportKind.get_or_none(ReportKind.code == found.kind, ReportKind.active == True)  # noqa: E712
    if row is None:
        await no_report(update, context)
        return
    await _start(update, context, KindDef.from_row(row), found, message)


async def _ask_kind(update: Update, context: BotContext, message: Message,
                    found: Extraction) -> None:
    t = context.t
    rows = {r.code: KindDef.from_row(r) for r in ReportKind.select().where(
        ReportKind.code.in_(found.kinds), ReportKind.active == True)}  # noqa: E712
    likely = [rows[c] for c in found.kinds if c in rows]
    markup = Markup([[Button(f"{k.emoji} {t.gettext(k.name)}".strip(),
                             callback_data=cb.pack(KIND, k.code))] for k in likely])
    chat_id = update.effective_chat.id
    await close_keyboard(context, chat_id, forget=False)
    sent = await context.bot.send_message(
        chat_id, t.gettext("Which kind of report is this message?"), reply_markup=markup,
        reply_to_message_id=message.message_id)
    _remember_keyboard(context, sent.message_id)


async def on_kind(update: Update, context: BotContext) -> None:
    """The kind chosen for a described message: read it again, with that kind."""
    query = update.callback_query
    _, args = cb.unpack(query.data)
    original = query.message.reply_to_message if query.message else None
    await answer(update)
    if context.has_open_draft() or original is None or not args:
        await settle(update, context)
        await engine.report_command(update, context)
        return
    row = ReportKind.get_or_none(ReportKind.code == args[0], ReportKind.active == True)  # noqa: E712
    kind = KindDef.from_row(row) if row else None
    await settle(update, context, f"{kind.emoji} {context.t.gettext(kind.name)}".strip()
                 if kind else None)
    if kind is None:
        await engine.report_command(update, context)
        return
    await _describe(update, context, original, kind=args[0])


def _checked(kind: KindDef, found: Extraction, locale: str) -> dict:
    """The values read that the form engine accepts as answers, in the kind's order."""
    answers: dict = {}
    for f in kind.fields:
        got = found.values.get(f.name)
        if got is None or not f.applies(answers):
            continue
        try:
            if f.field_type.has_options and f.field_type.multiple:
                value = parse_multi(list(got.value), f.name,
                                    [o.value for o in options_for(f, locale)])
            elif f.field_type.has_options:
                value = validate_choice(f, got.value, locale)
            elif f.type == "integer":
                value = int(got.value)
                if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
                    continue
            elif f.type == "text":
                value = str(got.value)[:f.max_length]
            else:
                value = got.value
            check_answers(kind, {**answers, f.name: value})
        except ValidationError:
            continue
        answers[f.name] = value
    return answers


def _note(kind: KindDef, found: Extraction, answers: dict, context: BotContext) -> str:
    """What was understood from the message, each value with the words it came from, and what
    the message left unsure."""
    t = context.t
    lines = [t.gettext("Understood from your message:")]
    for f in kind.fields:
        if f.name in answers and f.name in found.values:
            got = found.values[f.name]
            shown = show_value(f, answers[f.name], t, context.locale)
            line = "✓ " + t.gettext("{label}: {value}", label=t.gettext(f.label), value=shown)
            if got.source and got.source != shown:
                line += f" «{got.source}»"
            if got.approximate:
                line += " " + t.gettext("(approximate)")
            lines.append(line)
    for name, candidates in found.unsure.items():
        try:
            f = kind.field(name)
        except KeyError:
            continue
        said = " / ".join(c.source for c in candidates if c.source)
        lines.append("? " + t.gettext("{label}: not clear from the message", label=t.gettext(f.label))
                     + (f" ({said})" if said else ""))
    return "\n".join(lines)


async def _start(update: Update, context: BotContext, kind: KindDef, found: Extraction,
                 message: Message) -> None:
    answers = _checked(kind, found, context.locale)
    photo_field = next((f for f in kind.fields if f.field_type.prompt == "photos"), None)
    clean = None
    if message.photo and photo_field is not None:
        try:
            data = await engine._download(context, message.photo[-1], photo_field.name)
            clean = await asyncio.get_running_loop().run_in_executor(
                engine.PHOTO_WORKERS, photos.clean, data, photo_field.name)
        except ValidationError as e:
            await engine.send(update, context, explain(e, context.t))
    with database.atomic():
        draft = start_draft(context.worker, kind.code)
        if clean is not None:
            store_photo(context.settings.media_dir, clean, draft_uid=draft.uid,
                        field=photo_field.name, tg_file_id=message.photo[-1].file_id,
                        tg_file_unique_id=message.photo[-1].file_unique_id)
            answers[photo_field.name] = 1
        draft.history = list(answers)
        # only what is required and was not read is asked: optional fields the message did
        # not fill stay empty (as if skipped; Edit a field on the card still reaches them)
        for f in kind.fields:
            if f.is_optional:
                answers.setdefault(f.name, 0 if f.field_type.prompt == "photos" else None)
        draft.answers = answers
        nxt = kind.next_field(answers)
        draft.step = nxt.name if nxt else None
        draft.update_id = update.update_id
        save_draft(draft)
    text = _text_of(message)
    keep_sources(context, draft.uid, {
        name: (answers[name], words_of(text, got.source))
        for name, got in found.values.items() if name in answers and got.source})
    await ask(update, context, draft, note=_note(kind, found, answers, context))

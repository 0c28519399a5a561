"""The one form engine: walks any report kind, one question at a time, to a stored report.

Stateless between updates: everything it needs is the worker's ``Draft`` row, saved after
every answer, so a restart loses nothing (``bot.questions``: where a draft stands and how it
is shown; ``bot.chat``: one live keyboard per chat; ``bot.card``: the confirmation card).
Parsing, validation and storage are ``models``' job, by field type; this module routes the
worker's answers. A tap counts only on the chat's live question (``bot.chat.is_live``) and
only for the field being asked: any other is refused, with a toast, and changes nothing.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from telegram import Document, PhotoSize, Update
from telegram.error import BadRequest

from models.core.errors import ValidationError
from models.core.messages import explain
from models.core.schema import Draft
from models.forms.kinds import (FieldDef, KindDef, active_kinds, kind_row, options_for,
                                parse_answer, validate_choice)
from models.forms.parsing import parse_multi
from models.core.db import database
from models.reports import photos
from models.reports.filing import (discard_draft, draft_photos, save_draft,
                                    start_draft, store_photo)

from . import again
from . import callbacks as cb
from . import keyboards as kb
from .card import (cancel, on_card, on_edit, on_edit_field, on_fix, on_sources,  # noqa: F401
                   on_submit)
from .chat import (answer, ask_in_place, close_keyboard, is_live, no_report,  # noqa: F401
                   refuse_stale, send, settle, swap_buttons)
from .context import BotContext
from .questions import (EMPTY, ask, card_text, current_field, go_back, kind_of,  # noqa: F401
                        previous_field, question_keyboard, question_text, record, render,
                        replayed, show_value, understood)

#: Photos are decoded two at a time, whatever the number of chats sending them: a picture of
#: the most pixels takes a few hundred MB while it is turned and re-encoded.
PHOTO_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="photos")


# ---------------------------------------------------------------------------------------------
# Starting a report
# ---------------------------------------------------------------------------------------------

async def report_command(update: Update, context: BotContext) -> None:
    """/report: pick a kind, or continue the unfinished report."""
    t = context.t
    draft = context.open_draft()
    if draft is not None:
        kind = kind_of(draft)
        await send(update, context, t.gettext(
            "You have an unfinished report: {kind}. Continue it, or start a new one?",
            kind=f"{kind.emoji} {t.gettext(kind.name)}"), kb.unfinished(t))
        return
    await send(update, context, t.gettext("What would you like to report?"),
               again.with_repeats(kb.kinds(active_kinds(), t), context.worker, t))


async def on_kind(update: Update, context: BotContext) -> None:
    query = update.callback_query
    _, args = cb.unpack(query.data)
    code = args[0] if args else ""
    t = context.t
    draft = context.open_draft()
    if draft is not None and replayed(update, draft):  # started by this very tap
        await answer(update)
        await ask(update, context, draft)
        return
    if not is_live(update, context):  # an older menu: a newer message holds the buttons
        await refuse_stale(update, context)
        return
    if draft is not None and (draft.answers or draft.kind.code == code):
        # A second tap on the menu: never wipe answers, never ask the first question twice.
        await answer(update)
        if draft.answers:
            await report_command(update, context)
        return
    row = kind_row(code)
    if row is None or not row.active:
        await answer(update, t.gettext("This kind of report is no longer available."),
                     show_alert=True)
        return
    await answer(update)
    kind = KindDef.from_row(row)
    draft = start_draft(context.worker, code, later=True)
    first = kind.next_field({})
    draft.step = first.name if first else None
    draft.update_id = update.update_id
    save_draft(draft)
    chosen = f"{kind.emoji} {t.gettext(kind.name)}".strip()
    text, markup = render(draft, context)
    await ask_in_place(update, context, f"✓ {chosen}\n\n{text}", markup, shown=chosen)


async def on_continue(update: Update, context: BotContext) -> None:
    if not is_live(update, context):
        await refuse_stale(update, context)
        return
    await answer(update)
    draft = context.open_draft()
    await settle(update, context)
    if draft is None:
        await report_command(update, context)
        return
    await ask(update, context, draft)


async def on_restart(update: Update, context: BotContext) -> None:
    if not is_live(update, context):
        await refuse_stale(update, context)
        return
    await answer(update)
    draft = context.open_draft()
    if draft is not None:
        discard_draft(draft)
    await settle(update, context)
    await report_command(update, context)


# ---------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------

async def open_question(update: Update, context: BotContext
                        ) -> tuple[Draft, KindDef, FieldDef | None] | None:
    """The worker's draft, its kind and the field being asked; None (after saying so) when
    there is no report under way."""
    draft = context.open_draft()
    if draft is None:
        await no_report(update, context)
        return None
    if replayed(update, draft):  # its answer is saved already: ask what comes next
        await ask(update, context, draft)
        return None
    kind = kind_of(draft)
    return draft, kind, current_field(kind, draft)


async def on_text(update: Update, context: BotContext) -> None:
    """A typed answer: parsed and validated by the domain, or explained and asked again."""
    opened = await open_question(update, context)
    if opened is None:
        return
    draft, kind, f = opened
    try:
        if f is None or not f.field_type.typed:
            raise ValidationError(f.name if f else None, "use_buttons")
        typed = update.effective_message.text
        value = parse_answer(f, typed, today=context.today(), kind=kind.code)
        record(draft, kind, f, value, by=update)
    except ValidationError as e:
        await ask(update, context, draft, error=explain(e, context.t))
        return
    await ask(update, context, draft, note=understood(f, typed, value, context))


async def on_photo(update: Update, context: BotContext) -> None:
    """A photo for a photo field, sent as a photo or as any file: checked and re-encoded by
    the domain (``models.reports.photos``), kept on disk under its hash, counted against
    max_count. A file that is not a picture, or too large, is refused with the reason and the
    question stays (Skip and Done as before)."""
    t = context.t
    opened = await open_question(update, context)
    if opened is None:
        return
    draft, kind, f = opened
    if f is None or f.field_type.prompt != "photos":
        await ask(update, context, draft, error=explain(ValidationError(None, "wrong_type"), t))
        return
    count = len(draft_photos(draft, f.name))
    if count >= f.max_count:
        await ask(update, context, draft,
                  error=explain(ValidationError(f.name, "photo_limit", max=f.max_count), t))
        return
    message = update.effective_message
    photo = message.photo[-1] if message.photo else message.document  # sent "as a file"
    try:
        data = await _download(context, photo, f.name)
        # decoding and encoding a photo takes a while: off the loop that serves every chat
        clean = await asyncio.get_running_loop().run_in_executor(
            PHOTO_WORKERS, photos.clean, data, f.name)
    except ValidationError as e:
        await ask(update, context, draft, error=explain(e, t))
        return
    with database.atomic():  # the photo and the draft's stamp together (see ``replayed``)
        store_photo(context.settings.media_dir, clean, draft_uid=draft.uid, field=f.name,
                    tg_file_id=photo.file_id, tg_file_unique_id=photo.file_unique_id)
        draft.update_id = update.update_id
        save_draft(draft)
    await send(update, context,
               t.gettext("Photo {n} of {max} saved. Send another, or tap Done.",
                         n=count + 1, max=f.max_count),
               question_keyboard(kind, draft, f, t, context.locale, context.today()))


async def _download(context: BotContext, photo: PhotoSize | Document, field: str) -> bytes:
    """The file's bytes, refused by the size Telegram declares before any is downloaded (the
    message's, then getFile's), and by their count after."""
    photos.check_size(photo.file_size, field)
    try:
        tg_file = await context.bot.get_file(photo.file_id)
    except BadRequest as e:
        if "too big" in e.message.lower():  # the Bot API serves files up to 20 MB
            raise ValidationError(field, "photo_too_big", max=photos.MAX_MB) from None
        raise
    photos.check_size(tg_file.file_size, field)
    data = bytes(await tg_file.download_as_bytearray())
    photos.check_size(len(data), field)
    return data


async def on_location(update: Update, context: BotContext) -> None:
    opened = await open_question(update, context)
    if opened is None:
        return
    draft, kind, f = opened
    if f is None or f.field_type.prompt != "location":
        await ask(update, context, draft,
                  error=explain(ValidationError(None, "wrong_type"), context.t))
        return
    loc = update.effective_message.location
    record(draft, kind, f, {"lat": loc.latitude, "lon": loc.longitude}, by=update)
    await ask(update, context, draft)


async def on_other(update: Update, context: BotContext) -> None:
    """Stickers, voice, files...: not an answer to anything."""
    draft = context.open_draft()
    if draft is None:
        await no_report(update, context)
        return
    await ask(update, context, draft, error=explain(ValidationError(None, "wrong_type"), context.t))


async def _tapped_field(update: Update, context: BotContext
                        ) -> tuple[Draft, KindDef, FieldDef, list[str]] | None:
    """The draft and field a button answers, or None (after telling the user) if stale."""
    query = update.callback_query
    _, args = cb.unpack(query.data)
    draft = context.open_draft()
    if draft is None:
        await answer(update, context.t.gettext("This report is no longer open."))
        await settle(update, context)
        return None
    if replayed(update, draft):  # its answer is saved already: ask what comes next
        await answer(update)
        await ask(update, context, draft)
        return None
    if not is_live(update, context):  # an older question's buttons, still on screen
        await refuse_stale(update, context)
        return None
    kind = kind_of(draft)
    f = current_field(kind, draft)
    if f is None or not args or args[0] != f.name:
        await answer(update, context.t.gettext("That button belongs to an earlier question."))
        return None
    return draft, kind, f, args[1:]


async def _tapped_options(update: Update, context: BotContext
                          ) -> tuple[Draft, KindDef, FieldDef, list[str], list] | None:
    """A tapped field whose buttons are its options, with those options; None if stale."""
    tapped = await _tapped_field(update, context)
    return None if tapped is None else (*tapped, options_for(tapped[2], context.locale))


async def _answer(update: Update, context: BotContext, draft: Draft, kind: KindDef, f: FieldDef,
                  value, shown: str) -> None:
    """Record a tapped answer, then close its question and ask the next one."""
    try:
        record(draft, kind, f, value, by=update)
    except ValidationError as e:
        await answer(update)
        await settle(update, context)
        await ask(update, context, draft, error=explain(e, context.t))
        return
    await answer(update)
    t = context.t
    text, markup = render(draft, context)
    done = "✓ " + t.gettext("{label}: {value}", label=t.gettext(f.label), value=shown)
    await ask_in_place(update, context, f"{done}\n\n{text}", markup, shown=shown)


async def on_choice(update: Update, context: BotContext) -> None:
    tapped = await _tapped_options(update, context)
    if tapped is None:
        return
    draft, kind, f, args, options = tapped
    try:
        option = options[int(args[0])]
        value = validate_choice(f, option.value, context.locale)
    except (IndexError, ValueError, ValidationError):
        await answer(update, context.t.gettext("That button belongs to an earlier question."))
        return
    await _answer(update, context, draft, kind, f, value, kb.option_label(option, context.t))


async def on_toggle(update: Update, context: BotContext) -> None:
    """Multi-select: the selection lives in the buttons until Done, so a tap needs no write."""
    tapped = await _tapped_options(update, context)
    if tapped is None:
        return
    draft, kind, f, args, options = tapped
    t = context.t
    await answer(update)
    markup = kb.question(f, t, options=options, selected=int(args[0]),
                         can_go_back=previous_field(kind, draft, f) is not None,
                         editing=draft.editing)
    await swap_buttons(update, markup)


async def on_multi_done(update: Update, context: BotContext) -> None:
    tapped = await _tapped_options(update, context)
    if tapped is None:
        return
    draft, kind, f, args, options = tapped
    mask = int(args[0])
    chosen = [o.value for i, o in enumerate(options) if mask & (1 << i)]
    try:
        value = parse_multi(chosen, f.name, [o.value for o in options],
                            min_count=0 if f.optional else 1)
    except ValidationError as e:
        await answer(update, explain(e, context.t), show_alert=True)
        return
    await _answer(update, context, draft, kind, f, value,
                  show_value(f, value, context.t, context.locale) if value else "—")


async def on_quick(update: Update, context: BotContext) -> None:
    """A quick date or number: parsed and validated exactly like the typed answer."""
    tapped = await _tapped_field(update, context)
    if tapped is None:
        return
    draft, kind, f, args = tapped
    try:
        value = parse_answer(f, args[0], today=context.today(), kind=kind.code)
    except ValidationError as e:
        await answer(update)
        await settle(update, context)
        await ask(update, context, draft, error=explain(e, context.t))
        return
    await _answer(update, context, draft, kind, f, value,
                  show_value(f, value, context.t, context.locale))


async def on_skip(update: Update, context: BotContext) -> None:
    """Skip an optional field; for photos, Skip and Done both keep what was sent."""
    tapped = await _tapped_field(update, context)
    if tapped is None:
        return
    draft, kind, f, _ = tapped
    t = context.t
    if f.field_type.prompt == "photos":
        n = len(draft_photos(draft, f.name))
        await _answer(update, context, draft, kind, f, n,
                      show_value(f, n, t, context.locale) if n else t.gettext("Skipped"))
        return
    if not f.is_optional:
        await answer(update, explain(ValidationError(f.name, "required"), t))
        return
    await _answer(update, context, draft, kind, f, None, t.gettext("Skipped"))


async def on_back(update: Update, context: BotContext) -> None:
    tapped = await _tapped_field(update, context)
    if tapped is None:
        return
    draft, kind, f, _ = tapped
    await answer(update)
    if go_back(draft, kind, f, by=update):
        await settle(update, context)
    await ask(update, context, draft)

"""The one form engine: walks any report kind, one question at a time, to a stored report.

Stateless between updates: everything it needs is the worker's ``Draft`` row (``step`` is
the field being asked, ``None`` the confirmation card; ``answers``; ``history``, the order
answers were given; ``editing`` after an Edit), saved after every answer, so a restart loses
nothing. Back follows the form's order of the questions asked, so it always lands on the
question just above, however the worker got there. Parsing,
validation and storage are ``models``' job; this module asks, shows and routes.

The chat keeps one live keyboard: before a new question is sent, the keyboard of the previous
one is removed (its message id is kept in ``ChatState.data["kb"]``), and a question answered
by a button is edited to show the answer. A tap on an old button is checked against the
current step and refused if it answers another question.
"""
from __future__ import annotations

import logging

from babel.lists import format_list
from telegram import Message, Update
from telegram.error import BadRequest

from models.core.errors import NotFound, PermissionDenied, ValidationError
from models.forms.kinds import (FieldDef, KindDef, active_kinds, check_answers, kind_by_id, options_for,
                          parse_answer, validate_choice)
from models.core.i18n import N_, Translator
from models.core.messages import explain
from models.forms.parsing import parse_multi
from models.registry import mask_id_number
from models.reports.filing import (discard_draft, draft_from_report, draft_photos, open_draft,
                            save_draft, start_draft, store_photo, submit_draft)
from models.core.schema import Draft, Report, ReportKind

from . import callbacks as cb
from . import keyboards as kb
from .context import BotContext

log = logging.getLogger(__name__)

HINTS = {
    "date": N_("Tap a day below, or type a date such as 11月3日, 2026-11-03 or 上周六."),
    "location": N_("To share it, tap 📎 and choose Location."),
}
EMPTY = (None, "", [])


# ---------------------------------------------------------------------------------------------
# Draft state: pure functions of the Draft row
# ---------------------------------------------------------------------------------------------

def kind_of(draft: Draft) -> KindDef:
    return kind_by_id(draft.kind_id)


def current_field(kind: KindDef, draft: Draft) -> FieldDef | None:
    """The field being asked; None on the confirmation card.

    A step that no longer fits (the kind's definition changed, or an edit hid the field) is
    moved to the first unanswered field, so an old draft always resumes somewhere sensible.
    """
    if draft.step is None:
        return None
    f = next((x for x in kind.fields if x.name == draft.step), None)
    if f is None or not f.applies(draft.answers):
        f = kind.next_field(draft.answers)
        draft.step = f.name if f else None
        save_draft(draft)
    return f


def is_optional(f: FieldDef) -> bool:
    return f.optional or f.type == "photo"  # photos are never required


def record(draft: Draft, kind: KindDef, f: FieldDef, value) -> None:
    """Store an answer and move to the next unanswered field (or the card).

    Cross-field checks run first; on a ValidationError the draft is left as it was.
    """
    answers = {**draft.answers, f.name: value}
    check_answers(kind, answers)
    draft.answers = answers
    draft.history = [h for h in draft.history if h != f.name] + [f.name]
    nxt = kind.next_field(answers)
    draft.step = nxt.name if nxt else None
    if nxt is None:
        draft.editing = False
    save_draft(draft)


def previous_field(kind: KindDef, draft: Draft, f: FieldDef) -> FieldDef | None:
    """The question just above ``f`` among those asked, given the answers so far."""
    visible = kind.visible_fields(draft.answers)
    names = [x.name for x in visible]
    if f.name not in names:
        return None
    at = names.index(f.name)
    return visible[at - 1] if at > 0 else None


def go_back(draft: Draft, kind: KindDef, f: FieldDef) -> bool:
    """Ask the question above again; its answer is kept (and shown) until replaced."""
    prev = previous_field(kind, draft, f)
    if prev is None:
        return False
    draft.step = prev.name
    save_draft(draft)
    return True


def settle_skipped(draft: Draft, kind: KindDef) -> None:
    """A reopened report's optional fields that it has no value for were skipped (a stored
    report keeps no location key, for one): record them so, lest an edit asks them again."""
    answers = dict(draft.answers)
    for f in kind.visible_fields(answers):
        if f.name not in answers and is_optional(f):
            answers[f.name] = len(draft_photos(draft, f.name)) if f.type == "photo" else None
    if answers != draft.answers:
        draft.answers = answers
        save_draft(draft)


def selection_mask(f: FieldDef, options, answers: dict) -> int:
    chosen = answers.get(f.name) or []
    return sum(1 << i for i, o in enumerate(options) if o.value in chosen)


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

def show_value(f: FieldDef, value, t: Translator, locale: str) -> str:
    """An answer as the user reads it: options translated, money in CNY, dates localized."""
    if value in EMPTY or (f.type == "photo" and not value):
        return "—"
    if f.type in ("choice", "multi"):
        labels = {o.value: kb.option_label(o, t) for o in options_for(f, locale)}
        if f.type == "choice":
            return labels.get(value, str(value))
        return format_list([labels.get(v, str(v)) for v in value], locale=t.babel_locale)
    if f.type == "integer":
        return t.number(int(value))
    if f.type == "money":
        return t.money(value)
    if f.type == "date":
        return t.date(value, "full")
    if f.type == "id_number":
        return mask_id_number(str(value))  # the registry alone keeps it whole
    if f.type == "photo":
        return t.ngettext("{n} photo", "{n} photos", int(value))
    if f.type == "location":
        return f"{value['lat']:.5f}, {value['lon']:.5f}"
    return str(value)


def question_text(kind: KindDef, draft: Draft, f: FieldDef, t: Translator, locale: str, *,
                  error: str | None = None) -> str:
    visible = [x.name for x in kind.visible_fields(draft.answers)]
    lines = [f"⚠️ {error}", ""] if error else []
    step = t.gettext("Step {n}/{total}", n=visible.index(f.name) + 1, total=len(visible))
    lines.append(f"{kind.emoji} {step}".strip())
    lines.append(t.gettext(f.prompt))
    if f.type in HINTS:
        lines.append(t.gettext(HINTS[f.type]))
    if f.type != "photo" and draft.answers.get(f.name) not in EMPTY:
        lines.append(t.gettext("Current answer: {value}",
                               value=show_value(f, draft.answers[f.name], t, locale)))
    return "\n".join(lines)


def card_text(kind: KindDef, draft: Draft, t: Translator, locale: str, *,
              error: str | None = None) -> str:
    lines = [f"⚠️ {error}", ""] if error else []
    lines.append(f"{kind.emoji} {t.gettext(kind.name)}".strip())
    report = draft.editing_report
    if report is not None:
        lines.append(t.gettext("Correcting a report that was sent back. Reason: {reason}",
                               reason=report.reject_reason or "—"))
    lines.append(t.gettext("Please check your report, then tap Submit."))
    lines.append("")
    for f in kind.visible_fields(draft.answers):
        lines.append(t.gettext("{label}: {value}", label=t.gettext(f.label),
                               value=show_value(f, draft.answers.get(f.name), t, locale)))
    return "\n".join(lines)


def question_keyboard(kind: KindDef, draft: Draft, f: FieldDef, t: Translator, locale: str,
                      today):
    options = options_for(f, locale) if f.type in ("choice", "multi") else ()
    return kb.question(
        f, t, options=options, selected=selection_mask(f, options, draft.answers),
        today=today, photos=len(draft_photos(draft, f.name)) if f.type == "photo" else 0,
        can_go_back=previous_field(kind, draft, f) is not None, editing=draft.editing)


def render(draft: Draft, context: BotContext, *, error: str | None = None):
    """(text, keyboard) for where the draft stands: its current question, or the card."""
    kind = kind_of(draft)
    t, locale = context.t, context.locale
    f = current_field(kind, draft)
    if f is None:
        return card_text(kind, draft, t, locale, error=error), kb.card(draft.uid, t)
    return (question_text(kind, draft, f, t, locale, error=error),
            question_keyboard(kind, draft, f, t, locale, context.today()))


# ---------------------------------------------------------------------------------------------
# Sending: one live keyboard per chat
# ---------------------------------------------------------------------------------------------

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


async def ask(update: Update, context: BotContext, draft: Draft, *, error: str | None = None,
              note: str | None = None) -> None:
    """Send the draft's current question (or the card), with an error or a note above it."""
    text, markup = render(draft, context, error=error)
    await send(update, context, f"{note}\n\n{text}" if note else text, markup)


def understood(f: FieldDef, typed: str, value, context: BotContext) -> str | None:
    """How a typed number or date was read, when it was not written that way ("上周六",
    "三十", "1.5万"): the worker sees at once what will be stored."""
    if f.type not in ("date", "integer", "money"):
        return None
    shown = show_value(f, value, context.t, context.locale)
    if typed.strip() == shown:
        return None
    t = context.t
    return "✓ " + t.gettext("{label}: {value}", label=t.gettext(f.label), value=shown)


async def no_report(update: Update, context: BotContext) -> None:
    await send(update, context, context.t.gettext(
        "You have no report open. Send /report to start one; /help lists everything I can do."))


# ---------------------------------------------------------------------------------------------
# Starting a report
# ---------------------------------------------------------------------------------------------

async def report_command(update: Update, context: BotContext) -> None:
    """/report: pick a kind, or continue the unfinished report."""
    t = context.t
    draft = open_draft(context.worker)
    if draft is not None:
        kind = kind_of(draft)
        await send(update, context, t.gettext(
            "You have an unfinished report: {kind}. Continue it, or start a new one?",
            kind=f"{kind.emoji} {t.gettext(kind.name)}"), kb.unfinished(t))
        return
    await send(update, context, t.gettext("What would you like to report?"),
               kb.kinds(active_kinds(), t))


async def on_kind(update: Update, context: BotContext) -> None:
    query = update.callback_query
    _, args = cb.unpack(query.data)
    code = args[0] if args else ""
    t = context.t
    draft = open_draft(context.worker)
    if draft is not None and (draft.answers or draft.kind.code == code):
        # A second tap on the menu: never wipe answers, never ask the first question twice.
        await query.answer()
        if draft.answers:
            await report_command(update, context)
        return
    row = ReportKind.get_or_none(ReportKind.code == code, ReportKind.active == True)  # noqa: E712
    if row is None:
        await query.answer(t.gettext("This kind of report is no longer available."),
                           show_alert=True)
        return
    await query.answer()
    kind = KindDef.from_row(row)
    draft = start_draft(context.worker, code)
    first = kind.next_field({})
    draft.step = first.name if first else None
    save_draft(draft)
    await settle(update, context, f"{kind.emoji} {t.gettext(kind.name)}".strip())
    await ask(update, context, draft)


async def on_continue(update: Update, context: BotContext) -> None:
    await update.callback_query.answer()
    draft = open_draft(context.worker)
    await settle(update, context)
    if draft is None:
        await report_command(update, context)
        return
    await ask(update, context, draft)


async def on_restart(update: Update, context: BotContext) -> None:
    await update.callback_query.answer()
    draft = open_draft(context.worker)
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
    draft = open_draft(context.worker)
    if draft is None:
        await no_report(update, context)
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
        if f is None or f.type in ("photo", "location"):
            raise ValidationError(f.name if f else None, "use_buttons")
        typed = update.effective_message.text
        value = parse_answer(f, typed, today=context.today())
        record(draft, kind, f, value)
    except ValidationError as e:
        await ask(update, context, draft, error=explain(e, context.t))
        return
    await ask(update, context, draft, note=understood(f, typed, value, context))


async def on_photo(update: Update, context: BotContext) -> None:
    """A photo for a photo field: kept on disk under its hash, counted against max_count."""
    t = context.t
    opened = await open_question(update, context)
    if opened is None:
        return
    draft, kind, f = opened
    if f is None or f.type != "photo":
        await ask(update, context, draft, error=explain(ValidationError(None, "wrong_type"), t))
        return
    count = len(draft_photos(draft, f.name))
    if count >= f.max_count:
        await ask(update, context, draft,
                  error=explain(ValidationError(f.name, "photo_limit", max=f.max_count), t))
        return
    message = update.effective_message
    photo = message.photo[-1] if message.photo else message.document  # sent "as a file"
    tg_file = await context.bot.get_file(photo.file_id)
    data = await tg_file.download_as_bytearray()
    store_photo(context.settings.media_dir, bytes(data), draft_uid=draft.uid, field=f.name,
                tg_file_id=photo.file_id, tg_file_unique_id=photo.file_unique_id)
    save_draft(draft)
    await send(update, context,
               t.gettext("Photo {n} of {max} saved. Send another, or tap Done.",
                         n=count + 1, max=f.max_count),
               question_keyboard(kind, draft, f, t, context.locale, context.today()))


async def on_location(update: Update, context: BotContext) -> None:
    opened = await open_question(update, context)
    if opened is None:
        return
    draft, kind, f = opened
    if f is None or f.type != "location":
        await ask(update, context, draft,
                  error=explain(ValidationError(None, "wrong_type"), context.t))
        return
    loc = update.effective_message.location
    record(draft, kind, f, {"lat": loc.latitude, "lon": loc.longitude})
    await ask(update, context, draft)


async def on_other(update: Update, context: BotContext) -> None:
    """Stickers, voice, files...: not an answer to anything."""
    draft = open_draft(context.worker)
    if draft is None:
        await no_report(update, context)
        return
    await ask(update, context, draft, error=explain(ValidationError(None, "wrong_type"), context.t))


async def _tapped_field(update: Update, context: BotContext
                        ) -> tuple[Draft, KindDef, FieldDef, list[str]] | None:
    """The draft and field a button answers, or None (after telling the user) if stale."""
    query = update.callback_query
    _, args = cb.unpack(query.data)
    draft = open_draft(context.worker)
    if draft is None:
        await query.answer(context.t.gettext("This report is no longer open."))
        await settle(update, context)
        return None
    kind = kind_of(draft)
    f = current_field(kind, draft)
    if f is None or not args or args[0] != f.name:
        await query.answer(context.t.gettext("That button belongs to an earlier question."))
        return None
    return draft, kind, f, args[1:]


async def _answer(update: Update, context: BotContext, draft: Draft, kind: KindDef, f: FieldDef,
                  value, shown: str) -> None:
    """Record a tapped answer, then close its question and ask the next one."""
    query = update.callback_query
    try:
        record(draft, kind, f, value)
    except ValidationError as e:
        await query.answer()
        await settle(update, context)
        await ask(update, context, draft, error=explain(e, context.t))
        return
    await query.answer()
    await settle(update, context, shown)
    await ask(update, context, draft)


async def on_choice(update: Update, context: BotContext) -> None:
    tapped = await _tapped_field(update, context)
    if tapped is None:
        return
    draft, kind, f, args = tapped
    options = options_for(f, context.locale)
    try:
        option = options[int(args[0])]
        value = validate_choice(f, option.value, context.locale)
    except (IndexError, ValueError, ValidationError):
        await update.callback_query.answer(
            context.t.gettext("That button belongs to an earlier question."))
        return
    await _answer(update, context, draft, kind, f, value, kb.option_label(option, context.t))


async def on_toggle(update: Update, context: BotContext) -> None:
    """Multi-select: the selection lives in the buttons until Done, so a tap needs no write."""
    tapped = await _tapped_field(update, context)
    if tapped is None:
        return
    draft, kind, f, args = tapped
    t, locale = context.t, context.locale
    options = options_for(f, locale)
    await update.callback_query.answer()
    markup = kb.question(f, t, options=options, selected=int(args[0]),
                         can_go_back=previous_field(kind, draft, f) is not None,
                         editing=draft.editing)
    await swap_buttons(update, markup)


async def on_multi_done(update: Update, context: BotContext) -> None:
    tapped = await _tapped_field(update, context)
    if tapped is None:
        return
    draft, kind, f, args = tapped
    options = options_for(f, context.locale)
    mask = int(args[0])
    chosen = [o.value for i, o in enumerate(options) if mask & (1 << i)]
    try:
        value = parse_multi(chosen, f.name, [o.value for o in options],
                            min_count=0 if f.optional else 1)
    except ValidationError as e:
        await update.callback_query.answer(explain(e, context.t), show_alert=True)
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
        value = parse_answer(f, args[0], today=context.today())
    except ValidationError as e:
        await update.callback_query.answer()
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
    if f.type == "photo":
        n = len(draft_photos(draft, f.name))
        await _answer(update, context, draft, kind, f, n,
                      show_value(f, n, t, context.locale) if n else t.gettext("Skipped"))
        return
    if not is_optional(f):
        await update.callback_query.answer(explain(ValidationError(f.name, "required"), t))
        return
    await _answer(update, context, draft, kind, f, None, t.gettext("Skipped"))


async def on_back(update: Update, context: BotContext) -> None:
    tapped = await _tapped_field(update, context)
    if tapped is None:
        return
    draft, kind, f, _ = tapped
    await update.callback_query.answer()
    if go_back(draft, kind, f):
        await settle(update, context)
    await ask(update, context, draft)


# ---------------------------------------------------------------------------------------------
# The confirmation card
# ---------------------------------------------------------------------------------------------

async def _card_draft(update: Update, context: BotContext) -> Draft | None:
    """The draft a card button acts on, if it is still on its card."""
    draft = open_draft(context.worker)
    if draft is None:
        await update.callback_query.answer(context.t.gettext("This report is no longer open."))
        await settle(update, context)
        return None
    return draft


async def on_submit(update: Update, context: BotContext) -> None:
    """Store the report exactly once: a second tap finds it by the draft's uid."""
    query = update.callback_query
    t = context.t
    _, args = cb.unpack(query.data)
    uid = args[0] if args else ""
    draft = open_draft(context.worker)
    if draft is None or draft.uid != uid:
        if Report.select().where(Report.uid == uid).exists():
            await query.answer(t.gettext("This report is already saved."))
        else:
            await query.answer(t.gettext("This report is no longer open."))
        await settle(update, context)
        return
    kind = kind_of(draft)
    if current_field(kind, draft) is not None:
        await query.answer()
        await ask(update, context, draft)
        return
    correcting = draft.editing_report_id is not None
    try:
        report, created = submit_draft(draft, today=context.today(), update_id=update.update_id)
    except ValidationError as e:
        if e.field and any(f.name == e.field for f in kind.fields):
            draft.step = e.field
            draft.editing = True
            save_draft(draft)
        await query.answer()
        await settle(update, context)
        await ask(update, context, draft, error=explain(e, t))
        return
    except PermissionDenied:
        await query.answer()
        await send(update, context, t.gettext(
            "Your account is not active, so the report cannot be submitted. Please contact "
            "your coordinator."))
        return
    await query.answer(t.gettext("Saved"))
    await settle(update, context)
    if correcting:
        text = t.gettext("Thank you! Your corrected report was sent for review again.")
    else:
        text = t.gettext("Thank you! Your report is saved (No. {number}). Send /report for "
                         "the next one.",
                         number=report.id)
    await send(update, context, text)
    log.info("report %s %s by worker %s (%s)", report.id, "stored" if created else "found",
             report.worker_id, kind.code)


async def on_edit(update: Update, context: BotContext) -> None:
    """Edit a field: the card's buttons become the list of fields."""
    draft = await _card_draft(update, context)
    if draft is None:
        return
    kind = kind_of(draft)
    await update.callback_query.answer()
    await swap_buttons(update, kb.edit_fields(kind.visible_fields(draft.answers), context.t))


async def on_edit_field(update: Update, context: BotContext) -> None:
    draft = await _card_draft(update, context)
    if draft is None:
        return
    _, args = cb.unpack(update.callback_query.data)
    kind = kind_of(draft)
    f = next((x for x in kind.visible_fields(draft.answers) if args and x.name == args[0]), None)
    await update.callback_query.answer()
    if f is None:
        await ask(update, context, draft)
        return
    draft.step = f.name
    draft.editing = True
    save_draft(draft)
    await settle(update, context)
    await ask(update, context, draft)


async def on_card(update: Update, context: BotContext) -> None:
    """Back to the card, from the field list or from a question opened by Edit."""
    draft = await _card_draft(update, context)
    if draft is None:
        return
    query = update.callback_query
    await query.answer()
    on_card = draft.step is None
    kind = kind_of(draft)
    nxt = kind.next_field(draft.answers)  # an edit may have made a new field appear
    draft.step = nxt.name if nxt else None
    draft.editing = False
    save_draft(draft)
    if on_card and draft.step is None:
        await swap_buttons(update, kb.card(draft.uid, context.t))
        return
    await settle(update, context)
    await ask(update, context, draft)


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel or the card's Cancel: discard the draft (and its photos) and say so."""
    t = context.t
    if update.callback_query:
        await update.callback_query.answer()
        await settle(update, context)
    draft = open_draft(context.worker)
    if draft is None:
        await send(update, context, t.gettext("There is no report to cancel."))
        return
    discard_draft(draft)
    await send(update, context, t.gettext(
        "The report was cancelled and nothing was saved. Send /report to start again."))


# ---------------------------------------------------------------------------------------------
# Correcting a rejected report
# ---------------------------------------------------------------------------------------------

async def on_fix(update: Update, context: BotContext) -> None:
    """Reopen a rejected report on its confirmation card; Submit updates the same report.

    The notice keeps its button: a worker who cancels the correction can open it again.
    """
    query = update.callback_query
    t = context.t
    _, args = cb.unpack(query.data)
    report = Report.get_or_none(Report.uid == (args[0] if args else ""))
    if report is None or report.worker_id != context.worker.id:
        await query.answer(t.gettext("This report cannot be found."), show_alert=True)
        return
    if report.status != "rejected":
        await query.answer(t.gettext("This report is not waiting for a correction."),
                           show_alert=True)
        return
    draft = open_draft(context.worker)
    if draft is not None and draft.editing_report_id == report.id:
        await query.answer()
        await ask(update, context, draft)  # already correcting it: carry on
        return
    confirmed = len(args) > 1 and args[1] == "y"
    if draft is not None and draft.answers and not confirmed:
        await query.answer()
        await send(update, context, t.gettext(
            "You have an unfinished report. Correcting this one will discard it."),
            kb.fix_anyway(report.uid, t))
        return
    await query.answer()
    if draft is not None:
        discard_draft(draft)
    try:
        draft = draft_from_report(context.worker, report)
    except NotFound:
        await send(update, context, t.gettext("This report cannot be found."))
        return
    settle_skipped(draft, kind_of(draft))
    await ask(update, context, draft)


"""The confirmation card (Submit, Edit a field, Cancel) and the correction of a rejected
report, which reopens on its card."""
from __future__ import annotations

import logging

from telegram import Update

from models.core.errors import NotFound, PermissionDenied, ValidationError
from models.core.messages import explain
from models.core.schema import Draft, Report
from models.reports.filing import (discard_draft, draft_from_report, save_draft,
                                    submit_draft)

from . import callbacks as cb
from . import keyboards as kb
from .chat import (answer, ask_in_place, close_in_place, close_keyboard, is_live, refuse_stale,
                   send, settle, swap_buttons)
from .context import BotContext
from .questions import (SOURCES_MARK, ask, card_keyboard, card_text, current_field, kind_of,
                        settle_skipped, sources_of, sources_text)

log = logging.getLogger("bot.engine")


async def _card_draft(update: Update, context: BotContext) -> Draft | None:
    """The draft a card button acts on, if the report is open and the button on the live
    message (an older card or question: refused, ``refuse_stale``)."""
    draft = context.open_draft()
    if draft is None:
        await answer(update, context.t.gettext("This report is no longer open."))
        await settle(update, context)
        return None
    if not is_live(update, context):
        await refuse_stale(update, context)
        return None
    return draft


async def on_submit(update: Update, context: BotContext) -> None:
    """Store the report exactly once: a second tap finds it by the draft's uid."""
    query = update.callback_query
    t = context.t
    _, args = cb.unpack(query.data)
    uid = args[0] if args else ""
    draft = context.open_draft()
    if draft is None or draft.uid != uid:
        saved = Report.get_or_none(Report.uid == uid, Report.worker == context.worker)
        await answer(update, t.gettext("This report is already saved.") if saved else
                     t.gettext("This report is no longer open."))
        await settle(update, context)
        if saved is not None:
            await _already_saved(update, context, saved, draft)
        return
    # Submit names its report: from an older card of it too (a card asked again after a
    # crash before the update was confirmed: the worker taps the first), whose text is
    # rewritten from what is stored; the live card's buttons are then closed
    older = not is_live(update, context)
    kind = kind_of(draft)
    if current_field(kind, draft) is not None:
        await answer(update)
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
        await answer(update)
        await settle(update, context)
        await ask(update, context, draft, error=explain(e, t))
        return
    except PermissionDenied:
        await answer(update)
        await send(update, context, t.gettext(
            "Your account is not active, so the report cannot be submitted. Please contact "
            "your coordinator."))
        return
    await answer(update, t.gettext("Saved"))
    if correcting:
        text = t.gettext("Thank you! Your corrected report was sent for review again.")
    else:
        text = t.gettext("Thank you! Your report is saved (No. {number}). Send /report for "
                         "the next one.",
                         number=report.id)
    # the card becomes the saved report, the thanks where its buttons were: one edit, not an
    # edit and a message (a card gone or too long: its buttons closed, the thanks sent)
    if older:
        await close_keyboard(context, update.effective_chat.id)
    if not await close_in_place(update, context,
                                card_text(kind, draft, t, context.locale, saved=text)):
        await settle(update, context)
        await send(update, context, text)
    log.info("report %s %s by worker %s (%s)", report.id, "stored" if created else "found",
             report.worker_id, kind.code)


async def _already_saved(update: Update, context: BotContext, report: Report,
                         draft: Draft | None) -> None:
    """A second tap on Submit, or one redelivered after its report was stored: say which
    report holds it (the toast may never show: a replayed button's query is too old to
    answer), then carry on with the report under way, if any."""
    text = context.t.gettext("This report is already saved (No. {number}).", number=report.id)
    if draft is None:
        await send(update, context, text)
    else:
        await ask(update, context, draft, note=text)


async def on_edit(update: Update, context: BotContext) -> None:
    """Edit a field: the card's buttons become the list of fields."""
    draft = await _card_draft(update, context)
    if draft is None:
        return
    kind = kind_of(draft)
    await answer(update)
    markup = kb.edit_fields(kind.visible_fields(draft.answers), context.t)
    text = update.callback_query.message.text or ""
    if SOURCES_MARK in text:  # going on hides the sources
        await ask_in_place(update, context, text.split(SOURCES_MARK, 1)[0], markup, shown="")
        return
    await swap_buttons(update, markup)


async def on_sources(update: Update, context: BotContext) -> None:
    """Show (or hide again) under the card the words of the message each value came from."""
    draft = await _card_draft(update, context)
    if draft is None:
        return
    await answer(update)
    if draft.step is not None:
        await settle(update, context)
        await ask(update, context, draft)
        return
    _, args = cb.unpack(update.callback_query.data)
    show = args == ["1"]
    found = sources_of(kind_of(draft), draft, context)
    text = (update.callback_query.message.text or "").split(SOURCES_MARK, 1)[0]
    if show and found:
        text += SOURCES_MARK + sources_text(found, context.t)
    await ask_in_place(update, context, text, card_keyboard(draft, context, sources=show),
                       shown="")


async def on_edit_field(update: Update, context: BotContext) -> None:
    draft = await _card_draft(update, context)
    if draft is None:
        return
    _, args = cb.unpack(update.callback_query.data)
    kind = kind_of(draft)
    f = next((x for x in kind.visible_fields(draft.answers) if args and x.name == args[0]), None)
    await answer(update)
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
    await answer(update)
    on_card = draft.step is None
    kind = kind_of(draft)
    nxt = kind.next_field(draft.answers)  # an edit may have made a new field appear
    draft.step = nxt.name if nxt else None
    draft.editing = False
    save_draft(draft)
    if on_card and draft.step is None:
        await swap_buttons(update, card_keyboard(draft, context))
        return
    await settle(update, context)
    await ask(update, context, draft)


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel or the card's Cancel: discard the draft (and its photos) and say so."""
    t = context.t
    if update.callback_query:
        if not is_live(update, context):  # an older card's Cancel
            await refuse_stale(update, context)
            return
        await answer(update)
        await settle(update, context)
    draft = context.open_draft()
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
        await answer(update, t.gettext("This report cannot be found."), show_alert=True)
        return
    if report.status != "rejected":
        await answer(update, t.gettext("This report is not waiting for a correction."),
                     show_alert=True)
        return
    draft = context.open_draft()
    if draft is not None and draft.editing_report_id == report.id:
        await answer(update)
        await ask(update, context, draft)  # already correcting it: carry on
        return
    confirmed = len(args) > 1 and args[1] == "y"
    if draft is not None and draft.answers and not confirmed:
        await answer(update)
        await send(update, context, t.gettext(
            "You have an unfinished report. Correcting this one will discard it."),
            kb.fix_anyway(report.uid, t))
        return
    await answer(update)
    if draft is not None:
        discard_draft(draft)
    try:
        draft = draft_from_report(context.worker, report)
    except NotFound:
        await send(update, context, t.gettext("This report cannot be found."))
        return
    settle_skipped(draft, kind_of(draft))
    await ask(update, context, draft)

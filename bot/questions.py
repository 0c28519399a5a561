"""Where a report under way stands, and how it is shown: the current question with its
buttons, or the confirmation card.

Pure functions of the worker's ``Draft`` row (``step`` is the field being asked, ``None`` the
confirmation card; ``answers``; ``history``, the order answers were given; ``editing`` after
an Edit), saved after every change. Back follows the form's order of the questions asked, so
it always lands on the question just above. How a value is shown and which buttons a question
gets is the field type's (``models.forms.fieldtypes``).
"""
from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from models.core.i18n import Translator
from models.core.schema import Draft
from models.forms.kinds import FieldDef, KindDef, check_answers, kind_by_id, options_for
from models.reports.filing import draft_photos, save_draft

from . import keyboards as kb
from .chat import send
from .context import BotContext

EMPTY = (None, "", [])


# ---------------------------------------------------------------------------------------------
# Draft state
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


def replayed(update: Update, draft: Draft) -> bool:
    """Whether ``update`` is the one whose answer the draft saved last: delivered again after
    its answer was saved (the bot died before it replied and marked it handled)."""
    return draft.update_id is not None and draft.update_id == update.update_id


def record(draft: Draft, kind: KindDef, f: FieldDef, value, *, by: Update | None = None) -> None:
    """Store an answer and move to the next unanswered field (or the card), stamped with the
    update ``by`` that gave it (see ``replayed``).

    Cross-field checks run first; on a ValidationError the draft is left as it was.
    """
    answers = {**draft.answers, f.name: value}
    check_answers(kind, answers)
    draft.update_id = by.update_id if by is not None else None
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


def go_back(draft: Draft, kind: KindDef, f: FieldDef, *, by: Update | None = None) -> bool:
    """Ask the question above again; its answer is kept (and shown) until replaced."""
    prev = previous_field(kind, draft, f)
    if prev is None:
        return False
    draft.step = prev.name
    draft.update_id = by.update_id if by is not None else None
    save_draft(draft)
    return True


def settle_skipped(draft: Draft, kind: KindDef) -> None:
    """A reopened report's optional fields that it has no value for were skipped (a stored
    report keeps no location key, for one): record them so, lest an edit asks them again."""
    answers = dict(draft.answers)
    for f in kind.visible_fields(answers):
        if f.name not in answers and f.is_optional:
            answers[f.name] = (len(draft_photos(draft, f.name))
                               if f.field_type.prompt == "photos" else None)
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
    """An answer as the user reads it (the field type says how): options translated, money in
    CNY, dates localized."""
    if value in EMPTY:
        return "—"
    return f.field_type.card(f, value, t, option_names(f, t, locale))


def option_names(f: FieldDef, t: Translator, locale: str) -> Callable[[str], str]:
    """Names a choice's option values as its buttons do (the value itself when unknown)."""
    if not f.field_type.has_options:
        return str
    labels = {o.value: kb.option_label(o, t) for o in options_for(f, locale)}
    return lambda value: labels.get(value, str(value))


def question_text(kind: KindDef, draft: Draft, f: FieldDef, t: Translator, locale: str, *,
                  error: str | None = None) -> str:
    visible = [x.name for x in kind.visible_fields(draft.answers)]
    lines = [f"⚠️ {error}", ""] if error else []
    step = t.gettext("Step {n}/{total}", n=visible.index(f.name) + 1, total=len(visible))
    lines.append(f"{kind.emoji} {step}".strip())
    lines.append(t.gettext(f.prompt))
    if f.field_type.hint:
        lines.append(t.gettext(f.field_type.hint))
    if f.field_type.prompt != "photos" and draft.answers.get(f.name) not in EMPTY:
        lines.append(t.gettext("Current answer: {value}",
                               value=show_value(f, draft.answers[f.name], t, locale)))
    return "\n".join(lines)


def card_text(kind: KindDef, draft: Draft, t: Translator, locale: str, *,
              error: str | None = None, saved: str | None = None) -> str:
    """The confirmation card; ``saved``: the card as it stays once submitted, that line last
    (where the buttons were, in view on a small screen) instead of the call to check."""
    lines = [f"⚠️ {error}", ""] if error else []
    lines.append(f"{kind.emoji} {t.gettext(kind.name)}".strip())
    if saved is None:
        report = draft.editing_report
        if report is not None:
            lines.append(t.gettext("Correcting a report that was sent back. Reason: {reason}",
                                   reason=report.reject_reason or "—"))
        lines.append(t.gettext("Please check your report, then tap Submit."))
    lines.append("")
    for f in kind.visible_fields(draft.answers):
        lines.append(t.gettext("{label}: {value}", label=t.gettext(f.label),
                               value=show_value(f, draft.answers.get(f.name), t, locale)))
    if saved is not None:
        lines += ["", f"✅ {saved}"]
    return "\n".join(lines)


def question_keyboard(kind: KindDef, draft: Draft, f: FieldDef, t: Translator, locale: str,
                      today):
    options = options_for(f, locale) if f.field_type.has_options else ()
    photos = len(draft_photos(draft, f.name)) if f.field_type.prompt == "photos" else 0
    return kb.question(
        f, t, options=options, selected=selection_mask(f, options, draft.answers),
        today=today, photos=photos,
        can_go_back=previous_field(kind, draft, f) is not None, editing=draft.editing)


#: Where the words each value came from begin on a card that shows them.
SOURCES_MARK = "\n\n📄 "


def keep_sources(context: BotContext, draft_uid: str, sources: dict[str, tuple]) -> None:
    """Remember, for a draft read from a message, each value and the words it came from (in
    the chat's state, saved with the next message sent: the card's button shows them)."""
    state = context.chat_state
    state.data = {**(state.data or {}), "src": {"uid": draft_uid, "f": sources}}


def sources_of(kind: KindDef, draft: Draft, context: BotContext) -> list[tuple[FieldDef, str]]:
    """The fields of the draft still holding the value read from the message, with the words
    it came from (a value since changed has none)."""
    kept = (context.chat_state.data or {}).get("src") or {}
    if kept.get("uid") != draft.uid:
        return []
    words = kept.get("f", {})
    return [(f, words[f.name][1]) for f in kind.visible_fields(draft.answers)
            if f.name in words and draft.answers.get(f.name) == words[f.name][0]]


def sources_text(found: list[tuple[FieldDef, str]], t: Translator) -> str:
    lines = [t.gettext("Where each value came from:")]
    lines += [t.gettext("{label}: {value}", label=t.gettext(f.label), value=f"«{words}»")
              for f, words in found]
    return "\n".join(lines)


def card_keyboard(draft: Draft, context: BotContext, *, sources: bool = False):
    """The card's buttons, with Show (or Hide) sources for a draft read from a message."""
    found = sources_of(kind_of(draft), draft, context)
    return kb.card(draft.uid, context.t, sources if found else None)


def render(draft: Draft, context: BotContext, *, error: str | None = None):
    """(text, keyboard) for where the draft stands: its current question, or the card."""
    kind = kind_of(draft)
    t, locale = context.t, context.locale
    f = current_field(kind, draft)
    if f is None:
        return card_text(kind, draft, t, locale, error=error), card_keyboard(draft, context)
    return (question_text(kind, draft, f, t, locale, error=error),
            question_keyboard(kind, draft, f, t, locale, context.today()))


async def ask(update: Update, context: BotContext, draft: Draft, *, error: str | None = None,
              note: str | None = None) -> None:
    """Send the draft's current question (or the card), with an error or a note above it."""
    text, markup = render(draft, context, error=error)
    await send(update, context, f"{note}\n\n{text}" if note else text, markup)


def understood(f: FieldDef, typed: str, value, context: BotContext) -> str | None:
    """How a typed number or date was read, when it was not written that way ("上周六",
    "三十", "1.5万"): the worker sees at once what will be stored."""
    if not f.field_type.echoes:
        return None
    shown = show_value(f, value, context.t, context.locale)
    if typed.strip() == shown:
        return None
    t = context.t
    return "✓ " + t.gettext("{label}: {value}", label=t.gettext(f.label), value=shown)

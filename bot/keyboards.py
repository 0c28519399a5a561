"""Inline keyboards. Labels are translated here; routing uses ``callbacks`` constants only."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from models.forms.kinds import FieldDef, KindDef, Option
from models.core.i18n import LANGUAGE_NAMES, SUPPORTED, N_, Translator

from . import callbacks as cb

#: The quick-date buttons: how many days before today, and their label.
QUICK_DAYS = ((0, N_("Today")), (1, N_("Yesterday")), (2, N_("2 days ago")))
SHORT_LABEL = 10  # characters: options this short go two to a row
#: Buttons for one choice at most (Telegram takes about 100 a message); a longer list, such
#: as a community's volunteers, shows its first ones and takes the rest typed.
MAX_CHOICE_BUTTONS = 60


def _rows(buttons: Sequence[Button], labels: Sequence[str]) -> list[list[Button]]:
    per_row = 2 if labels and max(len(x) for x in labels) <= SHORT_LABEL else 1
    return [list(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row)]


def option_label(option: Option, t: Translator) -> str:
    return option.label if option.literal else t.gettext(option.label)


def kinds(kinds: Sequence[KindDef], t: Translator) -> Markup:
    return Markup([[Button(f"{k.emoji} {t.gettext(k.name)}".strip(),
                           callback_data=cb.pack(cb.KIND, k.code))] for k in kinds])


def unfinished(t: Translator) -> Markup:
    return Markup([[Button(t.gettext("Continue"), callback_data=cb.pack(cb.CONTINUE)),
                    Button(t.gettext("Start a new report"), callback_data=cb.pack(cb.RESTART))]])


def _choice(f: FieldDef, t: Translator, options: Sequence[Option], selected: int,
            today: dt.date | None, photos: int) -> list[list[Button]]:
    labels = [option_label(o, t) for o in options[:MAX_CHOICE_BUTTONS]]
    buttons = [Button(label, callback_data=cb.pack(cb.ANSWER, f.name, i))
               for i, label in enumerate(labels)]
    return _rows(buttons, labels)


def _multi(f: FieldDef, t: Translator, options: Sequence[Option], selected: int,
           today: dt.date | None, photos: int) -> list[list[Button]]:
    labels = [("✓ " if selected & (1 << i) else "") + option_label(o, t)
              for i, o in enumerate(options)]
    buttons = [Button(label, callback_data=cb.pack(cb.TOGGLE, f.name, selected ^ (1 << i)))
               for i, label in enumerate(labels)]
    return [*_rows(buttons, labels),
            [Button(t.gettext("Done"), callback_data=cb.pack(cb.MULTI_DONE, f.name, selected))]]


def _dates(f: FieldDef, t: Translator, options: Sequence[Option], selected: int,
           today: dt.date | None, photos: int) -> list[list[Button]]:
    if today is None:
        return []
    return [[Button(t.gettext(label), callback_data=cb.pack(
        cb.DATE, f.name, (today - dt.timedelta(days=days)).isoformat()))
        for days, label in QUICK_DAYS]]


def _numbers(f: FieldDef, t: Translator, options: Sequence[Option], selected: int,
             today: dt.date | None, photos: int) -> list[list[Button]]:
    if not f.quick:
        return []
    return [[Button(t.number(int(q)), callback_data=cb.pack(cb.QUICK, f.name, q))
             for q in f.quick]]


def _photos(f: FieldDef, t: Translator, options: Sequence[Option], selected: int,
            today: dt.date | None, photos: int) -> list[list[Button]]:
    return [[Button(t.gettext("Done"), callback_data=cb.pack(cb.DONE, f.name))]] if photos else []


#: The answer buttons of each way of asking (``FieldType.prompt``); "typed" and "location"
#: have none.
ANSWER_BUTTONS = {"choice": _choice, "multi": _multi, "dates": _dates, "numbers": _numbers,
                  "photos": _photos}


def question(f: FieldDef, t: Translator, *, options: Sequence[Option] = (), selected: int = 0,
             today: dt.date | None = None, photos: int = 0, can_go_back: bool = False,
             editing: bool = False) -> Markup | None:
    """The buttons under a question: its answers (as its field type asks), then Back and
    Skip (never Skip once a photo is sent: Done keeps them)."""
    answer_buttons = ANSWER_BUTTONS.get(f.field_type.prompt)
    rows = answer_buttons(f, t, options, selected, today, photos) if answer_buttons else []
    nav = []
    if editing:
        nav.append(Button("⬅ " + t.gettext("Back to the report"), callback_data=cb.pack(cb.CARD)))
    elif can_go_back:
        nav.append(Button("⬅ " + t.gettext("Back"), callback_data=cb.pack(cb.BACK, f.name)))
    if f.is_optional and not (f.field_type.prompt == "photos" and photos):
        nav.append(Button(t.gettext("Skip"), callback_data=cb.pack(cb.SKIP, f.name)))
    if nav:
        rows.append(nav)
    return Markup(rows) if rows else None


def card(draft_uid: str, t: Translator, sources: bool | None = None) -> Markup:
    """The card's buttons; ``sources``: for a report read from a message, whether the words
    each value came from are shown (the button hides them) or not (it shows them)."""
    rows = [
        [Button("✅ " + t.gettext("Submit"), callback_data=cb.pack(cb.SUBMIT, draft_uid))],
        [Button("✏️ " + t.gettext("Edit a field"), callback_data=cb.pack(cb.EDIT)),
         Button("✖ " + t.gettext("Cancel"), callback_data=cb.pack(cb.CANCEL))],
    ]
    if sources is not None:
        label = t.gettext("Hide sources") if sources else t.gettext("Show sources")
        rows.insert(1, [Button("📄 " + label, callback_data=cb.pack(cb.SOURCES,
                                                                   int(not sources)))])
    return Markup(rows)


def edit_fields(fields: Sequence[FieldDef], t: Translator) -> Markup:
    labels = [t.gettext(f.label) for f in fields]
    buttons = [Button(label, callback_data=cb.pack(cb.EDIT_FIELD, f.name))
               for f, label in zip(fields, labels)]
    return Markup([*_rows(buttons, labels),
                   [Button("⬅ " + t.gettext("Back to the report"),
                           callback_data=cb.pack(cb.CARD))]])


def languages() -> Markup:
    return Markup([[Button(LANGUAGE_NAMES[code], callback_data=cb.pack(cb.LANG, code))
                    for code in SUPPORTED]])


def fix(report_uid: str, t: Translator) -> Markup:
    return Markup([[Button(t.gettext("Correct this report"),
                           callback_data=cb.pack(cb.FIX, report_uid))]])


def fix_anyway(report_uid: str, t: Translator) -> Markup:
    return Markup([[Button(t.gettext("Correct it, discard my draft"),
                           callback_data=cb.pack(cb.FIX, report_uid, "y")),
                    Button(t.gettext("Keep my draft"), callback_data=cb.pack(cb.CONTINUE))]])

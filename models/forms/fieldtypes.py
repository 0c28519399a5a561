"""The one table of field types: each type is one class that says how an answer of its type
is typed and read, checked, shown (on the bot's card, in the admin, as a spreadsheet cell),
asked (the kind of buttons under the question) and imported. In the spirit of pyxform's
``question_type_dictionary``: adding a type is one entry in ``FIELD_TYPES`` and its tests.

A type knows nothing of Telegram or Flask: ``prompt`` names how the bot asks (the bot's
keyboards map it to buttons), and showing a value takes the caller's ``Translator`` and a
function that names an option (options depend on the plan and the registry).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from babel.lists import format_list

from models.core.errors import ValidationError
from models.core.i18n import N_, Translator
from models.forms import options, parsing, particulars

#: Names an option value in the reader's language.
Label = Callable[[str], str]
#: The earliest date an answer may name (the default plan's start), asked only when needed.
Earliest = Callable[[], "dt.date | None"]

#: How an import cell lists several options ("a、b", "a, b", one per line...).
MULTI_SEP_RE = re.compile(r"[,;、，；/\n]+")


class FieldType:
    """A field type's behaviour; the defaults are free text shown as typed."""

    name: ClassVar[str] = ""
    #: How the bot asks: "typed" (no answer buttons), "choice", "multi", "dates" (quick
    #: days), "numbers" (the field's ``quick`` values), "photos" (Done once one is sent),
    #: "location" (shared with 📎).
    prompt: ClassVar[str] = "typed"
    #: A line under the question telling how to answer (a gettext msgid).
    hint: ClassVar[str | None] = None
    #: Typed text can answer it (photos and locations arrive as such).
    typed: ClassVar[bool] = True
    #: Its options come from the field (``options``/``options_from``); ``multiple``: several.
    has_options: ClassVar[bool] = False
    multiple: ClassVar[bool] = False
    #: A typed answer is read back when written otherwise ("上周六" → the date).
    echoes: ClassVar[bool] = False
    #: Never required, whatever the kind says.
    always_optional: ClassVar[bool] = False
    #: Shown apart from the answers (pictures, a map link): not a row, a cell or an import column.
    shown_apart: ClassVar[bool] = False
    #: Its answer can name a report in lists (a title, a place).
    names_report: ClassVar[bool] = False

    def parse(self, f, text: str, *, today: dt.date, earliest: Earliest) -> Any:
        """Typed text → the stored value, or ValidationError."""
        raise ValidationError(f.name, "wrong_type")

    def card(self, f, value, t: Translator, label: Label) -> str:
        """A non-empty stored value on the bot's confirmation card, in the user's language."""
        return str(value)

    def display(self, f, value, t: Translator, label: Label) -> str:
        """A non-empty stored value as an official reads it (detail page, exports)."""
        return str(value)

    def cell(self, f, value, t: Translator, label: Label):
        """A non-empty stored value as a spreadsheet cell: numbers stay numbers."""
        return self.display(f, value, t, label)

    def import_note(self, f, labels: Sequence[str]) -> str:
        """What the import template's instructions say about the column (in Chinese)."""
        return f"文字，最多 {f.max_length} 字"

    def read_cell(self, f, text: str, *, option: Callable[[str], str],
                  values: Callable[[], list[str]], parse: Callable[[str], Any]) -> Any:
        """An import cell → the stored value. ``option`` finds one option by any of its
        names, ``values`` lists the option values, ``parse`` reads typed text."""
        return parse(text)


class Text(FieldType):
    name = "text"
    names_report = True

    def parse(self, f, text, *, today, earliest):
        return parsing.parse_text(text, f.name, max_length=f.max_length, multiline=f.multiline)


class Integer(FieldType):
    name = "integer"
    prompt = "numbers"
    echoes = True

    def parse(self, f, text, *, today, earliest):
        return parsing.parse_int(text, f.name, min_value=f.min if f.min is not None else 0,
                                 max_value=f.max)

    def card(self, f, value, t, label):
        return t.number(int(value))

    def display(self, f, value, t, label):
        return t.number(value)

    def cell(self, f, value, t, label):
        return int(value)

    def import_note(self, f, labels):
        return "整数" + (f"，{f.min}—{f.max}" if f.min is not None and f.max is not None else "")


class Money(FieldType):
    name = "money"
    echoes = True

    def parse(self, f, text, *, today, earliest):
        value = parsing.parse_money(text, f.name,
                                    max_value=Decimal(str(f.max or "100000000.00")))
        if f.min is not None and value < Decimal(str(f.min)):
            raise ValidationError(f.name, "too_small", min=Decimal(str(f.min)))
        return str(value)

    def card(self, f, value, t, label):
        return t.money(value)

    display = card

    def cell(self, f, value, t, label):
        return Decimal(str(value))

    def import_note(self, f, labels):
        return "金额（元），最多两位小数"


class Date(FieldType):
    name = "date"
    prompt = "dates"
    hint = N_("Tap a day below, or type a date such as 11月3日, 2026-11-03 or 上周六.")
    echoes = True

    def parse(self, f, text, *, today, earliest):
        return parsing.parse_date(text, f.name, today=today, earliest=earliest()).isoformat()

    def card(self, f, value, t, label):
        return t.date(value, "full")

    def display(self, f, value, t, label):
        return t.date(value)

    def cell(self, f, value, t, label):
        return dt.date.fromisoformat(value)

    def import_note(self, f, labels):
        return "日期，如 2024-03-05"


class Choice(FieldType):
    name = "choice"
    prompt = "choice"
    has_options = True

    def parse(self, f, text, *, today, earliest):
        # A long list shows only its first buttons: a source that reads typed text (a
        # volunteer's name or phone) finds the rest; otherwise the buttons answer.
        match = options.matcher(f.options_from)
        if match is None:
            raise ValidationError(f.name, "use_buttons")
        return match(options.scope(), text, f.name)

    def card(self, f, value, t, label):
        return label(value)

    display = card

    def import_note(self, f, labels):
        return "可选值：" + "、".join(labels)

    def read_cell(self, f, text, *, option, values, parse):
        if options.matcher(f.options_from) is not None:
            return parse(text)  # by name or phone, in the row's community
        return option(text)


class Multi(Choice):
    name = "multi"
    prompt = "multi"
    multiple = True

    def parse(self, f, text, *, today, earliest):
        raise ValidationError(f.name, "use_buttons")

    def card(self, f, value, t, label):
        return format_list([label(v) for v in value], locale=t.babel_locale)

    def display(self, f, value, t, label):
        values = value if isinstance(value, list) else [value]
        return ("、" if t.is_zh else ", ").join(label(v) for v in values)

    def import_note(self, f, labels):
        return super().import_note(f, labels) + "（可多选，用顿号分隔）"

    def read_cell(self, f, text, *, option, values, parse):
        chosen = [option(part) for part in MULTI_SEP_RE.split(text) if part.strip()]
        return parsing.parse_multi(chosen, f.name, values(), min_count=0 if f.optional else 1)


class Photo(FieldType):
    name = "photo"
    prompt = "photos"
    typed = False
    always_optional = True  # photos are never required
    shown_apart = True

    def card(self, f, value, t, label):
        return t.ngettext("{n} photo", "{n} photos", int(value)) if value else "—"


class Location(FieldType):
    name = "location"
    prompt = "location"
    hint = N_("To share it, tap 📎 and choose Location.")
    typed = False
    shown_apart = True

    def card(self, f, value, t, label):
        return f"{value['lat']:.5f}, {value['lon']:.5f}"


class Phone(FieldType):
    name = "phone"

    def parse(self, f, text, *, today, earliest):
        return particulars.parse_phone(text, f.name)


class IdNumber(FieldType):
    name = "id_number"

    def parse(self, f, text, *, today, earliest):
        return particulars.parse_id_number(text, f.name)

    def card(self, f, value, t, label):
        return particulars.mask_id_number(str(value))  # the registry alone keeps it whole


class Hours(FieldType):
    name = "hours"

    def parse(self, f, text, *, today, earliest):
        low = Decimal(str(f.min)) if f.min is not None else particulars.HOURS_MIN
        high = Decimal(str(f.max)) if f.max is not None else particulars.HOURS_MAX
        return particulars.parse_hours(text, f.name, low=low, high=high)


FIELD_TYPES: dict[str, FieldType] = {cls.name: cls() for cls in (
    Choice, Multi, Integer, Money, Date, Text, Photo, Location, Phone, IdNumber, Hours)}


def field_type(name: str) -> FieldType:
    try:
        return FIELD_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown field type {name!r}") from None

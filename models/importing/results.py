"""What an import reports: a code and an English msgid for every problem (Chinese in the
catalog), one problem as ``RowError`` with the line Excel shows, and the ``ImportResult`` the
admin page and the command line print. The exceptions carry a problem out of the reader or
out of a write, so the run can turn it into a ``RowError``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from models.core.errors import DomainError
from models.core.i18n import N_, Translator
from models.core.messages import VALIDATION

MESSAGES = {
    # the file
    "unreadable": N_("The file could not be read as CSV or XLSX."),
    "old_xls": N_("Old .xls workbooks cannot be read: save the file as .xlsx or CSV."),
    "encoding": N_("The CSV file is neither UTF-8 nor GBK text: save it again as CSV (UTF-8)."),
    "no_sheet": N_("The workbook has no sheet named “{sheet}”."),
    "empty": N_("The file has no rows under its header."),
    "too_many_rows": N_("The file has more than {max} rows: at most {max} can be imported at "
                        "once. Split it into several files."),
    "too_large": N_("The file is larger than {max} MB: at most {max} MB can be imported at once. "
                    "Split it into several files."),
    "zip_bomb": N_("This XLSX file expands to far more than any spreadsheet does and was not "
                   "opened. Open it in Excel and save it again, or save it as CSV."),
    "missing_column": N_("Column “{column}” is missing."),
    "duplicate_column": N_("Columns “{first}” and “{second}” mean the same thing: keep one."),
    "conflict": N_("The same data was changed by someone else during the import; nothing was "
                   "written. Please try again."),
    # cells
    "required": N_("This cell must be filled in."),
    "not_meaningful": N_("“{value}” has no letters, digits or Chinese characters: write the "
                         "value in words."),
    "not_a_date": N_("“{value}” is not a date: write it like 2024-03-05."),
    "invalid_choice": N_("“{value}” is not one of: {options}."),
    "bad_code": N_("“{value}” is not a code: digits and letters only, at most 32."),
    "scientific_notation": N_("Excel wrote “{value}” in scientific notation and lost digits: "
                              "format the column as text and save the file again."),
    "bad_telegram_id": N_("“{value}” is not a Telegram user id (a whole number)."),
    "bad_username": N_("“{value}” is not a Telegram username."),
    "bad_yes_no": N_("Write 是 or 否, not “{value}”."),
    "bad_rating": N_("“{value}” is not a rating from 1A to 5A."),
    "households_exceed_population": N_("{households} households cannot exceed a population "
                                       "of {population}."),
    # places
    "unknown_unit": N_("No place has the code or name “{value}”."),
    "ambiguous_unit": N_("Several places are named “{value}” ({codes}): give the code, or add "
                         "the township and county columns."),
    "wrong_level": N_("“{value}” is a {level}; a {expected} is needed here."),
    "out_of_scope": N_("“{value}” is outside your area."),
    "unknown_level": N_("“{value}” is not a level: write 市, 区/县, 街道/乡镇 or 社区/村."),
    "unknown_parent": N_("The parent “{value}” is neither in the system nor above this row."),
    "parent_later": N_("The parent “{value}” comes later in the file (line {line}): put "
                       "parents above their children."),
    "parent_invalid": N_("The parent “{value}” on line {line} has errors itself."),
    "parent_changed": N_("This place is already under “{current}”: import does not move places."),
    "level_changed": N_("This place is already a {current}: import does not change levels."),
    "level_below_parent": N_("A {level} cannot be placed under a {parent_level}."),
    "too_deep": N_("The tree is too deep here: at most {max} levels."),
    "station_needs_township": N_("Only a township or street has a social-work station."),
    "duplicate_row": N_("The same {what} is already on line {line}."),
    # reports
    "unknown_kind": N_("“{value}” is not a report type. Types: {options}."),
    # the form rules' codes, in a spreadsheet's words (the bot's "send" and "tap" say nothing
    # to someone fixing a file)
    "not_a_number": N_("“{value}” is not a number: write it in digits, like 30."),
    "not_integer": N_("“{value}” is not a whole number: write it like 30."),
    "wrong_type": N_("“{value}” does not fit this column."),
    "not_a_phone": N_("“{value}” is not a phone number: write a mobile number of 11 digits, or a "
                      "landline with its area code."),
    "not_hours": N_("“{value}” is not a number of hours: write it like 2 or 1.5."),
    "unknown_category": N_("“{value}” is not one of the categories."),
    "unknown_role": N_("“{value}” is not one of the roles."),
    "volunteer_not_found": N_("No active volunteer of this community is “{value}”: write the "
                              "full name or the phone number."),
}

LEVEL_LABELS = {"province": N_("Province"), "city": N_("City"), "county": N_("County"),
                "township": N_("Township"), "community": N_("Community")}
WHAT_LABELS = {"code": N_("code"), "telegram_id": N_("Telegram id"),
               "id_number": N_("ID number"), "person": N_("person in this community"),
               "organization": N_("organization in this place"), "report": N_("report")}
GENERIC_PROBLEM = N_("This value cannot be accepted.")


@dataclass
class RowError:
    """One problem: ``line`` as Excel numbers rows (None for the file as a whole), the
    column's header as written in the file, and a code with its values."""

    line: int | None
    column: str | None
    code: str
    params: dict = field(default_factory=dict)
    whole_file: bool = False  # the file or its header, not one row

    @property
    def msgid(self) -> str:
        return MESSAGES.get(self.code) or VALIDATION.get(self.code) or GENERIC_PROBLEM

    def message(self, t: Translator) -> str:
        args = {}
        for k, v in self.params.items():
            if k in ("level", "expected", "parent_level", "current") and v in LEVEL_LABELS:
                v = t.gettext(LEVEL_LABELS[v])
            elif k == "what" and v in WHAT_LABELS:
                v = t.gettext(WHAT_LABELS[v])
            elif isinstance(v, (dt.date, dt.datetime)):
                v = t.date(v)
            elif isinstance(v, (int, Decimal)) and not isinstance(v, bool) and k != "line":
                v = t.number(v)
            args[k] = v
        try:
            return t.gettext(self.msgid, **args)
        except (KeyError, IndexError):
            return t.gettext(self.msgid)


@dataclass
class ImportResult:
    """What an import did or would do: counts, every bad row, columns left unread."""

    entity: str
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    mode: str = "dry_run"  # dry_run | run
    written: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors if e.line is not None and not e.whole_file})

    def counts(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged}

    def summary(self, t: Translator) -> str:
        if not self.ok:
            n = len(self.bad_lines)
            if any(e.whole_file for e in self.errors) or not n:
                return t.gettext(N_("The file cannot be imported."))
            if self.mode == "run":
                return t.ngettext("{n} row has problems; nothing was imported.",
                                  "{n} rows have problems; nothing was imported.", n)
            return t.ngettext("{n} row has problems; fix them and upload the file again.",
                              "{n} rows have problems; fix them and upload the file again.", n)
        template = (N_("{rows} rows imported: {created} new, {updated} updated, "
                       "{unchanged} unchanged.") if self.written else
                    N_("{rows} rows checked: {created} to create, {updated} to update, "
                       "{unchanged} unchanged."))
        return t.gettext(template, rows=t.number(self.rows), created=t.number(self.created),
                         updated=t.number(self.updated), unchanged=t.number(self.unchanged))

    def report_lines(self, t: Translator) -> list[str]:
        """The result as plain text lines (the command line prints these)."""
        out = [self.summary(t)]
        if self.ignored_columns:
            out.append(t.gettext(N_("Columns not imported: {columns}"),
                                 columns="、".join(self.ignored_columns)))
        for e in self.errors:
            where = (t.gettext(N_("line {line}"), line=e.line) if e.line is not None
                     else t.gettext(N_("file")))
            column = f" [{e.column}]" if e.column else ""
            out.append(f"{where}{column}: {e.message(t)}")
        return out


class RowRefused(DomainError):
    """A row the checks passed but a write refused (a registry rule over rows written
    before it): the whole import is rolled back and the row reported."""

    def __init__(self, error: "RowError"):
        self.error = error
        super().__init__(f"line {error.line}: {error.code}")


class FileProblem(DomainError):
    """The file as a whole cannot be read (format, encoding, sheet, header)."""

    def __init__(self, code: str, column: str | None = None, line: int | None = None, **params):
        self.code, self.column, self.line, self.params = code, column, line, params
        super().__init__(f"{code} {params}")

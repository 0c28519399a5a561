"""Reference data from the spreadsheets offices already keep: places with population and
households, workers, volunteers, community social organizations, and past reports.

Files are CSV (UTF-8 with or without BOM, or GBK as Excel in China saves it) or XLSX, with
Chinese headers in any of their usual wordings. Every import is checked in full before
anything is written: ``dry_run`` lists every bad row with the line Excel shows (the header is
line 1) and a reason (a msgid and its values); ``run`` repeats the check inside one
transaction and writes only if no row is bad — all or nothing — with one audit entry.

Values go through the parsers the bot uses (``models.forms.parsing``, ``models.forms.kinds``), so an
imported report is validated exactly as a reported one, and it is counted by every plan
through the same contribution rows as ``plans.count_report``. Re-importing a file updates
what it imported before (natural keys: a place's code, a worker's Telegram id, a volunteer's
ID number, an organization's name in its community, a report's content) instead of adding
it twice.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import time
import unicodedata
import uuid
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import peewee as pw

from models.forms import parsing
from models import registry
from models.plans import rollup
from models.reports import sinks
from models.core.db import database
from models.core.errors import DomainError, ValidationError
from models.forms.kinds import (FieldDef, KindDef, bind_scope, default_plan, options_for, parse_answer,
                    validate_complete)
from models.core.i18n import N_, Translator, translator
from models.core.messages import VALIDATION
from models.core.schema import (LEVELS, ActionLine, Contribution, Indicator, OrgUnit, Report, ReportKind,
                     SocialOrganization, Station, Volunteer, Worker, audit, now)

MAX_ROWS = 50_000
BATCH = 500  # rows per INSERT and per IN (...) lookup
SUSPEND_ROLLUP_AT = 500  # from this many new reports, rebuild the rollup once instead of per row
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in office sheets
IMPORT_NAMESPACE = uuid.UUID("6f1c7e52-5b0e-4c8a-9d43-2a6e0d9c1b11")

# --------------------------------------------------------------------------------------------
# Messages: a code per problem, an English msgid per code (Chinese in the catalog)
# --------------------------------------------------------------------------------------------

MESSAGES = {
    # the file
    "unreadable": N_("The file could not be read as CSV or XLSX."),
    "old_xls": N_("Old .xls workbooks cannot be read: save the file as .xlsx or CSV."),
    "encoding": N_("The CSV file is neither UTF-8 nor GBK text: save it again as CSV (UTF-8)."),
    "no_sheet": N_("The workbook has no sheet named “{sheet}”."),
    "empty": N_("The file has no rows under its header."),
    "too_many_rows": N_("The file has {count} rows; at most {max} can be imported at once."),
    "missing_column": N_("Column “{column}” is missing."),
    "duplicate_column": N_("Columns “{first}” and “{second}” mean the same thing: keep one."),
    "conflict": N_("The same data was changed by someone else during the import; nothing was "
                   "written. Please try again."),
    # cells
    "required": N_("This cell must be filled in."),
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
}

LEVEL_LABELS = {"province": N_("Province"), "city": N_("City"), "county": N_("County"),
                "township": N_("Township"), "community": N_("Community")}
WHAT_LABELS = {"code": N_("code"), "telegram_id": N_("Telegram id"),
               "id_number": N_("ID number"), "person": N_("person in this community"),
               "organization": N_("organization in this place"), "report": N_("report")}
ENTITY_LABELS = {"org_units": N_("Places (population and households)"),
                 "workers": N_("Workers"), "volunteers": N_("Volunteers"),
                 "organizations": N_("Community social organizations"),
                 "reports": N_("Past reports")}
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


# --------------------------------------------------------------------------------------------
# Cells and headers
# --------------------------------------------------------------------------------------------

_BRACKETS_RE = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")
_TRAILING_NOTE_RE = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]$")
_HEADER_STRIP = " *※:：·.、\u3000"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalize_header(text: Any) -> str:
    """A header as compared: NFKC (full-width → ASCII), no spaces or zero-width characters,
    no "*" required-marks or trailing colon, case-folded. Idempotent."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text)).translate(_ZERO_WIDTH)
    s = re.sub(r"\s+", "", s).strip(_HEADER_STRIP).casefold()
    return unicodedata.normalize("NFKC", s)


def header_forms(text: Any) -> list[str]:
    """The forms a header is looked up under: as written, then without its trailing notes
    in brackets one by one ("县(区)(必填)" → "县(区)" → "县"), then without any
    ("人口（人）" → "人口", "成立日期(年/月/日)" → "成立日期")."""
    forms = [normalize_header(text)]
    while True:
        shorter = normalize_header(_TRAILING_NOTE_RE.sub("", forms[-1]))
        if not shorter or shorter == forms[-1]:
            break
        forms.append(shorter)
    bare = normalize_header(_BRACKETS_RE.sub("", forms[0]))
    if bare and bare not in forms:
        forms.append(bare)
    return forms


def cell_text(value: Any) -> str:
    """A cell as the text a parser reads: spreadsheet numbers without a spurious ".0",
    dates as ISO dates, booleans as 是/否, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() \
            else format(value, "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else \
            value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).translate(_ZERO_WIDTH).strip()


def _read_bytes(source) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), ""
    if isinstance(source, (str, Path)):
        path = Path(source)
        return path.read_bytes(), path.name
    data = source.read()
    return data, Path(getattr(source, "name", "") or "").name


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError:
            raise FileProblem("encoding") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileProblem("encoding") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise FileProblem("encoding") from None


def _csv_rows(data: bytes) -> Iterator[list]:
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    # One record is one spreadsheet row, even when a quoted cell holds line breaks.
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes, sheet: str | None) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign zip: openpyxl raises many kinds
        raise FileProblem("unreadable") from None
    try:
        if sheet:
            wanted = normalize_header(sheet)
            ws = next((wb[n] for n in wb.sheetnames if normalize_header(n) == wanted), None)
            if ws is None:
                raise FileProblem("no_sheet", sheet=sheet)
        else:
            ws = wb.worksheets[0]
        # Some writers record a wrong sheet size, which read-only mode would trust. Gaps come
        # back as empty rows, so row i is still Excel's row i.
        ws.reset_dimensions()
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


def sheet_rows(source, *, filename: str | None = None, sheet: str | None = None
               ) -> tuple[list[list], str]:
    """Every row of a CSV file or of one XLSX sheet, as raw cells; row i is line i + 1."""
    data, name = _read_bytes(source)
    name = filename or name
    suffix = Path(name).suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("old_xls")
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        return list(_xlsx_rows(data, sheet)), name
    try:
        return list(_csv_rows(data)), name
    except csv.Error:
        raise FileProblem("unreadable") from None


# --------------------------------------------------------------------------------------------
# Value parsers (raise ValidationError like models.forms.parsing does)
# --------------------------------------------------------------------------------------------

_CODE_RE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
_SCIENTIFIC_RE = re.compile(r"^[0-9]+(\.[0-9]+)?e\+?[0-9]+$", re.I)
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def parse_code(text: str, column: str) -> str:
    s = parsing.normalize(text).replace(" ", "")
    if _SCIENTIFIC_RE.match(s):
        raise ValidationError(column, "scientific_notation")
    if not _CODE_RE.match(s):
        raise ValidationError(column, "bad_code")
    return s


def parse_telegram_id(text: str, column: str) -> int:
    s = parsing.normalize(text).replace(" ", "")
    if _SCIENTIFIC_RE.match(s):
        raise ValidationError(column, "scientific_notation")
    if not s.isdigit() or not 0 < int(s) < 2**63:
        raise ValidationError(column, "bad_telegram_id")
    return int(s)


YES = ("是", "有", "y", "yes", "true", "1", "√", "✓", "✔")
NO = ("否", "无", "没有", "n", "no", "false", "0", "×", "✗")


def parse_yes_no(text: str, column: str) -> bool:
    s = normalize_header(text)
    if s in YES:
        return True
    if s in NO:
        return False
    raise ValidationError(column, "bad_yes_no")


def word_parser(words: dict[str, Any], shown: Iterable[str]) -> Callable[[str, str], Any]:
    """A parser for a closed list written in words ("已备案" → "filed"); ``shown`` are the
    words an error message lists."""
    table = {normalize_header(k): v for k, v in words.items()}
    options = "、".join(shown)

    def parse(text: str, column: str):
        for form in header_forms(text):
            if form in table:
                return table[form]
        raise ValidationError(column, "invalid_choice", options=options)
    return parse


def parse_rating(text: str, column: str) -> str:
    s = parsing.normalize(text).upper().replace(" ", "").removesuffix("级")
    m = re.match(r"^([1-5])A$", s)
    if m:
        return f"{m.group(1)}A"
    if s and set(s) == {"A"} and len(s) <= 5:
        return f"{len(s)}A"
    try:
        n = parsing.chinese_to_int(s[:-1]) if s.endswith("A") else None
    except ValueError:
        n = None
    if n and 1 <= n <= 5:
        return f"{n}A"
    raise ValidationError(column, "bad_rating")


LEVEL_WORDS = {
    "省": "province", "省级": "province", "自治区": "province", "province": "province",
    "市": "city", "地级市": "city", "市级": "city", "州": "city", "自治州": "city", "地区": "city",
    "盟": "city", "市州": "city", "直辖市": "city", "city": "city",
    "县": "county", "区": "county", "县级市": "county", "旗": "county", "自治县": "county",
    "区县": "county", "县区": "county", "县(市、区)": "county", "县级": "county",
    "county": "county", "district": "county",
    "街道": "township", "乡": "township", "镇": "township", "乡镇": "township",
    "街道办事处": "township", "街镇": "township", "乡镇(街道)": "township",
    "街道(乡镇)": "township", "苏木": "township", "民族乡": "township",
    "township": "township", "street": "township", "town": "township",
    "社区": "community", "村": "community", "居委会": "community", "村委会": "community",
    "社区居委会": "community", "嘎查": "community", "社区(村)": "community",
    "村(社区)": "community", "community": "community", "village": "community",
}
RURAL_LEVEL_WORDS = {"村": True, "村委会": True, "嘎查": True, "乡": True, "镇": True,
                     "苏木": True, "民族乡": True, "village": True, "town": True,
                     "社区": False, "居委会": False, "社区居委会": False, "街道": False,
                     "街道办事处": False, "street": False}
RURAL_WORDS = {"城": False, "城市": False, "城镇": False, "城区": False, "urban": False,
               "乡": True, "乡村": True, "农村": True, "rural": True}


def parse_level(text: str, column: str) -> tuple[str, bool | None]:
    for form in header_forms(text):
        if form in LEVEL_WORDS:
            return LEVEL_WORDS[form], RURAL_LEVEL_WORDS.get(form)
    raise ValidationError(column, "unknown_level")


def parse_rural(text: str, column: str) -> bool:
    s = normalize_header(text)
    if s in RURAL_WORDS:
        return RURAL_WORDS[s]
    return parse_yes_no(text, column)


def parse_name(max_length: int) -> Callable[[str, str], str]:
    def parse(text: str, column: str) -> str:
        return parsing.parse_text(text, column, max_length=max_length).replace("\n", " ")
    return parse


def _attr_value(text: str):
    s = parsing.normalize(text)
    key = normalize_header(s)
    if key in YES:
        return True
    if key in NO:
        return False
    if re.match(r"^-?[0-9]+$", s):
        return int(s)
    if re.match(r"^-?[0-9]+\.[0-9]+$", s):
        return float(s)
    return s


# --------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """A column an entity reads: its key, the Chinese header the templates use, the other
    headers offices write for it, and a note for the template's instructions sheet."""

    key: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    note: str = ""

    def forms(self) -> set[str]:
        return {normalize_header(h) for h in (self.header, self.key, *self.synonyms)}


TOWNSHIP_HINT = Column("township_hint", "乡镇（街道）", ("街道", "乡镇", "所属街道", "所属乡镇",
                       "街道(乡镇)", "乡镇街道", "街道名称", "乡镇名称"),
                       note="可选：所属社区只写名称且重名时，用它区分")
COUNTY_HINT = Column("county_hint", "区县", ("县区", "所属区县", "县(区)", "区(县)", "县(市、区)",
                     "区县名称"), note="可选：同上")
COMMUNITY = ("所属社区", "社区", "社区(村)", "所在社区", "社区代码", "社区名称", "村(社区)",
             "所属社区(村)", "所属村(社区)", "村", "村名", "社区/村", "community")
PHONE = ("手机号", "手机号码", "手机", "联系电话", "电话", "联系方式", "电话号码", "phone")

ATTR_PREFIXES = ("属性:", "attr:", "attrs.", "attr.")


def _attr_key(header: str) -> str | None:
    """``属性:has_fund`` → ``has_fund``: free facts about a place (``OrgUnit.attrs``)."""
    h = unicodedata.normalize("NFKC", str(header or "")).strip()
    for p in ATTR_PREFIXES:
        if h.casefold().startswith(p) and len(h) > len(p):
            key = h[len(p):].strip()
            return key if re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$", key) else None
    return None


# --------------------------------------------------------------------------------------------
# The check of one row
# --------------------------------------------------------------------------------------------

class _Row:
    """One data row: its cells by column key, and the problems found in it."""

    def __init__(self, line: int, cells: dict[str, Any], headers: dict[str, str],
                 canonical: dict[str, str]):
        self.line = line
        self.cells = cells
        self.headers = headers  # key → header as written in the file
        self.canonical = canonical  # key → the template's header, for absent columns
        self.errors: list[RowError] = []

    def column(self, key: str) -> str:
        return self.headers.get(key) or self.canonical.get(key, key)

    def text(self, key: str) -> str:
        return cell_text(self.cells.get(key))

    def fail(self, key: str, code: str, **params) -> None:
        self.errors.append(RowError(self.line, self.column(key), code, params))

    def get(self, key: str, parse: Callable[[str, str], Any], *, required: bool = False):
        """The parsed cell, or None (blank, or bad: the problem is recorded)."""
        text = self.text(key)
        if not text:
            if required:
                self.fail(key, "required")
            return None
        try:
            return parse(text, self.column(key))
        except ValidationError as e:
            self.fail(key, e.code, value=text, **e.args_)
            return None


@dataclass
class _Op:
    action: str  # create | update | unchanged
    line: int
    values: dict
    target: Any = None  # the existing row for an update
    extra: dict = field(default_factory=dict)


class _Places:
    """Every org unit once (a few thousand rows at most), for lookups by code and name."""

    def __init__(self):
        self.by_code: dict[str, OrgUnit] = {}
        self.by_name: dict[str, list[OrgUnit]] = defaultdict(list)
        q = OrgUnit.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.path,
                           OrgUnit.parent, OrgUnit.is_rural, OrgUnit.population,
                           OrgUnit.households, OrgUnit.name_en, OrgUnit.attrs)
        for u in q:
            self.by_code[u.code] = u
            self.by_name[normalize_header(u.name)].append(u)

    def ancestors_named(self, unit: OrgUnit) -> set[str]:
        codes = unit.path.strip("/").split("/")
        return {normalize_header(self.by_code[c].name) for c in codes if c in self.by_code}

    def find(self, text: str, column: str, hints: Iterable[str] = (),
             scope: OrgUnit | None = None) -> OrgUnit:
        """By code, else by name: a name unique inside ``scope`` (or once narrowed by the
        township and county ``hints``) is enough."""
        s = parsing.normalize(text)
        code = s.replace(" ", "")
        if code in self.by_code:
            return self.by_code[code]
        if _SCIENTIFIC_RE.match(code):
            raise ValidationError(column, "scientific_notation")
        found = self.by_name.get(normalize_header(s), [])
        if scope is not None and len(found) > 1:
            found = [u for u in found if u.path.startswith(scope.path)] or found
        hints = [normalize_header(h) for h in hints if h]
        if len(found) > 1 and hints:
            found = [u for u in found if all(
                any(h == a or h in a or a in h for a in self.ancestors_named(u)) for h in hints)]
        if not found:
            raise ValidationError(column, "unknown_unit")
        if len(found) > 1:
            raise ValidationError(column, "ambiguous_unit",
                                  codes="、".join(u.code for u in found[:5]))
        return found[0]


class _Importer:
    """What every entity shares: columns, header matching, the scope, row bookkeeping."""

    entity = ""
    sheet_title = ""
    columns: tuple[Column, ...] = ()

    def __init__(self, scope: OrgUnit | None, today: dt.date):
        self.scope = scope
        self.today = today
        self.canonical = {c.key: c.header for c in self.columns}

    # -- headers ---------------------------------------------------------------------------

    @classmethod
    def column_key(cls, header: Any) -> str | None:
        """The key of the column ``header`` names, by the entity's own columns."""
        table = cls.__dict__.get("_forms")
        if table is None:
            table = {}
            for c in cls.columns:
                for form in c.forms():
                    table.setdefault(form, c.key)
            cls._forms = table
        for form in header_forms(header):
            if form in table:
                return table[form]
        return None

    def header_key(self, header: Any) -> str | None:
        return self.column_key(header)

    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def map_headers(self, headers: list[str], line: int) -> tuple[dict[int, str], list[str]]:
        """Column index → key; raises FileProblem for a missing or doubled column."""
        mapping: dict[int, str] = {}
        first: dict[str, str] = {}
        ignored = []
        for i, h in enumerate(headers):
            if not cell_text(h):
                continue
            key = self.header_key(h)
            if key is None:
                ignored.append(cell_text(h))
                continue
            if key in first:
                raise FileProblem("duplicate_column", column=cell_text(h), line=line,
                                  first=first[key], second=cell_text(h))
            first[key] = cell_text(h)
            mapping[i] = key
        for c in self.required_columns():
            if c.key not in first:
                raise FileProblem("missing_column", column=c.header, line=line)
        return mapping, ignored

    # -- scope and places ----------------------------------------------------------------

    def in_scope(self, unit_or_path) -> bool:
        if self.scope is None:
            return True
        path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
        return path.startswith(self.scope.path)

    def unit(self, row: _Row, key: str, levels: tuple[str, ...], *, required: bool = True
             ) -> OrgUnit | None:
        hints = (row.text("township_hint"), row.text("county_hint"))
        unit = row.get(key, lambda t, c: self.places.find(t, c, hints, self.scope),
                       required=required)
        if unit is None:
            return None
        if unit.level not in levels:
            row.fail(key, "wrong_level", value=row.text(key), level=unit.level,
                     expected=levels[0])
            return None
        if not self.in_scope(unit):
            row.fail(key, "out_of_scope", value=row.text(key))
            return None
        return unit

    # -- the steps -------------------------------------------------------------------------

    def prepare(self, rows: list[_Row]) -> None:
        self.places = _Places()

    def check(self, row: _Row) -> _Op | None:
        raise NotImplementedError

    def write(self, ops: list[_Op], actor: str) -> None:
        raise NotImplementedError


def _changes(target, values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None and getattr(target, k) != v}


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _insert(model, rows: list[dict]) -> None:
    """Rows (dicts with the same keys) through one prepared INSERT: each value converted by
    its field as ``insert_many`` would, without building the SQL again for every row (which
    costs more than the database's own work here)."""
    if not rows:
        return
    fields = [model._meta.fields[name] for name in rows[0]]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)  # "values" is a keyword
    table = f'"{model._meta.table_name}"'
    cursor = database.cursor()
    if isinstance(database.obj, pw.PostgresqlDatabase):
        from psycopg2.extras import execute_values

        execute_values(cursor, f"INSERT INTO {table} ({columns}) VALUES %s",
                       [tuple(f.db_value(row[f.name]) for f in fields) for row in rows],
                       page_size=BATCH)
        return
    params = ", ".join([database.param] * len(fields))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({params})",
                       [tuple(_sqlite_value(f.db_value(row[f.name])) for f in fields)
                        for row in rows])


def _sqlite_value(value):
    """What peewee hands SQLite for a date, a time or a decimal (text, as it stores them)."""
    if isinstance(value, dt.datetime):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _apply_updates(model, ops: list[_Op]) -> None:
    for op in ops:
        if op.action == "update" and op.values:
            model.update(**op.values).where(model.id == op.target.id).execute()


# --------------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------------

class OrgUnitImporter(_Importer):
    entity = "org_units"
    sheet_title = "区划"
    columns = (
        Column("code", "区划代码", ("代码", "编码", "行政区划代码", "区划编码", "单位代码",
                                  "统计用区划代码", "地区代码", "机构代码"), required=True,
               note="必填。全系统唯一，只含数字和字母；已有代码则更新该地"),
        Column("name", "名称", ("单位名称", "区划名称", "地区名称", "地名", "社区名称", "村名称")),
        Column("level", "层级", ("级别", "区划级别", "区划层级", "行政级别", "类型", "区划类型"),
               note="新增时必填：市、区/县、街道/乡镇、社区/村"),
        Column("parent", "上级代码", ("上级区划代码", "上级编码", "父级代码", "上级单位代码",
                                    "上级", "所属上级代码"),
               note="新增时必填（市级除外）：上级须已在系统中，或在本文件中排在前面"),
        Column("population", "人口", ("常住人口", "户籍人口", "人口数", "总人口", "居民人数",
                                    "常住人口数", "人口总数")),
        Column("households", "户数", ("户籍户数", "常住户数", "总户数", "居民户数", "家庭户数")),
        Column("is_rural", "城乡", ("城乡类型", "城乡属性", "城乡分类", "是否农村"),
               note="可选：城/乡；不填时按层级（社区/村）或名称判断"),
        Column("name_en", "英文名称", ("英文名", "name_en", "english name")),
        Column("station", "社工站", ("社工站名称", "社会工作服务站", "乡镇社工站", "街道社工站"),
               note="可选，仅街道/乡镇：是，或社工站名称"),
    )

    def header_key(self, header):
        if _attr_key(header):
            return f"attr:{_attr_key(header)}"
        return super().header_key(header)

    def prepare(self, rows):
        super().prepare(rows)
        self.seen: dict[str, tuple[int, _Op | None]] = {}
        self.later: dict[str, int] = {}
        for row in rows:
            try:
                code = parse_code(row.text("code"), "code")
            except ValidationError:
                continue
            self.later.setdefault(code, row.line)

    def check(self, row):
        code = row.get("code", parse_code, required=True)
        if code is None:
            return None
        if code in self.seen:
            row.fail("code", "duplicate_row", value=code, what="code", line=self.seen[code][0])
            return None
        existing = self.places.by_code.get(code)
        name = row.get("name", parse_name(100), required=existing is None)
        level_word = row.get("level", parse_level, required=existing is None)
        level, rural_from_level = level_word if level_word else (None, None)
        rural = row.get("is_rural", parse_rural)
        population = row.get("population", lambda t, c: parsing.parse_int(
            t, c, max_value=100_000_000))
        households = row.get("households", lambda t, c: parsing.parse_int(
            t, c, max_value=100_000_000))
        name_en = row.get("name_en", parse_name(100))
        station = row.get("station", self._station_name)
        attrs = {}
        for key in row.cells:
            if key.startswith("attr:") and row.text(key):
                attrs[key[5:]] = _attr_value(row.text(key))
        pop = population if population is not None else getattr(existing, "population", None)
        if households is not None and pop is not None and households > pop:
            row.fail("households", "households_exceed_population", value=row.text("households"),
                     households=households, population=pop)

        parent = self._parent(row, existing, level)
        if existing is not None:
            if not self.in_scope(existing):
                row.fail("code", "out_of_scope", value=code)
            if level and level != existing.level:
                row.fail("level", "level_changed", value=row.text("level"),
                         current=existing.level)
            level = existing.level
        elif parent is not None and not self.in_scope(parent["path"]):
            row.fail("parent", "out_of_scope", value=row.text("parent"))
        elif parent is None and level and self.scope is not None and not row.errors:
            row.fail("parent", "out_of_scope", value=row.text("parent") or code)
        if station and (level or "") != "township":
            row.fail("station", "station_needs_township", value=row.text("station"))
        if row.errors:
            self.seen[code] = (row.line, None)
            return None

        if existing is None:
            path = f"{parent['path'] if parent else '/'}{code}/"
            if path.count("/") - 1 > rollup.MAX_DEPTH or len(path) > 255:
                row.fail("parent", "too_deep", value=row.text("parent"), max=rollup.MAX_DEPTH)
                self.seen[code] = (row.line, None)
                return None
            if rural is None:
                rural = rural_from_level
            if rural is None:
                rural = name.endswith(("村", "镇", "乡", "嘎查", "苏木"))
            values = dict(code=code, name=name, name_en=name_en, level=level, path=path,
                          is_rural=rural, population=population, households=households,
                          attrs=attrs)
            op = _Op("create", row.line, values,
                     extra={"parent": parent["code"] if parent else None, "station": station})
            self.seen[code] = (row.line, op)
            return op

        values = dict(name=name, name_en=name_en, population=population, households=households,
                      is_rural=rural if rural is not None else rural_from_level)
        changes = _changes(existing, values)
        if attrs and {**(existing.attrs or {}), **attrs} != (existing.attrs or {}):
            changes["attrs"] = {**(existing.attrs or {}), **attrs}
        station_change = station and self._station_differs(existing, station)
        op = _Op("update" if changes or station_change else "unchanged", row.line, changes,
                 target=existing, extra={"station": station if station_change else None})
        self.seen[code] = (row.line, op)
        return op

    def _station_name(self, text: str, column: str) -> str | None:
        s = normalize_header(text)
        if s in YES:
            return "yes"
        if s in NO:
            return None
        return parse_name(100)(text, column)

    def _station_differs(self, unit: OrgUnit, station: str) -> bool:
        row = Station.get_or_none(Station.code == f"S{unit.code}")
        if row is None:
            return True
        return station != "yes" and row.name != station

    def _parent(self, row: _Row, existing: OrgUnit | None, level: str | None) -> dict | None:
        """The parent as {code, path, level} from the database or an earlier row."""
        text = row.text("parent")
        if not text:
            if existing is None and level not in (None, "province", "city"):
                row.fail("parent", "required")
            return None
        try:
            code = parse_code(text, row.column("parent"))
        except ValidationError:
            code = None
        if code is not None and code in self.seen:
            line, op = self.seen[code]
            if op is None:
                row.fail("parent", "parent_invalid", value=text, line=line)
                return None
            parent = {"code": code, "path": op.values.get("path") or op.target.path,
                      "level": op.values.get("level") or op.target.level}
        else:
            unit = self.places.by_code.get(code) if code else None
            if unit is None:
                try:
                    unit = self.places.find(text, row.column("parent"))
                except ValidationError as e:
                    if code and code in self.later and self.later[code] > row.line:
                        row.fail("parent", "parent_later", value=text, line=self.later[code])
                    elif e.code == "ambiguous_unit":
                        row.fail("parent", e.code, value=text, **e.args_)
                    else:
                        row.fail("parent", "unknown_parent", value=text)
                    return None
            parent = {"code": unit.code, "path": unit.path, "level": unit.level}
        if existing is not None:
            current = self.places.by_code.get(existing.path.strip("/").split("/")[-2]) \
                if existing.parent_id else None
            if current is None or current.code != parent["code"]:
                row.fail("parent", "parent_changed", value=text,
                         current=current.name if current else "—")
                return None
        elif level and LEVELS.index(level) <= LEVELS.index(parent["level"]):
            row.fail("level", "level_below_parent", value=row.text("level"), level=level,
                     parent_level=parent["level"])
            return None
        return parent

    def write(self, ops, actor):
        ids = {code: u.id for code, u in self.places.by_code.items()}
        creates = sorted((op for op in ops if op.action == "create"),
                         key=lambda op: op.values["path"].count("/"))
        depth_groups: dict[int, list[_Op]] = defaultdict(list)
        for op in creates:
            depth_groups[op.values["path"].count("/")].append(op)
        for depth in sorted(depth_groups):
            group = depth_groups[depth]
            rows = [{**op.values, "parent": ids.get(op.extra["parent"])} for op in group]
            _insert(OrgUnit, rows)
            for chunk in _chunks([op.values["code"] for op in group]):
                for uid, code in (OrgUnit.select(OrgUnit.id, OrgUnit.code)
                                  .where(OrgUnit.code.in_(chunk)).tuples()):
                    ids[code] = uid
        _apply_updates(OrgUnit, ops)
        for op in ops:
            station = op.extra.get("station")
            if not station:
                continue
            code = op.values["code"] if op.action == "create" else op.target.code
            name = op.values.get("name") or getattr(op.target, "name", "")
            path = op.values["path"] if op.action == "create" else op.target.path
            station_name = f"{name}社工站" if station == "yes" else station
            existing = Station.get_or_none(Station.code == f"S{code}")
            if existing is None:
                Station.create(code=f"S{code}", name=station_name, township=ids[code], path=path)
            elif station != "yes":
                existing.name = station_name
                existing.save()


# --------------------------------------------------------------------------------------------
# Workers
# --------------------------------------------------------------------------------------------

ROLE_WORDS = {"社区工作者": "worker", "工作人员": "worker", "社工": "worker", "社区干部": "worker",
              "网格员": "worker", "专职社工": "worker", "worker": "worker", "成员": "worker",
              "负责人": "leader", "组长": "leader", "站长": "leader", "书记": "leader",
              "主任": "leader", "社区书记": "leader", "社区主任": "leader", "leader": "leader"}
WORKER_STATUS_WORDS = {"在岗": "active", "启用": "active", "正常": "active", "有效": "active",
                       "active": "active", "停用": "disabled", "禁用": "disabled",
                       "离岗": "disabled", "离职": "disabled", "disabled": "disabled",
                       "待审核": "pending", "待审批": "pending", "pending": "pending"}
PARSE_ROLE = word_parser(ROLE_WORDS, ("社区工作者", "负责人"))
PARSE_WORKER_STATUS = word_parser(WORKER_STATUS_WORDS, ("在岗", "停用", "待审核"))


class WorkerImporter(_Importer):
    entity = "workers"
    sheet_title = "社区工作者"
    columns = (
        Column("name", "姓名", ("名字", "工作人员姓名", "人员姓名", "社工姓名", "name"),
               required=True, note="必填"),
        Column("tg_user_id", "Telegram用户ID", ("Telegram ID", "TG ID", "TGID", "电报ID",
                                              "Telegram账号ID", "tg_user_id", "telegram"),
               required=True,
               note="必填：机器人用它认出本人（数字）；手机号无处保存，不导入"),
        Column("community", "所属社区", COMMUNITY, required=True,
               note="必填：社区/村的代码，或不重名的名称"),
        Column("role", "角色", ("职务", "岗位", "身份"), note="可选：社区工作者（默认）或负责人"),
        Column("status", "状态", ("账号状态", "在岗状态"), note="可选：在岗（默认）、停用、待审核"),
        Column("username", "Telegram用户名", ("用户名", "TG用户名", "username")),
        TOWNSHIP_HINT, COUNTY_HINT,
    )

    def prepare(self, rows):
        super().prepare(rows)
        ids = []
        for row in rows:
            try:
                ids.append(parse_telegram_id(row.text("tg_user_id"), ""))
            except ValidationError:
                pass
        self.existing = {}
        for chunk in _chunks(sorted(set(ids))):
            for w in Worker.select().where(Worker.tg_user_id.in_(chunk)):
                self.existing[w.tg_user_id] = w
        self.existing_units = {u.id: u for u in self.places.by_code.values()}
        self.seen: dict[int, int] = {}

    def check(self, row):
        tg = row.get("tg_user_id", parse_telegram_id, required=True)
        name = row.get("name", parse_name(100), required=True)
        unit = self.unit(row, "community", ("community",))
        role = row.get("role", PARSE_ROLE)
        status = row.get("status", PARSE_WORKER_STATUS)
        username = row.get("username", self._username)
        if tg is not None:
            if tg in self.seen:
                row.fail("tg_user_id", "duplicate_row", value=row.text("tg_user_id"),
                         what="telegram_id", line=self.seen[tg])
            else:
                self.seen[tg] = row.line
        existing = self.existing.get(tg)
        if existing is not None:
            current = self.existing_units.get(existing.org_unit_id)
            if current is not None and not self.in_scope(current):
                row.fail("tg_user_id", "out_of_scope", value=row.text("tg_user_id"))
        if row.errors:
            return None
        if existing is None:
            return _Op("create", row.line, dict(
                tg_user_id=tg, display_name=name, org_unit=unit.id, role=role or "worker",
                status=status or "active", username=username, created_at=now()))
        changes = _changes(existing, dict(display_name=name, role=role, status=status,
                                          username=username))
        if existing.org_unit_id != unit.id:
            changes["org_unit"] = unit.id
        return _Op("update" if changes else "unchanged", row.line, changes, target=existing)

    @staticmethod
    def _username(text: str, column: str) -> str:
        s = parsing.normalize(text).lstrip("@").replace(" ", "")
        if not _USERNAME_RE.match(s):
            raise ValidationError(column, "bad_username")
        return s

    def write(self, ops, actor):
        _insert(Worker, [op.values for op in ops if op.action == "create"])
        _apply_updates(Worker, ops)


# --------------------------------------------------------------------------------------------
# Volunteers and community social organizations: the registry's own rules (models.registry)
# --------------------------------------------------------------------------------------------

ACTIVE_WORDS = {"在册": True, "有效": True, "正常": True, "在岗": True, "活跃": True,
                "active": True, "是": True, "注销": False, "退出": False, "无效": False,
                "停用": False, "不活跃": False, "inactive": False, "否": False}
PARSE_ACTIVE = word_parser(ACTIVE_WORDS, ("在册", "注销"))


def _registry_check(row: _Row, keys: dict[str, str], clean: Callable[[], dict]) -> dict | None:
    """Run one of the registry's ``clean_*`` checks; its error lands on the column of the
    field it names (``keys``: registry field → column key)."""
    try:
        return clean()
    except ValidationError as e:
        key = keys.get(e.field or "", "name")
        row.fail(key, e.code, value=row.text(key), **e.args_)
        return None


class VolunteerImporter(_Importer):
    """A volunteer register. One person, one registration, as ``registry.register_volunteer``
    has it: the same ID number anywhere or the same phone in the community is the same
    volunteer, so a second import updates them."""

    entity = "volunteers"
    sheet_title = "志愿者"
    columns = (
        Column("name", "姓名", ("志愿者姓名", "名字", "name"), required=True, note="必填"),
        Column("phone", "手机号码", PHONE, required=True,
               note="必填：11 位手机号，或带区号的固定电话；同一社区内按它识别同一人"),
        Column("community", "所属社区", COMMUNITY, required=True,
               note="必填：社区/村的代码，或不重名的名称"),
        Column("gender", "性别", ("gender",), note="可选：男/女"),
        Column("id_type", "证件类型", ("证件种类",), note="可选，默认居民身份证"),
        Column("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码", "证件号",
                                      "身份证"),
               note="可选；填写后在全系统按它识别同一人（身份证会校验）。请把该列设为文本格式"),
        Column("team", "志愿服务队", ("服务队", "所属队伍", "队伍", "志愿队", "所属服务队",
                                   "志愿者队伍", "团队", "所属志愿团体", "志愿团体")),
        Column("skills", "服务技能", ("技能", "特长", "专长", "技能特长", "服务特长",
                                   "服务意向")),
        Column("registered_on", "注册日期", ("登记日期", "注册时间", "登记时间", "加入日期",
                                          "入队日期"), note="可选，默认导入当天"),
        Column("active", "状态", ("志愿者状态", "在册状态", "是否在册"),
               note="可选：在册（默认）/注销"),
        TOWNSHIP_HINT, COUNTY_HINT,
    )
    FIELDS = {"name": "name", "phone": "phone", "gender": "gender", "id_type": "id_type",
              "id_number": "id_number", "team": "team", "skills": "skills",
              "registered_on": "registered_on", "org_unit": "community"}

    def prepare(self, rows):
        super().prepare(rows)
        self.by_id: dict[str, Volunteer] = {}
        self.by_phone: dict[tuple, Volunteer] = {}
        phones, ids = set(), set()
        for row in rows:
            for key, bucket, parse in (("phone", phones, registry.parse_phone),
                                       ("id_number", ids, lambda t, f: parsing.normalize(t)
                                        .replace(" ", "").upper())):
                try:
                    bucket.add(parse(row.text(key), key))
                except ValidationError:
                    pass
        for field_, values in ((Volunteer.phone, phones), (Volunteer.id_number, ids)):
            for chunk in _chunks(sorted(values - {""})):
                for v in Volunteer.select().where(field_.in_(chunk)):
                    if v.id_number:
                        self.by_id.setdefault(v.id_number, v)
                    if v.phone:
                        self.by_phone.setdefault((v.org_unit_id, v.phone), v)
        self.seen: dict[tuple, int] = {}

    def check(self, row):
        registered = row.get("registered_on", lambda t, c: parsing.parse_date(
            t, c, today=self.today))
        active = row.get("active", PARSE_ACTIVE)
        unit = self.unit(row, "community", ("community",))
        if row.errors:
            return None
        raw = {k: row.text(k) for k in ("name", "phone", "gender", "id_type", "id_number",
                                        "team", "skills")}
        cleaned = _registry_check(row, self.FIELDS, lambda: registry.clean_volunteer(
            {k: v for k, v in raw.items() if v}, today=self.today))
        if cleaned is None:
            return None
        cleaned.pop("registered_on", None)
        keys = [("id_number", cleaned["id_number"])] if cleaned["id_number"] else []
        keys.append(("phone", unit.id, cleaned["phone"]))
        for key in keys:
            if key in self.seen:
                row.fail(key[0], "duplicate_row", value=row.text(key[0]),
                         what="id_number" if key[0] == "id_number" else "person",
                         line=self.seen[key])
                return None
        for key in keys:
            self.seen[key] = row.line
        existing = (self.by_id.get(cleaned["id_number"]) if cleaned["id_number"] else None) \
            or self.by_phone.get((unit.id, cleaned["phone"]))
        if existing is not None and not self.in_scope(existing.org_path):
            key = "id_number" if cleaned["id_number"] else "phone"
            row.fail(key, "out_of_scope", value=row.text(key))
            return None
        if existing is None:
            return _Op("create", row.line, dict(
                cleaned, uid=str(uuid.uuid4()), org_unit=unit.id, org_path=unit.path,
                registered_on=registered or self.today,
                active=True if active is None else active, source="import", created_at=now()))
        values = {k: v for k, v in cleaned.items() if raw.get(k) or k in ("name", "phone")}
        values.update(registered_on=registered, active=active)
        changes = _changes(existing, values)
        if existing.org_unit_id != unit.id:
            changes.update(org_unit=unit.id, org_path=unit.path)
        return _Op("update" if changes else "unchanged", row.line, changes, target=existing)

    def write(self, ops, actor):
        _insert(Volunteer, [op.values for op in ops if op.action == "create"])
        _apply_updates(Volunteer, ops)


ORG_STATUS_WORDS = {"待初审": "pending", "待审核": "pending", "申请中": "pending",
                    "pending": "pending", "已初审": "reviewed", "初审通过": "reviewed",
                    "待备案": "reviewed", "reviewed": "reviewed",
                    "已备案": "filed", "备案": "filed", "已登记": "filed", "filed": "filed"}
PARSE_ORG_STATUS = word_parser(ORG_STATUS_WORDS, ("待初审", "已初审", "已备案"))


class OrganizationImporter(_Importer):
    """The 备案 register of community social organizations, checked by the registry's own
    rules (``registry.clean_organization``; a hub belongs to a street, one per street, filed
    with 2–3 full-time social workers). A paper register may bring organizations already
    reviewed or filed; after that their status follows the registry's workflow, not imports."""

    entity = "organizations"
    sheet_title = "社区社会组织"
    columns = (
        Column("name", "组织名称", ("社会组织名称", "社区社会组织名称", "名称", "单位名称",
                                  "name"), required=True, note="必填；同一社区内按名称识别"),
        Column("category", "类别", ("组织类别", "类型", "组织类型", "服务类别", "分类"),
               required=True,
               note="必填：养老服务类、社区服务类、扶危助困类、慈善救助类、互助类或其他"),
        Column("community", "所属社区", COMMUNITY,
               note="社区/村的代码或名称；枢纽型组织不填，填“乡镇（街道）”"),
        Column("leader", "负责人", ("负责人姓名", "法定代表人", "联系人"), required=True,
               note="必填"),
        Column("leader_phone", "负责人电话", ("负责人手机", "负责人联系电话") + PHONE),
        Column("members", "成员人数", ("成员数", "会员数", "人数", "成员数量", "会员人数")),
        Column("founded_on", "成立日期", ("成立时间", "成立年月")),
        Column("status", "备案状态", ("状态", "登记状态"),
               note="可选，仅新登记的组织：待初审（默认）、已初审、已备案；"
                    "已在系统中的组织以审核流程为准"),
        Column("is_hub", "枢纽型组织", ("是否枢纽型", "枢纽型", "是否枢纽型组织",
                                     "枢纽型社区社会组织联合会", "联合会"),
               note="可选：是/否（街道枢纽型社区社会组织联合会，属于街道）"),
        Column("full_time_social_workers", "专职社工人数", ("专职社工数", "专职社会工作者",
                                                         "专职社工")),
        Column("active", "是否活跃", ("活跃",), note="可选：是（默认）/否"),
        Column("rating", "评估等级", ("等级", "评级", "社会组织评估等级"), note="可选：1A—5A"),
        Column("note", "备注", ("说明",)),
        TOWNSHIP_HINT, COUNTY_HINT,
    )
    FIELDS = {"name": "name", "category": "category", "leader": "leader",
              "leader_phone": "leader_phone", "members": "members",
              "founded_on": "founded_on", "full_time_social_workers": "full_time_social_workers",
              "note": "note", "org_unit": "community", "is_hub": "is_hub"}

    def prepare(self, rows):
        super().prepare(rows)
        names = sorted({row.text("name") for row in rows if row.text("name")})
        self.existing: dict[tuple, SocialOrganization] = {}
        for chunk in _chunks(names):
            for o in SocialOrganization.select().where(SocialOrganization.name.in_(chunk)):
                self.existing[(o.org_unit_id, o.name)] = o
        self.hubs = {o.org_unit_id: o for o in SocialOrganization.select().where(
            SocialOrganization.is_hub == True,  # noqa: E712
            SocialOrganization.status != "deregistered")}
        self.seen: dict[tuple, int] = {}
        self.hub_rows: dict[int, int] = {}

    def _place(self, row: _Row) -> OrgUnit | None:
        """The community; a hub's street may stand in the township column alone."""
        if row.text("community") or not row.text("township_hint"):
            return self.unit(row, "community", ("community", "township"))
        return self.unit(row, "township_hint", ("township",))

    def check(self, row):
        founded = row.get("founded_on", lambda t, c: parsing.parse_date(t, c, today=self.today))
        status = row.get("status", PARSE_ORG_STATUS)
        hub = row.get("is_hub", parse_yes_no)
        active = row.get("active", PARSE_ACTIVE)
        rating = row.get("rating", parse_rating)
        unit = self._place(row)
        if row.errors:
            return None
        if hub is None:
            hub = unit.level == "township"
        raw = {k: row.text(k) for k in ("name", "category", "leader", "leader_phone",
                                        "members", "full_time_social_workers", "note")}
        cleaned = _registry_check(row, self.FIELDS, lambda: registry.clean_organization(
            {**{k: v for k, v in raw.items() if v}, "founded_on": founded}, today=self.today))
        if cleaned is None:
            return None
        place_key = "community" if row.text("community") else "township_hint"
        if not hub and unit.level != "community":
            row.fail(place_key, "needs_community", value=row.text(place_key))
        if hub and unit.level != "township":
            row.fail(place_key, "hub_needs_township", value=row.text(place_key))
        key = (unit.id, cleaned["name"])
        if key in self.seen:
            row.fail("name", "duplicate_row", value=cleaned["name"], what="organization",
                     line=self.seen[key])
        if row.errors:
            return None
        self.seen[key] = row.line
        existing = self.existing.get(key)
        if existing is not None and existing.status == "deregistered":
            row.fail("name", "deregistered", value=cleaned["name"])
            return None
        if hub and (existing is None or not existing.is_hub):
            other = self.hubs.get(unit.id)
            if other is not None and other.name != cleaned["name"]:
                row.fail("is_hub", "hub_exists", value=row.text("is_hub"), street=unit.name,
                         name=other.name)
                return None
            if unit.id in self.hub_rows:
                row.fail("is_hub", "duplicate_row", value=row.text("is_hub"),
                         what="organization", line=self.hub_rows[unit.id])
                return None
            self.hub_rows[unit.id] = row.line
        if existing is None:
            status = status or "pending"
            if hub and status == "reviewed":
                status = "pending"  # a hub has no first review: its street files it
            low, high = registry.HUB_SOCIAL_WORKERS
            staff = cleaned["full_time_social_workers"]
            if hub and status == "filed" and not low <= staff <= high:
                row.fail("full_time_social_workers", "hub_staffing",
                         value=row.text("full_time_social_workers"), min=low, max=high,
                         count=staff)
                return None
            return _Op("create", row.line, dict(
                cleaned, org_unit=unit.id, org_path=unit.path, is_hub=hub, status=status,
                active=True if active is None else active, rating=rating, created_at=now()),
                extra={"reviewed": status in ("reviewed", "filed") and not hub,
                       "filed": status == "filed"})
        values = {k: v for k, v in cleaned.items() if raw.get(k) or k in ("name", "category",
                                                                          "leader")}
        values.update(founded_on=founded, active=active, rating=rating)
        changes = _changes(existing, values)
        return _Op("update" if changes else "unchanged", row.line, changes, target=existing)

    def write(self, ops, actor):
        stamp = now()
        rows = []
        for op in ops:
            if op.action != "create":
                continue
            v = dict(op.values, reviewed_by=None, reviewed_at=None, filed_by=None, filed_at=None)
            if op.extra["reviewed"]:
                v.update(reviewed_by=actor, reviewed_at=stamp)
            if op.extra["filed"]:
                v.update(filed_by=actor, filed_at=stamp)
            rows.append(v)
        _insert(SocialOrganization, rows)
        _apply_updates(SocialOrganization, ops)


# --------------------------------------------------------------------------------------------
# Past reports
# --------------------------------------------------------------------------------------------

REPORT_STATUS_WORDS = {"已提交": "submitted", "提交": "submitted", "待审核": "submitted",
                       "submitted": "submitted", "已通过": "approved", "通过": "approved",
                       "已审核": "approved", "审核通过": "approved", "approved": "approved"}
PARSE_REPORT_STATUS = word_parser(REPORT_STATUS_WORDS, ("已提交", "已通过"))
SKIPPED_TYPES = ("photo", "location")
_MULTI_SEP_RE = re.compile(r"[,;、，；/\n]+")


class ReportImporter(_Importer):
    """Reports filed before the bot: a type, a community, a date, then the type's questions
    by their labels. Each is checked by the form rules of its kind (``forms.parse_answer``,
    ``forms.validate_complete``) and stored and counted like a submitted one."""

    entity = "reports"
    sheet_title = "历史报告"
    columns = (
        Column("kind", "类型", ("报告类型", "类别", "报告种类", "填报类型", "kind"),
               required=True, note="必填：报告类型名称，见本表名"),
        Column("community", "社区", COMMUNITY, required=True,
               note="必填：社区/村的代码，或不重名的名称"),
        Column("date", "日期", ("活动日期", "开展日期", "时间", "活动时间", "日期(年月日)",
                              "date")),
        Column("status", "状态", ("审核状态", "status"), note="可选：已提交（默认）或已通过"),
        TOWNSHIP_HINT, COUNTY_HINT,
    )

    def __init__(self, scope, today):
        super().__init__(scope, today)
        self.zh = translator("zh_Hans")
        self.kind_rows: dict[str, ReportKind] = {}
        self.kind_names: dict[str, KindDef] = {}
        for row in ReportKind.select().order_by(ReportKind.order):
            kind = KindDef.from_row(row)
            self.kind_rows[kind.code] = row
            for name in (kind.code, kind.name, self.zh.gettext(kind.name)):
                self.kind_names.setdefault(normalize_header(name), kind)
        self.active_kind_names = [self.zh.gettext(r.name) for r in self.kind_rows.values()
                                  if r.active]
        self.field_forms: dict[str, dict[str, str]] = {}  # kind → header form → field
        for code, row in self.kind_rows.items():
            kind = KindDef.from_row(row)
            forms = {}
            for f in kind.fields:
                if f.type in SKIPPED_TYPES:
                    continue
                for name in (f.name, f.label, self.zh.gettext(f.label)):
                    forms.setdefault(normalize_header(name), f.name)
            self.field_forms[code] = forms

    def header_key(self, header):
        key = super().header_key(header)
        if key is not None:
            return key
        forms = header_forms(header)
        for kind_forms in self.field_forms.values():
            for form in forms:
                if form in kind_forms:
                    return f"field:{form}"
        return None

    def prepare(self, rows):
        super().prepare(rows)
        self.seen: dict[str, int] = {}
        self.kinds_seen: set[str] = set()
        self.kind_columns: dict[str, dict[str, str]] = {}
        self.option_tables: dict[tuple, dict[str, str]] = {}
        self.indicators = list(Indicator.select().where(Indicator.measure != "reference"))

    def _kind(self, text: str, column: str) -> KindDef:
        for form in header_forms(text):
            if form in self.kind_names:
                return self.kind_names[form]
        raise ValidationError(column, "unknown_kind", options="、".join(self.active_kind_names))

    def _field_keys(self, kind: KindDef, row: _Row) -> dict[str, str]:
        """Field name → column key for ``kind`` in this file (the same for every row)."""
        if kind.code not in self.kind_columns:
            forms = self.field_forms[kind.code]
            out = {}
            for key in row.cells:
                if key.startswith("field:") and key[6:] in forms:
                    out.setdefault(forms[key[6:]], key)
            date = kind.date_field()
            if date is not None and date.name not in out and "date" in row.cells:
                out[date.name] = "date"
            self.kind_columns[kind.code] = out
        return self.kind_columns[kind.code]

    def _options(self, kind: KindDef, f: FieldDef) -> tuple[dict[str, str], str]:
        """A choice field's words → option values (value, English and Chinese label; an
        action line's slogan too), and the Chinese labels an error lists."""
        key = (kind.code, f.name)
        if key not in self.option_tables:
            table, labels = {}, []
            for o in options_for(f, "zh_Hans"):
                label = o.label if o.literal else self.zh.gettext(o.label)
                labels.append(label)
                for name in (o.value, o.label, label):
                    table.setdefault(normalize_header(name), o.value)
            if f.options_from == "action_lines":
                plan = default_plan()
                for line in ActionLine.select().where(ActionLine.plan == plan):
                    for name in (line.slogan, line.name_en):
                        if name:
                            table.setdefault(normalize_header(name), line.code)
            self.option_tables[key] = (table, "、".join(labels))
        return self.option_tables[key]

    def _option(self, kind: KindDef, f: FieldDef, text: str):
        table, labels = self._options(kind, f)
        for form in header_forms(text):
            if form in table:
                return table[form]
        raise ValidationError(f.name, "invalid_choice", options=labels)

    def _answer(self, kind: KindDef, f: FieldDef, text: str):
        if f.type == "choice" and f.options_from == "volunteers":
            return parse_answer(f, text, today=self.today)  # by name or phone, in the row's
        if f.type == "choice":
            return self._option(kind, f, text)
        if f.type == "multi":
            values = [self._option(kind, f, part) for part in _MULTI_SEP_RE.split(text)
                      if part.strip()]
            return parsing.parse_multi(values, f.name, [o.value for o in options_for(f)],
                                       min_count=0 if f.optional else 1)
        return parse_answer(f, text, today=self.today)

    def check(self, row):
        kind = row.get("kind", self._kind, required=True)
        unit = self.unit(row, "community", ("community",))
        status = row.get("status", PARSE_REPORT_STATUS)
        if kind is None:
            return None
        self.kinds_seen.add(kind.code)
        bind_scope(unit.id if unit else None)  # the community whose volunteers a row may name
        answers: dict = {}
        columns: dict[str, str] = {}
        keys = self._field_keys(kind, row)
        for f in kind.fields:
            if f.type in SKIPPED_TYPES or not f.applies(answers):
                continue
            key = keys.get(f.name)
            if key is None:
                columns[f.name] = self.zh.gettext(f.label)
                if not f.optional:
                    row.errors.append(RowError(row.line, columns[f.name], "missing_column",
                                               {"column": columns[f.name]}))
                continue
            columns[f.name] = row.column(key)
            text = row.text(key)
            if not text:
                continue
            try:
                answers[f.name] = self._answer(kind, f, text)
            except ValidationError as e:
                row.errors.append(RowError(row.line, columns[f.name], e.code,
                                           {"value": text, **e.args_}))
        if not row.errors:
            try:
                validate_complete(kind, answers, today=self.today)
            except ValidationError as e:
                row.errors.append(RowError(row.line, columns.get(e.field, e.field), e.code,
                                           {"value": cell_text(answers.get(e.field)), **e.args_}))
        if row.errors:
            return None
        from models.reports.filing import _report_fields  # the bot's own mapping of answers to columns

        fields = _report_fields(kind, answers, self.today)
        identity = json.dumps([kind.code, unit.code, fields["values"]], sort_keys=True,
                              ensure_ascii=False, default=str)
        uid = str(uuid.uuid5(IMPORT_NAMESPACE, identity))
        if uid in self.seen:
            row.fail("kind", "duplicate_row", value=row.text("kind"), what="report",
                     line=self.seen[uid])
            return None
        self.seen[uid] = row.line
        status = status or "submitted"
        return _Op("create", row.line, dict(
            uid=uid, kind=self.kind_rows[kind.code].id, worker=None, org_unit=unit.id,
            org_path=unit.path, status=status, **fields),
            extra={"kind": kind, "columns": columns})

    def finish(self, ops: list[_Op]) -> None:
        """Reports already imported (same uid) are updated or left alone, not added again."""
        uids = [op.values["uid"] for op in ops]
        existing = {}
        for chunk in _chunks(uids):
            for rid, uid, status in (Report.select(Report.id, Report.uid, Report.status)
                                     .where(Report.uid.in_(chunk)).tuples()):
                existing[uid] = (rid, status)
        for op in ops:
            hit = existing.get(op.values["uid"])
            if hit is None:
                continue
            rid, status = hit
            op.target = Report(id=rid)
            if status == op.values["status"]:
                op.action, op.values = "unchanged", {}
            else:
                op.action, op.values = "update", {"status": op.values["status"]}

    def ignored(self, headers: dict[str, str]) -> list[str]:
        """Question columns that belong to none of the report types in the file."""
        return [h for key, h in headers.items() if key.startswith("field:") and not any(
            key[6:] in self.field_forms[code] for code in self.kinds_seen)]

    def write(self, ops, actor):
        creates = [op for op in ops if op.action == "create"]
        # Many new reports: the monthly rollup is rebuilt once at the end, not row by row.
        bulk = rollup.suspended() if len(creates) >= SUSPEND_ROLLUP_AT else nullcontext()
        with bulk:
            self._write(ops, creates, actor)

    def _write(self, ops, creates, actor):
        from models.plans.loading import _rows_for  # the one contribution-row builder of count_report
        from models.reports.filing import review

        stamp = now()
        for op in creates:
            approved = op.values["status"] == "approved"
            op.values.update(created_at=stamp, updated_at=stamp,
                             reviewed_by=actor if approved else None,
                             reviewed_at=stamp if approved else None)
        _insert(Report, [op.values for op in creates])
        by_uid = {op.values["uid"]: op for op in creates}
        contributions = []
        for chunk in _chunks(list(by_uid)):
            for rid, uid in Report.select(Report.id, Report.uid).where(
                    Report.uid.in_(chunk)).tuples():
                op = by_uid[uid]
                v = op.values
                op.target = Report(id=rid, kind=v["kind"], worker=None, org_unit=v["org_unit"],
                                   org_path=v["org_path"], action_line=v["action_line"],
                                   activity_date=v["activity_date"], values=v["values"],
                                   status=v["status"], uid=uid)
                contributions += _rows_for(op.target, self.indicators, op.extra["kind"].code)
        _insert(Contribution, contributions)
        for op in ops:
            if op.action == "update":  # a status changed since the last import: a review
                review(Report.get_by_id(op.target.id), op.values["status"], actor=actor)
        for op in creates:
            stores = self.kind_rows[op.extra["kind"].code].stores
            if stores:
                try:
                    sinks.apply(stores, Report.get_by_id(op.target.id), created=True)
                except ValidationError as e:  # the registry refused it: the row is bad
                    column = op.extra["columns"].get(e.field or "", None)
                    raise RowRefused(RowError(op.line, column, e.code, dict(e.args_))) from e


# --------------------------------------------------------------------------------------------
# The two entry points
# --------------------------------------------------------------------------------------------

COUNTERS = {"create": "created", "update": "updated", "unchanged": "unchanged"}
IMPORTERS: dict[str, type[_Importer]] = {
    cls.entity: cls for cls in (OrgUnitImporter, WorkerImporter, VolunteerImporter,
                                OrganizationImporter, ReportImporter)
}
ENTITIES = tuple(IMPORTERS)


def _find_header(rows: list[list], importer: _Importer) -> int:
    """Index of the header row: the first of the top rows naming two known columns (offices
    often put a title row above), else the first non-blank row."""
    first = None
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        if first is None:
            first = i
        if sum(1 for t in texts if t and importer.header_key(t)) >= 2:
            return i
    return first if first is not None else 0


def _check(importer: _Importer, table_rows: list[list], result: ImportResult) -> list[_Op]:
    header_index = _find_header(table_rows, importer)
    if header_index >= len(table_rows):
        raise FileProblem("empty")
    headers = list(table_rows[header_index])
    header_line = header_index + 1
    mapping, ignored = importer.map_headers(headers, header_line)
    by_key = {key: cell_text(headers[i]) for i, key in mapping.items()}
    rows: list[_Row] = []
    for index in range(header_index + 1, len(table_rows)):
        cells = table_rows[index]
        values = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
        if not any(cell_text(v) for v in values.values()) and \
                not any(cell_text(c) for c in cells):
            continue
        rows.append(_Row(index + 1, values, by_key, importer.canonical))
    if not rows:
        raise FileProblem("empty", line=header_line)
    if len(rows) > MAX_ROWS:
        raise FileProblem("too_many_rows", count=len(rows), max=MAX_ROWS)
    result.rows = len(rows)
    importer.prepare(rows)
    ops = []
    for row in rows:
        op = importer.check(row)
        result.errors.extend(row.errors)
        if op is not None and not row.errors:
            ops.append(op)
    if isinstance(importer, ReportImporter):
        bind_scope(None)
        importer.finish(ops)
        ignored += importer.ignored(by_key)
    result.ignored_columns = ignored
    for op in ops:
        name = COUNTERS[op.action]
        setattr(result, name, getattr(result, name) + 1)
    return ops


def _importer(entity: str, scope: OrgUnit | None, today: dt.date | None) -> _Importer:
    try:
        cls = IMPORTERS[entity]
    except KeyError:
        raise ValueError(f"unknown entity {entity!r}; one of {', '.join(ENTITIES)}") from None
    return cls(scope, today or dt.date.today())


def _file_error(result: ImportResult, e: FileProblem) -> ImportResult:
    params = {"column": e.column, **e.params} if e.column else dict(e.params)
    result.errors.append(RowError(e.line, e.column, e.code, params, whole_file=True))
    return result


def dry_run(entity: str, source, *, filename: str | None = None, sheet: str | None = None,
            scope: OrgUnit | None = None, today: dt.date | None = None) -> ImportResult:
    """Check a file without writing: every bad row, and what would be created or updated.

    ``source`` is a path, bytes or a binary file; ``scope`` an org unit whose subtree the
    rows must stay in (None: anywhere, for the command line)."""
    started = time.perf_counter()
    importer = _importer(entity, scope, today)
    result = ImportResult(entity=entity)
    try:
        rows, result.filename = sheet_rows(source, filename=filename, sheet=sheet)
        _check(importer, rows, result)
    except FileProblem as e:
        _file_error(result, e)
    result.seconds = time.perf_counter() - started
    return result


def run(entity: str, source, *, actor: str, filename: str | None = None,
        sheet: str | None = None, scope: OrgUnit | None = None,
        today: dt.date | None = None) -> ImportResult:
    """Check and import in one transaction: any bad row and nothing is written (the result
    lists them as ``dry_run`` does); otherwise every row is, with one audit entry."""
    started = time.perf_counter()
    importer = _importer(entity, scope, today)
    result = ImportResult(entity=entity, mode="run")
    try:
        rows, result.filename = sheet_rows(source, filename=filename, sheet=sheet)
    except FileProblem as e:
        return _file_error(result, e)
    try:
        with database.atomic() as txn:
            ops = _check(importer, rows, result)
            if not result.ok:
                txn.rollback()
            else:
                importer.write(ops, actor)
                audit(actor, "import", "import", entity,
                      after={"file": result.filename, **result.counts()})
                result.written = True
    except FileProblem as e:
        _file_error(result, e)
    except RowRefused as e:
        result.written = False
        result.errors.append(e.error)
    except pw.IntegrityError:
        result.written = False
        result.errors.append(RowError(None, None, "conflict", {}, whole_file=True))
    result.seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------

def template_tables(entity: str) -> list[tuple[str, list[str], list[list]]]:
    """The sheets of an entity's blank template: the header row (required columns marked
    "*"), then an instructions sheet. Reports get one sheet per report type."""
    importer = _importer(entity, None, None)
    notes_header = ["列名", "是否必填", "说明"]
    if isinstance(importer, ReportImporter):
        sheets, notes = [], []
        for code, row in importer.kind_rows.items():
            if not row.active:
                continue
            kind = KindDef.from_row(row)
            title = importer.zh.gettext(kind.name)
            headers = ["*类型", "*社区", "状态"]
            notes.append([f"【{title}】", "", f"类型一栏填写：{title}"])
            for f in kind.fields:
                if f.type in SKIPPED_TYPES:
                    continue
                label = importer.zh.gettext(f.label)
                required = not f.optional and not f.when
                headers.append(f"*{label}" if required else label)
                notes.append([label, "是" if required else ("视情况" if f.when else "否"),
                              _field_note(importer, kind, f)])
            sheets.append((title, headers, []))
        common = [[c.header, "是" if c.required else "否", c.note] for c in importer.columns]
        return sheets + [("填写说明", notes_header, common + notes)]
    headers = [f"*{c.header}" if c.required else c.header for c in importer.columns
               if c.key not in ("township_hint", "county_hint")]
    notes = [[c.header, "是" if c.required else "否", c.note] for c in importer.columns]
    return [(importer.sheet_title, headers, []), ("填写说明", notes_header, notes)]


def _field_note(importer: ReportImporter, kind: KindDef, f: FieldDef) -> str:
    zh = importer.zh.gettext
    if f.type in ("choice", "multi"):
        labels = [o.label if o.literal else zh(o.label) for o in options_for(f, "zh_Hans")]
        note = "可选值：" + "、".join(labels) + ("（可多选，用顿号分隔）" if f.type == "multi" else "")
    elif f.type == "integer":
        note = "整数" + (f"，{f.min}—{f.max}" if f.min is not None and f.max is not None else "")
    elif f.type == "money":
        note = "金额（元），最多两位小数"
    elif f.type == "date":
        note = "日期，如 2024-03-05"
    else:
        note = f"文字，最多 {f.max_length} 字"
    if f.when:
        other = kind.field(f.when["field"])
        shown = [o.label if o.literal else zh(o.label) for o in options_for(other, "zh_Hans")
                 if o.value in f.when["in"]]
        note = f"仅当“{zh(other.label)}”为“{'/'.join(shown)}”时必填。" + note
    return note


def template_xlsx(entity: str) -> bytes:
    """A blank XLSX for ``entity`` with its Chinese headers and filling instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for title, headers, rows in template_tables(entity):
        ws = wb.create_sheet(title=title[:31])
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
            cell.number_format = "@"
        for row in rows:
            ws.append(row)
        for i, h in enumerate(headers, start=1):
            width = max([len(str(h))] + [len(str(r[i - 1])) for r in rows if len(r) >= i])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, width * 2 + 2))
        ws.freeze_panes = "A2"
        if title != "填写说明":
            # codes, phone and ID numbers typed as text, so Excel keeps every digit
            for i in range(1, len(headers) + 1):
                ws.column_dimensions[get_column_letter(i)].number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

"""The shared reader: a CSV (UTF-8 with or without BOM, or GBK as Excel in China saves it) or
one XLSX sheet as raw cells, its header row found under a title row or two and matched to an
entity's columns by any of their usual Chinese wordings, then its data rows numbered as Excel
shows them (the header is line 1), at most ``MAX_ROWS`` of them.

What an entity's columns mean is the entity's business; the reader only needs a function
from a header to a column key (``header_key``) and the columns that must be there."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from models.core.errors import ValidationError
from models.importing.results import FileProblem, RowError

MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in office sheets

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
# Columns and the header row
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


HeaderKey = Callable[[Any], "str | None"]


def find_header(rows: list[list], header_key: HeaderKey) -> int:
    """Index of the header row: the first of the top rows naming two known columns (offices
    often put a title row above), else the first non-blank row."""
    first = None
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        if first is None:
            first = i
        if sum(1 for t in texts if t and header_key(t)) >= 2:
            return i
    return first if first is not None else 0


def map_headers(headers: list, line: int, header_key: HeaderKey, required: Iterable[Column]
                ) -> tuple[dict[int, str], list[str]]:
    """Column index → key, and the headers no column claims; raises FileProblem for a missing
    or doubled column."""
    mapping: dict[int, str] = {}
    first: dict[str, str] = {}
    ignored = []
    for i, h in enumerate(headers):
        if not cell_text(h):
            continue
        key = header_key(h)
        if key is None:
            ignored.append(cell_text(h))
            continue
        if key in first:
            raise FileProblem("duplicate_column", column=cell_text(h), line=line,
                              first=first[key], second=cell_text(h))
        first[key] = cell_text(h)
        mapping[i] = key
    for c in required:
        if c.key not in first:
            raise FileProblem("missing_column", column=c.header, line=line)
    return mapping, ignored


# --------------------------------------------------------------------------------------------
# Data rows
# --------------------------------------------------------------------------------------------

class Row:
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
class Table:
    """The data rows under the header, non-blank ones only, each with its Excel line."""

    rows: list[Row]
    headers: dict[str, str]  # column key → header as written in the file
    ignored: list[str]  # headers no column claims


def read_table(table_rows: list[list], header_key: HeaderKey, required: Iterable[Column],
               canonical: dict[str, str]) -> Table:
    """The header found and mapped, then every non-blank row under it as a ``Row``."""
    header_index = find_header(table_rows, header_key)
    if header_index >= len(table_rows):
        raise FileProblem("empty")
    headers = list(table_rows[header_index])
    header_line = header_index + 1
    mapping, ignored = map_headers(headers, header_line, header_key, required)
    by_key = {key: cell_text(headers[i]) for i, key in mapping.items()}
    rows: list[Row] = []
    for index in range(header_index + 1, len(table_rows)):
        cells = table_rows[index]
        values = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
        if not any(cell_text(v) for v in values.values()) and \
                not any(cell_text(c) for c in cells):
            continue
        rows.append(Row(index + 1, values, by_key, canonical))
    if not rows:
        raise FileProblem("empty", line=header_line)
    if len(rows) > MAX_ROWS:
        raise FileProblem("too_many_rows", count=len(rows), max=MAX_ROWS)
    return Table(rows, by_key, ignored)

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
import itertools
import re
import unicodedata
import zipfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from models.core.errors import ValidationError
from models.core.text import clean
from models.importing.results import FileProblem, RowError

MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in office sheets
# Raw lines read at most, blank ones included: by ``sheet_rows`` (the list form), and of an
# XLSX sheet's row elements (its rows may be numbered out of order or twice).
MAX_LINES = MAX_ROWS + 10_000

_BRACKETS_RE = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")
_TRAILING_NOTE_RE = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]$")
_HEADER_STRIP = " *※:：·.、\u3000"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalize_header(text: Any) -> str:
    """A header as compared: NFKC (full-width → ASCII), no spaces or zero-width characters,
    no "*" required-marks or trailing colon, case-folded. Idempotent."""
    s = unicodedata.normalize("NFKC", clean(text)).translate(_ZERO_WIDTH)
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
    dates as ISO dates, booleans as 是/否, text cleaned as every text is
    (``models.core.text.clean``: control, bidi and zero-width characters removed)."""
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
    return clean(str(value), multiline=True)  # the door every text comes through


# The bounds on what is read. A real office file never comes near them; a hostile or broken
# one is refused before it can fill the memory.
MAX_FILE_BYTES = 20 * 1024 * 1024  # the file as uploaded: a 50,000-row sheet is a few MB
# An XLSX is a zip, and what counts is what it expands to. Its sheet XML is about 100 bytes a
# cell, so 50,000 rows of 20 columns is about 100 MB; 200 MB in all leaves room for styles
# and shared strings. zipfile never yields more than a member's declared size (it stops there
# and fails the CRC check), so checking the declared sizes bounds what opening the file reads.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# Office sheets deflate 5 to 30 times; 200 only by rows repeated by a program. Above it
# (once past a size that matters) the file is a zip bomb whatever its total.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM = 10 * 1024 * 1024  # a small file expanding a lot is harmless
MAX_ZIP_MEMBERS = 10_000  # a workbook has a few dozen parts; the directory is read whole
SNIFF_BYTES = 1 << 16


def _open(source, stack: ExitStack) -> tuple[BinaryIO, str]:
    """The source as a seekable binary file, and its name."""
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(source), ""
    if isinstance(source, (str, Path)):
        path = Path(source)
        return stack.enter_context(path.open("rb")), path.name
    name = Path(getattr(source, "name", "") or "").name
    if not (hasattr(source, "seekable") and source.seekable()):
        source = io.BytesIO(_bounded_read(source))
    return source, name


def _bounded_read(fp) -> bytes:
    data = fp.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem("too_large", max=MAX_FILE_BYTES // (1024 * 1024))
    return data


def _check_size(fp: BinaryIO) -> None:
    start = fp.tell()
    size = fp.seek(0, io.SEEK_END) - start
    fp.seek(start)
    if size > MAX_FILE_BYTES:
        raise FileProblem("too_large", max=MAX_FILE_BYTES // (1024 * 1024))


def _encoding(fp: BinaryIO) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM, else GB18030 (a superset of GBK and
    GB2312, as Excel in China saves CSV): one pass in chunks, the file is not held."""
    start = fp.tell()
    head = fp.read(4)
    fp.seek(start)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := fp.read(SNIFF_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        fp.seek(start)


def _csv_rows(fp: BinaryIO) -> Iterator[list]:
    encoding = _encoding(fp)
    start = fp.tell()
    text = io.TextIOWrapper(fp, encoding=encoding, newline="")
    try:
        try:
            first = next((line for line in text if line.strip()), "")
            text.detach()
            fp.seek(start)
            text = io.TextIOWrapper(fp, encoding=encoding, newline="")
            delimiter = max(",\t;", key=first.count) if first else ","
            if first.count(delimiter) == 0:
                delimiter = ","
            # One record is one spreadsheet row, even when a quoted cell holds line breaks.
            yield from csv.reader(text, delimiter=delimiter)
        except UnicodeDecodeError:
            raise FileProblem("encoding") from None
        except csv.Error:
            raise FileProblem("unreadable") from None
    finally:
        text.detach()  # the caller closes the file


def check_archive(fp: BinaryIO) -> None:
    """Refuse a zip that is not one, or that expands past what a workbook ever does, before
    any of it is decompressed."""
    start = fp.tell()
    try:
        end = zipfile._EndRecData(fp)  # the directory's size, before the directory is read
        if end is None:
            raise FileProblem("unreadable")
        if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ZIP_MEMBERS:
            raise FileProblem("zip_bomb")
        fp.seek(start)
        with zipfile.ZipFile(fp) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileProblem("unreadable") from None
    finally:
        fp.seek(start)
    expanded = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if expanded > MAX_UNCOMPRESSED_BYTES or (
            expanded > RATIO_CHECKED_FROM and expanded > MAX_COMPRESSION_RATIO * max(packed, 1)):
        raise FileProblem("zip_bomb")


def _workbook(fp: BinaryIO):
    """The workbook's parts openpyxl needs to read a sheet (names, shared strings, styles for
    dates), without opening its sheets: ``load_workbook`` in read-only mode scans every sheet
    that lacks a ``<dimension>`` (most files not saved by Excel) to its end, keeping an element
    per row, before a single row is read. Opened here, only the wanted sheet is read, and only
    as far as the rows are taken."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(fp, read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
              if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    return reader, sheets


def _xlsx_rows(fp: BinaryIO, sheet: str | None) -> Iterator[list]:
    from openpyxl.worksheet._reader import WorkSheetParser

    check_archive(fp)
    try:
        reader, sheets = _workbook(fp)
    except Exception:  # a damaged or foreign zip: openpyxl raises many kinds
        raise FileProblem("unreadable") from None
    try:
        if sheet:
            wanted = normalize_header(sheet)
            target = next((t for n, t in sheets if normalize_header(n) == wanted), None)
            if target is None:
                raise FileProblem("no_sheet", sheet=sheet)
        elif sheets:
            target = sheets[0][1]
        else:
            raise FileProblem("unreadable")
        wb = reader.wb
        with reader.archive.open(target) as source:
            parser = WorkSheetParser(source, reader.shared_strings, data_only=True,
                                     epoch=wb.epoch, date_formats=wb._date_formats,
                                     timedelta_formats=wb._timedelta_formats)
            # Every row element counts, even those never yielded (a row number written twice,
            # as openpyxl's own reader skips silently): the parser keeps an element for each,
            # so the bound is on what is parsed, not on what comes out.
            expected = 1  # Excel's number of the next row; gaps come back as empty rows
            try:
                for parsed, (index, cells) in enumerate(parser.parse(), start=1):
                    if parsed > MAX_LINES or index > MAX_LINES:
                        raise FileProblem("too_many_rows", max=MAX_ROWS)
                    if index < expected:
                        continue
                    while expected < index:
                        expected += 1
                        yield []
                    row = [None] * max((c["column"] for c in cells), default=0)
                    for c in cells:
                        row[c["column"] - 1] = c["value"]
                    expected += 1
                    yield row
            except (zipfile.BadZipFile, OSError, ValueError, KeyError, SyntaxError):
                raise FileProblem("unreadable") from None
    finally:
        reader.archive.close()


@contextmanager
def open_rows(source, *, filename: str | None = None, sheet: str | None = None
              ) -> Iterator[tuple[Iterator[list], str]]:
    """The rows of a CSV file or of one XLSX sheet as raw cells, read as they are consumed
    (row i is line i + 1), and the file's name. ``source`` is a path, bytes or a binary file
    (read from where it stands); files past ``MAX_FILE_BYTES`` and zip bombs are refused."""
    with ExitStack() as stack:
        fp, name = _open(source, stack)
        name = filename or name
        _check_size(fp)
        start = fp.tell()
        head = fp.read(8)
        fp.seek(start)
        suffix = Path(name).suffix.lower()
        if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileProblem("old_xls")
        if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
            rows = _xlsx_rows(fp, sheet)
        else:
            rows = _csv_rows(fp)
        try:
            yield rows, name
        finally:
            rows.close()


def sheet_rows(source, *, filename: str | None = None, sheet: str | None = None
               ) -> tuple[list[list], str]:
    """Every row of a CSV file or of one XLSX sheet, as raw cells; row i is line i + 1
    (at most ``MAX_LINES`` of them: ``open_rows`` reads them one by one)."""
    with open_rows(source, filename=filename, sheet=sheet) as (rows, name):
        out = []
        for row in rows:
            out.append(row)
            if len(out) > MAX_LINES:
                raise FileProblem("too_many_rows", max=MAX_ROWS)
        return out, name


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


def read_table(table_rows: Iterable[list], header_key: HeaderKey, required: Iterable[Column],
               canonical: dict[str, str]) -> Table:
    """The header found and mapped, then every non-blank row under it as a ``Row``, read one
    by one: past ``MAX_ROWS`` data rows the file is refused before the rest is read."""
    rows_in = iter(table_rows)
    top = list(itertools.islice(rows_in, HEADER_SEARCH_ROWS))
    header_index = find_header(top, header_key)
    if header_index >= len(top):
        raise FileProblem("empty")
    headers = list(top[header_index])
    header_line = header_index + 1
    mapping, ignored = map_headers(headers, header_line, header_key, required)
    by_key = {key: cell_text(headers[i]) for i, key in mapping.items()}
    rows: list[Row] = []
    following = itertools.chain(top[header_index + 1:], rows_in)
    for index, cells in enumerate(following, start=header_index + 1):
        values = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
        if not any(cell_text(v) for v in values.values()) and \
                not any(cell_text(c) for c in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise FileProblem("too_many_rows", max=MAX_ROWS)
        rows.append(Row(index + 1, values, by_key, canonical))
    if not rows:
        raise FileProblem("empty", line=header_line)
    return Table(rows, by_key, ignored)

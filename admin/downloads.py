"""Files the admin hands out: CSV, XLSX, PDF and PNG responses, built in one place.

Every export goes through here, so each gets the same content type, a Content-Disposition
that keeps a Chinese file name (RFC 6266 / 5987: an ASCII fallback plus ``filename*``), and
the same formula guard: a worker's answer that starts like a formula ("=", "+", "-", "@")
stays text in Excel, and the same last guard on every cell (``export_safe``): a value stored
before the door cleaned text loses what a workbook refuses instead of failing the export.
CSV is UTF-8 with a BOM so Excel opens it as such.

Tables are streamed: ``table_download`` answers with a generator that writes CSV or XLSX
(``admin.xlsx``: header bold and frozen, autofilter, widths fitted to Chinese text) a few
hundred rows at a time, so a 50,000-row file starts at once and never sits whole in memory.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

from typing import Iterable, Iterator

from flask import Response, abort, stream_with_context

from models.core.text import BIDI, export_safe

from .xlsx import Percent, workbook

Table = tuple[str, list[str], Iterable[list]]  # (sheet title, headers, rows; rows may stream)
CSV_BATCH = 1000

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "png": "image/png",
}
XLSX = CONTENT_TYPES["xlsx"]


def content_disposition(filename: str, inline: bool = False) -> str:
    """An attachment (or inline) header that keeps a Chinese file name."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def download(body: bytes, filename: str, inline: bool = False) -> Response:
    """``body`` as a file named ``filename``; the extension decides the content type."""
    extension = filename.rsplit(".", 1)[-1]
    return Response(body, mimetype=CONTENT_TYPES[extension], headers={
        "Content-Disposition": content_disposition(filename, inline)})


def streamed(chunks: Iterator[bytes], filename: str) -> Response:
    """A file sent as ``chunks`` come (no Content-Length); the request's context (and its
    database connection) stays open until the last chunk is sent."""
    extension = filename.rsplit(".", 1)[-1]
    return Response(stream_with_context(chunks), mimetype=CONTENT_TYPES[extension],
                    headers={"Content-Disposition": content_disposition(filename)})


def table_download(tables: list[Table], stem: str, extension: str) -> Response:
    """Tables streamed as a workbook (``xlsx``, a sheet each) or the first as ``csv``; 404
    for any other extension (it comes from the URL)."""
    if extension == "csv":
        return streamed(csv_chunks(tables[0]), f"{stem}.csv")
    if extension == "xlsx":
        return streamed(xlsx_chunks(tables), f"{stem}.xlsx")
    abort(404)


def image(data: bytes, max_age: float) -> Response:
    """A rendered chart, cached by the browser for as long as the server keeps it."""
    response = Response(data, mimetype=CONTENT_TYPES["png"])
    response.headers["Cache-Control"] = f"private, max-age={int(max_age)}"
    return response


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a text starting with one of these takes the slow path in a CSV cell (``_plain``): a formula,
# or a character the cleaning removes that could hide one
SLOW_START = frozenset(FORMULA_START) | frozenset(map(chr, range(32))) | BIDI | frozenset(
    map(chr, range(0xD800, 0xE000))) | {"\ufffe", "\uffff"}
PLAIN = frozenset({int, float, type(None)})


def _plain(value):
    """A CSV cell. Text is cleaned a chunk at a time (``csv_chunks``: ``export_safe`` takes
    characters out, whatever surrounds them); here only where a formula could hide behind
    a character the cleaning removes."""
    kind = type(value)
    if kind is str:
        if value[:1] in SLOW_START:
            value = export_safe(value)
            if value.startswith(FORMULA_START):
                return "'" + value  # a worker's answer must not become a formula in Excel
        return value
    if kind is int or kind is float or value is None:
        return "" if value is None else value
    value = export_safe(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a BOM, ``CSV_BATCH`` rows a chunk."""
    _, headers, rows = table
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")
    writer.writerow([export_safe(h) for h in headers])
    batch = []
    for row in rows:
        batch.append([v if type(v) in PLAIN or (type(v) is str and v[:1] not in SLOW_START)
                      else _plain(v) for v in row])
        if len(batch) == CSV_BATCH:
            writer.writerows(batch)
            batch.clear()
            yield export_safe(buf.getvalue()).encode("utf-8")
            buf.seek(0)
            buf.truncate()
    writer.writerows(batch)
    yield export_safe(buf.getvalue()).encode("utf-8")


def to_csv(table: Table) -> bytes:
    return b"".join(csv_chunks(table))


def xlsx_chunks(tables: list[Table]) -> Iterator[bytes]:
    """The tables as one workbook, a sheet each (``admin.xlsx``), chunk by chunk."""
    return workbook(((export_safe(title), [export_safe(h) for h in headers], rows)
                     for title, headers, rows in tables), clean=export_safe)


def to_xlsx(tables: list[Table]) -> bytes:
    return b"".join(xlsx_chunks(tables))

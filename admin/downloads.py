"""Files the admin hands out: CSV, XLSX, PDF and PNG responses, built in one place.

Every export goes through here, so each gets the same content type, a Content-Disposition
that keeps a Chinese file name (RFC 6266 / 5987: an ASCII fallback plus ``filename*``), and
the same formula guard: a worker's answer that starts like a formula ("=", "+", "-", "@")
stays text in Excel, and the same last guard on every cell (``export_safe``): a value stored
before the door cleaned text loses what a workbook refuses instead of failing the export.
CSV is UTF-8 with a BOM so Excel opens it as such.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

from flask import Response, abort
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from models.core.text import export_safe

Table = tuple[str, list[str], list[list]]  # (sheet title, headers, rows)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "png": "image/png",
}
XLSX = CONTENT_TYPES["xlsx"]


class Percent(float):
    """A share (0.375) that the workbook shows as a percentage (37.5%), still a number."""


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


def table_download(tables: list[Table], stem: str, extension: str) -> Response:
    """Tables as a workbook (``xlsx``, a sheet each) or the first as ``csv``; 404 for any
    other extension (it comes from the URL)."""
    if extension == "csv":
        return download(to_csv(tables[0]), f"{stem}.csv")
    if extension == "xlsx":
        return download(to_xlsx(tables), f"{stem}.xlsx")
    abort(404)


def image(data: bytes, max_age: float) -> Response:
    """A rendered chart, cached by the browser for as long as the server keeps it."""
    response = Response(data, mimetype=CONTENT_TYPES["png"])
    response.headers["Cache-Control"] = f"private, max-age={int(max_age)}"
    return response


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(value):
    value = export_safe(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a worker's answer must not become a formula in Excel
    return "" if value is None else value


def to_csv(table: Table) -> bytes:
    _, headers, rows = table
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([export_safe(h) for h in headers])
    writer.writerows([_plain(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(tables: list[Table]) -> bytes:
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in tables:
        ws = wb.create_sheet(title=export_safe(title)[:31])
        ws.freeze_panes = "A2"
        header_cells = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=export_safe(h))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append([_xlsx_cell(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_cell(ws, value):
    value = export_safe(value)
    if isinstance(value, Percent):
        cell = WriteOnlyCell(ws, value=float(value))
        cell.number_format = "0.0%"
        return cell
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl would store it as a formula
        return cell
    return value

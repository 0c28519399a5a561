"""Files too big to import, written to disk in chunks (never held whole in memory): a zip
bomb dressed as a workbook, and CSV and XLSX files with more rows than an import takes.
Shared by the importer's tests and the import page's."""
from __future__ import annotations

import io
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
SHEET_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
              b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_CLOSE = b"</sheetData></worksheet>"
MEMORY_BOUND = 100 * 1024 * 1024  # generous: reading the files whole would take far more


def _workbook_with_sheet(path: Path, write_sheet) -> Path:
    """An openpyxl workbook whose first sheet's XML is written by ``write_sheet(stream)``."""
    template = io.BytesIO()
    Workbook().save(template)
    with zipfile.ZipFile(template) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != SHEET:
                out.writestr(info.filename, src.read(info.filename))
                continue
            with out.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(SHEET_OPEN)
                write_sheet(sheet)
                sheet.write(SHEET_CLOSE)
    return path


def _row(n: int, *cells: int) -> bytes:
    return (f'<row r="{n}">' + "".join(f'<c r="{col}{n}"><v>{v}</v></c>'
                                       for col, v in zip("ABC", cells)) + "</row>").encode()


def zip_bomb(path: Path, megabytes: int = 300) -> Path:
    """An XLSX whose sheet is ``megabytes`` MB of the same place row: a few hundred KB on disk."""
    def write(sheet):
        sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x8c\xba\xe5\x88\x92'
                    b'\xe4\xbb\xa3\xe7\xa0\x81</t></is></c></row>')  # 区划代码
        chunk = _row(2, 511802001001) * 10_000
        for _ in range((megabytes << 20) // len(chunk) + 1):
            sheet.write(chunk)
    return _workbook_with_sheet(path, write)


def many_rows_xlsx(path: Path, rows: int) -> Path:
    """An XLSX of places: the header 区划代码 then ``rows`` numbered rows of a code."""
    def write(sheet):
        sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x8c\xba\xe5\x88\x92'
                    b'\xe4\xbb\xa3\xe7\xa0\x81</t></is></c></row>')
        for start in range(2, rows + 2, 10_000):
            sheet.write(b"".join(_row(n, 511802001001)
                                 for n in range(start, min(start + 10_000, rows + 2))))
    return _workbook_with_sheet(path, write)


def many_rows_csv(path: Path, rows: int, line: str = "511802001001,4700\n") -> Path:
    """A CSV of places: the header then ``rows`` copies of ``line``, written 10,000 at a time."""
    with path.open("w", encoding="utf-8") as out:
        out.write("区划代码,常住人口\n")
        for start in range(0, rows, 10_000):
            out.write(line * min(10_000, rows - start))
    return path


@contextmanager
def peak_memory():
    """The peak of Python's allocations inside the block, in bytes: ``peak[0]`` after it."""
    peak = [0]
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

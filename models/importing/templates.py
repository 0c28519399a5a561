"""Blank templates: an XLSX per entity with its Chinese headers (required ones marked "*")
and an instructions sheet, built from the entity's own columns."""
from __future__ import annotations

import io

from models.importing.entities import importer_for
from models.importing.entity import NOTES_TITLE


def template_tables(entity: str) -> list[tuple[str, list[str], list[list]]]:
    """The sheets of an entity's blank template: the header row (required columns marked
    "*"), then an instructions sheet. Reports get one sheet per report type."""
    return importer_for(entity, None, None).template_tables()


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
        if title != NOTES_TITLE:
            # codes, phone and ID numbers typed as text, so Excel keeps every digit
            for i in range(1, len(headers) + 1):
                ws.column_dimensions[get_column_letter(i)].number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

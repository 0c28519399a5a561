"""Exports never fail on a stored value: whatever got into the database before the door
cleaned it (here written straight into the rows), every CSV, XLSX and PDF still downloads,
opens, and holds no character a spreadsheet refuses."""
from __future__ import annotations

import csv
import datetime as dt
import io
import warnings

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from models import registry as r
from models.core.schema import Application, OrgUnit, Plan, Report, Volunteer
from tests import factories as f
from tests.adminkit import signed_in

# PostgreSQL holds no NUL in a text, so it tries the rest; SQLite tries all of it.
DIRTY = "\x00\x1b[31m\u202e"


@pytest.fixture
def bad(db_url) -> str:
    return DIRTY if db_url.startswith("sqlite") else DIRTY.replace("\x00", "\x07")


def _cells(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    sheets = load_workbook(io.BytesIO(response.data), read_only=True)
    return [str(v) for ws in sheets for row in ws.iter_rows(values_only=True)
            for v in row if v is not None]


def _clean(cells: list[str]) -> bool:
    return not [c for c in cells if ILLEGAL_CHARACTERS_RE.search(c) or "\u202e" in c]


@pytest.fixture
def dirty(world, bad):
    """A report, the county and a volunteer holding what the door would have refused."""
    report = Report.get_by_id(world.yucheng.id)
    report.values = {**report.values, "title": f"四点半{bad}课堂", "place": bad}
    report.reject_reason = bad
    report.save()
    OrgUnit.update(name=f"雨城区{bad}").where(OrgUnit.code == "511802").execute()
    volunteer = r.register_volunteer(f.community("511802"), {
        "name": "李桂英", "gender": "female", "phone": "13900001111"}, actor="t",
        registered_on=dt.date(2026, 3, 1))
    Volunteer.update(name=f"李{bad}桂英", skills=bad).where(
        Volunteer.id == volunteer.id).execute()
    return report


def test_the_report_exports_download_with_every_stored_value(as_bob, dirty):
    cells = _cells(as_bob.get("/admin/reports/export/xlsx/"))
    assert any("四点半[31m课堂" in c for c in cells) and _clean(cells)
    r = as_bob.get("/admin/reports/export/csv/")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert _clean([c for row in rows for c in row])


def test_the_national_volunteer_export_downloads(as_bob, dirty):
    cells = _cells(as_bob.get("/admin/volunteers/national/volunteers.xlsx"))
    assert "李[31m桂英" in cells and _clean(cells)


def test_the_progress_and_dashboard_workbooks_download(as_alice, dirty):
    plan = Plan.get(Plan.code == "yaan-jiuxiang")
    assert _clean(_cells(as_alice.get(f"/admin/plans/progress.xlsx?plan={plan.id}&year=2026")))
    assert _clean(_cells(as_alice.get("/admin/export.xlsx")))


def test_the_digest_pdf_downloads_and_draws_no_missing_glyph(as_alice, dirty):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = as_alice.get("/admin/digests/digest.pdf?period=2026H1")
    assert r.status_code == 200 and len(pdfium.PdfDocument(r.data)) > 1
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_the_application_pdf_downloads(app, world, officials, bad):
    application = f.application(world.wang)
    Application.update(title=f"项目{bad}", answers={
        **application.answers, "project_name": f"项目{bad}",
        "community_profile": f"概况{bad}\n第二行"}).where(
        Application.id == application.id).execute()
    official = f.official("tina", "township_officer", world.wang.org_unit.parent.code)
    response = signed_in(app, official).get(f"/admin/applications/pdf/{application.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    doc = pdfium.PdfDocument(response.data)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "概况[31m" in text and "\x1b" not in text and "\u202e" not in text

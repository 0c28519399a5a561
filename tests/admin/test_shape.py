"""The admin's rooms: every page registered from the one menu, no view importing another,
one wording per code (the dashboard's and the exports' alike), one place for downloads."""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask import Flask
from openpyxl import load_workbook

from admin import create_app
from admin.downloads import content_disposition, download, table_download, to_csv, to_xlsx
from admin.labels import PACE, PACE_LABELS, PACE_STYLES, REPORT_STATUS, worded
from admin.menu import INDEX, PAGES, Page
from admin.views.dashboard import DashboardView
from models.core.i18n import translator
from models.core.settings import Settings

VIEWS = Path(__file__).resolve().parents[2] / "admin" / "views"


@pytest.fixture
def app(db_url, tmp_path) -> Flask:
    settings = Settings(database_url=db_url, admin_secret_key="test-secret-key-for-sessions",
                        media_dir=str(tmp_path / "media"))
    return create_app(settings, {"TESTING": True, "WUSHE_BIND_DATABASE": False})


def test_it_registers_every_page_of_the_menu_in_order(app):
    admin_ext = app.extensions["admin"][0]
    assert [v.endpoint for v in admin_ext._views[1:]] == [p.endpoint for p in PAGES
                                                          if isinstance(p, Page)]
    assert all(f"{p.endpoint}.index" in app.view_functions or
               f"{p.endpoint}.index_view" in app.view_functions
               for p in PAGES if isinstance(p, Page))


def test_the_dashboard_is_the_index_at_admin(app):
    index = app.extensions["admin"][0].index_view
    assert isinstance(index, DashboardView) and INDEX.view is DashboardView
    assert (index.endpoint, index.url) == ("admin", "/admin")


def test_the_import_form_is_exempt_from_the_app_wide_csrf_check_only(app):
    exempt = app.extensions["csrf"]._exempt_views
    assert exempt == {"admin.views.imports.index"}


@pytest.mark.parametrize("module", sorted(p.name for p in VIEWS.glob("*.py")
                                          if p.name != "__init__.py"))
def test_no_view_imports_another_view(module):
    tree = ast.parse((VIEWS / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not {m for m in imported if m.startswith((".", "admin.views"))}, module


def test_every_pace_state_has_one_label_and_one_style():
    assert set(PACE) == set(PACE_LABELS) == set(PACE_STYLES)


def test_the_exports_word_a_pace_as_the_dashboard_does(app):
    zh = translator("zh_Hans")
    with app.test_request_context():  # a page in Chinese, the admin's default
        for code in PACE:
            assert str(PACE_LABELS[code]) == worded(PACE, code, zh)
    assert worded(PACE, "behind", zh) == "稍落后"
    assert worded(REPORT_STATUS, "approved", zh) == "已通过"
    assert worded(PACE, "unknown", zh) == "unknown"  # a code without a label shows itself


def test_a_download_keeps_a_chinese_file_name(app):
    with app.test_request_context():
        r = download(b"%PDF", "申报表_雨城区.pdf", inline=True)
    assert r.mimetype == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="_.pdf"')
    assert unquote(disposition.split("UTF-8''")[1]) == "申报表_雨城区.pdf"
    assert content_disposition("报告.csv").startswith("attachment;")


def test_a_table_download_is_csv_or_xlsx_and_nothing_else(app):
    table = ("报告", ["编号", "内容"], [[1, "=1+1"], [2, "@SUM(A1)"]])
    with app.test_request_context():
        r = table_download([table], "报告", "csv")
        assert r.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
        assert rows[1:] == [["1", "'=1+1"], ["2", "'@SUM(A1)"]]  # never a formula
        workbook = table_download([table], "报告", "xlsx")
    assert workbook.headers["Content-Disposition"].endswith("''%E6%8A%A5%E5%91%8A.xlsx")
    assert load_workbook(io.BytesIO(workbook.data)).active["B2"].value == "=1+1"
    with app.test_request_context():
        with pytest.raises(Exception) as error:
            table_download([table], "报告", "pdf")
    assert getattr(error.value, "code", None) == 404
    assert to_csv(table).startswith(b"\xef\xbb\xbf")
    sheet = load_workbook(io.BytesIO(to_xlsx([table]))).active
    assert sheet["B2"].data_type == "s"

"""Streamed downloads (admin/downloads.py, admin/xlsx.py): a workbook reads in Excel as the
openpyxl one did (same values, same types), with the header frozen, an autofilter and
columns wide enough for Chinese names; CSV and XLSX are sent as generators, a batch of rows
at a time, pulling the rows as they go. No timing here: bench/exports_bench.py measures."""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from admin import create_app
from admin.downloads import CSV_BATCH, csv_chunks, table_download, to_csv, to_xlsx, xlsx_chunks
from admin.xlsx import BATCH_ROWS, Percent, column_letter, text_width
from models.core.settings import Settings

LONG_PLACE = "四川省雅安市雨城区北郊镇青江社区居民委员会"
ROWS = [
    [1, "四点半课堂", LONG_PLACE, dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 9, 30), 37,
     12.5, Percent(0.375), Decimal("3.5"), True, None, "=1+1"],
    [2, "  前后有空格 ", "雨城区", None, None, 0, -1.25, Percent(1.2), Decimal("0"), False,
     "第一行\n第二行", "@SUM(A1)"],
]
HEADERS = ["编号", "活动", "地点", "活动日期", "提交时间", "人数", "金额", "完成率", "时长",
           "是否", "备注", "内容"]


@pytest.fixture
def app(db_url, tmp_path):
    settings = Settings(database_url=db_url, admin_secret_key="test-secret-key-for-sessions",
                        media_dir=str(tmp_path / "media"))
    return create_app(settings, {"TESTING": True, "WUSHE_BIND_DATABASE": False})


def openpyxl_workbook(headers, rows) -> bytes:
    """The workbook as the admin wrote it before streaming: openpyxl's write-only mode, a
    text starting with "=" kept as text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报告")
    ws.append(headers)

    def cell(value):
        if isinstance(value, str) and value.startswith("="):
            c = WriteOnlyCell(ws, value=value)
            c.data_type = "s"
            return c
        return float(value) if isinstance(value, Percent) else value

    for row in rows:
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cells(data: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(data)).active
    return [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]


def test_a_workbook_holds_what_openpyxl_wrote_with_the_same_types():
    ours = cells(to_xlsx([("报告", HEADERS, ROWS)]))
    before = cells(openpyxl_workbook(HEADERS, ROWS))
    assert ours == before
    assert ours[1][11] == ("=1+1", "s") and ours[2][11] == ("@SUM(A1)", "s")  # never formulas
    assert ours[2][1][0] == "  前后有空格 " and ours[2][10][0] == "第一行\n第二行"


def test_a_workbook_freezes_its_header_filters_it_and_fits_chinese_names():
    ws = load_workbook(io.BytesIO(to_xlsx([("报告", HEADERS, ROWS)]))).active
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{column_letter(len(HEADERS) - 1)}{len(ROWS) + 1}"
    assert all(c.font.b for c in ws[1])
    place = ws.column_dimensions["C"].width
    assert place >= text_width(LONG_PLACE) == 2 * len(LONG_PLACE)  # CJK counts double
    assert ws.column_dimensions["A"].width < place
    assert ws["H2"].number_format == "0.0%" and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["E2"].value == dt.datetime(2026, 3, 1, 9, 30)


def test_every_sheet_of_a_workbook_gets_its_own_filter_and_a_legal_name():
    data = to_xlsx([("方案", ["项目", "内容"], [["方案", "雅安"]]),
                    ("区县/乡镇:进度?", ["地区"], [["雨城区"], ["名山区"], ["荥经县"]]),
                    ("方案", ["a"], [])])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["方案", "区县乡镇进度", "方案(2)"]
    assert [ws.auto_filter.ref for ws in wb] == ["A1:B2", "A1:A4", "A1:A1"]


def test_the_csv_is_the_same_as_before_and_guards_formulas():
    rows = list(csv.reader(io.StringIO(to_csv(("报告", HEADERS, ROWS)).decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1] == ["1", "四点半课堂", LONG_PLACE, "2026-03-01", "2026-03-01 09:30", "37",
                       "12.5", "0.375", "3.5", "True", "", "'=1+1"]
    assert rows[2][-1] == "'@SUM(A1)" and rows[2][1] == "  前后有空格 "


def test_what_no_spreadsheet_holds_is_taken_out_even_in_front_of_a_formula():
    dirty = ("报告", ["内容"], [["\u202e=1+1"], ["铃\x07声"], ["\ud800孤"]])
    assert list(csv.reader(io.StringIO(to_csv(dirty).decode("utf-8-sig"))))[1:] == [
        ["'=1+1"], ["铃声"], ["孤"]]
    ws = load_workbook(io.BytesIO(to_xlsx([dirty]))).active
    assert [c.value for c in ws["A"]][1:] == ["=1+1", "铃声", "孤"]


class Counting:
    """Rows handed out one at a time, counting how many were taken."""

    def __init__(self, n: int):
        self.taken, self.n = 0, n

    def __iter__(self):
        for i in range(self.n):
            self.taken += 1
            yield [i, f"社区{i}", Percent(i / self.n)]


@pytest.mark.parametrize("chunks", [lambda t: csv_chunks(t), lambda t: xlsx_chunks([t])])
def test_a_download_is_written_as_its_rows_come(chunks):
    rows = Counting(5 * max(BATCH_ROWS, CSV_BATCH))
    stream = chunks(("报告", ["编号", "社区", "占比"], rows))
    next(stream)
    assert 0 < rows.taken < rows.n  # the first bytes go out before the last row is read
    rest = list(stream)
    assert rows.taken == rows.n and len(rest) >= 4


def test_many_rows_make_one_readable_workbook():
    rows = Counting(3 * BATCH_ROWS + 7)
    data = b"".join(xlsx_chunks([("报告", ["编号", "社区", "占比"], rows)]))
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    got = list(ws.iter_rows(values_only=True))
    assert len(got) == rows.n + 1 and got[-1] == (rows.n - 1, f"社区{rows.n - 1}",
                                                   (rows.n - 1) / rows.n)


def test_a_table_download_is_a_streamed_response(app):
    with app.test_request_context():
        for extension in ("csv", "xlsx"):
            r = table_download([("报告", HEADERS, iter(ROWS))], "报告", extension)
            assert r.is_streamed and "Content-Length" not in r.headers
            body = b"".join(r.response)
            assert body == (to_csv(("报告", HEADERS, ROWS)) if extension == "csv"
                            else body)
    assert cells(body) == cells(to_xlsx([("报告", HEADERS, ROWS)]))


def test_the_report_export_streams(as_bob, world):
    for extension in ("csv", "xlsx"):
        r = as_bob.get(f"/admin/reports/export/{extension}/", buffered=False)
        assert r.status_code == 200 and "Content-Length" not in r.headers  # sent as written
        r.close()


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == [
        "A", "Z", "AA", "AZ", "ZZ", "AAA"]
    assert list(itertools.islice((column_letter(i) for i in range(3)), 3)) == ["A", "B", "C"]

"""Exports: the filtered report list as CSV (UTF-8 with BOM) and XLSX, and the progress table
as XLSX, with Chinese headers, exactly the rows the official may see and has filtered to."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from admin.exports import PROGRESS_HEADERS, REPORT_HEADERS
from models.plans.progress import breakdown, plan_progress
from models.core.schema import OrgUnit, Plan
from tests import factories as f

def read_csv(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response) -> dict[str, list[list]]:
    wb = load_workbook(io.BytesIO(response.data), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb}


def filter_arg(app, endpoint: str, name: str, operation: str | None = None) -> str:
    """The URL argument of a list filter, found by its (English) name."""
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == endpoint)
    for i, flt in enumerate(view._filters):
        if str(flt.name) == name and (operation is None or str(flt.operation()) == operation):
            return view.get_filter_arg(i, flt)
    raise LookupError(name)


@pytest.fixture
def more(world):
    """Another 雨城区 report, approved, in another township; and one of a different kind."""
    other_place = f.community("511802", index=5)
    zhao = f.worker("zhao", place=other_place)
    approved = f.report("activity", by=zhao, status="approved", date=dt.date(2026, 10, 2),
                        participants=12)
    donation = f.report("donation", by=world.wang, date=dt.date(2026, 11, 1))
    return approved, donation


def test_the_csv_has_chinese_headers_and_only_the_officials_rows(as_bob, world, more):
    r = as_bob.get("/admin/reports/export/csv/")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    assert "报告_" in unquote(r.headers["Content-Disposition"])
    rows = read_csv(r)
    assert rows[0][:len(REPORT_HEADERS)] == REPORT_HEADERS and rows[0][-1] == "填报内容"
    ids = sorted(int(row[0]) for row in rows[1:])
    assert ids == sorted([world.yucheng.id, *(r.id for r in more)])
    by_id = {int(row[0]): row for row in rows[1:]}
    assert by_id[world.yucheng.id][4] == "雨城区" and by_id[world.yucheng.id][8] == "已提交"
    assert "四点半课堂" in by_id[world.yucheng.id][-1]


def test_the_xlsx_follows_the_filters_of_the_list(app, as_bob, world, more):
    status = filter_arg(app, "reports", "Status")
    r = as_bob.get(f"/admin/reports/export/xlsx/?flt0_{status}=approved")
    assert r.status_code == 200
    [(title, rows)] = read_xlsx(r).items()
    assert title == "报告"
    assert [row[0] for row in rows[1:]] == [more[0].id]


def test_a_single_kind_export_gets_a_column_per_answer_with_numbers_as_numbers(
        app, as_bob, world, more):
    kind = filter_arg(app, "reports", "Kind")
    [(_, rows)] = read_xlsx(as_bob.get(f"/admin/reports/export/xlsx/?flt0_{kind}=activity")).items()
    headers = rows[0]
    assert headers[:len(REPORT_HEADERS)] == REPORT_HEADERS and "填报内容" not in headers
    participants = headers.index(next(h for h in headers if h in ("Participants", "参与人数",
                                                                  "参加人数")))
    values = sorted(row[participants] for row in rows[1:])
    assert values == [12, 30]  # numbers Excel can sum
    assert isinstance(rows[1][3], dt.datetime)  # the activity date is a date cell


def test_search_and_date_filters_narrow_the_export_too(app, as_alice, world, more):
    rows = read_csv(as_alice.get("/admin/reports/export/csv/?search=四点半"))
    assert sorted(int(r[0]) for r in rows[1:]) == sorted([world.yucheng.id, more[0].id])
    between = filter_arg(app, "reports", "Activity date", "between")
    rows = read_csv(as_alice.get(
        f"/admin/reports/export/csv/?flt0_{between}=2026-11-15+to+2026-11-30"))
    assert sorted(int(r[0]) for r in rows[1:]) == sorted([world.yucheng.id, world.mingshan.id])


def test_a_viewer_exports_their_own_county(as_carol, world, more):
    rows = read_csv(as_carol.get("/admin/reports/export/csv/"))
    assert [int(r[0]) for r in rows[1:]] == [world.mingshan.id]
    assert rows[1][4] == "名山区"


def test_an_unknown_export_type_is_404(as_bob):
    assert as_bob.get("/admin/reports/export/pdf/").status_code == 404


# -- the progress table ----------------------------------------------------------------------

def _plan():
    return Plan.select().order_by(Plan.is_default.desc(), Plan.id).first()


def test_the_progress_xlsx_is_plan_progress_for_the_officials_county(app, as_bob, world, more):
    plan = _plan()
    r = as_bob.get(f"/admin/plans/progress.xlsx?plan={plan.id}&year=2026")
    assert r.status_code == 200
    sheets = read_xlsx(r)
    overall, parts = sheets["雨城区总体进度"], sheets["分地区进度"]
    assert overall[0] == PROGRESS_HEADERS and parts[0] == ["地区"] + PROGRESS_HEADERS
    with app.app_context():
        from admin.base import today

        as_of = min(today(), dt.date(2026, 12, 31))
    county = OrgUnit.get(OrgUnit.code == "511802")
    expected = plan_progress(plan, county, 2026, as_of)
    assert [row[1] for row in overall[1:]] == [p.indicator.name for p in expected.rows]
    for row, p in zip(overall[1:], expected.rows):
        got, target = row[4], row[3]
        assert (Decimal(str(got)) if got is not None else None) == p.actual
        assert (Decimal(str(target)) if target is not None else None) == p.target
    assert any(p.actual for p in expected.rows)  # the reports did count somewhere
    places = {row[0] for row in parts[1:]}
    assert places == {pp.scope.name for pp in breakdown(plan, county, 2026, as_of).values()}
    assert "名山区" not in places


def test_the_progress_xlsx_words_the_pace_as_the_dashboard_does(as_bob, world, more):
    """One wording (admin.labels): "behind" reads 稍落后 in the workbook as on the dashboard."""
    r = as_bob.get(f"/admin/plans/progress.xlsx?plan={_plan().id}&year=2026")
    overall = read_xlsx(r)["雨城区总体进度"]
    column = PROGRESS_HEADERS.index("进度")
    shown = {row[column] for row in overall[1:]}
    assert shown and shown <= {"完成", "进度正常", "稍落后", "严重滞后", "未完成", "未设目标",
                               "参考指标"}  # the export's own words were 已完成 and 进度滞后


def test_the_progress_xlsx_can_narrow_to_a_place_but_not_widen(as_bob, world):
    plan = _plan()
    township = OrgUnit.get(OrgUnit.code == "511802001")
    r = as_bob.get(f"/admin/plans/progress.xlsx?plan={plan.id}&year=2026&unit={township.code}")
    assert f"{township.name}总体进度" in read_xlsx(r)
    assert as_bob.get(f"/admin/plans/progress.xlsx?plan={plan.id}&unit=511803").status_code == 404
    assert as_bob.get(f"/admin/plans/progress.xlsx?plan={plan.id}&unit=5118").status_code == 404


def test_the_city_admin_gets_the_city_and_its_counties(as_alice, world):
    sheets = read_xlsx(as_alice.get(f"/admin/plans/progress.xlsx?plan={_plan().id}&year=2026"))
    assert "雅安市总体进度" in sheets
    assert {"雨城区", "名山区"} <= {row[0] for row in sheets["分地区进度"][1:]}


def test_a_workers_answer_never_becomes_a_spreadsheet_formula(app, as_bob, world):
    evil = '=HYPERLINK("http://evil.example","点我")'
    r = f.report("activity", by=world.wang, title=evil, place="@SUM(A1)")
    kind = filter_arg(app, "reports", "Kind")
    url = f"/admin/reports/export/{{}}/?flt0_{kind}=activity&search=HYPERLINK"
    [header, row] = read_csv(as_bob.get(url.format("csv")))
    assert row[0] == str(r.id)
    assert "'" + evil in row and "'@SUM(A1)" in row
    wb = load_workbook(io.BytesIO(as_bob.get(url.format("xlsx")).data))
    cells = [c for line in wb.active.iter_rows() for c in line]
    assert any(c.value == evil for c in cells)
    assert all(c.data_type != "f" for c in cells)

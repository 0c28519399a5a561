"""Every plan in the admin: the dashboard's plan switcher, the 联动指数 page and its radar, the
plans a report counts in, and a plan's workbook in its document's terms — each cut to the
official's area."""
from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

import admin.views.dashboard
import admin.views.linkage
from admin.chart_cache import chart_cache
from admin.exports import INDEX_SHEET, PLAN_HEADERS
from models.core.schema import OrgUnit, Plan, Station
from tests import factories as f
from tests.adminkit import page_text

TODAY = dt.date(2026, 11, 23)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setattr(admin.views.dashboard, "today", lambda: TODAY)
    monkeypatch.setattr(admin.views.linkage, "today", lambda: TODAY)
    chart_cache.clear()
    yield
    chart_cache.clear()


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(page_text(response))


def cell(text: str, indicator: str, place: str) -> tuple[Decimal, Decimal]:
    """(actual, target) of an indicator's cell in the dashboard's table."""
    m = re.search(rf'data-indicator="{indicator}" data-place="{place}"\s+data-actual="([^"]*)"'
                  rf'\s+data-target="([^"]*)"', text)
    assert m, (indicator, place)
    return Decimal(m.group(1)), Decimal(m.group(2))


def read_xlsx(response) -> dict[str, list[list]]:
    assert response.status_code == 200 and response.mimetype == XLSX
    wb = load_workbook(io.BytesIO(response.data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}


def formats(response, sheet: str, header: str) -> set[str]:
    ws = load_workbook(io.BytesIO(response.data))[sheet]
    column = [c.value for c in ws[1]].index(header)
    return {row[column].number_format for row in ws.iter_rows(min_row=2)
            if row[column].value is not None}


# ---- the plan switcher -----------------------------------------------------------------------

def test_the_switcher_lists_every_plan_with_the_default_first(as_alice, plan):
    text = text_of(as_alice.get("/admin/"))
    switcher = text[text.index('id="wd-plans"'):text.index("</ul>", text.index('id="wd-plans"'))]
    codes = re.findall(r'data-plan="([^"]+)"', switcher)
    assert codes[0] == "yaan-jiuxiang" and "linkage-test" in codes
    assert set(codes) == {p.code for p in Plan.select()}


def test_the_chosen_plan_is_shown_in_every_cell_and_kept_in_the_links(as_alice, plan):
    default = text_of(as_alice.get("/admin/?scope=511802"))
    assert 'data-indicator="events"' not in default
    text = text_of(as_alice.get("/admin/?plan=linkage-test&scope=511802&period=Q2"))
    assert 'data-plan="linkage-test" data-scope="511802"' in text
    # the 511802 target of 4 events exists only in the test plan; a quarter takes a quarter
    # of it and counts the reports dated in April-June (none of the events)
    assert cell(text, "events", "511802") == (0, Decimal("1.00"))
    assert 'data-indicator="xinfeng_activities"' not in text
    for src in re.findall(r'src="(/admin/chart/[a-z]+\.png[^"]*)"', text):
        assert "plan=linkage-test" in src and "scope=511802" in src
        assert as_alice.get(src).status_code == 200
    assert "plan=linkage-test" in re.search(r'id="wd-export" href="([^"]+)"', text).group(1)


def test_switching_plans_keeps_the_place_and_the_period(as_alice, plan):
    text = text_of(as_alice.get("/admin/?scope=511802&period=H1"))
    link = re.search(r'data-plan="linkage-test"\s+href="([^"]+)"', text).group(1)
    assert "plan=linkage-test" in link and "scope=511802" in link and "period=H1" in link
    assert cell(text_of(as_alice.get(link)), "events", "511802") == (1, Decimal("1.98"))


def test_switching_to_a_plan_that_starts_later_leaves_a_year_before_it(as_alice, plan):
    text = text_of(as_alice.get("/admin/?year=2023"))  # Ya'an's plan runs from 2023
    link = re.search(r'data-plan="linkage-test"\s+href="([^"]+)"', text).group(1)
    assert "year=" not in link and as_alice.get(link).status_code == 200


def test_a_plan_with_an_index_shows_it_on_its_dashboard(as_alice, plan):
    text = text_of(as_alice.get("/admin/?plan=linkage-test&scope=511802"))
    assert re.search(r'id="wd-index">65\.0<', text)
    assert 'id="wd-index"' not in text_of(as_alice.get("/admin/?scope=511802"))


def test_a_county_official_switches_plans_inside_their_county_only(as_bob, plan):
    text = text_of(as_bob.get("/admin/?plan=linkage-test"))
    assert cell(text, "events", "511802") == (2, 4)
    assert "511803" not in re.findall(r'data-place="([^"]+)"', text)
    assert as_bob.get("/admin/?plan=linkage-test&scope=511803").status_code == 404


# ---- the 联动指数 page -----------------------------------------------------------------------

def ranking_rows(text: str) -> list[tuple[str, str]]:
    table = text[text.index('id="li-ranking"'):text.index("</table>", text.index('id="li-ranking"'))]
    return re.findall(r'<tr data-place="([^"]+)" data-total="([^"]*)"', table)


def test_the_city_admin_sees_the_counties_ranked_by_their_index(as_alice, plan):
    text = text_of(as_alice.get("/admin/linkage/?plan=linkage-test"))
    assert 'id="linkage" data-plan="linkage-test"' in text
    rows = ranking_rows(text)
    assert [code for code, _ in rows[:2]] == ["511802", "511803"]
    assert float(rows[0][1]) == pytest.approx(65.0) and float(rows[1][1]) == pytest.approx(50.0)
    assert all(total == "" for _, total in rows[2:])
    assert len(rows) == OrgUnit.select().where(OrgUnit.level == "county").count()
    yucheng = text[text.index('<tr data-place="511802"'):]
    assert re.search(r'data-element="community" data-score="75\.0', yucheng)
    assert re.search(r'data-element="charity" data-score=""', yucheng)
    own = re.search(r'id="li-own" data-place="5118" data-total="([^"]+)"', text)
    assert float(own.group(1)) == pytest.approx(0.6 * 100 * (4 / 6 + 1) / 2 + 0.4 * 50)


def test_a_county_official_sees_the_communities_of_their_county_only(as_bob, plan):
    text = text_of(as_bob.get("/admin/linkage/?plan=linkage-test"))
    rows = ranking_rows(text)
    county = OrgUnit.get(OrgUnit.code == "511802")
    communities = {u.code for u in OrgUnit.select().where(
        OrgUnit.level == "community", OrgUnit.path.startswith(county.path))}
    assert {code for code, _ in rows} == communities
    assert rows[0] == (f.community("511802", 0).code, "100.0")
    assert not {"5118", "511803"} & set(re.findall(r'data-place="([^"]+)"', text))


@pytest.mark.parametrize("query", ["scope=511803", "scope=5118", "place=511803",
                                   "scope=511802001&place=511803", "plan=yaan-jiuxiang",
                                   "plan=nope", "year=1999", "year=x"])
def test_the_index_page_refuses_other_areas_and_unknown_choices(as_bob, plan, query):
    query = query if query.startswith("plan=") else f"plan=linkage-test&{query}"
    assert as_bob.get(f"/admin/linkage/?{query}").status_code == 404
    assert as_bob.get(f"/admin/linkage/radar.png?{query}").status_code == 404


def test_a_radar_place_must_be_inside_the_table_it_is_compared_with(as_alice, plan):
    township = f.community("511802", 0).parent
    url = f"/admin/linkage/?plan=linkage-test&scope={township.code}&place=511803"
    assert as_alice.get(url).status_code == 404


def test_each_place_opens_its_radar_against_the_places_beside_it(as_alice, plan):
    text = text_of(as_alice.get("/admin/linkage/?plan=linkage-test"))
    link = re.search(r'<tr data-place="511802".*?<a href="([^"]*place=511802[^"]*)"', text, re.S)
    page = text_of(as_alice.get(link.group(1)))
    src = re.search(r'id="li-radar" src="([^"]+)"', page).group(1)
    assert "place=511802" in src
    r = as_alice.get(src)
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert r.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_county_drills_down_from_the_city(as_alice, plan):
    text = text_of(as_alice.get("/admin/linkage/?plan=linkage-test&scope=511802"))
    assert ranking_rows(text)[0] == (f.community("511802", 0).code, "100.0")


def test_the_page_says_so_when_no_plan_has_an_index(as_alice, db):
    for p in Plan.select():
        p.spec = {k: v for k, v in (p.spec or {}).items() if k != "index"}
        p.save()
    text = text_of(as_alice.get("/admin/linkage/"))
    assert 'id="li-none"' in text
    assert as_alice.get("/admin/linkage/radar.png").status_code == 404


@pytest.mark.parametrize("url", ["/admin/linkage/", "/admin/linkage/radar.png",
                                 "/admin/export.xlsx"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


# ---- the plans a report counts in --------------------------------------------------------------

def test_a_report_shows_every_plan_it_counts_in(as_bob, plan):
    wang = f.worker("sun", place=f.community("511802", 1))
    report = f.report("xinfeng", by=wang, date=dt.date(2026, 11, 2))
    text = text_of(as_bob.get(f"/admin/reports/details/?id={report.id}"))
    block = text[text.index('id="counted-in"'):]
    plans = re.findall(r'<li class="mb-2" data-plan="([^"]+)"', block)
    assert plans[0] == "yaan-jiuxiang" and "linkage-test" in plans  # the default plan first
    assert 'data-indicator="xinfeng_activities" data-value="1' in block
    assert 'data-indicator="events" data-value="1' in block


def test_a_donation_shows_the_amount_it_adds(as_bob, plan):
    report = f.report("donation", by=f.worker("qian", place=f.community("511802")),
                      amount="1234.50")
    text = text_of(as_bob.get(f"/admin/reports/details/?id={report.id}"))
    assert "+1234.5" in text and 'data-indicator="gift_money"' in text


def test_a_rejected_report_is_listed_as_not_counted(as_bob, plan):
    report = f.report("xinfeng", by=f.worker("zhou", place=f.community("511802")),
                      status="rejected")
    text = text_of(as_bob.get(f"/admin/reports/details/?id={report.id}"))
    block = text[text.index('id="counted-in"'):text.index("</ul>\n", text.index('id="counted-in"'))]
    assert "badge-secondary" in block


# ---- the plan's workbook ---------------------------------------------------------------------

def test_the_workbook_has_a_sheet_per_level_and_the_index(as_alice, plan):
    r = as_alice.get("/admin/export.xlsx?plan=linkage-test")
    sheets = read_xlsx(r)
    assert list(sheets) == ["方案", "市级", "区县", "乡镇（街道）", "社区（村）", INDEX_SHEET,
                            "联动指数构成"]
    for level in ("市级", "区县", "乡镇（街道）", "社区（村）"):
        assert sheets[level][0] == PLAN_HEADERS
    assert PLAN_HEADERS[3:9] == ["指标", "单位", "目标", "完成", "完成率", "进度"]
    rows = {(row[0], row[3]): row for row in sheets["区县"][1:]}
    events = rows[("雨城区", "新风活动")]
    assert (events[5], events[6], events[7]) == (4, 2, 0.5)  # the rejected event not counted
    assert rows[("名山区", "新风活动")][5:8] == [2, 2, 1]
    assert rows[("雨城区", "服务人次")][5:8] == [100, 150, 1.5]
    assert rows[("雨城区", "捐赠金额")][5] is None and rows[("雨城区", "捐赠金额")][6] == 800
    assert formats(r, "区县", "完成率") == {"0.0%"}
    city = {row[3]: row for row in sheets["市级"][1:]}
    assert city["新风活动"][5:7] == [6, 4]
    c0 = f.community("511802", 0)
    community = [row for row in sheets["社区（村）"][1:] if row[0] == c0.name
                 and row[1] == f"雨城区 · {c0.parent.name}" and row[3] == "新风活动"]
    assert [(row[5], row[6]) for row in community] == [(1, 1)]
    assert len(sheets["社区（村）"]) - 1 == OrgUnit.select().where(
        OrgUnit.level == "community").count() * 5  # every indicator of every community


def test_the_index_sheet_scores_and_ranks_places_level_by_level(as_alice, plan):
    sheets = read_xlsx(as_alice.get("/admin/export.xlsx?plan=linkage-test"))
    index = sheets[INDEX_SHEET]
    assert index[0] == ["地区", "所属", "层级", "社区", "志愿者", "慈善资源", "联动指数", "排名"]
    counties = [row for row in index[1:] if row[2] == "区县"]
    assert counties[0][:1] + counties[0][3:] == ["雨城区", 75.0, 50.0, None, 65.0, 1]
    assert counties[1][:1] + counties[1][3:] == ["名山区", 50.0, None, None, 50.0, 2]
    assert all(row[6] is None and row[7] is None for row in counties[2:])
    assert sheets["联动指数构成"][1:] == [["社区", 0.6, "新风活动、服务人次"],
                                      ["志愿者", 0.4, "捐赠次数、捐赠金额"],
                                      ["慈善资源", 0.2, "参考比例、捐赠金额"]]


def test_a_county_officials_workbook_covers_their_county_only(as_bob, plan):
    sheets = read_xlsx(as_bob.get("/admin/export.xlsx?plan=linkage-test"))
    assert list(sheets)[1:5] == ["区县", "乡镇（街道）", "社区（村）", INDEX_SHEET]
    assert {row[0] for row in sheets["区县"][1:]} == {"雨城区"}
    county = OrgUnit.get(OrgUnit.code == "511802")
    expected = {(u.name, u.parent.name) for u in OrgUnit.select().where(
        OrgUnit.level == "community", OrgUnit.path.startswith(county.path))}
    # each community with its township (the county is the workbook's own scope)
    assert {(row[0], row[1]) for row in sheets["社区（村）"][1:]} == expected
    names = {row[0] for sheet in sheets.values() for row in sheet[1:]}
    assert "名山区" not in names and "雅安市" not in names
    assert as_bob.get("/admin/export.xlsx?plan=linkage-test&scope=511803").status_code == 404


def test_a_plan_without_an_index_has_no_index_sheet(as_alice, plan):
    sheets = read_xlsx(as_alice.get("/admin/export.xlsx?scope=511802"))
    assert INDEX_SHEET not in sheets and "市级" not in sheets
    rows = {(row[0], row[3]): row for row in sheets["区县"][1:]}
    # the events are counted without a target (the rejected one is not); the target is the
    # stations that hold 5 a year: every one of 雨城区's stations, none of which has yet
    assert rows[("雨城区", "婚丧嫁娶“新风弘扬”活动")][5:7] == [None, 2]
    stations = Station.select().where(Station.path.startswith(f.county("511802").path)).count()
    assert rows[("雨城区", "开展“新风弘扬”活动不少于5次的社工站")][5:7] == [stations, 0]


# ---- the shipped 浙江 plan -------------------------------------------------------------------

def test_the_index_page_opens_on_the_shipped_plan_with_its_five_elements(as_alice, db):
    text = text_of(as_alice.get("/admin/linkage/?year=2025"))
    indexed = [p.code for p in Plan.select() if (p.spec or {}).get("index")]
    assert re.search(r'id="linkage" data-plan="([^"]+)"', text).group(1) == indexed[0]
    assert "zhejiang-2025" in indexed
    text = text_of(as_alice.get("/admin/linkage/?plan=zhejiang-2025&year=2025"))
    head = text[text.index('id="li-ranking"'):text.index("</thead>", text.index('id="li-ranking"'))]
    for name in ("社区", "社会组织", "社会工作者", "志愿者", "慈善资源"):
        assert f">{name}</th>" in head
    assert len(ranking_rows(text)) == OrgUnit.select().where(OrgUnit.level == "county").count()
    assert "建立健全联动指数评价指标体系" in text  # the document's own sentence


def test_the_zhejiang_dashboard_shows_its_index_card(as_alice, db):
    text = text_of(as_alice.get("/admin/?plan=zhejiang-2025&year=2025"))
    assert 'id="wd-index"' in text and "plan=zhejiang-2025" in text
    assert 'data-indicator="township_stations"' in text


# ---- in a real browser (tests/browserkit.py's demo site and Chromium) -----------------------

from tests.browserkit import SHOTS, sign_in  # noqa: E402


def _loaded(page, selector: str) -> None:
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector('{selector}').complete && "
                           f"document.querySelector('{selector}').naturalWidth > 0")


@pytest.mark.browser
def test_in_the_browser_an_official_switches_plan_and_opens_the_index_and_a_radar(page, site):
    sign_in(page, site, "demo")
    page.click('#wd-plans a[data-plan="zhejiang-2025"]')
    page.wait_for_url(re.compile(r".*plan=zhejiang-2025.*"))
    assert page.get_attribute("#dashboard", "data-plan") == "zhejiang-2025"
    assert page.locator('#wd-progress tr[data-indicator="township_stations"]').count() == 1
    for chart in ("#wd-chart-completion", "#wd-chart-trend"):
        assert "plan=zhejiang-2025" in page.get_attribute(chart, "src")
        _loaded(page, chart)
    page.click("#wd-index + div a")
    page.wait_for_url(re.compile(r".*/admin/linkage/.*"))
    rows = page.locator("#li-ranking tbody tr")
    assert rows.count() == 8  # the counties
    rows.first.locator("a", has_text=re.compile("雷达图|Radar")).click()
    page.wait_for_url(re.compile(r".*place=.*"))
    assert "table-active" in (page.locator("#li-ranking tbody tr").first.get_attribute("class") or "")
    _loaded(page, "#li-radar")
    page.screenshot(path=str(SHOTS / "linkage_city.png"), full_page=True)

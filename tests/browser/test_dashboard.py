"""The admin in a real browser: Debian's Chromium, driven by Playwright, against the app served
from a thread over a demo database. An official signs in, reads the dashboard, rejects and
approves a report and sees the dashboard's number follow; a county official stays in their
county. Screenshots go to artifacts/screenshots/.

Needs /usr/bin/chromium (``apt-get install chromium fonts-noto-cjk``; never a downloaded
browser build). Without it the tests skip, except in CI (``CI`` set), where they fail.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from models.core.db import database
from models.demo import shanghai_today
from models.core.schema import OrgUnit, Report, ReportKind
from tests.browserkit import SHOTS, sign_in

pytestmark = pytest.mark.browser

XINFENG_CITY = 'td[data-indicator="xinfeng_activities"][data-place="5118"]'


def city_count(page, site) -> int:
    page.goto(f"{site.base}/admin/")
    return int(page.get_attribute(XINFENG_CITY, "data-actual"))


def a_submitted_event() -> Report:
    """A new-customs report of this year still waiting for review (counted already). The
    test thread reads the database the app serves, on its own connection."""
    with database.connection_context():
        kind = ReportKind.get(ReportKind.code == "xinfeng")
        return (Report.select().where(Report.kind == kind, Report.status == "submitted",
                                      Report.activity_date >= dt.date(shanghai_today().year, 1, 1))
                .order_by(Report.id).first())


def test_it_signs_in_and_shows_the_city_dashboard_with_its_charts(page, site):
    sign_in(page, site, "demo")
    assert page.locator("#wd-progress").is_visible()
    assert page.locator("#wd-progress th[data-place]").count() == 9  # the city and 8 counties
    for chart in ("#wd-chart-completion", "#wd-chart-trend"):
        page.locator(chart).scroll_into_view_if_needed()
        page.wait_for_function(
            f"document.querySelector('{chart}').complete && "
            f"document.querySelector('{chart}').naturalWidth > 0")
    ranking = page.locator("#wd-ranking tbody tr")
    assert ranking.count() == 8
    page.screenshot(path=str(SHOTS / "dashboard_city.png"), full_page=True)


def test_rejecting_and_approving_a_report_moves_the_dashboard_number(page, site):
    sign_in(page, site, "demo")
    before = city_count(page, site)
    report = a_submitted_event()
    assert report is not None

    page.goto(f"{site.base}/admin/reports/details/?id={report.id}")
    page.fill("form[action*='/reject/'] textarea[name=reason]", "照片不清晰，请补充活动现场照片")
    page.click("form[action*='/reject/'] button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / "report_rejected.png"), full_page=True)
    after_reject = city_count(page, site)
    assert after_reject == before - 1
    page.locator(XINFENG_CITY).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "dashboard_after_reject.png"))

    # a returned report shows no review actions: the worker corrects it in the bot
    page.goto(f"{site.base}/admin/reports/details/?id={report.id}")
    assert page.locator("#review-done").count() == 1
    assert page.locator("form[action*='/approve/']").count() == 0

    # approving another submitted event keeps it counted (submitted reports count already)
    other = a_submitted_event()
    assert other is not None and other.id != report.id
    page.goto(f"{site.base}/admin/reports/details/?id={other.id}")
    page.click("form[action*='/approve/'] button[type=submit]")
    page.wait_for_load_state()
    assert city_count(page, site) == after_reject
    with database.connection_context():
        assert Report.get_by_id(other.id).status == "approved"
    page.locator(XINFENG_CITY).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "dashboard_after_approve.png"))


def test_it_drills_down_from_the_city_to_a_county(page, site):
    sign_in(page, site, "demo")
    page.click("#wd-progress th[data-place='511802'] a")
    page.wait_for_url(re.compile(r".*scope=511802.*"))
    assert page.locator("#wd-progress th.wd-total").inner_text().strip() == "雨城区"
    with database.connection_context():
        county = OrgUnit.get(OrgUnit.code == "511802")
        townships = OrgUnit.select().where(OrgUnit.parent == county).count()
    assert townships == 13  # 雨城区's real townships (two abolished ones left out)
    assert page.locator("#wd-progress th[data-place]").count() == 1 + townships
    page.screenshot(path=str(SHOTS / "dashboard_county.png"), full_page=True)


def test_a_county_official_sees_only_their_county(page, site):
    sign_in(page, site, "yucheng")
    assert page.locator("#wd-progress th.wd-total").inner_text().strip() == "雨城区"
    assert page.locator("#wd-progress th[data-place='511803']").count() == 0
    response = page.goto(f"{site.base}/admin/?scope=511803")
    assert response.status == 404
    response = page.goto(f"{site.base}/admin/chart/completion.png?scope=511803")
    assert response.status == 404
    page.goto(f"{site.base}/admin/")
    page.screenshot(path=str(SHOTS / "dashboard_county_official.png"), full_page=True)

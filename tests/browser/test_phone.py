"""The admin on a phone (390×844) and on a laptop (1366×900), in Chromium, on the demo data:
every list is a column of cards (title, the fields that matter, the status, the action) and
the page never scrolls sideways; the dashboard's matrix scrolls in its own box with its
first column kept in view, its charts drawn wide enough to read; the linkage ranking keeps
names on one line; the digest fits; the navbar shows the product's name. Screenshots go to
artifacts/screenshots/ (phone_*.png, desktop_*.png)."""
from __future__ import annotations

import pytest

from models.core.db import database
from models.core.schema import Photo, Report
from tests.browserkit import SHOTS, opened_page, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
LISTS = ["reports", "workers", "invites", "places", "plans", "indicators", "targets", "audit",
         "applications", "organizations", "volunteers", "groups", "deliveries"]


@pytest.fixture
def phone(browser):
    with opened_page(browser, PHONE["width"], PHONE["height"]) as pg:
        yield pg


@pytest.fixture
def desktop(browser):
    with opened_page(browser, DESKTOP["width"], DESKTOP["height"]) as pg:
        yield pg


def sideways(page) -> int:
    """How far the page itself scrolls sideways (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - "
                         "document.documentElement.clientWidth")


def a_report_with_photo_and_place() -> int:
    with database.connection_context():
        return (Report.select(Report.id).where(Report.latitude.is_null(False),
                                               Report.id.in_(Photo.select(Photo.report)))
                .order_by(Report.id.desc()).first().id)


def test_every_list_is_a_column_of_cards_on_a_phone(phone, site):
    sign_in(phone, site, "demo")
    assert phone.locator("nav.navbar > .navbar-brand").inner_text() == "五社联动"
    assert phone.locator("nav.navbar > .navbar-brand").is_visible()  # beside the menu button
    for endpoint in LISTS:
        phone.goto(f"{site.base}/admin/{endpoint}/")
        assert sideways(phone) == 0, endpoint
        rows = phone.locator("table.wushe-cards tbody tr:has(td.wc-title)")
        if rows.count() == 0:
            continue
        card = rows.first
        assert card.evaluate("tr => getComputedStyle(tr).display") == "flex", endpoint
        assert not phone.locator("table.wushe-cards thead").is_visible(), endpoint
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], endpoint
        extra = card.locator("td.wc-extra")
        assert extra.count() == 0 or not extra.first.is_visible(), endpoint
    phone.goto(f"{site.base}/admin/reports/")
    card = phone.locator("table.wushe-cards tbody tr").first
    status = card.locator("td.col-status .badge")
    box = status.bounding_box()
    assert status.is_visible() and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] + box["height"] <= PHONE["height"]  # on the first screen, no scrolling
    assert card.locator("td.wc-actions a").first.is_visible()
    assert card.bounding_box()["height"] < 260  # a card, not a 290 px row of wrapped letters
    phone.screenshot(path=str(SHOTS / "phone_reports.png"))


def test_a_report_shows_its_photos_and_its_place_on_a_phone_and_a_laptop(phone, desktop, site):
    rid = a_report_with_photo_and_place()
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        sign_in(page, site, "demo")
        page.goto(f"{site.base}/admin/reports/details/?id={rid}")
        photo = page.locator("img.wushe-photo").first
        photo.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('img.wushe-photo').complete && "
                               "document.querySelector('img.wushe-photo').naturalWidth > 0")
        assert page.locator("a[href^='https://uri.amap.com/marker']").is_visible()
        assert sideways(page) == 0
        page.screenshot(path=str(SHOTS / f"{name}_report.png"), full_page=True)


def test_the_dashboard_matrix_scrolls_in_its_box_with_its_first_column_in_view(phone, site):
    sign_in(phone, site, "demo")
    phone.goto(f"{site.base}/admin/")
    assert sideways(phone) == 0
    box = phone.locator("div.table-responsive:has(#wd-progress)")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the places are to the right
    first = phone.locator("#wd-progress tbody tr[data-indicator] th").first
    left = first.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = 400; }")
    assert box.evaluate("b => b.scrollLeft") > 0
    assert abs(first.bounding_box()["x"] - left) < 2  # stays while the places scroll under it
    for chart in ("#wd-chart-completion", "#wd-chart-trend"):
        phone.locator(chart).scroll_into_view_if_needed()
        phone.wait_for_function(f"document.querySelector('{chart}').naturalWidth > 0")
        assert phone.locator(chart).bounding_box()["width"] >= 600  # drawn wide enough to read
    phone.screenshot(path=str(SHOTS / "phone_dashboard.png"), full_page=True)


def test_the_linkage_ranking_keeps_names_on_one_line_and_the_digest_fits(phone, site):
    sign_in(phone, site, "demo")
    phone.goto(f"{site.base}/admin/linkage/")
    assert sideways(phone) == 0
    names = phone.locator("#li-ranking tbody tr td:nth-child(2) a")
    assert names.count() >= 8
    line = names.first.evaluate("a => parseFloat(getComputedStyle(a).lineHeight) || 24")
    assert all(names.nth(i).bounding_box()["height"] <= line * 1.2 for i in range(names.count()))
    phone.screenshot(path=str(SHOTS / "phone_linkage.png"), full_page=True)
    phone.goto(f"{site.base}/admin/digests/")
    assert sideways(phone) == 0
    phone.screenshot(path=str(SHOTS / "phone_digest.png"), full_page=True)


def test_on_a_laptop_lists_stay_tables(desktop, site):
    sign_in(desktop, site, "demo")
    desktop.goto(f"{site.base}/admin/reports/")
    assert desktop.locator("table.wushe-cards thead").is_visible()
    row = desktop.locator("table.wushe-cards tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    assert row.locator("td.wc-extra").first.is_visible()
    assert sideways(desktop) == 0
    desktop.screenshot(path=str(SHOTS / "desktop_reports.png"))
    for path, name in (("/admin/", "dashboard"), ("/admin/linkage/", "linkage")):
        desktop.goto(f"{site.base}{path}")
        assert sideways(desktop) == 0
        desktop.screenshot(path=str(SHOTS / f"desktop_{name}.png"))


def test_a_card_leaves_out_a_field_with_nothing_to_say(phone, site):
    """A sign-in changes nothing: its card shows no empty "变更内容：" line."""
    sign_in(phone, site, "demo")
    phone.goto(f"{site.base}/admin/audit/")
    assert phone.locator("table.wushe-cards td.col-changes.wc-blank").count() > 0
    fields = [f for f in phone.locator("table.wushe-cards td.wc-field").all() if f.is_visible()]
    assert fields and all(f.inner_text().strip() for f in fields)

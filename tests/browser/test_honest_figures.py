"""The dashboard's figures as an official reads them, in Chromium on the demo data, at the city
(demo), a county (yucheng) and a community (juwei), on a laptop and a phone: the rate says how
many indicators it is counted over, the cards count indicators, no cell reads "6,900%", the
ended target periods are apart, and a community sees its own reports, shares and standing,
never a row of zeros. Screenshots go to /tmp/shots/afig/ (looked at by hand).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browserkit import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/afig")
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(VIEWPORTS))
def sized(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        yield request.param, pg
    finally:
        context.close()


def charts_loaded(page) -> None:
    for chart in ("#wd-chart-completion", "#wd-chart-trend"):
        page.locator(chart).scroll_into_view_if_needed()
        page.wait_for_function(f"document.querySelector('{chart}').complete && "
                               f"document.querySelector('{chart}').naturalWidth > 0")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_runaway_percent(page) -> None:
    text = page.locator("#dashboard").inner_text()
    big = [p for p in re.findall(r"([\d,]+(?:\.\d+)?)%", text)
           if float(p.replace(",", "")) > 100]
    assert not big, big


@pytest.mark.parametrize("user,name", [("demo", "city"), ("yucheng", "county")])
def test_a_city_or_county_rate_says_its_basis_and_cards_count_indicators(sized, site, user, name):
    size, page = sized
    sign_in(page, site, user)
    basis = int(page.get_attribute("#wd-completion", "data-basis"))
    assert basis > 0
    assert page.locator("#wd-basis").inner_text() == f"按 {basis} 项指标计"
    cards = page.locator("[data-pace-count]")
    assert sum(int(cards.nth(i).inner_text()) for i in range(cards.count())) == basis
    assert "项指标" in page.locator(".wd-summary").inner_text()
    no_runaway_percent(page)
    # 2023–2025 targets sit in their own section, each reached or not
    ended = page.locator("#wd-ended tbody tr")
    assert ended.count() > 0
    assert set(page.locator("#wd-ended tbody td:last-child .badge").all_inner_texts()) <= {"达成", "未达成"}
    assert page.locator("#wd-progress tr[data-indicator='minors_points']").count() == 0
    # the ranking says what each place is counted over
    assert page.locator("#wd-ranking td[data-basis]").count() == page.locator(
        "#wd-ranking tbody tr").count()
    charts_loaded(page)
    shot(page, f"dashboard_{name}_{size}")


def test_a_community_sees_its_reports_shares_and_standing(sized, site):
    size, page = sized
    sign_in(page, site, "juwei")
    assert page.locator("#wd-completion").count() == 0  # no rate of targets it does not have
    assert page.locator("[data-pace-count]").count() == 0  # and no cards of zeros
    assert int(page.locator("#wd-community-reports").inner_text()) > 0
    assert re.fullmatch(r"第 \d+ / \d+ 名", page.locator("#wd-community-rank").inner_text())
    siblings = page.locator("#wd-siblings tbody tr")
    assert siblings.count() >= 2
    assert page.locator("#wd-siblings tr.table-primary").count() == 1
    shares = page.locator("#wd-shares tbody tr")
    assert shares.count() > 0
    assert page.locator("#wd-months td").count() >= 1
    charts_loaded(page)
    shot(page, f"dashboard_community_{size}")


def test_the_digest_period_is_a_list_with_the_current_one_marked(sized, site):
    size, page = sized
    sign_in(page, site, "yucheng")
    page.goto(f"{site.base}/admin/digests/")
    options = page.locator("#digest-period option").all_inner_texts()
    assert options[0].endswith("（进行中）") and not options[2].endswith("（进行中）")
    page.select_option("#digest-period", index=0)
    page.click("#digest-choice button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#digest-running").is_visible()
    assert page.locator("#digest-send").count() == 0
    page.locator("img.digest-page").first.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.digest-page').complete && "
                           "document.querySelector('img.digest-page').naturalWidth > 0")
    shot(page, f"digest_running_{size}")
    page.select_option("#digest-period", index=2)
    page.click("#digest-choice button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#digest-send").count() == 1

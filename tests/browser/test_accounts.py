"""The accounts page in a real browser, wide and at a phone's width: a city admin creates an
account and reads its one-time password; the new official signs in with it, is sent to the
change-password page and chooses a password. Screenshots go to artifacts/screenshots/."""
from __future__ import annotations

import re

import pytest

from tests.browserkit import SHOTS, sign_in

pytestmark = pytest.mark.browser

SIZES = {"wide": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES)
def test_an_account_is_created_and_its_first_sign_in_changes_the_password(browser, site, size):
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, site, "demo")
    page.goto(f"{site.base}/admin/accounts/")
    assert page.locator('#accounts tr[data-account="yucheng"]').is_visible()
    page.screenshot(path=str(SHOTS / f"accounts_list_{size}.png"), full_page=True)

    page.click("#account-new")
    page.fill("#username", f"li.{size}")
    page.fill("#display_name", "李娜")
    page.select_option("#role", "county_official")
    page.select_option("#place", "511802")
    page.screenshot(path=str(SHOTS / f"accounts_new_{size}.png"), full_page=True)
    page.click("#account-form button[type=submit]")
    password = page.locator("#one-time-password").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z2-9]{12}", password)
    page.screenshot(path=str(SHOTS / f"accounts_one_time_{size}.png"), full_page=True)

    newcomer = browser.new_context(viewport=SIZES[size], locale="zh-CN").new_page()
    newcomer.goto(f"{site.base}/login")
    newcomer.fill("#username", f"li.{size}")
    newcomer.fill("#password", password)
    newcomer.click("button[type=submit]")
    newcomer.wait_for_url(re.compile(r".*/admin/password/$"))
    assert newcomer.locator("#password-forced").is_visible()
    newcomer.screenshot(path=str(SHOTS / f"password_forced_{size}.png"), full_page=True)
    newcomer.fill("#old", password)
    newcomer.fill("#new", "li-na-own-password")
    newcomer.fill("#again", "li-na-own-password")
    newcomer.click("#password-form button[type=submit]")
    newcomer.wait_for_url(re.compile(r".*/admin/$"))
    newcomer.context.close()
    context.close()

"""The review queue in a real browser on the demo data, wide and at a phone's width: the county
official lands on it, approves and is taken to the next report, returns one with a one-tap
reason edited before sending, and approves several at once; the audit log reads as sentences.
Screenshots go to artifacts/screenshots/ (and /tmp/shots/aqueue/ when it can be written)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from models.core.db import database
from models.core.schema import Report
from tests.browserkit import SHOTS, sign_in

pytestmark = pytest.mark.browser

SIZES = {"wide": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LOOKED_AT = Path("/tmp/shots/aqueue")


def _shot(page, name: str) -> None:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    try:
        LOOKED_AT.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, LOOKED_AT / path.name)
    except OSError:
        pass


def _status(report_id: int) -> Report:
    with database.connection_context():
        return Report.get_by_id(report_id)


def _open(browser, site, size, username="yucheng"):
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("dialog", lambda d: d.accept())  # the bulk approve asks first
    sign_in(page, site, username, landing=True)
    return context, page


def _count(page) -> int:
    return int(page.locator("#queue-count").first.inner_text().strip())


@pytest.mark.parametrize("size", SIZES)
def test_approve_opens_the_next_report_and_a_reason_is_one_tap(browser, site, size):
    context, page = _open(browser, site, size)
    try:
        assert page.url.endswith("/admin/queue/")  # a reviewer lands on the queue
        before = _count(page)
        assert before > 3
        _shot(page, f"queue_{size}")
        first = int(page.locator("[data-report]").first.get_attribute("data-report"))
        second = int(page.locator("[data-report]").nth(1).get_attribute("data-report"))
        third = int(page.locator("[data-report]").nth(2).get_attribute("data-report"))
        page.locator(f'[data-report="{first}"] a.btn').click()
        page.wait_for_url(re.compile(rf".*/details/\?id={first}&queue=1"))
        _shot(page, f"queue_report_{size}")
        page.click("#approve")
        page.wait_for_url(re.compile(rf".*/details/\?id={second}&queue=1"))
        assert _status(first).status == "approved"

        # returned with a one-tap reason, edited before sending
        page.locator("#reject-reasons [data-reason]").first.click()
        box = page.locator("#reject-form textarea[name=reason]")
        tapped = box.input_value()
        assert tapped.startswith("照片看不清")
        box.fill(tapped + "（请补拍活动现场）")
        page.click("#reject")
        page.wait_for_url(re.compile(rf".*/details/\?id={third}&queue=1"))
        returned = _status(second)
        assert returned.status == "rejected"
        assert returned.reject_reason == tapped + "（请补拍活动现场）"

        # an empty reason: the server answers, in Chinese (no browser bubble in English)
        page.click("#reject")
        assert page.locator(".invalid-feedback").inner_text().startswith("请填写退回原因")
        assert _status(third).status == "submitted"

        page.goto(f"{site.base}/admin/queue/")
        assert _count(page) == before - 2
        page.goto(f"{site.base}/admin/reports/details/?id={first}")
        assert page.locator("#reject-form").count() == 0  # approved: no reject form
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_bulk_approve_from_the_queue(browser, site, size):
    context, page = _open(browser, site, size)
    try:
        before = _count(page)
        picked = [int(page.locator("[data-report]").nth(i).get_attribute("data-report"))
                  for i in range(3)]
        for report_id in picked:
            page.check(f"#pick-{report_id}")
        page.click("#queue-approve")
        page.wait_for_selector(".alert-success")
        assert "已通过 3 份报告" in page.locator(".alert-success").inner_text()
        assert _count(page) == before - 3
        assert all(_status(i).status == "approved" for i in picked)
        _shot(page, f"queue_after_bulk_{size}")
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_audit_log_reads_as_sentences(browser, site, size):
    context, page = _open(browser, site, size, username="demo")
    try:
        page.goto(f"{site.base}/admin/audit/")
        text = page.locator("body").inner_text()
        assert "通过了报告" in text or "报送上一级" in text
        assert "admin:" not in text and "tg:7" not in text and '{"' not in text
        _shot(page, f"audit_{size}")
    finally:
        context.close()

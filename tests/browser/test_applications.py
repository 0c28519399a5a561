"""The Gansu pilot's chain in a real browser (Debian's Chromium through Playwright) over the
demo database: an application waiting for its street's first review is passed by the street,
the county and the city, and approved by the province, each official signing in with their
own account and acting from their own queue. Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import re
import secrets

import pytest

from models.org import access
from models.core.db import database
from models.core.schema import Application, ApplicationStep, Outbox
from tests.browserkit import SHOTS, sign_in

pytestmark = pytest.mark.browser


def a_street_application(site) -> tuple[Application, str]:
    """A demo application in 雨城区 (the demo county login's) waiting for 街道初核, and a
    new street-officer login for its street (the test thread has its own connection)."""
    from admin.auth import create_user

    with database.connection_context():
        application = (Application.select()
                       .where(Application.status == "pending", Application.level == "township",
                              Application.org_path.startswith("/5118/511802/"))
                       .order_by(Application.id).first())
        street = application.org_unit.parent
        password = secrets.token_urlsafe(12)
        create_user("street_b", password, role=access.TOWNSHIP_OFFICER, org_code=street.code,
                    display_name=f"演示·{street.name}", actor="test")
    site.logins["street_b"] = password
    return application, street.name


def sign_out(page) -> None:
    page.click("form[action$='/logout'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/login.*"))


def act_from_the_queue(page, site, application: Application, action: str, opinion: str,
                       shot: str | None = None) -> None:
    page.goto(f"{site.base}/admin/applications/")
    row = page.locator(f"a[href*='/admin/applications/details/?id={application.id}']")
    assert row.count() == 1, "the application is in this level's queue"
    row.first.click()
    page.wait_for_url(re.compile(r".*/details/.*"))
    assert page.locator("#wushe-sheet-title").inner_text() == "甘肃省“三社联动”试点项目申报表"
    page.fill("#wushe-act textarea[name=opinion]", opinion)
    page.click(f"#wushe-act button[value={action}]")
    page.wait_for_url(re.compile(r".*/details/.*"))
    assert opinion in page.locator("#wushe-history").inner_text()
    if shot:
        page.screenshot(path=str(SHOTS / shot), full_page=True)


def test_an_application_goes_from_the_street_to_the_province_in_the_browser(page, site):
    application, street = a_street_application(site)
    steps = [("street_b", "pass", "经初核，项目经居民听证和公示，材料齐全，同意上报。", "county",
              "application_street.png"),
             ("yucheng", "pass", "经审核，需求明确、方案可行，同意上报。", "city", None),
             ("demo", "pass", "经复核，同意推荐为省级试点项目。", "province", None),
             ("shengting", "approve", "同意列为“三社联动”试点项目。", "province",
              "application_approved.png")]
    for username, action, opinion, then, shot in steps:
        sign_in(page, site, username)
        if username == "street_b":
            page.goto(f"{site.base}/admin/applications/")
            page.screenshot(path=str(SHOTS / "application_queue_street.png"), full_page=True)
        act_from_the_queue(page, site, application, action, opinion, shot)
        with database.connection_context():
            row = Application.get_by_id(application.id)
        assert row.level == then
        if username != "shengting":  # gone from this level's waiting queue
            page.goto(f"{site.base}/admin/applications/")
            assert page.locator(
                f"a[href*='/admin/applications/details/?id={application.id}']").count() == 0
        sign_out(page)

    with database.connection_context():
        row = Application.get_by_id(application.id)
        assert row.status == "approved"
        acts = [(s.level, s.action) for s in ApplicationStep.select().where(
            ApplicationStep.application == row).order_by(ApplicationStep.id)]
        assert acts[-4:] == [("township", "pass"), ("county", "pass"), ("city", "pass"),
                             ("province", "approve")]
        assert Outbox.select().where(Outbox.key.startswith(f"application:{row.uid}:")).count() == 4

    # the province's page: every level's opinion on the form, and the PDF
    sign_in(page, site, "shengting")
    page.goto(f"{site.base}/admin/applications/details/?id={application.id}")
    sheet = page.locator("#wushe-sheet").inner_text()
    for _, _, opinion, _, _ in steps:
        assert opinion in sheet
    assert street in page.locator(".wushe-applicant").inner_text()
    response = page.request.get(site.base + page.get_attribute("#wushe-print", "href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

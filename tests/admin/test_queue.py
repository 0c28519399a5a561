"""The review queue: a reviewer lands on what waits for them in their scope (reports,
applications at their level, organizations' filings), oldest first, with a count in the menu;
approve goes on to the next report; bulk approve is scoped, audited per report and needs the
CSRF token; a report's page offers only the actions its state allows; a rejection without a
reason is refused by the server in Chinese (the form does not rely on the browser's check)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from models import registry
from models.core.schema import AuditLog, Report
from models.reports import queue
from tests import factories as f
from tests.adminkit import CONFIG, PASSWORDS, ZH, page_text, signed_in, visible_text


def _queued_ids(text: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-report="(\d+)"', text)]


def _three(world):
    """Three waiting reports of bob's county, oldest first (world.yucheng is the oldest)."""
    return [world.yucheng, f.report("placename", by=world.wang),
            f.report("activity", by=world.wang, date=dt.date(2026, 11, 21))]


def test_a_reviewer_lands_on_the_queue_and_a_viewer_on_the_dashboard(client, officials):
    r = client.post("/login", data={"username": "bob", "password": PASSWORDS["bob"]})
    assert r.headers["Location"] == "/admin/queue/"
    other = client.application.test_client()
    r = other.post("/login", data={"username": "carol", "password": PASSWORDS["carol"]})
    assert r.headers["Location"] == "/admin/"
    assert other.get("/admin/queue/").status_code == 403
    assert "/admin/queue/" not in page_text(other.get("/admin/"))


def test_a_next_page_asked_for_wins_over_the_queue(client, officials):
    r = client.post("/login?next=/admin/workers/",
                    data={"username": "bob", "password": PASSWORDS["bob"]})
    assert r.headers["Location"] == "/admin/workers/"


def test_the_queue_lists_waiting_reports_of_the_scope_oldest_first(as_bob, world):
    waiting = _three(world)
    f.report("activity", by=world.wang, status="approved")
    f.report("activity", by=world.wang, status="rejected")
    text = page_text(as_bob.get("/admin/queue/"))
    assert _queued_ids(text) == [r.id for r in waiting]  # not 名山区's, not decided ones
    assert re.search(r'id="queue-count">\s*3\s*<', text)  # the menu's badge
    assert ZH("%(num)d items wait for you, oldest first.") % {"num": 3} in visible_text(
        as_bob.get("/admin/queue/"))


def test_an_applications_report_waits_on_the_chain_not_in_the_report_queue(as_bob, world):
    application = f.application(world.wang)
    assert application.status == "pending"
    ids = _queued_ids(page_text(as_bob.get("/admin/queue/")))
    assert Report.get(Report.uid == application.uid).id not in ids


def test_a_township_officer_sees_the_applications_waiting_at_the_street(app, world):
    application = f.application(world.wang)
    street = world.wang.org_unit.parent
    officer = f.official("jiedao", "township_officer", street.code)
    text = page_text(signed_in(app, officer).get("/admin/queue/"))
    assert f'data-application="{application.id}"' in text
    assert not _queued_ids(text)  # a township officer does not review reports


def test_filings_wait_for_the_community_then_for_the_street(app, world):
    place = world.wang.org_unit
    org = registry.create_organization(place, {"name": "胜利社区书画社", "category": "mutual_aid",
                                               "leader": "张秀英", "members": 12}, actor="test")
    staff = f.official("juwei", "community_staff", place.code)
    street = f.official("jiedao", "township_officer", place.parent.code)
    assert f'data-organization="{org.id}"' in page_text(signed_in(app, staff).get("/admin/queue/"))
    assert f'data-organization="{org.id}"' not in page_text(
        signed_in(app, street).get("/admin/queue/"))
    registry.review_organization(org, unit=place, actor="admin:juwei")
    assert f'data-organization="{org.id}"' not in page_text(
        signed_in(app, staff).get("/admin/queue/"))
    assert f'data-organization="{org.id}"' in page_text(
        signed_in(app, street).get("/admin/queue/"))


def test_approve_from_the_queue_opens_the_next_waiting_report(as_bob, world):
    first, second, third = _three(world)
    r = as_bob.post(f"/admin/reports/approve/{first.id}", data={"queue": "1"})
    assert r.headers["Location"] == f"/admin/reports/details/?id={second.id}&queue=1"
    r = as_bob.post(f"/admin/reports/reject/{second.id}",
                    data={"queue": "1", "reason": ZH(
                        "The photos are unclear; please take them again.") + "（活动室那张）"})
    assert r.headers["Location"] == f"/admin/reports/details/?id={third.id}&queue=1"
    assert Report.get_by_id(second.id).reject_reason.startswith("照片看不清")
    r = as_bob.post(f"/admin/reports/approve/{third.id}", data={"queue": "1"})
    assert r.headers["Location"] == "/admin/queue/"  # nothing left
    assert ZH("No more reports wait for your review.") in visible_text(as_bob.get("/admin/queue/"))


def test_approve_outside_the_queue_stays_on_the_report(as_bob, world):
    r = as_bob.post(f"/admin/reports/approve/{world.yucheng.id}")
    assert r.headers["Location"] == f"/admin/reports/details/?id={world.yucheng.id}"


def test_the_report_page_offers_only_what_its_state_allows(as_bob, world):
    url = f"/admin/reports/details/?id={world.yucheng.id}&queue=1"
    text = page_text(as_bob.get(url))
    assert 'id="approve"' in text and 'id="reject-form"' in text
    assert ZH("Approve and open the next") in text
    for reason in ("The photos are unclear; please take them again.",
                   "This duplicates a report already filed."):
        assert f'data-reason="{ZH(reason)}"' in text  # one-tap reasons
    as_bob.post(f"/admin/reports/approve/{world.yucheng.id}")
    text = page_text(as_bob.get(url))
    assert 'id="reject-form"' not in text and 'id="approve"' not in text
    assert 'id="review-done"' in text


def test_a_decided_report_cannot_be_decided_again_by_a_stale_form(as_bob, world):
    as_bob.post(f"/admin/reports/approve/{world.yucheng.id}")
    r = as_bob.post(f"/admin/reports/reject/{world.yucheng.id}", data={"reason": "迟到的退回"})
    assert r.status_code == 302
    report = Report.get_by_id(world.yucheng.id)
    assert report.status == "approved" and report.reject_reason is None
    assert ZH("This report was already approved.") in visible_text(
        as_bob.get(f"/admin/reports/details/?id={world.yucheng.id}"))


def test_an_empty_reason_is_refused_by_the_server_in_chinese(as_bob, world):
    page = page_text(as_bob.get(f"/admin/reports/details/?id={world.yucheng.id}"))
    assert re.search(r'<form[^>]*novalidate[^>]*id="reject-form"', page)
    assert not re.search(r"<textarea[^>]*\srequired", page)  # no browser check in English
    r = as_bob.post(f"/admin/reports/reject/{world.yucheng.id}", data={"reason": "  "})
    assert r.status_code == 200
    assert ZH("Please give a reason: the worker reads it to correct the report.") in \
        visible_text(r)
    assert "Please fill out this field" not in page_text(r)
    assert Report.get_by_id(world.yucheng.id).status == "submitted"


def test_bulk_approve_is_scoped_and_audited_per_report(as_bob, world):
    first, second, third = _three(world)
    r = as_bob.post("/admin/queue/approve",
                    data={"ids": [str(first.id), str(second.id), str(world.mingshan.id)]})
    assert r.headers["Location"] == "/admin/queue/"
    status = {x.id: x.status for x in Report.select()}
    assert status[first.id] == status[second.id] == "approved"
    assert status[third.id] == "submitted"  # not selected
    assert status[world.mingshan.id] == "submitted"  # 名山区 is not bob's
    entries = list(AuditLog.select().where(AuditLog.action == "approved"))
    assert sorted(int(e.entity_id) for e in entries) == sorted([first.id, second.id])
    assert {e.actor for e in entries} == {"admin:bob"}
    text = visible_text(as_bob.get("/admin/queue/"))
    assert "已通过 2 份报告" in text and "1 份所选报告已不在待审状态" in text
    assert _queued_ids(page_text(as_bob.get("/admin/queue/"))) == [third.id]


def test_bulk_approve_needs_a_selection_and_a_reviewer(as_bob, as_carol, world):
    r = as_bob.post("/admin/queue/approve", data={})
    assert r.status_code == 302
    assert ZH("Select the reports to approve first.") in visible_text(as_bob.get("/admin/queue/"))
    assert as_carol.post("/admin/queue/approve",
                         data={"ids": [str(world.yucheng.id)]}).status_code == 403
    assert Report.get_by_id(world.yucheng.id).status == "submitted"


@pytest.fixture
def csrf_app(settings):
    from admin import create_app

    return create_app(settings, {**CONFIG, "WTF_CSRF_ENABLED": True})


def test_bulk_approve_needs_the_pages_csrf_token(csrf_app, officials, world):
    bob = signed_in(csrf_app, officials["bob"])
    r = bob.post("/admin/queue/approve", data={"ids": [str(world.yucheng.id)]})
    assert r.status_code == 400
    assert Report.get_by_id(world.yucheng.id).status == "submitted"
    page = page_text(bob.get("/admin/queue/"))
    token = re.search(r'id="queue-bulk".*?name="csrf_token" value="([^"]+)"', page, re.S).group(1)
    r = bob.post("/admin/queue/approve", data={"csrf_token": token, "ids": [str(world.yucheng.id)]})
    assert r.status_code == 302
    assert Report.get_by_id(world.yucheng.id).status == "approved"


def test_the_counts_match_the_lists(world, officials):
    _three(world)
    bob = officials["bob"]
    counts = queue.counts(bob)
    assert counts == {"report": 3, "application": 0, "organization": 0}
    assert [w.id for w in queue.items(bob, queue.REPORT)] == [r.id for r in queue.reports(bob)]
    assert queue.counts(officials["carol"]) == {"report": 0, "application": 0, "organization": 0}
    assert not queue.is_reviewer(officials["carol"])


def test_the_menus_count_is_kept_until_the_data_change(as_bob, world, monkeypatch):
    """Counting a city's waiting reports on every page is seconds at a million reports: the
    count is kept per account while the data version stays, and follows a new report and a
    review on the very next request."""
    from models.reports.filing import review

    def badge() -> int:
        found = re.search(r'id="queue-count">\s*(\d+)\s*<', page_text(as_bob.get("/admin/")))
        return int(found.group(1)) if found else 0

    counted = []
    real = queue.counts
    monkeypatch.setattr(queue, "counts", lambda user: counted.append(user) or real(user))
    assert badge() == 1 and badge() == 1
    assert len(counted) == 1  # the second page did not count again
    made = f.report("activity", by=world.wang)
    assert badge() == 2
    review(made, "approved", actor="t")
    assert badge() == 1

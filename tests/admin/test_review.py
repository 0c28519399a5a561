"""Review: approve, reject with a reason (the worker's notice queued in their language in the
same transaction), bulk approve; every change on the audit log; CSRF on every form."""
from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

import models.core.i18n
from models.reports.filing import REJECT_NOTICE, reject, review
from models.core.schema import AuditLog, Outbox, Report
from tests import factories as f
from tests.adminkit import CONFIG, page_text, signed_in


@pytest.fixture
def zh_catalog(tmp_path, monkeypatch):
    """A Chinese catalog holding the rejection notice, as `make i18n` will produce one."""
    catalog = Catalog(locale="zh_Hans")
    catalog.add(REJECT_NOTICE, "您{date}的“{kind}”报告已退回修改。\n原因：{reason}")
    folder = tmp_path / "locales" / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as fh:
        write_po(fh, catalog)
    monkeypatch.setattr(models.core.i18n, "LOCALES_DIR", tmp_path / "locales")
    models.core.i18n._translations.cache_clear()
    models.core.i18n._cached.cache_clear()
    yield
    models.core.i18n._translations.cache_clear()
    models.core.i18n._cached.cache_clear()


def _audit(report, action):
    return list(AuditLog.select().where(AuditLog.entity == "report",
                                        AuditLog.entity_id == str(report.id),
                                        AuditLog.action == action))


def test_it_approves_a_report_and_records_who(as_bob, world):
    r = as_bob.post(f"/admin/reports/approve/{world.yucheng.id}")
    assert r.status_code == 302
    report = Report.get_by_id(world.yucheng.id)
    assert report.status == "approved" and report.reviewed_by == "admin:bob"
    [entry] = _audit(report, "approved")
    assert entry.actor == "admin:bob"
    assert entry.before["status"] == "submitted" and entry.after["status"] == "approved"


def test_approving_twice_changes_nothing_the_second_time(as_bob, world):
    as_bob.post(f"/admin/reports/approve/{world.yucheng.id}")
    as_bob.post(f"/admin/reports/approve/{world.yucheng.id}")
    assert len(_audit(world.yucheng, "approved")) == 1


def test_it_rejects_with_a_reason_and_queues_the_notice_in_the_workers_language(
        as_alice, world, zh_catalog):
    # wang (雨城区) has no language: Chinese; li (名山区) chose English.
    r = as_alice.post(f"/admin/reports/reject/{world.yucheng.id}",
                      data={"reason": "请补充活动照片"})
    assert r.status_code == 302
    as_alice.post(f"/admin/reports/reject/{world.mingshan.id}", data={"reason": "Add the place"})
    zh = Outbox.get(Outbox.key == f"reject:{world.yucheng.uid}:1")
    en = Outbox.get(Outbox.key == f"reject:{world.mingshan.uid}:1")
    assert zh.chat_id == world.wang.tg_user_id and en.chat_id == world.li.tg_user_id
    assert zh.text.startswith("您2026年11月20日的") and "原因：请补充活动照片" in zh.text
    assert en.text.startswith("Your report") and "Nov 18, 2026" in en.text
    assert "Reason: Add the place" in en.text
    assert zh.payload == {"report_uid": world.yucheng.uid, "action": "fix"}
    assert zh.status == "pending"
    report = Report.get_by_id(world.yucheng.id)
    assert report.status == "rejected" and report.reject_reason == "请补充活动照片"
    [entry] = _audit(report, "rejected")
    assert entry.actor == "admin:alice" and entry.after["reject_reason"] == "请补充活动照片"


def test_a_rejection_without_a_reason_changes_nothing(as_bob, world):
    r = as_bob.post(f"/admin/reports/reject/{world.yucheng.id}", data={"reason": "  "})
    assert r.status_code == 200  # the form again, with its error
    assert Report.get_by_id(world.yucheng.id).status == "submitted"
    assert Outbox.select().count() == 0


def test_the_reject_form_is_a_page_of_its_own_too(as_bob, world):
    r = as_bob.get(f"/admin/reports/reject/{world.yucheng.id}")
    assert r.status_code == 200 and 'name="reason"' in page_text(r)


def test_a_repeated_reject_click_notifies_the_worker_once(as_bob, world):
    for _ in range(2):
        as_bob.post(f"/admin/reports/reject/{world.yucheng.id}", data={"reason": "照片不清楚"})
    assert Outbox.select().count() == 1
    assert len(_audit(world.yucheng, "rejected")) == 1


def test_a_report_rejected_again_after_correction_gets_a_second_notice(world):
    reject(world.yucheng, actor="admin:bob", reason="缺少人数")
    review(Report.get_by_id(world.yucheng.id), "submitted", actor="tg:1")  # the worker fixed it
    reject(Report.get_by_id(world.yucheng.id), actor="admin:bob", reason="仍缺少人数")
    keys = [o.key for o in Outbox.select().order_by(Outbox.id)]
    assert keys == [f"reject:{world.yucheng.uid}:1", f"reject:{world.yucheng.uid}:2"]


def test_a_failed_notice_rolls_back_the_rejection(world, monkeypatch):
    def broken(**kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Outbox, "create", broken)
    with pytest.raises(RuntimeError):
        reject(world.yucheng, actor="admin:bob", reason="x")
    assert Report.get_by_id(world.yucheng.id).status == "submitted"
    assert not _audit(world.yucheng, "rejected")


def test_bulk_approve_approves_the_selected_reports_in_scope(as_bob, world):
    more = f.report("placename", by=world.wang)
    done = f.report("activity", by=world.wang, status="approved")
    r = as_bob.post("/admin/reports/action/", data={
        "action": "approve",
        "rowid": [str(world.yucheng.id), str(more.id), str(done.id), str(world.mingshan.id)]})
    assert r.status_code == 302
    statuses = {x.id: x.status for x in Report.select()}
    assert statuses[world.yucheng.id] == statuses[more.id] == "approved"
    assert statuses[world.mingshan.id] == "submitted"  # 名山区 is not bob's
    assert AuditLog.select().where(AuditLog.action == "approved").count() == 2


def test_approval_moves_the_contributions_too(as_bob, world):
    from models.core.schema import Contribution

    as_bob.post(f"/admin/reports/approve/{world.yucheng.id}")
    assert {c.status for c in Contribution.select().where(Contribution.report == world.yucheng)} \
        == {"approved"}


def test_the_detail_page_shows_answers_photos_and_review_buttons(as_bob, world):
    world.yucheng.latitude, world.yucheng.longitude = 29.98, 103.01
    world.yucheng.save()
    text = page_text(as_bob.get(f"/admin/reports/details/?id={world.yucheng.id}"))
    assert "四点半课堂" in text and "社区活动室" in text  # answers
    assert "2026年11月20日" in text  # the date field, formatted for Chinese
    assert "Volunteers" in text or "志愿者" in text  # a multi-choice option label, not its value
    assert f"/admin/reports/photo/{world.yucheng_photo.id}" in text
    assert "position=103.010000,29.980000" in text  # the map link
    assert f"/admin/reports/approve/{world.yucheng.id}" in text
    assert 'data-model-action="approve"' in page_text(as_bob.get("/admin/reports/"))


# -- CSRF -----------------------------------------------------------------------------------

@pytest.fixture
def csrf_app(settings):
    from admin import create_app

    return create_app(settings, {**CONFIG, "WTF_CSRF_ENABLED": True})


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_post_without_the_csrf_token_is_refused(csrf_app, officials, world):
    bob = signed_in(csrf_app, officials["bob"])
    r = bob.post(f"/admin/reports/approve/{world.yucheng.id}")
    assert r.status_code == 400
    assert Report.get_by_id(world.yucheng.id).status == "submitted"
    r = bob.post("/admin/reports/action/", data={"action": "approve",
                                                 "rowid": [str(world.yucheng.id)]})
    assert r.status_code == 400
    assert Report.get_by_id(world.yucheng.id).status == "submitted"


def test_the_pages_carry_a_token_that_works(csrf_app, officials, world):
    bob = signed_in(csrf_app, officials["bob"])
    page = page_text(bob.get(f"/admin/reports/details/?id={world.yucheng.id}"))
    r = bob.post(f"/admin/reports/approve/{world.yucheng.id}", data={"csrf_token": _token(page)})
    assert r.status_code == 302
    assert Report.get_by_id(world.yucheng.id).status == "approved"


def test_the_bulk_action_form_carries_a_working_token(csrf_app, officials, world):
    bob = signed_in(csrf_app, officials["bob"])
    page = page_text(bob.get("/admin/reports/"))
    r = bob.post("/admin/reports/action/", data={"csrf_token": _token(page), "action": "approve",
                                                 "rowid": [str(world.yucheng.id)]})
    assert r.status_code == 302
    assert Report.get_by_id(world.yucheng.id).status == "approved"

"""Drafts become reports exactly once, with their photos, contributions and audit trail."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from models.core.errors import InviteError, PermissionDenied, ValidationError
from models.reports.filing import (draft_from_report, handled_before, mark_handled, review, save_draft, start_draft,
                            store_photo, submit_draft)
from models.core.schema import AuditLog, Contribution, Draft, Invite, Photo, Report, Worker
from models.org.workers import redeem_invite
from models.reports import photos
from tests import factories as f
from tests.images import jpeg

TODAY = dt.date(2026, 11, 23)


def _draft(worker, kind="xinfeng", **answers):
    d = start_draft(worker, kind)
    d.answers = {**f.ANSWERS[kind], **answers}
    return save_draft(d)


def test_it_stores_a_draft_once_however_often_it_is_submitted(db):
    ailin = f.worker("ailin")
    d = _draft(ailin)
    r1, created1 = submit_draft(d, today=TODAY, update_id=7)
    r2, created2 = submit_draft(d, today=TODAY, update_id=8)
    assert created1 and not created2 and r1.id == r2.id
    assert Report.select().count() == 1
    assert r1.source_update_id == 7 and r1.action_line == "xinfeng"
    assert not Draft.select().where(Draft.worker == ailin).exists()
    assert AuditLog.select().where(AuditLog.entity == "report", AuditLog.action == "submit").count() == 1


def test_it_stores_nothing_when_a_required_answer_is_missing(db):
    d = _draft(f.worker())
    del d.answers["participants"]
    save_draft(d)
    with pytest.raises(ValidationError) as e:
        submit_draft(d, today=TODAY)
    assert e.value.code == "required" and e.value.field == "participants"
    assert Report.select().count() == 0 and Contribution.select().count() == 0
    assert Draft.get_by_id(d.id).answers["place"] == "村委会"


def test_it_rejects_a_future_date_at_submission(db):
    d = _draft(f.worker(), date="2026-11-24")
    with pytest.raises(ValidationError) as e:
        submit_draft(d, today=TODAY)
    assert e.value.code == "future"


def test_it_checks_that_elderly_and_children_fit_in_the_audience(db):
    d = _draft(f.worker(), kind="placename", audience=20, elderly=15, children=10)
    with pytest.raises(ValidationError) as e:
        submit_draft(d, today=TODAY)
    assert e.value.code == "parts_exceed_total"


def test_a_disabled_worker_cannot_submit(db):
    d = _draft(f.worker(status="disabled"))
    with pytest.raises(PermissionDenied):
        submit_draft(d, today=TODAY)
    assert Report.select().count() == 0


def test_photos_are_kept_on_disk_under_their_hash_and_follow_the_report(db, tmp_path):
    d = _draft(f.worker())
    p1 = store_photo(tmp_path, jpeg(), draft_uid=d.uid, field="photos", tg_file_id="A")
    p2 = store_photo(tmp_path, jpeg(), draft_uid=d.uid, field="photos", tg_file_id="B")
    assert p1.path == p2.path
    assert (tmp_path / p1.sha256[:2] / f"{p1.sha256}.jpg").read_bytes() == photos.clean(jpeg())
    report, _ = submit_draft(d, today=TODAY)
    assert Photo.select().where(Photo.report == report).count() == 2


def test_a_rejected_report_is_corrected_in_place(db):
    ailin = f.worker("ailin")
    report, _ = submit_draft(_draft(ailin), today=TODAY)
    review(report, "rejected", actor="bob", reason="人数有误")
    d = draft_from_report(ailin, report)
    d.answers["participants"] = 25
    save_draft(d)
    again, created = submit_draft(d, today=TODAY)
    assert not created or again.id == report.id
    fresh = Report.get_by_id(report.id)
    assert fresh.values["participants"] == 25 and fresh.status == "submitted"
    assert fresh.reject_reason is None
    assert Report.select().count() == 1
    assert Contribution.get(Contribution.report == fresh).status == "submitted"


def test_review_is_audited_with_before_and_after(db):
    report = f.report("activity")
    review(report, "rejected", actor="official:bob", reason="照片与活动不符")
    log = AuditLog.select().where(AuditLog.entity == "report", AuditLog.action == "rejected").get()
    assert log.before["status"] == "submitted"
    assert log.after == {"status": "rejected", "reject_reason": "照片与活动不符"}
    assert log.actor == "official:bob"


def test_an_update_is_marked_handled_once(db):
    assert not handled_before(101)
    mark_handled(101)
    mark_handled(101)  # a second mark changes nothing
    assert handled_before(101) and not handled_before(102)


def test_an_invite_binds_a_worker_to_its_community(db):
    inv = f.invite(max_uses=2)
    w = redeem_invite(inv.code, tg_user_id=555, display_name="王芳")
    assert w.org_unit_id == inv.org_unit_id and w.status == "active"
    assert redeem_invite(inv.code, tg_user_id=555, display_name="王芳").id == w.id
    assert Invite.get_by_id(inv.id).uses == 1


@pytest.mark.parametrize("case,code", [("unknown", "unknown"), ("used", "used_up"),
                                       ("expired", "expired")])
def test_a_bad_invite_is_refused_with_its_reason(db, case, code):
    inv = f.invite(max_uses=1)
    if case == "used":
        redeem_invite(inv.code, tg_user_id=1, display_name="a")
    if case == "expired":
        inv.expires_at = dt.datetime(2020, 1, 1)
        inv.save()
    with pytest.raises(InviteError) as e:
        redeem_invite("nope" if case == "unknown" else inv.code, tg_user_id=2, display_name="b")
    assert e.value.code == code
    assert not Worker.select().where(Worker.tg_user_id == 2).exists()


def test_concurrent_submits_of_one_draft_store_one_report(db_url, db):
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    from models.core.db import connection

    d = _draft(f.worker())
    results = []

    def go():
        with connection():
            draft = Draft.get_by_id(d.id)
            try:
                results.append(submit_draft(draft, today=TODAY))
            except Exception as exc:  # a loser may find the draft already gone
                results.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Report.select().count() == 1
    created = [r for r in results if isinstance(r, tuple) and r[1]]
    assert len(created) == 1


def test_starting_a_draft_deletes_the_old_one_unless_the_updates_read_saw_none(db, monkeypatch):
    """The bot's kind choice (``start_draft(..., later=True)``) spares the DELETE when the
    update's read (``load_chat``) found no draft; a draft it found is replaced, not kept."""
    import contextvars

    import peewee

    from models.core.db import unit_of_work
    from models.reports.filing import finish_update, load_chat

    seen: list[str] = []
    execute_sql = peewee.Database.execute_sql
    monkeypatch.setattr(peewee.Database, "execute_sql", lambda self, sql, params=None, *a, **k: (
        seen.append(sql), execute_sql(self, sql, params, *a, **k))[1])
    ailin = f.worker("ailin")

    def update(update_id: int, kind: str) -> None:  # one update: its read, then the choice
        load_chat(ailin.tg_user_id, update_id)
        with unit_of_work() as rows:
            start_draft(ailin, kind, later=True)
            finish_update(rows.values(), update_id)

    contextvars.copy_context().run(update, 1, "activity")
    assert not [sql for sql in seen if sql.startswith('DELETE FROM "draft"')]
    seen.clear()
    contextvars.copy_context().run(update, 2, "xinfeng")  # its read sees the first draft
    assert [sql for sql in seen if sql.startswith('DELETE FROM "draft"')]
    assert [d.kind.code for d in Draft.select().where(Draft.worker == ailin)] == ["xinfeng"]

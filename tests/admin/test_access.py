"""Who sees what: every protected URL needs a sign-in; a county official sees only their
county, by list, by id, by photo, by export and by edit; a viewer only reads."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from admin import create_app
from models.org import access
from models.core.db import database, init_db
from models.core.errors import NotFound, PermissionDenied
from models.core.schema import (AdminUser, AuditLog, Indicator, Invite, OrgUnit, Photo, Plan, Report,
                           Target, Worker, audit)
from models.core.settings import Settings
from tests import factories as f
from tests.adminkit import CONFIG, page_text, visible_text

PROTECTED = [
    ("GET", "/admin/"),
    ("GET", "/admin/reports/"),
    ("GET", "/admin/reports/details/?id={report}"),
    ("GET", "/admin/reports/photo/{photo}"),
    ("GET", "/admin/reports/export/csv/"),
    ("GET", "/admin/reports/export/xlsx/"),
    ("POST", "/admin/reports/approve/{report}"),
    ("GET", "/admin/reports/reject/{report}"),
    ("POST", "/admin/reports/reject/{report}"),
    ("POST", "/admin/reports/action/"),
    ("GET", "/admin/workers/"),
    ("GET", "/admin/workers/details/?id={worker}"),
    ("POST", "/admin/workers/status/{worker}/disable"),
    ("GET", "/admin/invites/"),
    ("GET", "/admin/invites/new/"),
    ("POST", "/admin/invites/new/"),
    ("GET", "/admin/places/"),
    ("GET", "/admin/places/edit/?id={unit}"),
    ("GET", "/admin/plans/"),
    ("GET", "/admin/plans/edit/?id={plan}"),
    ("GET", "/admin/plans/progress.xlsx?plan={plan}"),
    ("GET", "/admin/indicators/"),
    ("GET", "/admin/targets/"),
    ("GET", "/admin/targets/new/"),
    ("GET", "/admin/audit/"),
]


def _url(template: str, world) -> str:
    return template.format(report=world.yucheng.id, photo=world.yucheng_photo.id,
                           worker=world.wang.id, unit=world.wang.org_unit_id,
                           plan=Plan.select().first().id)


@pytest.fixture
def anonymous(tmp_path):
    """A client of an app over an empty database: a visitor who is not signed in is sent
    away before any table is read, so one database engine is enough here."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    init_db(url)
    yield create_app(Settings(database_url=url, admin_secret_key="k" * 32), CONFIG).test_client()
    database.close()


@pytest.mark.parametrize("method,url", PROTECTED)
def test_it_sends_anonymous_visitors_to_sign_in(anonymous, method, url):
    r = anonymous.open(url.format(report=1, photo=1, worker=1, unit=1, plan=1), method=method)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("method,url", [(m, u) for m, u in PROTECTED
                                        if m == "GET" and u != "/admin/"])  # the dashboard's
def test_the_city_admin_can_open_every_page(as_alice, world, method, url):
    r = as_alice.get(_url(url, world))
    assert r.status_code in (200, 302), page_text(r)[:500]


# -- a county official and another county ------------------------------------------------

def test_a_county_official_lists_only_their_county(as_bob, world):
    text = visible_text(as_bob.get("/admin/reports/"))
    assert "四点半课堂" in text  # 雨城区's activity
    assert "名山区" not in text and world.li.display_name not in text


def test_a_county_official_gets_404_for_another_countys_report(as_bob, world):
    assert as_bob.get(f"/admin/reports/details/?id={world.yucheng.id}").status_code == 200
    assert as_bob.get(f"/admin/reports/details/?id={world.mingshan.id}").status_code == 404
    assert as_bob.get("/admin/reports/details/?id=not-a-number").status_code == 404


def test_a_county_official_gets_404_for_another_countys_photo(as_bob, world):
    r = as_bob.get(f"/admin/reports/photo/{world.yucheng_photo.id}")
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and r.data.startswith(b"\xff\xd8")
    assert as_bob.get(f"/admin/reports/photo/{world.mingshan_photo.id}").status_code == 404


def test_a_photo_stored_outside_the_media_folder_is_not_served(as_bob, world, tmp_path):
    stray = tmp_path / "stray.jpg"
    stray.write_bytes(b"\xff\xd8secret")
    Photo.update(path=str(stray)).where(Photo.id == world.yucheng_photo.id).execute()
    assert as_bob.get(f"/admin/reports/photo/{world.yucheng_photo.id}").status_code == 404


def test_a_photo_is_served_as_a_jpeg_the_browser_may_not_sniff(as_bob, world):
    r = as_bob.get(f"/admin/reports/photo/{world.yucheng_photo.id}")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert not r.headers.get("Content-Disposition", "").startswith("attachment")
    assert r.data == Path(world.yucheng_photo.path).read_bytes()


def test_a_file_stored_before_photos_were_checked_is_downloaded_not_shown(as_bob, world):
    # a page a worker sent as IMG_0001.jpg before photos were checked, still in the media folder
    Path(world.yucheng_photo.path).write_bytes(b"<html><script>alert(1)</script></html>")
    r = as_bob.get(f"/admin/reports/photo/{world.yucheng_photo.id}")
    assert r.status_code == 200 and r.mimetype == "application/octet-stream"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("attachment")


def test_another_countys_reports_are_absent_from_exports(as_bob, world):
    body = as_bob.get("/admin/reports/export/csv/").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [r[0] for r in rows[1:]] == [str(world.yucheng.id)]


def test_a_county_official_cannot_review_another_countys_report(as_bob, world):
    assert as_bob.post(f"/admin/reports/approve/{world.mingshan.id}").status_code == 404
    assert as_bob.post(f"/admin/reports/reject/{world.mingshan.id}",
                       data={"reason": "x"}).status_code == 404
    as_bob.post("/admin/reports/action/", data={"action": "approve",
                                                "rowid": [str(world.mingshan.id)]})
    assert Report.get_by_id(world.mingshan.id).status == "submitted"


def test_a_county_official_cannot_touch_another_countys_workers_or_targets(as_bob, world):
    assert as_bob.post(f"/admin/workers/status/{world.li.id}/disable").status_code == 404
    assert Worker.get_by_id(world.li.id).status == "active"
    ind = Indicator.select().where(Indicator.target_basis == "explicit").first()
    target = Target.create(indicator=ind, org_unit=world.li.org_unit, year=2026, value=5)
    assert as_bob.get(f"/admin/targets/edit/?id={target.id}").status_code == 404
    assert as_bob.post(f"/admin/targets/edit/?id={target.id}",
                       data={"indicator": ind.id, "org_unit": world.li.org_unit_id,
                             "value": "1"}).status_code == 404
    assert Target.get_by_id(target.id).value == 5


def test_a_place_filter_outside_the_scope_finds_nothing(as_bob, world, app):
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "reports")
    county = next(i for i, flt in enumerate(view._filters) if str(flt.name) == "County")
    text = page_text(as_bob.get(f"/admin/reports/?flt0_{county}=511803"))
    assert "四点半课堂" not in text
    text = page_text(as_bob.get(f"/admin/reports/?flt0_{county}=511802"))
    assert "四点半课堂" in text


def test_the_audit_log_shows_a_county_official_only_their_county(as_bob, as_alice, world):
    audit("admin:alice", "update", "plan", Plan.select().first().id, before={"a": 1},
          after={"a": 2})
    audit("tg:1", "register", "worker", world.li.id, after={"status": "mingshan-marker"})
    audit("tg:2", "register", "worker", world.wang.id, after={"status": "yucheng-marker"})
    text = page_text(as_bob.get("/admin/audit/?page_size=500"))
    assert "yucheng-marker" in text and "mingshan-marker" not in text and "Alice" not in text
    text = page_text(as_alice.get("/admin/audit/?page_size=500"))
    assert "yucheng-marker" in text and "mingshan-marker" in text and "雅安市·Alice" in text


# -- a viewer reads only ---------------------------------------------------------------------

def test_a_viewer_reads_their_county(as_carol, world):
    assert as_carol.get(f"/admin/reports/details/?id={world.mingshan.id}").status_code == 200
    assert as_carol.get(f"/admin/reports/details/?id={world.yucheng.id}").status_code == 404
    assert as_carol.get("/admin/reports/export/xlsx/").status_code == 200


@pytest.mark.parametrize("method,url", [
    ("POST", "/admin/reports/approve/{report}"),
    ("POST", "/admin/reports/reject/{report}"),
    ("POST", "/admin/reports/action/"),
    ("POST", "/admin/workers/status/{worker}/disable"),
    ("POST", "/admin/workers/action/"),
    ("GET", "/admin/invites/new/"),
    ("GET", "/admin/targets/new/"),
    ("GET", "/admin/targets/edit/?id={target}"),
    ("GET", "/admin/places/edit/?id={unit}"),
    ("GET", "/admin/plans/edit/?id={plan}"),
])
def test_a_viewer_cannot_change_anything(as_carol, world, method, url):
    ind = Indicator.select().where(Indicator.target_basis == "explicit").first()
    target = Target.create(indicator=ind, org_unit=world.li.org_unit, year=2026, value=5)
    url = url.format(report=world.mingshan.id, worker=world.li.id, target=target.id,
                     unit=world.li.org_unit_id, plan=Plan.select().first().id)
    r = as_carol.open(url, method=method, data={"reason": "no", "action": "approve",
                                                "rowid": [str(world.mingshan.id)]})
    assert r.status_code == 403
    assert Report.get_by_id(world.mingshan.id).status == "submitted"
    assert Worker.get_by_id(world.li.id).status == "active"


def test_a_viewer_sees_no_review_buttons(as_carol, world):
    text = page_text(as_carol.get(f"/admin/reports/details/?id={world.mingshan.id}"))
    assert f"/admin/reports/approve/{world.mingshan.id}" not in text
    assert 'name="reason"' not in text
    assert 'data-model-action="approve"' not in page_text(as_carol.get("/admin/reports/"))


@pytest.mark.parametrize("url", ["/admin/places/edit/?id={unit}", "/admin/plans/edit/?id={plan}"])
def test_a_county_official_cannot_edit_city_settings(as_bob, world, url):
    url = url.format(unit=world.wang.org_unit_id, plan=Plan.select().first().id)
    assert as_bob.get(url).status_code == 403


# -- models.org.access ---------------------------------------------------------------------------

def test_scope_root_is_the_city_for_a_city_admin_and_the_own_unit_otherwise(officials):
    assert access.scope_root(officials["alice"]).code == "5118"
    assert access.scope_root(officials["bob"]).code == "511802"
    officials["alice"].org_unit = OrgUnit.get(OrgUnit.code == "511803")
    assert access.scope_root(officials["alice"]).code == "5118"


def test_scope_refuses_inactive_accounts_and_strangers(officials):
    officials["bob"].active = False
    with pytest.raises(PermissionDenied):
        access.scope_root(officials["bob"])
    with pytest.raises(PermissionDenied):
        access.scope_root(object())


def test_scoped_cuts_every_kind_of_row_to_the_subtree(officials, world):
    bob = officials["bob"]
    ind = Indicator.select().where(Indicator.target_basis == "explicit").first()
    theirs = Target.create(indicator=ind, org_unit=world.li.org_unit, year=2026, value=1)
    mine = Target.create(indicator=ind, org_unit=world.wang.org_unit, year=2026, value=1)
    f.invite(world.li.org_unit)
    my_invite = f.invite(world.wang.org_unit)
    assert [r.id for r in access.scoped(Report.select(), Report, bob)] == [world.yucheng.id]
    assert {w.id for w in access.scoped(Worker.select(), Worker, bob)} == {world.wang.id}
    targets = list(access.scoped(Target.select(), Target, bob))
    assert mine in targets and theirs not in targets
    assert all(t.org_unit.path.startswith("/5118/511802/") for t in targets)
    assert [i.id for i in access.scoped(Invite.select(), Invite, bob)] == [my_invite.id]
    assert [p.id for p in access.scoped(Photo.select(), Photo, bob)] == [world.yucheng_photo.id]
    assert all(u.path.startswith("/5118/511802/")
               for u in access.scoped(OrgUnit.select(), OrgUnit, bob))
    assert {u.username for u in access.scoped(AdminUser.select(), AdminUser, bob)} == {"bob"}
    assert access.scoped(Plan.select(), Plan, bob).count() == Plan.select().count()
    audit("tg:1", "submit", "report", world.yucheng.id)
    audit("tg:2", "submit", "report", world.mingshan.id)
    audited = {(a.entity, a.entity_id) for a in access.scoped(AuditLog.select(), AuditLog, bob)}
    assert ("report", str(world.yucheng.id)) in audited
    assert ("report", str(world.mingshan.id)) not in audited


def test_scoped_fails_closed_for_a_table_it_does_not_know(officials):
    from models.core.schema import Outbox

    with pytest.raises(TypeError):
        access.scoped(Outbox.select(), Outbox, officials["alice"])


def test_get_scoped_treats_out_of_scope_as_absent(officials, world):
    assert access.get_scoped(Report, officials["bob"], world.yucheng.id).id == world.yucheng.id
    for pk in (world.mingshan.id, "x", None, 10**9):
        with pytest.raises(NotFound):
            access.get_scoped(Report, officials["bob"], pk)


def test_only_city_admins_and_county_officials_edit(officials):
    assert access.can_edit(officials["alice"]) and access.can_edit(officials["bob"])
    assert not access.can_edit(officials["carol"])
    officials["bob"].active = False
    assert not access.can_edit(officials["bob"])

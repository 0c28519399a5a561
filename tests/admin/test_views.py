"""Workers, invites, places, plans and targets: what officials change, within their area,
validated, and on the audit log."""
from __future__ import annotations

from models.core.i18n import translator

ZH = translator("zh_Hans").gettext  # the admin speaks Chinese unless asked otherwise

import re
from decimal import Decimal

import pytest

from models.core.schema import AuditLog, Indicator, Invite, OrgUnit, Plan, Target, Worker
from models.org.workers import redeem_invite
from tests import factories as f
from tests.adminkit import audit_rows, page_text


# -- workers ---------------------------------------------------------------------------------

def test_it_approves_a_pending_registration(as_bob, world):
    newcomer = f.worker("zhou", place=world.wang.org_unit, status="pending")
    text = page_text(as_bob.get("/admin/workers/"))
    assert f"/admin/workers/status/{newcomer.id}/approve" in text
    assert as_bob.post(f"/admin/workers/status/{newcomer.id}/approve").status_code == 302
    assert Worker.get_by_id(newcomer.id).status == "active"
    [entry] = audit_rows("worker", newcomer.id, "status")
    assert entry.actor == "admin:bob"
    assert entry.before == {"status": "pending"} and entry.after == {"status": "active"}


def test_it_disables_and_re_enables_a_worker(as_bob, world):
    as_bob.post(f"/admin/workers/status/{world.wang.id}/disable")
    assert Worker.get_by_id(world.wang.id).status == "disabled"
    as_bob.post(f"/admin/workers/status/{world.wang.id}/enable")
    assert Worker.get_by_id(world.wang.id).status == "active"
    changes = [e.after["status"] for e in audit_rows("worker", world.wang.id)]
    assert changes == ["disabled", "active"]


def test_a_change_that_does_not_fit_the_status_is_ignored(as_bob, world):
    as_bob.post(f"/admin/workers/status/{world.wang.id}/enable")  # already active
    assert not audit_rows("worker", world.wang.id)
    assert as_bob.post(f"/admin/workers/status/{world.wang.id}/promote").status_code == 404


def test_bulk_actions_change_only_workers_in_scope(as_bob, world):
    as_bob.post("/admin/workers/action/", data={"action": "disable",
                                                "rowid": [str(world.wang.id), str(world.li.id)]})
    assert Worker.get_by_id(world.wang.id).status == "disabled"
    assert Worker.get_by_id(world.li.id).status == "active"


def test_the_workers_list_shows_the_community_and_township(as_bob, world):
    text = page_text(as_bob.get("/admin/workers/"))
    unit = world.wang.org_unit
    assert f"{unit.parent.name} · {unit.name}" in text
    assert f"/admin/workers/status/{world.li.id}/" not in text


# -- invites ---------------------------------------------------------------------------------

def test_an_invite_made_in_the_admin_registers_a_worker(as_bob, world):
    place = f.community("511802", index=2)
    page = page_text(as_bob.get("/admin/invites/new/"))
    assert place.code in page and f.community("511803").code not in page
    r = as_bob.post("/admin/invites/new/", data={"community": place.code, "role": "worker",
                                                 "max_uses": "3", "days": "10"})
    assert r.status_code == 302
    invite = Invite.get(Invite.org_unit == place)
    assert invite.max_uses == 3 and invite.created_by == "admin:bob"
    assert not invite.requires_approval
    details = page_text(as_bob.get(r.headers["Location"]))
    link = f"https://t.me/wushe_test_bot?start={invite.code}"
    assert link in details
    code = re.search(r"\?start=([\w-]+)", details).group(1)
    worker = redeem_invite(code, tg_user_id=777001, display_name="Zhou")
    assert worker.org_unit_id == place.id and worker.status == "active"
    assert audit_rows("invite", invite.id, "create")


def test_an_invite_can_require_approval(as_bob, world):
    place = f.community("511802", index=3)
    as_bob.post("/admin/invites/new/", data={"community": place.code, "role": "worker",
                                             "max_uses": "1", "days": "10",
                                             "requires_approval": "y"})
    invite = Invite.get(Invite.org_unit == place)
    assert redeem_invite(invite.code, tg_user_id=777002, display_name="Qian").status == "pending"


def test_an_invite_for_a_community_outside_the_county_is_refused(as_bob, world):
    r = as_bob.post("/admin/invites/new/", data={"community": f.community("511803").code,
                                                 "role": "worker", "max_uses": "1", "days": "10"})
    assert r.status_code == 200  # the form again: not a valid choice
    assert Invite.select().count() == 0


def test_an_invite_for_a_township_is_refused(as_bob, world):
    r = as_bob.post("/admin/invites/new/", data={"community": "511802001", "role": "worker",
                                                 "max_uses": "1", "days": "10"})
    assert r.status_code == 200 and Invite.select().count() == 0


def test_a_withdrawn_invite_no_longer_registers_anyone(as_bob, world):
    invite = f.invite(world.wang.org_unit, max_uses=5)
    assert as_bob.post(f"/admin/invites/disable/{invite.id}").status_code == 302
    assert Invite.get_by_id(invite.id).disabled
    assert audit_rows("invite", invite.id, "disable")
    from models.core.errors import InviteError

    with pytest.raises(InviteError):
        redeem_invite(invite.code, tg_user_id=777003, display_name="Sun")


def test_a_county_official_sees_only_their_invites(as_bob, world):
    mine, theirs = f.invite(world.wang.org_unit), f.invite(world.li.org_unit)
    text = page_text(as_bob.get("/admin/invites/"))
    assert mine.code in text and theirs.code not in text
    assert as_bob.get(f"/admin/invites/details/?id={theirs.id}").status_code == 404
    assert as_bob.post(f"/admin/invites/disable/{theirs.id}").status_code == 404


# -- targets ---------------------------------------------------------------------------------

@pytest.fixture
def indicator():
    return (Indicator.select()
            .where(Indicator.target_basis == "explicit", Indicator.measure != "reference")
            .order_by(Indicator.id).first())


def _target_form(indicator, unit, value, year="2026"):
    return {"indicator": str(indicator.id), "org_unit": str(unit.id), "year": year,
            "value": value}


def test_a_county_official_sets_a_target_in_the_county(as_bob, world, indicator):
    place = world.wang.org_unit
    r = as_bob.post("/admin/targets/new/", data=_target_form(indicator, place, "12"))
    assert r.status_code == 302
    target = Target.get(Target.org_unit == place, Target.indicator == indicator)
    assert target.value == Decimal("12") and target.year == 2026
    [entry] = audit_rows("target", target.id, "create")
    assert entry.actor == "admin:bob" and Decimal(entry.after["value"]) == 12


def test_a_target_may_be_zero(as_bob, world, indicator):
    r = as_bob.post("/admin/targets/new/", data=_target_form(indicator, world.wang.org_unit, "0"))
    assert r.status_code == 302
    assert Target.get(Target.org_unit == world.wang.org_unit).value == 0


def test_a_target_cannot_be_negative(as_bob, world, indicator):
    r = as_bob.post("/admin/targets/new/", data=_target_form(indicator, world.wang.org_unit, "-1"))
    assert r.status_code == 200
    assert not Target.select().where(Target.org_unit == world.wang.org_unit).exists()


def test_a_target_cannot_be_set_outside_the_county(as_bob, world, indicator):
    r = as_bob.post("/admin/targets/new/", data=_target_form(indicator, world.li.org_unit, "5"))
    assert r.status_code == 200
    assert not Target.select().where(Target.org_unit == world.li.org_unit).exists()


def test_a_second_target_for_the_same_place_and_year_is_refused(as_bob, world, indicator):
    place = world.wang.org_unit
    as_bob.post("/admin/targets/new/", data=_target_form(indicator, place, "5"))
    r = as_bob.post("/admin/targets/new/", data=_target_form(indicator, place, "6"))
    assert r.status_code == 200 and ZH("This place already has a target for that indicator and year.") in page_text(r)
    assert [t.value for t in Target.select().where(Target.org_unit == place)] == [Decimal("5")]


def test_editing_a_target_records_before_and_after(as_bob, world, indicator):
    place = world.wang.org_unit
    target = Target.create(indicator=indicator, org_unit=place, year=2026, value=5)
    r = as_bob.post(f"/admin/targets/edit/?id={target.id}",
                    data=_target_form(indicator, place, "8"))
    assert r.status_code == 302
    assert Target.get_by_id(target.id).value == Decimal("8")
    [entry] = audit_rows("target", target.id, "update")
    assert Decimal(entry.before["value"]) == 5 and Decimal(entry.after["value"]) == 8


def test_a_target_cannot_be_moved_out_of_the_county(as_bob, world, indicator):
    target = Target.create(indicator=indicator, org_unit=world.wang.org_unit, year=2026, value=5)
    r = as_bob.post(f"/admin/targets/edit/?id={target.id}",
                    data=_target_form(indicator, world.li.org_unit, "5"))
    assert r.status_code == 200
    assert Target.get_by_id(target.id).org_unit_id == world.wang.org_unit_id
    assert not audit_rows("target", target.id)


def test_deleting_a_target_is_audited(as_bob, world, indicator):
    target = Target.create(indicator=indicator, org_unit=world.wang.org_unit, year=2026, value=5)
    r = as_bob.post("/admin/targets/delete/", data={"id": str(target.id)})
    assert r.status_code == 302 and Target.get_or_none(Target.id == target.id) is None
    [entry] = audit_rows("target", target.id, "delete")
    assert Decimal(entry.before["value"]) == 5


# -- places and plans (the city admin's) -----------------------------------------------------

def test_the_city_admin_corrects_a_population(as_alice, world):
    unit = world.wang.org_unit
    r = as_alice.post(f"/admin/places/edit/?id={unit.id}",
                      data={"population": "4321", "households": "1500"})
    assert r.status_code == 302
    assert OrgUnit.get_by_id(unit.id).population == 4321
    [entry] = audit_rows("org_unit", unit.id, "update")
    assert entry.after == {"population": 4321, "households": 1500}


def test_a_population_cannot_be_negative(as_alice, world):
    unit = world.wang.org_unit
    r = as_alice.post(f"/admin/places/edit/?id={unit.id}", data={"population": "-5"})
    assert r.status_code == 200
    assert OrgUnit.get_by_id(unit.id).population == unit.population


def test_the_city_admin_chooses_which_statuses_count(as_alice, world):
    plan = Plan.select().first()
    page = page_text(as_alice.get(f"/admin/plans/edit/?id={plan.id}"))
    assert 'value="submitted"' in page and 'value="rejected"' not in page
    r = as_alice.post(f"/admin/plans/edit/?id={plan.id}", data={"counted_statuses": ["approved"]})
    assert r.status_code == 302
    assert Plan.get_by_id(plan.id).counted_statuses == ["approved"]
    [entry] = audit_rows("plan", plan.id, "update")
    assert entry.before == {"counted_statuses": ["submitted", "approved"]}
    assert entry.after == {"counted_statuses": ["approved"]}


def test_counting_only_approved_reports_changes_the_progress(as_alice, world):
    from models.plans.progress import plan_progress

    plan = Plan.select().first()
    county = OrgUnit.get(OrgUnit.code == "511802")

    def total():
        p = Plan.get_by_id(plan.id)
        return sum(r.actual or 0 for r in plan_progress(p, county, 2026, p.start_date.replace(
            year=2026, month=12, day=31)).rows)

    before = total()
    as_alice.post(f"/admin/plans/edit/?id={plan.id}", data={"counted_statuses": ["approved"]})
    assert before > 0 and total() == 0  # the 雨城区 report is only submitted


def test_a_plan_must_count_something_and_never_rejected_reports(as_alice, world):
    plan = Plan.select().first()
    assert as_alice.post(f"/admin/plans/edit/?id={plan.id}", data={}).status_code == 200
    as_alice.post(f"/admin/plans/edit/?id={plan.id}",
                  data={"counted_statuses": ["approved", "rejected"]})
    assert Plan.get_by_id(plan.id).counted_statuses == ["submitted", "approved"]

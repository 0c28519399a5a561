"""The registry of community social organizations (津民发〔2018〕61号) and the volunteers'
time bank: the 备案 workflow and its refusals, one hub per street, volunteers, hours, the
reports that feed them, and the national export. On SQLite and PostgreSQL (``db``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from models import registry as r
from models.core.errors import ValidationError
from models.forms.kinds import bind_scope, get_kind, options_for, parse_answer
from models.core.messages import explain
from models.core.i18n import Translator
from models.reports.filing import review, reject, start_draft, submit_draft
from models.demo.registry import demo_registry
from models.core.schema import (AuditLog, OrgUnit, Report, SocialOrganization, Volunteer,
                           VolunteerHours)
from tests import factories as f

TODAY = dt.date(2026, 11, 23)
ZH, EN = Translator("zh_Hans"), Translator("en")
ORG = {"name": "和平社区银发互助会", "category": "elderly_care", "leader": "张秀英",
       "leader_phone": "13812345678", "members": 25, "founded_on": "2026-03-01"}


def resident_id(prefix17: str) -> str:
    """A resident ID with its GB 11643 check character (the tests' own computation)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return prefix17 + "10X98765432"[sum(int(c) * w for c, w in zip(prefix17, weights)) % 11]


ID_A = "11010519491231002X"  # GB 11643's own example
ID_B = resident_id("51180219850612003")


@pytest.fixture
def places(db):
    c1 = f.community("511802", 0)
    c2 = f.community("511802", 1)  # same street as c1
    far = f.community("511803", 0)  # another county
    return c1, c2, c1.parent, far


def audit_actions(entity: str, entity_id) -> list[str]:
    return [a.action for a in AuditLog.select().where(AuditLog.entity == entity,
                                                      AuditLog.entity_id == str(entity_id))
            .order_by(AuditLog.id)]


def refused(fn, code: str):
    with pytest.raises(ValidationError) as e:
        fn()
    assert e.value.code == code, e.value
    return e.value


# -- the 备案 workflow ---------------------------------------------------------------------

def test_it_files_an_organization_after_the_community_reviews_it(places):
    c1, _c2, street, _far = places
    org = r.create_organization(c1, ORG, actor="admin:juwei", today=TODAY)
    assert (org.status, org.org_path, org.category, org.members) == ("pending", c1.path,
                                                                     "elderly_care", 25)
    assert r.allowed_actions(org, c1) == ["review", "return"]
    assert r.allowed_actions(org, street) == []
    r.review_organization(org, unit=c1, actor="admin:juwei", opinion="材料齐全")
    assert org.status == "reviewed" and org.reviewed_by == "admin:juwei"
    assert r.allowed_actions(org, street) == ["file", "return"]
    assert r.allowed_actions(org, c1) == []
    r.file_organization(org, unit=street, actor="admin:jiedao")
    stored = SocialOrganization.get_by_id(org.id)
    assert stored.status == "filed" and stored.filed_by == "admin:jiedao" and stored.filed_at
    assert audit_actions("social_organization", org.id) == ["create", "review", "file"]
    review_entry = AuditLog.get(AuditLog.entity == "social_organization", AuditLog.action == "review")
    assert review_entry.before["status"] == "pending"
    assert review_entry.after["status"] == "reviewed" and review_entry.after["opinion"] == "材料齐全"


def test_each_level_acts_only_on_its_own_step(places):
    c1, c2, street, far = places
    org = r.create_organization(c1, ORG, actor="a", today=TODAY)
    refused(lambda: r.review_organization(org, unit=street, actor="a"), "review_level")
    refused(lambda: r.review_organization(org, unit=c2, actor="a"), "review_level")
    refused(lambda: r.review_organization(org, unit=far, actor="a"), "review_level")
    refused(lambda: r.file_organization(org, unit=street, actor="a"), "file_needs_reviewed")
    r.review_organization(org, unit=c1, actor="a")
    refused(lambda: r.review_organization(org, unit=c1, actor="a"), "review_needs_pending")
    refused(lambda: r.file_organization(org, unit=c1, actor="a"), "file_level")
    refused(lambda: r.file_organization(org, unit=far.parent, actor="a"), "file_level")
    refused(lambda: r.return_organization(org, unit=c1, actor="a", reason="x"), "file_level")
    assert SocialOrganization.get_by_id(org.id).status == "reviewed"
    assert audit_actions("social_organization", org.id) == ["create", "review"]


def test_a_returned_organization_goes_back_to_review_once_corrected(places):
    c1, _c2, street, _far = places
    org = r.create_organization(c1, ORG, actor="a", today=TODAY)
    refused(lambda: r.return_organization(org, unit=c1, actor="a", reason="  "), "required")
    r.return_organization(org, unit=c1, actor="admin:juwei", reason="缺少章程")
    assert org.status == "returned" and org.note == "缺少章程"
    refused(lambda: r.review_organization(org, unit=c1, actor="a"), "review_needs_pending")
    r.update_organization(org, {"members": 30}, actor="admin:juwei", today=TODAY)
    assert SocialOrganization.get_by_id(org.id).status == "pending"
    r.review_organization(org, unit=c1, actor="a")
    r.return_organization(org, unit=street, actor="admin:jiedao", reason="名称不规范")
    assert org.status == "returned"
    assert audit_actions("social_organization", org.id) == [
        "create", "return", "resubmit", "review", "return"]


def test_only_the_street_deregisters_and_only_a_filed_organization(places):
    c1, _c2, street, _far = places
    org = r.create_organization(c1, ORG, actor="a", today=TODAY)
    refused(lambda: r.deregister_organization(org, unit=street, actor="a", reason="停止活动"),
            "cannot_deregister")
    r.review_organization(org, unit=c1, actor="a")
    r.file_organization(org, unit=street, actor="a")
    refused(lambda: r.deregister_organization(org, unit=c1, actor="a", reason="x"), "file_level")
    refused(lambda: r.deregister_organization(org, unit=street, actor="a", reason=""), "required")
    r.deregister_organization(org, unit=street, actor="admin:jiedao", reason="停止活动")
    stored = SocialOrganization.get_by_id(org.id)
    assert (stored.status, stored.active) == ("deregistered", False)
    refused(lambda: r.update_organization(stored, {"members": 3}, actor="a"), "deregistered")
    refused(lambda: r.set_organization_active(stored, True, actor="a"), "deregistered")


def test_bad_particulars_are_refused_and_store_nothing(places):
    c1, _c2, street, _far = places
    for values, code in ((dict(ORG, category="体育类"), "unknown_category"),
                         (dict(ORG, members=-1), "too_small"),
                         (dict(ORG, name=""), "required"),
                         (dict(ORG, leader_phone="12345"), "not_a_phone"),
                         (dict(ORG, founded_on="2026-12-01"), "future")):
        refused(lambda: r.create_organization(c1, values, actor="a", today=TODAY), code)
    refused(lambda: r.create_organization(street, ORG, actor="a", today=TODAY), "needs_community")
    r.create_organization(c1, ORG, actor="a", today=TODAY)
    refused(lambda: r.create_organization(c1, ORG, actor="a", today=TODAY), "duplicate_name")
    assert SocialOrganization.select().count() == 1
    assert AuditLog.select().where(AuditLog.entity == "social_organization").count() == 1


def test_categories_are_the_documents_and_read_in_chinese(places):
    c1 = places[0]
    org = r.create_organization(c1, dict(ORG, category="扶危助困类"), actor="a", today=TODAY)
    assert org.category == "hardship_relief"
    assert set(r.CATEGORY_ZH.values()) == {"养老服务类", "社区服务类", "扶危助困类", "慈善救助类",
                                           "互助类", "志愿服务类", "自治协商类", "矛盾纠纷调解类",
                                           "应急救援类", "环境保护类", "文体活动类", "其他"}
    assert r.category_code("慈善救助") == "charity_relief" and r.category_code("体育") is None


# -- hubs ------------------------------------------------------------------------------------

HUB = dict(ORG, name="东城街道社区社会组织联合会", category="community_service",
           full_time_social_workers=2)


def test_one_hub_per_street(places):
    c1, _c2, street, far = places
    refused(lambda: r.create_organization(c1, HUB, actor="a", is_hub=True, today=TODAY),
            "hub_needs_township")
    hub = r.create_organization(street, HUB, actor="a", is_hub=True, today=TODAY)
    assert r.hub_of(street) == hub and hub.status == "pending"
    e = refused(lambda: r.create_organization(street, dict(HUB, name="第二联合会"), actor="a",
                                              is_hub=True, today=TODAY), "hub_exists")
    assert explain(e, EN) == f"{street.name} already has a hub organization: {hub.name}."
    other = r.create_organization(far.parent, dict(HUB, name="另一街道联合会"), actor="a",
                                  is_hub=True, today=TODAY)
    assert r.hub_of(far.parent) == other
    assert SocialOrganization.select().where(SocialOrganization.is_hub == True).count() == 2  # noqa: E712
    # A hub struck off makes room for a new one.
    r.file_organization(hub, unit=street, actor="a")
    r.deregister_organization(hub, unit=street, actor="a", reason="合并")
    again = r.create_organization(street, dict(HUB, name="新联合会"), actor="a", is_hub=True,
                                  today=TODAY)
    assert r.hub_of(street) == again


def test_a_hub_is_filed_by_its_street_only_with_two_or_three_social_workers(places):
    c1, _c2, street, _far = places
    hub = r.create_organization(street, dict(HUB, full_time_social_workers=1), actor="a",
                                is_hub=True, today=TODAY)
    assert r.staffing_issue(hub) == "too_few"
    assert r.allowed_actions(hub, street) == ["file", "return"]
    assert r.allowed_actions(hub, c1) == []
    refused(lambda: r.review_organization(hub, unit=c1, actor="a"), "hub_no_review")
    e = refused(lambda: r.file_organization(hub, unit=street, actor="a"), "hub_staffing")
    assert e.args_ == {"min": 2, "max": 3, "count": 1}
    assert "2–3" in explain(e, EN) and "1" in explain(e, EN)
    r.update_organization(hub, {"full_time_social_workers": 4}, actor="a")
    refused(lambda: r.file_organization(hub, unit=street, actor="a"), "hub_staffing")
    assert r.staffing_issue(hub) == "too_many"
    r.update_organization(hub, {"full_time_social_workers": 3}, actor="a")
    r.file_organization(hub, unit=street, actor="a")
    assert SocialOrganization.get_by_id(hub.id).status == "filed" and r.staffing_issue(hub) is None
    r.update_organization(hub, {"full_time_social_workers": 1}, actor="a")  # staff left
    assert hub.status == "filed" and r.staffing_issue(hub) == "too_few"


# -- volunteers ------------------------------------------------------------------------------

VOL = {"name": "李桂英", "gender": "female", "phone": "139 0000 1111", "team": "和平社区志愿服务队",
       "skills": "陪护"}


def test_it_registers_a_volunteer_once_per_person(places):
    c1, c2, _street, far = places
    v = r.register_volunteer(c1, dict(VOL, id_number=ID_A.lower()), actor="admin:bob",
                             registered_on=TODAY, today=TODAY)
    assert (v.phone, v.id_number, v.id_type, v.gender, v.org_path) == (
        "13900001111", ID_A, "resident_id", "female", c1.path)
    refused(lambda: r.register_volunteer(c1, dict(VOL, name="李桂英2"), actor="a",
                                         registered_on=TODAY), "volunteer_exists")
    refused(lambda: r.register_volunteer(far, dict(VOL, phone="13900002222", id_number=ID_A),
                                         actor="a", registered_on=TODAY), "volunteer_exists")
    # the same phone in another community is another household's number: allowed
    r.register_volunteer(c2, VOL, actor="a", registered_on=TODAY)
    r.set_volunteer_active(v, False, actor="admin:bob", reason="搬离")
    again = r.register_volunteer(c1, VOL, actor="a", registered_on=TODAY)
    refused(lambda: r.set_volunteer_active(v, True, actor="a"), "volunteer_exists")
    assert Volunteer.select().count() == 3 and again.active
    assert audit_actions("volunteer", v.id) == ["register", "deactivate"]
    entry = AuditLog.get(AuditLog.entity == "volunteer", AuditLog.entity_id == str(v.id),
                         AuditLog.action == "register")
    assert entry.after["id_number"] == "1101**********002X"  # the audit keeps it masked


@pytest.mark.parametrize("text,value", [("13812345678", "13812345678"),
                                        ("+86 138-1234-5678", "13812345678"),
                                        ("１３８１２３４５６７８", "13812345678"),
                                        ("022-23456789", "022-23456789")])
def test_it_reads_phone_numbers(text, value):
    assert r.parse_phone(text) == value


@pytest.mark.parametrize("text", ["12345678901", "1381234567", "电话", "138123456789"])
def test_it_refuses_what_is_not_a_phone_number(text):
    refused(lambda: r.parse_phone(text), "not_a_phone")


def test_it_checks_id_numbers_and_masks_them():
    assert r.parse_id_number(" 11010519491231002x ") == ID_A
    assert r.parse_id_number(ID_B) == ID_B
    for bad in (ID_A[:-1] + "1", "110105194913310021", "1101051949123100", "ABCDEFGHIJKLMNOPQR"):
        refused(lambda: r.parse_id_number(bad), "not_an_id_number")
    assert r.parse_id_number("E12345678", id_type="passport") == "E12345678"
    assert r.mask_id_number(ID_A) == "1101**********002X"
    assert r.mask_id_number(None) == ""


@pytest.mark.parametrize("text,value", [("2", "2"), ("1.5", "1.5"), ("两小时", "2"),
                                        ("1个半小时", "1.5"), ("半小时", "0.5"), ("24", "24"),
                                        ("3h", "3"), ("二十四", "24"), ("0.5", "0.5")])
def test_it_reads_hours(text, value):
    assert r.parse_hours(text) == value


@pytest.mark.parametrize("text,code", [("0", "hours_range"), ("24.5", "hours_range"),
                                       ("0.3", "hours_step"), ("1.25", "hours_step"),
                                       ("很久", "not_hours"), ("", "required")])
def test_it_refuses_hours_out_of_a_day(text, code):
    e = refused(lambda: r.parse_hours(text), code)
    if code == "hours_range":
        assert explain(e, EN) == "Service hours must be between 0.5 and 24 per day."


def test_a_day_holds_at_most_24_hours_and_a_uid_logs_once(places):
    c1 = places[0]
    v = r.register_volunteer(c1, VOL, actor="a", registered_on=TODAY)
    day = dt.date(2026, 11, 20)
    r.log_hours(v, date=day, hours="20", activity="防汛值守", actor="a")
    r.log_hours(v, date=day, hours="4", activity="夜间巡逻", actor="a", uid="u-1")
    r.log_hours(v, date=day, hours="3", activity="夜间巡逻", actor="a", uid="u-1")  # corrected
    e = refused(lambda: r.log_hours(v, date=day, hours="1.5", activity="x", actor="a"),
                "day_over_24")
    assert e.args_ == {"logged": "23", "max": 24}
    r.log_hours(v, date=day + dt.timedelta(days=1), hours="1.5", activity="探访", actor="a")
    assert VolunteerHours.select().count() == 3
    assert r.balance(v) == Decimal("24.5")
    assert audit_actions("volunteer_hours", VolunteerHours.get(uid="u-1").id) == ["log", "update"]
    r.set_volunteer_active(v, False, actor="a")
    refused(lambda: r.log_hours(v, date=day, hours="1", activity="x", actor="a"),
            "volunteer_inactive")


def test_the_time_bank_counts_per_community(places):
    c1, c2, street, _far = places
    c1.population, c2.population = 100, 0
    c1.save(), c2.save()
    a = r.register_volunteer(c1, VOL, actor="a", registered_on=TODAY)
    b = r.register_volunteer(c1, dict(VOL, name="王建国", phone="13900003333"), actor="a",
                             registered_on=TODAY)
    gone = r.register_volunteer(c1, dict(VOL, name="赵敏", phone="13900004444"), actor="a",
                                registered_on=TODAY)
    d = r.register_volunteer(c2, dict(VOL, phone="13900005555"), actor="a", registered_on=TODAY)
    r.log_hours(a, date=dt.date(2026, 3, 1), hours="2", activity="x", actor="a")
    r.log_hours(a, date=dt.date(2026, 4, 1), hours="1.5", activity="x", actor="a")
    r.log_hours(b, date=dt.date(2025, 12, 31), hours="4", activity="x", actor="a")  # last year
    r.log_hours(gone, date=dt.date(2026, 5, 1), hours="3", activity="x", actor="a")
    r.log_hours(d, date=dt.date(2026, 6, 1), hours="1", activity="x", actor="a")
    r.set_volunteer_active(gone, False, actor="a")
    banks = {x.community.code: x for x in r.time_bank(street, 2026)}
    one = banks[c1.code]
    # active: a and b; with hours in 2026: a only; the year's hours include gone's 3
    assert (one.registered, one.with_hours, one.hours, one.balance) == (
        2, 1, Decimal("6.5"), Decimal("10.5"))
    assert one.share_of_residents == 2.0 and one.share_with_hours == 50.0
    two = banks[c2.code]
    assert (two.registered, two.with_hours, two.hours) == (1, 1, Decimal(1))
    assert two.share_of_residents is None  # no population known
    third = [x for code, x in banks.items() if code not in (c1.code, c2.code)]
    assert all(x.registered == 0 and x.share_with_hours is None for x in third)
    assert [x.community.code for x in r.time_bank(c1, 2026)] == [c1.code]
    assert r.balances([a.id, b.id, d.id]) == {a.id: Decimal("3.5"), b.id: Decimal(4),
                                              d.id: Decimal(1)}


# -- reports feed the registry -------------------------------------------------------------

def _submit(worker, kind: str, **answers) -> Report:
    draft = start_draft(worker, kind)
    draft.answers = answers
    draft.save()
    report, created = submit_draft(draft, today=TODAY)
    assert created
    return report


REG = {"name": "陈海燕", "gender": "female", "phone": "13700001234", "id_number": ID_B,
       "team": "和平社区志愿服务队", "skills": "理发", "date": "2026-11-20"}


def test_a_registration_report_is_the_volunteers_single_entry(places):
    c1 = places[0]
    wang = f.worker("wang", place=c1)
    report = _submit(wang, "volunteer", **REG)
    v = Volunteer.get(Volunteer.uid == report.uid)
    assert (v.name, v.id_number, v.source, v.registered_by_id, v.registered_on, v.active) == (
        "陈海燕", ID_B, "bot", wang.id, dt.date(2026, 11, 20), True)
    assert Report.get_by_id(report.id).values["id_number"] == r.mask_id_number(ID_B)
    # rejected: out of the active count; corrected and resubmitted: back, updated, same row
    reject(report, actor="admin:bob", reason="电话有误")
    assert not Volunteer.get_by_id(v.id).active
    from models.reports.filing import draft_from_report
    draft = draft_from_report(wang, Report.get_by_id(report.id))
    draft.answers = {**draft.answers, "phone": "13700005678"}
    draft.save()
    submit_draft(draft, today=TODAY)
    v = Volunteer.get_by_id(v.id)
    assert (v.active, v.phone, v.id_number) == (True, "13700005678", ID_B)  # masked ID kept whole
    assert Volunteer.select().count() == 1
    assert audit_actions("volunteer", v.id) == ["register", "deactivate", "update"]


def test_a_second_registration_of_the_same_person_is_refused_and_stores_nothing(places):
    c1 = places[0]
    wang = f.worker("wang", place=c1)
    _submit(wang, "volunteer", **REG)
    draft = start_draft(wang, "volunteer")
    draft.answers = dict(REG, name="陈海燕(重复)", id_number=None)
    draft.save()
    refused(lambda: submit_draft(draft, today=TODAY), "volunteer_exists")
    assert Report.select().count() == 1 and Volunteer.select().count() == 1


def test_hours_reports_credit_only_the_workers_own_community(places):
    c1, c2, _street, _far = places
    wang, zhao = f.worker("wang", place=c1), f.worker("zhao", place=c2)
    v = r.register_volunteer(c1, VOL, actor="a", registered_on=TODAY)
    report = _submit(wang, "volunteer_hours", volunteer=v.uid, date="2026-11-21", hours="2.5",
                     activity="敬老院陪护")
    entry = VolunteerHours.get(VolunteerHours.uid == report.uid)
    assert (entry.hours, entry.report_id, entry.logged_by_id, entry.date) == (
        Decimal("2.5"), report.id, wang.id, dt.date(2026, 11, 21))
    draft = start_draft(zhao, "volunteer_hours")
    draft.answers = {"volunteer": v.uid, "date": "2026-11-21", "hours": "1", "activity": "x"}
    draft.save()
    refused(lambda: submit_draft(draft, today=TODAY), "not_your_volunteer")
    assert Report.select().count() == 1 and VolunteerHours.select().count() == 1
    # over a day's 24 hours: refused at submit, nothing stored
    draft = start_draft(wang, "volunteer_hours")
    draft.answers = {"volunteer": v.uid, "date": "2026-11-21", "hours": "22", "activity": "x"}
    draft.save()
    refused(lambda: submit_draft(draft, today=TODAY), "day_over_24")
    assert Report.select().count() == 1 and r.balance(v) == Decimal("2.5")


def test_rejected_hours_leave_the_bank_and_come_back_when_approved(places):
    c1 = places[0]
    wang = f.worker("wang", place=c1)
    v = r.register_volunteer(c1, VOL, actor="a", registered_on=TODAY)
    report = _submit(wang, "volunteer_hours", volunteer=v.uid, date="2026-11-21", hours="3",
                     activity="义剪")
    reject(report, actor="admin:bob", reason="时长不实")
    assert r.balance(v) == 0 and not VolunteerHours.select().exists()
    review(Report.get_by_id(report.id), "approved", actor="admin:bob")
    assert r.balance(v) == 3
    assert audit_actions("volunteer_hours", VolunteerHours.get(uid=report.uid).id)[-1] == "log"


def test_the_hours_question_offers_the_bound_community_only(places):
    c1, c2, _street, _far = places
    mine = r.register_volunteer(c1, VOL, actor="a", registered_on=TODAY)
    r.register_volunteer(c1, dict(VOL, name="王建国", phone="13900003333"), actor="a",
                         registered_on=TODAY)
    theirs = r.register_volunteer(c2, dict(VOL, name="孙丽", phone="13900006666"), actor="a",
                                  registered_on=TODAY)
    gone = r.register_volunteer(c1, dict(VOL, name="赵敏", phone="13900004444"), actor="a",
                                registered_on=TODAY)
    r.set_volunteer_active(gone, False, actor="a")
    field = get_kind("volunteer_hours").field("volunteer")
    bind_scope(None)
    assert options_for(field) == []
    bind_scope(c1.id)
    try:
        assert [o.label for o in options_for(field)] == ["李桂英 ·1111", "王建国 ·3333"]
        assert parse_answer(field, "李桂英", today=TODAY) == mine.uid
        assert parse_answer(field, "139-0000-1111", today=TODAY) == mine.uid
        assert parse_answer(field, "1111", today=TODAY) == mine.uid
        refused(lambda: parse_answer(field, "孙丽", today=TODAY), "volunteer_not_found")
        refused(lambda: parse_answer(field, "赵敏", today=TODAY), "volunteer_not_found")
        # a stored answer is shown wherever it is read
        assert [o.label for o in options_for(field, value=theirs.uid)] == ["孙丽 ·6666"]
    finally:
        bind_scope(None)


def test_the_registry_field_types_parse_in_the_form_engine(db):
    kind = get_kind("volunteer")
    assert parse_answer(kind.field("phone"), "138 1234 5678", today=TODAY) == "13812345678"
    assert parse_answer(kind.field("id_number"), ID_A, today=TODAY) == ID_A
    hours = get_kind("volunteer_hours").field("hours")
    assert parse_answer(hours, "1个半小时", today=TODAY) == "1.5"
    refused(lambda: parse_answer(hours, "25", today=TODAY), "hours_range")


# -- the national export -------------------------------------------------------------------

def test_the_national_export_has_the_systems_columns_and_full_ids(places):
    c1, c2, street, far = places
    v = r.register_volunteer(c1, dict(VOL, id_number=ID_A), actor="a",
                             registered_on=dt.date(2026, 5, 4))
    w = r.register_volunteer(c2, dict(VOL, name="王建国", phone="13900003333", gender=None),
                             actor="a", registered_on=dt.date(2026, 6, 1))
    r.register_volunteer(far, dict(VOL, name="外县", phone="13900009999"), actor="a",
                         registered_on=TODAY)
    r.log_hours(v, date=dt.date(2026, 7, 1), hours="2.5", activity="义诊", actor="a")
    r.log_hours(w, date=dt.date(2025, 7, 1), hours="1", activity="巡逻", actor="a")
    title, headers, rows = r.national_volunteers(street)
    assert headers == ["姓名", "证件类型", "证件号码", "手机号码", "性别", "民族", "政治面貌",
                       "所属志愿团体", "服务技能", "所在社区", "注册日期"]
    assert rows == [
        ["李桂英", "居民身份证", ID_A, "13900001111", "女", "", "", "和平社区志愿服务队", "陪护",
         f"{street.name}{c1.name}", "2026-05-04"],
        ["王建国", "", "", "13900003333", "", "", "", "和平社区志愿服务队", "陪护",
         f"{street.name}{c2.name}", "2026-06-01"],
    ]
    title, headers, rows = r.national_hours(street, start=dt.date(2026, 1, 1),
                                            end=dt.date(2026, 12, 31))
    assert title == "服务时长"
    assert headers == ["姓名", "证件类型", "证件号码", "手机号码", "服务日期", "服务时长(小时)",
                       "服务内容", "服务地点(社区)", "记录人"]
    assert rows == [["李桂英", "居民身份证", ID_A, "13900001111", "2026-07-01", "2.5", "义诊",
                     f"{street.name}{c1.name}", ""]]
    assert len(r.national_hours(street)[2]) == 2


def test_imported_chinese_values_read_the_same(places):
    """The importer may keep 男/女 and 居民身份证 as written: exports read them alike."""
    c1 = places[0]
    Volunteer.create(name="周杰", gender="男", id_type="居民身份证", id_number=ID_B,
                     phone="13600000000", org_unit=c1, org_path=c1.path,
                     registered_on=TODAY, source="import")
    [[name, id_type, number, _p, gender, *_]] = r.national_volunteers(c1)[2]
    assert (name, id_type, number, gender) == ("周杰", "居民身份证", ID_B, "男")
    org = SocialOrganization.create(name="书画社", category="其他", org_unit=c1,
                                    org_path=c1.path, leader="周杰")
    assert r.organization_table([org])[2][0][1] == "其他"


def test_the_demo_registry_has_hubs_organizations_volunteers_and_hours(db):
    info = demo_registry(7, TODAY, scale=0.02)
    townships = OrgUnit.select().where(OrgUnit.level == "township").count()
    assert info["hubs"] == townships == SocialOrganization.select().where(
        SocialOrganization.is_hub == True).count()  # noqa: E712
    statuses = {s for (s,) in SocialOrganization.select(SocialOrganization.status).tuples()}
    assert statuses == {"pending", "reviewed", "filed", "returned", "deregistered"}
    assert Volunteer.select().count() == info["volunteers"] > 0
    assert VolunteerHours.select().count() == info["hours_entries"] > 0
    for township in OrgUnit.select().where(OrgUnit.level == "township"):
        assert r.hub_of(township) is not None


# -- extension points, registered explicitly ---------------------------------------------------

def test_install_registers_the_sinks_and_the_volunteers_once_whatever_the_calls(db):
    from models import applications, extensions
    from models.forms import options
    from models.reports import sinks

    extensions.install()
    extensions.install()
    assert sinks.registered() == {"volunteer", "volunteer_hours", "application"}
    assert sinks._SINKS["volunteer"] is r.volunteer_from_report
    assert sinks._ON_REVIEW == {"volunteer": r.volunteer_reviewed,
                                "volunteer_hours": r.hours_reviewed}
    assert sinks._SINKS["application"] is applications.from_report
    assert options.source("volunteers").match is r.match_volunteer


def test_a_registry_nobody_registered_fails_loudly(db, monkeypatch):
    from models.reports import sinks

    monkeypatch.setattr(sinks, "_SINKS", {})
    monkeypatch.setattr(sinks, "_ON_REVIEW", {})
    with pytest.raises(LookupError, match="volunteer"):
        sinks.apply("volunteer", Report(), created=True)
    with pytest.raises(LookupError, match="volunteer"):
        sinks.reviewed("volunteer", Report(), before="pending")
    assert sinks.apply(None, Report(), created=True) is None


def test_importing_the_domain_registers_nothing_and_changes_no_table():
    """Extension points are filled by install() only; the message table is static."""
    import subprocess
    import sys

    code = ("import models, models.registry, models.applications, models.demo\n"
            "from models.core import messages\n"
            "from models.forms import options\n"
            "from models.reports import sinks\n"
            "assert sinks.registered() == set() and options._SOURCES == {}\n"
            "assert messages.VALIDATION == {**messages.FORMS, **messages.REGISTRY,"
            " **messages.ACCOUNTS}\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_the_registry_explains_its_refusals_from_the_static_table():
    from models.core import messages

    assert set(messages.REGISTRY) <= set(messages.VALIDATION)
    assert not set(messages.REGISTRY) & set(messages.FORMS)
    assert explain(ValidationError("phone", "not_a_phone"), Translator("en")).startswith(
        "Please send a mobile number")


# -- 登记 vs 备案, the register of candidates, ratings (三(三), 三(四); 浙江 001's 4A) ------------

def test_the_district_lists_candidates_and_records_their_registration(places):
    c1, _c2, street, far = places
    county = street.parent
    org = r.create_organization(c1, ORG, actor="a", status="filed", today=TODAY)
    assert (org.registration, org.rating) == ("filed", None)
    # only its own district lists it, and only a filed organization
    refused(lambda: r.mark_registration_candidate(org, True, unit=street, actor="a"),
            "register_level")
    refused(lambda: r.mark_registration_candidate(org, True, unit=far.parent.parent, actor="a"),
            "register_level")
    r.mark_registration_candidate(org, True, unit=county, actor="区民政局")
    assert SocialOrganization.get_by_id(org.id).registration == "candidate"
    # a filed organization cannot hold a rating: 等级评估 is for registered ones
    e = refused(lambda: r.rate_organization(org, "4A", actor="a"), "rating_needs_registered")
    assert explain(e, EN) == "Only a registered organization can hold a rating."
    refused(lambda: r.register_organization(org, unit=street, actor="a"), "register_level")
    r.register_organization(org, unit=county, actor="区民政局")
    org = SocialOrganization.get_by_id(org.id)
    assert (org.status, org.registration) == ("registered", "registered")
    refused(lambda: r.register_organization(org, unit=county, actor="a"), "register_needs_filed")
    refused(lambda: r.mark_registration_candidate(org, False, unit=county, actor="a"),
            "candidate_needs_filed")
    refused(lambda: r.rate_organization(org, "6A", actor="a"), "unknown_rating")
    r.rate_organization(org, "4a", actor="评估机构")
    assert SocialOrganization.get_by_id(org.id).rating == "4A"
    assert audit_actions("social_organization", org.id) == ["create", "candidate", "register",
                                                            "rate"]
    # the register (名录) says it: 登记, 4A
    assert r.organization_table([org])[2][0][-2:] == ["登记", "4A"]
    assert r.organization_table([org])[1][-2:] == ["登记类型", "评估等级"]
    # struck off by its district (注销登记), not by the street
    assert r.allowed_actions(org, county) == ["deregister"] and r.allowed_actions(org, street) == []
    refused(lambda: r.deregister_organization(org, unit=street, actor="a", reason="注销"),
            "register_level")
    r.deregister_organization(org, unit=county, actor="a", reason="注销")
    assert SocialOrganization.get_by_id(org.id).status == "deregistered"


def test_a_pending_organization_is_neither_listed_nor_registered(places):
    c1, _c2, street, _far = places
    org = r.create_organization(c1, ORG, actor="a", today=TODAY)
    refused(lambda: r.register_organization(org, unit=street.parent, actor="a"),
            "register_needs_filed")
    refused(lambda: r.mark_registration_candidate(org, True, unit=street.parent, actor="a"),
            "candidate_needs_filed")
    assert SocialOrganization.get_by_id(org.id).registration == "filed"


def test_a_hub_is_registered_by_its_district_only_when_staffed(places):
    _c1, _c2, street, _far = places
    hub = r.create_organization(street, dict(HUB, full_time_social_workers=2), actor="a",
                                is_hub=True, today=TODAY)
    r.file_organization(hub, unit=street, actor="a")
    r.update_organization(hub, {"full_time_social_workers": 5}, actor="a")
    refused(lambda: r.register_organization(hub, unit=street.parent, actor="a"), "hub_staffing")
    r.update_organization(hub, {"full_time_social_workers": 3}, actor="a")
    r.register_organization(hub, unit=street.parent, actor="a")
    assert r.hub_of(street).status == "registered"


def test_an_imported_registered_organization_carries_its_rating(places):
    c1, _c2, _street, _far = places
    org = r.create_organization(c1, ORG, actor="import", status="registered", rating="5A",
                                today=TODAY)
    assert (org.status, org.registration, org.rating) == ("registered", "registered", "5A")
    refused(lambda: r.create_organization(c1, dict(ORG, name="另一个"), actor="import",
                                          status="filed", rating="4A", today=TODAY),
            "rating_needs_registered")


def test_the_kinds_zhejiang_names_are_categories(places):
    assert r.category_code("志愿服务类") == "volunteer_service"
    assert r.category_code("社会(志愿)服务类") == "volunteer_service"  # full-width brackets
    assert r.category_code("困难帮扶") == "hardship_relief"
    assert r.category_code("文体活动") == "culture_sports"
    assert {"self_governance", "mediation", "emergency_rescue", "environment"} <= set(r.CATEGORIES)
    assert ZH.gettext(r.CATEGORIES["volunteer_service"]) == "志愿服务类"

"""The Gansu pilot's 申报表 and its chain 社区申报 → 街道初核 → 县级审核 → 市级复核 → 省厅审批,
in the domain (SQLite and PostgreSQL): filing through the report sink, each level's act,
every refusal changing nothing, return and refiling, notices, who sees what."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from models.org import access
from models import applications
from models.applications import ChainError, act, visible
from models.demo.applications import demo_applications
from models.core.errors import NotFound, PermissionDenied, ValidationError
from models.core.i18n import translator
from models.reports.filing import draft_from_report, save_draft, submit_draft
from models.core.schema import Application, AuditLog, Draft, OrgUnit, Outbox, Report, Worker
from tests import factories as f
from tests.factories import APPLICATION_ANSWERS as ANSWERS, official
from tests.factories import application as file, application_state as state

TODAY = dt.date(2026, 11, 23)


def township_of(unit: OrgUnit) -> OrgUnit:
    return unit.parent


@pytest.fixture
def chain(db):
    """ailin files in a community of 雨城区; one official per level above her, plus officials
    of another township (in her county) and of another county (名山区)."""
    place = f.community("511802")
    other_township = (OrgUnit.select().where(OrgUnit.level == "township",
                                             OrgUnit.parent == place.parent.parent,
                                             OrgUnit.id != place.parent_id)
                      .order_by(OrgUnit.code).first())
    ns = dict(
        ailin=f.worker("ailin", place=place),
        place=place,
        township=official("tina", access.TOWNSHIP_OFFICER, place.parent.code),
        county=official("bob", "county_official", "511802"),
        city=official("alice", "city_admin", "5118"),
        province=official("pia", access.PROVINCE_OFFICER, "5118"),
        other_township=official("otto", access.TOWNSHIP_OFFICER, other_township.code),
        other_county=official("mia", "county_official", "511803"),
        viewer=official("vic", "viewer", "5118"),
    )
    return type("Chain", (), ns)


def notices(worker: Worker) -> list[Outbox]:
    return list(Outbox.select().where(Outbox.chat_id == worker.tg_user_id).order_by(Outbox.id))


def test_it_files_an_application_that_waits_for_the_street(chain):
    application = file(chain.ailin)
    assert (application.level, application.status) == ("township", "pending")
    assert application.title == ANSWERS["project_name"]
    assert application.subsidy == Decimal("50000.00")
    assert application.answers == ANSWERS
    assert application.org_unit_id == chain.place.id and application.org_path == chain.place.path
    assert application.submitted_by_id == chain.ailin.id and application.submitted_at
    report = Report.get(Report.uid == application.uid)
    assert report.kind.code == "pilot_application" and report.activity_date == TODAY
    [step] = applications.steps(application)
    assert (step.level, step.action, step.actor) == ("community", "submit",
                                                     f"tg:{chain.ailin.tg_user_id}")
    [entry] = AuditLog.select().where(AuditLog.entity == "application")
    assert entry.action == "submit" and entry.after["level"] == "township"
    [notice] = notices(chain.ailin)
    assert notice.text == "您的申报“‘四点半课堂’困境儿童课后服务”已提交，现待街道初核。"  # nested: ‘…’
    assert notice.payload["application_uid"] == application.uid
    assert "action" not in notice.payload


def test_the_chain_goes_from_the_community_to_the_province(chain):
    application = file(chain.ailin)
    expected = [(chain.township, "pass", "经初核，同意上报。", "county"),
                (chain.county, "pass", "", "city"),
                (chain.city, "pass", "同意推荐。", "province")]
    for official_, action, opinion, then in expected:
        step = act(application, actor_user=official_, action=action, opinion=opinion)
        assert step.opinion == opinion and step.actor == f"admin:{official_.username}"
        application = Application.get_by_id(application.id)
        assert (application.level, application.status) == (then, "pending")
    act(application, actor_user=chain.province, action="approve", opinion="同意列为试点项目。")
    application = Application.get_by_id(application.id)
    assert (application.level, application.status) == ("province", "approved")
    assert application.decided_at is not None
    assert [(s.level, s.action) for s in applications.steps(application)] == [
        ("community", "submit"), ("township", "pass"), ("county", "pass"), ("city", "pass"),
        ("province", "approve")]
    assert Report.get(Report.uid == application.uid).status == "approved"
    audited = [(e.actor, e.action) for e in AuditLog.select().where(
        AuditLog.entity == "application").order_by(AuditLog.id)]
    assert audited == [(f"tg:{chain.ailin.tg_user_id}", "submit"), ("admin:tina", "pass"),
                       ("admin:bob", "pass"), ("admin:alice", "pass"), ("admin:pia", "approve")]
    texts = [n.text for n in notices(chain.ailin)]
    assert len(texts) == 5
    assert "已通过街道初核，现待县级审核。" in texts[1]
    assert texts[1].endswith("意见：经初核，同意上报。")
    assert "意见" not in texts[2]  # the county passed it without a word
    assert "已通过市级复核，现待省厅审批。" in texts[3]
    assert "已获批准（省厅审批）。" in texts[4] and texts[4].endswith("同意列为试点项目。")


def test_the_notice_is_in_the_workers_language(chain):
    chain.ailin.language = "en"
    chain.ailin.save()
    application = file(chain.ailin)
    act(application, actor_user=chain.township, action="pass")
    texts = [n.text for n in notices(chain.ailin)]
    assert texts[0].endswith("It now waits for Street first review.")
    assert "passed Street first review. It now waits for County review." in texts[1]


@pytest.mark.parametrize("who", ["county", "city", "province"])
def test_a_level_cannot_act_before_the_application_reaches_it(chain, who):
    application = file(chain.ailin)
    before = state(application)
    for action in ("pass", "return", "reject", "approve"):
        with pytest.raises(ChainError) as e:
            act(application, actor_user=getattr(chain, who), action=action, opinion="意见")
        assert e.value.code in ("not_waiting_here", "approve_at_province")
    assert state(application) == before


@pytest.mark.parametrize("who", ["other_township", "other_county"])
def test_a_level_cannot_act_on_another_subtrees_application(chain, who):
    application = file(chain.ailin)
    if who == "other_county":  # bring it to the county level: still not theirs
        act(application, actor_user=chain.township, action="pass")
        application = Application.get_by_id(application.id)
    before = state(application)
    for action in ("pass", "return", "reject"):
        with pytest.raises(NotFound):
            act(application, actor_user=getattr(chain, who), action=action, opinion="意见")
    assert state(application) == before
    assert visible(getattr(chain, who)).count() == 0


@pytest.mark.parametrize("action", ["return", "reject"])
@pytest.mark.parametrize("opinion", ["", "   \n "])
def test_returning_or_rejecting_needs_an_opinion(chain, action, opinion):
    application = file(chain.ailin)
    before = state(application)
    with pytest.raises(ValidationError) as e:
        act(application, actor_user=chain.township, action=action, opinion=opinion)
    assert (e.value.field, e.value.code) == ("opinion", "required")
    assert state(application) == before


def test_an_opinion_too_long_or_an_unknown_action_changes_nothing(chain):
    application = file(chain.ailin)
    before = state(application)
    with pytest.raises(ValidationError) as e:
        act(application, actor_user=chain.township, action="return", opinion="改" * 501)
    assert (e.value.code, e.value.args_) == ("too_long", {"max": 500})
    with pytest.raises(ValidationError):
        act(application, actor_user=chain.township, action="forward", opinion="")
    assert state(application) == before


def test_acting_twice_is_refused(chain):
    application = file(chain.ailin)
    stale = Application.get_by_id(application.id)  # a second tab, loaded before the first act
    act(application, actor_user=chain.township, action="pass", opinion="同意")
    after_first = state(application)
    with pytest.raises(ChainError) as e:
        act(Application.get_by_id(application.id), actor_user=chain.township, action="pass")
    assert e.value.code == "not_waiting_here"
    with pytest.raises(ChainError):  # the stale copy still says "township": the update checks
        act(stale, actor_user=chain.township, action="reject", opinion="不同意")
    assert state(application) == after_first


def test_only_the_province_approves_and_nobody_passes_above_it(chain):
    application = file(chain.ailin)
    before = state(application)
    with pytest.raises(ChainError) as e:
        act(application, actor_user=chain.township, action="approve")
    assert e.value.code == "approve_at_province" and state(application) == before
    for who in ("township", "county", "city"):
        act(Application.get_by_id(application.id), actor_user=getattr(chain, who), action="pass")
    application = Application.get_by_id(application.id)
    before = state(application)
    with pytest.raises(ChainError) as e:
        act(application, actor_user=chain.province, action="pass")
    assert e.value.code == "top_of_chain" and state(application) == before


def test_a_viewer_or_an_inactive_official_cannot_act(chain):
    application = file(chain.ailin)
    chain.township.active = False
    chain.township.save()
    before = state(application)
    for user in (chain.viewer, chain.township):
        with pytest.raises(PermissionDenied):
            act(application, actor_user=user, action="pass")
        assert visible(user).count() == 0
    assert state(application) == before


def test_a_returned_application_is_corrected_and_filed_again(chain):
    application = file(chain.ailin)
    act(application, actor_user=chain.township, action="pass")
    act(Application.get_by_id(application.id), actor_user=chain.county, action="return",
        opinion="请补充预算明细")
    application = Application.get_by_id(application.id)
    assert (application.level, application.status) == ("community", "returned")
    report = Report.get(Report.uid == application.uid)
    assert report.status == "rejected" and report.reject_reason == "请补充预算明细"
    returned = notices(chain.ailin)[-1]
    assert "在县级审核被退回修改" in returned.text
    assert returned.payload == {"application_uid": application.uid, "report_uid": report.uid,
                                "action": "fix", "step": returned.payload["step"]}
    # The bot's "correct this report": the same report reopened, one answer changed.
    draft = draft_from_report(chain.ailin, report)
    draft.answers = {**draft.answers, "funding": "总需求8万元，明细见附件", "subsidy": "40000.00"}
    save_draft(draft)
    again, _ = submit_draft(draft, today=TODAY)
    assert again.id == report.id and again.status == "submitted"
    application = Application.get_by_id(application.id)
    assert (application.level, application.status) == ("township", "pending")
    assert application.subsidy == Decimal("40000.00")
    assert application.answers["funding"] == "总需求8万元，明细见附件"
    assert Application.select().count() == 1
    assert [(s.level, s.action) for s in applications.steps(application)] == [
        ("community", "submit"), ("township", "pass"), ("county", "return"),
        ("community", "submit")]
    assert AuditLog.get(AuditLog.entity == "application", AuditLog.action == "resubmit").before \
        == {"level": "community", "status": "returned"}
    assert notices(chain.ailin)[-1].text.endswith("现待街道初核。")
    # and up the chain again
    act(application, actor_user=chain.township, action="pass")
    assert Application.get_by_id(application.id).level == "county"


def test_a_rejection_is_final(chain):
    application = file(chain.ailin)
    act(application, actor_user=chain.township, action="reject", opinion="不符合试点方向")
    application = Application.get_by_id(application.id)
    assert (application.level, application.status) == ("township", "rejected")
    assert "在街道初核未通过" in notices(chain.ailin)[-1].text
    assert "action" not in notices(chain.ailin)[-1].payload  # nothing to correct
    report = Report.get(Report.uid == application.uid)
    # A stale "correct" button still reopens the report; filing it again is refused.
    draft = draft_from_report(chain.ailin, report)
    before = state(application)
    with pytest.raises(ValidationError) as e:
        submit_draft(draft, today=TODAY)
    assert e.value.code == "application_decided"
    assert state(application) == before and Draft.get_or_none(Draft.id == draft.id)


def test_each_level_sees_what_has_reached_it_in_its_subtree(chain):
    application = file(chain.ailin)
    other = file(f.worker("duoduo", place=f.community("511803")))

    def seen(who, waiting_only=False):
        return {a.id for a in visible(getattr(chain, who), waiting_only=waiting_only)}

    assert seen("township", True) == seen("township") == {application.id}
    assert seen("county") == seen("city") == seen("province") == set()
    act(application, actor_user=chain.township, action="pass")
    assert seen("township", True) == set() and seen("township") == {application.id}
    assert seen("county", True) == {application.id} and seen("city") == set()
    act(Application.get_by_id(application.id), actor_user=chain.county, action="return",
        opinion="补充材料")
    assert seen("county", True) == set() and seen("county") == {application.id}
    assert seen("other_county") == seen("other_township") == set()
    for who in ("township", "county", "city", "province"):
        assert other.id not in seen(who)  # waits for 名山区's street, not theirs


def test_the_sheet_is_the_documents_table_filled_from_the_tree(chain):
    application = file(chain.ailin)
    act(application, actor_user=chain.township, action="pass", opinion="同意上报")
    act(Application.get_by_id(application.id), actor_user=chain.county, action="return",
        opinion="请补充")
    sheet = applications.sheet(Application.get_by_id(application.id), translator("zh_Hans"))
    place = chain.place
    assert sheet.title == "甘肃省“三社联动”试点项目申报表" and sheet.applicant_label == "申报单位"
    assert sheet.applicant == (("雅安市", "市(州)"), ("雨城区", "县(市、区)"),
                               (place.parent.name, "街道(乡镇)"), (place.name, "社区"))
    assert [r.label for r in sheet.rows] == [
        "项目名称", "社区概况", "项目概况", "资金需求和来源", "申请省级补助资金", "效果预估",
        "重点领域", "承接实施", "申报前程序",
        "街道(乡镇)意见", "县级民政部门意见", "市州民政部门意见", "省民政厅意见"]
    rows = {r.key: r for r in sheet.rows}
    # the chosen areas by their labels, the steps before filing by their dates
    assert rows["service_areas"].parts == ((None, "助残助学、“三留守”人员关爱"),)
    assert [p[0] for p in rows["before_filing"].parts] == [
        "社区筹划征集", "社区居民听证", "居民代表会议审议", "张榜公示"]
    assert rows["before_filing"].parts[1][1] == translator("zh_Hans").date(dt.date(2026, 10, 20))
    overview = sheet.rows[2]
    assert overview.hint == "需求分析、服务对象、服务方式及项目实施周期:"  # the document's colon
    assert [p[0] for p in overview.parts] == ["需求分析", "服务对象", "服务方式", "项目实施周期"]
    assert overview.parts[3][1] == "2026年12月至2027年6月"
    assert sheet.rows[4].parts == ((None, "¥50,000.00"),)
    opinions = {r.key: r for r in sheet.rows if r.opinion}
    assert opinions["opinion:township"].parts == ((None, "同意上报"),)
    assert "Tina" in opinions["opinion:township"].meta
    assert opinions["opinion:county"].parts == ((None, "请补充"),)
    assert opinions["opinion:city"].meta is None and opinions["opinion:city"].parts == ((None, ""),)
    english = applications.sheet(application, translator("en"))
    assert english.rows[0].label == "Project name"
    assert english.applicant[0][1] == "City (prefecture)"


def test_a_province_officer_sees_the_whole_tree_from_its_root(chain):
    assert access.scope_root(chain.province).code == "5118"
    assert access.scope_root(chain.township).code == chain.place.parent.code
    filed = [file(f.worker("duoduo", place=f.community("511803"))), file(chain.ailin)]
    for a in filed:
        township = official(f"t{a.id}", access.TOWNSHIP_OFFICER, a.org_unit.parent.code)
        county = official(f"c{a.id}", "county_official", a.org_unit.parent.parent.code)
        for officer in (township, county, chain.city):
            act(Application.get_by_id(a.id), actor_user=officer, action="pass")
    assert {a.id for a in visible(chain.province, waiting_only=True)} == {a.id for a in filed}


def test_the_demo_has_applications_at_every_stage(db):
    leaders = []
    for i, code in enumerate(("511802", "511802", "511802", "511802", "511802", "511803",
                              "511803", "511822")):
        leaders.append(f.worker(f"leader{i}", place=f.community(code, index=i), role="leader"))
        f.report("activity", by=leaders[-1], date=TODAY - dt.timedelta(days=3))
    quiet = f.worker("quiet", place=f.community("511823"), role="leader")
    f.report("activity", by=quiet, date=TODAY - dt.timedelta(days=40))
    street = f.community("511826", index=1)
    officer = official("jiedao", access.TOWNSHIP_OFFICER, street.parent.code)
    f.report("activity", by=f.worker("street_leader", place=street, role="leader"),
             date=TODAY - dt.timedelta(days=2))
    made, logins = [], []

    def create_user(username, password, **kw):
        made.append((username, kw["role"], kw["org_code"]))
        return official(username, kw["role"], kw["org_code"])

    counts = demo_applications(random.Random(3), TODAY, create_user=create_user, logins=logins)
    assert counts == {"township": 2, "county": 2, "city": 1, "province": 1, "approved": 1,
                      "returned": 1, "rejected": 1}
    assert made == [("shengting", access.PROVINCE_OFFICER, "5118")]
    assert [x["username"] for x in logins] == ["shengting"] and len(logins[0]["password"]) >= 12
    assert Application.select().where(Application.org_unit == quiet.org_unit).count() == 0
    assert visible(officer, waiting_only=True).count() == 1  # the street login has work
    assert Outbox.select().count() == 0  # demo workers have no chats
    for a in Application.select():
        kinds = [s.action for s in applications.steps(a)]
        assert kinds[0] == "submit" and a.title and a.subsidy > 0
        assert all(s.at.date() <= TODAY for s in applications.steps(a))
        if a.status == "returned":
            assert Report.get(Report.uid == a.uid).reject_reason


def test_the_chain_and_the_form_are_read_from_the_gansu_plan(db):
    from models.forms.kinds import get_kind

    plan = applications.pilot_plan()
    assert plan is not None and plan.source_file == "002_c1b4c8bc100f7ba9.txt"
    spec = plan.spec["approval"]
    assert applications.approval() == spec
    assert applications.chain() == ("community", "township", "county", "city", "province")
    assert [applications.step_name(x, translator("zh_Hans")) for x in applications.chain()] == [
        "社区申报", "街道初核", "县级审核", "市级复核", "省厅审批"]
    # the fallback for a database without the plan is the same chain and form
    assert spec["levels"] == applications.DEFAULT_APPROVAL["levels"]
    assert spec["form"] == applications.DEFAULT_APPROVAL["form"]
    # every field of the bot's form is printed on the document's form, and nothing else
    on_form = [name for row in spec["form"]["rows"] for name in row["fields"]]
    assert on_form == [f.name for f in get_kind(spec["kind"]).fields]
    # and every label of the form has its English
    words = [spec["form"]["title"], spec["form"]["applicant"]]
    words += [x["label"] for x in spec["form"]["applicant_levels"]]
    words += [w for row in spec["form"]["rows"] for w in [row["label"], row.get("hint")]
              + row.get("parts", []) if w]
    words += [x["opinion_row"] for x in spec["levels"] if x.get("opinion_row")]
    assert set(words) <= set(applications.FORM_EN)


def test_an_account_below_its_roles_level_does_not_act_for_that_level(chain):
    """A county official's account made at a community (or a street) is no county: it
    neither sees the county's queue nor passes what waits there, inside its own subtree."""
    application = file(chain.ailin)
    act(application, actor_user=chain.township, action="pass", opinion="同意")
    application = Application.get_by_id(application.id)
    assert application.level == "county"
    before = state(application)
    for code in (chain.ailin.org_unit.code, chain.ailin.org_unit.parent.code):
        misplaced = official(f"c{code}", "county_official", code)
        assert applications.level_of(misplaced) is None
        assert list(applications.visible(misplaced)) == []
        with pytest.raises((PermissionDenied, NotFound, ChainError)):
            act(application, actor_user=misplaced, action="pass", opinion="同意")
    assert state(application) == before


# ---- 社区筹划征集、社区居民听证、居民代表会议审议并张榜公示后 … 逐级申报 ----------------------------

@pytest.mark.parametrize("answers", [
    {"hearing_on": "2026-10-28"},                            # heard after the representatives' review
    {"notice_on": "2026-10-25"},                             # posted before the review
    {"needs_collected_on": "2026-10-21"},                    # needs collected after the hearing
])
def test_an_application_cannot_be_filed_before_its_steps(chain, answers):
    before = (Application.select().count(), Report.select().count(), Outbox.select().count())
    with pytest.raises(ValidationError) as e:
        file(chain.ailin, **answers)
    assert e.value.code == "before_filing"
    assert (Application.select().count(), Report.select().count(),
            Outbox.select().count()) == before
    text = applications_message(e.value, "zh_Hans")
    assert "居民听证" in text and "公示" in text


@pytest.mark.parametrize("missing", ["needs_collected_on", "hearing_on", "review_on", "notice_on"])
def test_a_step_without_its_date_is_not_done(db, missing):
    # the bot asks every date (a missing one is "required" there); a report that reaches the
    # sink without one (an older report corrected, an import) is refused all the same
    from models.applications import check_before_filing
    check_before_filing(ANSWERS, TODAY)
    for blank in (None, "", "不是日期"):
        with pytest.raises(ValidationError) as e:
            check_before_filing({**ANSWERS, missing: blank}, TODAY)
        assert (e.value.code, e.value.field) == ("before_filing", missing)


def test_the_notice_must_be_posted_before_the_filing_day(chain):
    # the notice on the filing day itself is fine; a day later is not (filed 2026-11-23 in
    # the factory, but the sink checks against the moment of filing: today's date)
    from models.applications import check_before_filing
    values = {**ANSWERS, "notice_on": "2026-11-23"}
    check_before_filing(values, dt.date(2026, 11, 23))
    with pytest.raises(ValidationError):
        check_before_filing(values, dt.date(2026, 11, 22))


def test_the_steps_before_filing_are_the_documents_in_its_order(db):
    spec = applications.approval()
    assert [s["step"] for s in spec["before_filing"]] == [
        "社区筹划征集", "社区居民听证", "居民代表会议审议", "张榜公示"]
    # each is a date the bot asks
    from models.forms.kinds import get_kind
    types = {f.name: f.field_type.name for f in get_kind(spec["kind"]).fields}
    assert [types[s["field"]] for s in spec["before_filing"]] == ["date"] * 4


def applications_message(error, locale):
    from models.core.messages import explain
    return explain(error, translator(locale))

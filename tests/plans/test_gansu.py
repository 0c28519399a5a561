"""甘肃 三社联动 pilot (002_c1b4c8bc100f7ba9.txt): its targets measured on real places, reports
and registry rows, each figure worked out by hand; the approval chain and the 申报表 rows its
file gives models/applications.py.

Its deadlines (2017, 2020) are long past: the targets are standing, so in 2026 the whole
target is expected — done ≥ target, behind ≥ 75 % of it, at risk below.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from models.plans import progress
from models.forms.kinds import get_kind
from models.core.schema import Application, Indicator, OrgUnit, Plan, SocialOrganization, Volunteer
from tests import factories as f
from tests.plankit import POLICIES

TODAY = dt.date(2026, 11, 23)
TOWN = "511802101"  # 草坝镇: three villages
STREET = "511802001"  # 东城街道: three urban communities


@pytest.fixture
def plan(db):
    # 雨城区 stands for a pilot county (试点县): the goals of 试点地区 apply inside it.
    county = OrgUnit.get(OrgUnit.code == "511802")
    county.attrs = {**(county.attrs or {}), "sanshe_pilot_area": True}
    county.save()
    return Plan.get(Plan.code == "gansu-sanshe-pilot")


def unit(code: str) -> OrgUnit:
    return OrgUnit.get(OrgUnit.code == code)


def communities(code: str) -> list[OrgUnit]:
    return list(OrgUnit.select().where(OrgUnit.parent == unit(code)).order_by(OrgUnit.code))


def settle_empty_townships(population: int = 20000) -> list[OrgUnit]:
    """雨城区's townships with no communities loaded (晏场镇, 多营镇, ...) given a population of
    their own, so a ratio over the county can be measured."""
    county = unit("511802")
    empty = [t for t in OrgUnit.select().where(OrgUnit.parent == county)
             if not OrgUnit.select().where(OrgUnit.parent == t).exists()]
    for t in empty:
        t.population = population
        t.save()
    return empty


def row(plan, scope, code, year=2026, as_of=TODAY):
    pp = progress.plan_progress(plan, scope, year, as_of)
    return next(r for r in pp.rows if r.indicator.code == code)


def test_registered_volunteers_at_least_ten_percent_of_residents(plan):
    a, b, c = communities(STREET)
    for u, pop in ((a, 1000), (b, 1500), (c, 2500)):
        u.population = pop
        u.save()
    for u, n in ((a, 150), (b, 100), (c, 150)):
        Volunteer.insert_many([dict(name="马丽", org_unit=u.id, org_path=u.path,
                                    registered_on=dt.date(2026, 1, 5))] * n).execute()
    Volunteer.create(name="退出", org_unit=a, org_path=a.path, registered_on=dt.date(2026, 1, 5),
                     active=False)  # left: not counted
    settle_empty_townships()
    r = row(plan, unit(STREET), "volunteer_rate")
    # (150 + 100 + 150) / (1000 + 1500 + 2500) × 100 = 8 %; 8 / 10 = 80 %; ≥ 7.5 → behind
    assert (r.actual, r.target, r.percent, r.pace) == (Decimal("8.00"), 10, 80.0, "behind")
    assert row(plan, a, "volunteer_rate").pace == "done"  # 15 %
    assert row(plan, unit("511802"), "volunteer_rate").pace != "not_measured"
    # a village without its population: the town's rate is not measured
    village = communities(TOWN)[0]
    village.population = None
    village.save()
    assert row(plan, unit(TOWN), "volunteer_rate").pace == "not_measured"
    assert row(plan, unit("511802"), "volunteer_rate").pace == "not_measured"


def test_social_work_services_reach_a_third_of_the_villages(plan):
    v1, v2, v3 = communities(TOWN)
    town = unit(TOWN)
    r = row(plan, town, "rural_social_work_coverage")
    # 3 villages × 1/3 = 1.00 to reach; none reached → at risk
    assert (r.actual, r.target, r.pace) == (0, Decimal("1.00"), "at_risk")
    f.report("activity", by=f.worker("a", place=v1), parties=["community"], date=dt.date(2026, 3, 1))
    assert row(plan, town, "rural_social_work_coverage").actual == 0  # no social worker in it
    f.report("activity", by=f.worker("b", place=v2), parties=["social_worker", "community"],
             date=dt.date(2026, 3, 1))
    r = row(plan, town, "rural_social_work_coverage")
    assert (r.actual, r.pace) == (1, "done")
    # the county: 6 villages → 2.00 to reach; 1 reached; urban communities do not count
    f.report("activity", by=f.worker("c", place=communities(STREET)[0]),
             parties=["social_worker"], date=dt.date(2026, 3, 1))
    r = row(plan, unit("511802"), "rural_social_work_coverage")
    assert (r.actual, r.target, r.pace) == (1, Decimal("2.00"), "at_risk")
    # last year's service does not reach a village this year
    assert row(plan, town, "rural_social_work_coverage", year=2025).actual == 0


def _orgs(u, n, workers, start=0):
    for i in range(start, start + n):
        SocialOrganization.create(name=f"{u.name}社会组织{i}", category="community_service",
                                  org_unit=u, org_path=u.path, leader="刘洋", status="filed",
                                  full_time_social_workers=workers)


def test_organizations_with_professional_social_workers_five_urban_three_rural(plan):
    a, b, _ = communities(STREET)
    _orgs(a, 5, workers=1)
    _orgs(b, 4, workers=1)
    _orgs(b, 3, workers=0, start=10)  # no social worker: do not count
    v = communities(TOWN)[0]
    _orgs(v, 3, workers=2)
    county = unit("511802")
    urban = row(plan, county, "urban_csos_with_social_workers")
    rural = row(plan, county, "rural_csos_with_social_workers")
    # 15 urban communities in 雨城区, 1 with five; 6 villages, 1 with three
    assert (urban.actual, urban.target) == (1, 15)
    assert (rural.actual, rural.target) == (1, 6)


def test_social_work_rooms_and_professional_staff_come_from_the_places(plan):
    a, b, c = communities(STREET)
    for u, values in ((a, {"social_work_room": True, "professional_social_workers": 1}),
                      (b, {"social_work_room": True, "professional_social_workers": 0}),
                      (c, {"social_work_room": False})):
        u.attrs = values
        u.save()
    street = unit(STREET)
    rooms = row(plan, street, "social_work_rooms")
    staff = row(plan, street, "communities_with_professional_social_worker")
    assert (rooms.actual, rooms.target, rooms.pace) == (2, 3, "at_risk")  # 2 < 2.25
    assert (staff.actual, staff.target) == (1, 3)


def test_direct_elections_of_urban_residents_committees(plan):
    for u in communities(STREET)[:2] + communities("511802002"):
        u.attrs = {"direct_election": True}
        u.save()
    r = row(plan, unit("511802"), "direct_election_rate")
    # 5 of the 15 urban communities = 33.33 %; target 85 % → at risk; villages do not count
    assert (r.actual, r.target, r.pace) == (Decimal("33.33"), 85, "at_risk")


def test_pilot_projects_are_the_approved_applications(plan):
    a, b, _ = communities(STREET)
    for u, status, subsidy in ((a, "approved", "50000"), (a, "approved", "30000"),
                               (b, "pending", "20000"), (b, "rejected", "10000")):
        Application.create(plan=plan, org_unit=u, org_path=u.path, title="“三社联动”项目",
                           status=status, subsidy=Decimal(subsidy),
                           level="province" if status == "approved" else "county")
    street = unit(STREET)
    assert row(plan, street, "pilot_projects").actual == 2
    assert row(plan, street, "pilot_project_communities").actual == 1
    assert row(plan, street, "applications_filed").actual == 4
    assert row(plan, street, "subsidy_requested").actual == Decimal("80000")
    # 200 projects in 100 communities are the province's (62), not loaded here
    assert row(plan, street, "pilot_projects").pace == "no_target"
    assert row(plan, street, "pilot_project_communities").pace == "no_target"


def test_the_jobs_target_is_quoted_and_not_measured(plan):
    r = row(plan, unit("5118"), "social_organization_jobs")
    assert (r.actual, r.pace) == (None, "not_measured")


def test_the_approval_chain_goes_up_five_levels_in_the_documents_words(plan):
    levels = plan.spec["approval"]["levels"]
    assert [lv["level"] for lv in levels] == ["community", "township", "county", "city", "province"]
    assert [lv.get("short", lv["step"]) for lv in levels] == \
        ["社区申报", "街道初核", "县级审核", "市级复核", "省厅审批"]
    text = re.sub(r"\s+", "", (POLICIES / plan.source_file).read_text("utf-8"))
    # the document's own sequence: 社区申报—街道(乡镇)初核—县级民政部门审核—市级民政部门复核—省厅审批
    assert "—".join(lv["step"] for lv in levels) in text
    for lv in levels[1:]:
        assert lv["opinion_row"] + "|" in text  # one opinion row of the form per level


def test_the_form_rows_are_the_documents_and_their_fields_the_report_kinds(plan):
    form = plan.spec["approval"]["form"]
    # the document's rows, then the rows it asks for elsewhere (重点领域, 承接实施, 申报前程序)
    assert [r["label"] for r in form["rows"] if not r.get("added")] == [
        "项目名称", "社区概况", "项目概况", "资金需求和来源", "申请省级补助资金", "效果预估"]
    assert [r["label"] for r in form["rows"] if r.get("added")] == ["重点领域", "承接实施", "申报前程序"]
    assert [a["label"] for a in form["applicant_levels"]] == ["市(州)", "县(市、区)", "街道(乡镇)", "社区"]
    overview = next(r for r in form["rows"] if r["key"] == "overview")
    assert overview["parts"] == ["需求分析", "服务对象", "服务方式", "项目实施周期"]
    kind = get_kind(plan.spec["approval"]["kind"])
    names = {fd.name for fd in kind.fields}
    assert {name for r in form["rows"] for name in r["fields"]} <= names


# ---- issue 13: what the document says, item by item -------------------------------------------

def test_a_part_time_social_worker_or_an_engaged_agency_counts(plan):
    """有专兼职专业社工或接纳民办社工机构: full-time OR part-time OR an engaged agency."""
    a = communities(STREET)[0]
    for i, extra in enumerate([dict(full_time_social_workers=1), dict(full_time_social_workers=2),
                               dict(part_time_social_workers=1), dict(part_time_social_workers=3),
                               dict(social_work_agency="阳光社会工作服务中心")]):
        SocialOrganization.create(name=f"{a.name}组织{i}", category="community_service",
                                  org_unit=a, org_path=a.path, leader="刘洋", status="filed",
                                  **extra)
    SocialOrganization.create(name=f"{a.name}组织无社工", category="community_service",
                              org_unit=a, org_path=a.path, leader="刘洋", status="filed",
                              social_work_agency="")  # a blank agency is none
    r = row(plan, a, "urban_csos_with_social_workers")
    assert (r.actual, r.target, r.pace) == (1, 1, "done")  # 2 full-time + 2 part-time + 1 agency
    SocialOrganization.update(social_work_agency=None).where(
        SocialOrganization.social_work_agency.is_null(False)).execute()
    assert row(plan, a, "urban_csos_with_social_workers").actual == 0  # 4 < 5


def test_filed_and_registered_organizations_both_count_per_10k(plan):
    """每万人拥有各类社会组织10家: the filed community organizations and the organizations
    registered at the county together."""
    county = unit("511802")
    empty = settle_empty_townships()
    pop = sum(u.population for u in OrgUnit.select().where(
        OrgUnit.path.startswith(county.path), OrgUnit.level == "community")) \
        + sum(t.population for t in empty)
    assert county.population is None and pop > 0
    a = communities(STREET)[0]
    SocialOrganization.create(name="一个备案组织", category="community_service", org_unit=a,
                              org_path=a.path, leader="刘洋", status="filed")
    # the county has not given its registered organizations: not known, not measured
    assert row(plan, county, "organizations_per_10k").pace == "not_measured"
    county.attrs = {**county.attrs, "registered_social_organizations": 30}
    county.save()
    r = row(plan, county, "organizations_per_10k")
    assert r.actual == (Decimal(31) / pop * 10000).quantize(Decimal("0.01"))
    assert r.target == 10


def test_a_non_pilot_county_has_no_3_to_5_target(plan):
    pilot, other = unit("511802"), unit("511803")
    for u in communities(STREET) + communities(TOWN)[:1]:
        u.attrs = {"sanshe_pilot": True}
        u.save()
    r = row(plan, pilot, "pilot_communities_per_county")
    assert (r.actual, r.target, r.pace) == (1, 1, "done")  # 4 pilot communities: within 3–5
    n = row(plan, other, "pilot_communities_per_county")
    assert (n.actual, n.target, n.pace) == (0, None, "no_target")
    # over the city only the pilot county is counted
    assert row(plan, unit("5118"), "pilot_communities_per_county").target == 1
    # six pilot communities are more than 5: not met
    for u in communities(TOWN)[1:3]:
        u.attrs = {"sanshe_pilot": True}
        u.save()
    assert row(plan, pilot, "pilot_communities_per_county").actual == 0


def test_the_pilot_places_goals_apply_inside_pilot_places_only(plan):
    """试点地区: federations and social-work rooms in urban communities, a third of villages
    reached, a social-work association; outside a pilot county nothing is expected."""
    pilot, other = unit("511802"), unit("511803")
    a, b, c = communities(STREET)
    for u in (a, b):
        u.attrs = {"cso_federation": True, "social_work_room": True}
        u.save()
    fed = row(plan, unit(STREET), "urban_federation_coverage")
    assert (fed.actual, fed.target) == (2, 3)
    assert row(plan, other, "urban_federation_coverage").target is None
    assert row(plan, other, "rural_social_work_coverage").target is None
    assert row(plan, other, "social_work_rooms").target is None
    pilot.attrs = {**pilot.attrs, "social_work_association": True, "implementation_plan": True}
    pilot.save()
    other.attrs = {"social_work_association": True}
    other.save()
    r = row(plan, unit("5118"), "social_work_associations")
    assert (r.actual, r.target) == (1, 1)  # 名山区 is not a pilot: neither counted nor expected
    # a pilot city needs its own association (试点市、县(市、区) are both 试点地区)
    city = unit("5118")
    assert row(plan, city, "city_social_work_associations").target is None
    city.attrs = {**(city.attrs or {}), "sanshe_pilot_area": True}
    city.save()
    assert row(plan, city, "city_social_work_associations").pace == "at_risk"
    city.attrs = {**city.attrs, "social_work_association": True}
    city.save()
    assert row(plan, city, "city_social_work_associations").pace == "done"
    assert row(plan, unit("5118"), "implementation_plans").pace == "done"
    assert row(plan, unit("5118"), "pilot_evaluation").pace == "at_risk"


def test_the_stages_and_their_dates_are_the_documents(plan):
    due = {i.code: i.due for i in plan.indicators}
    # 第一阶段 ends 2016-06-30; the projects are chosen in 第二阶段 (to 2016-09-30); 第三阶段's
    # third-party evaluation runs to 2017-10-01
    assert due["implementation_plans"] == dt.date(2016, 6, 30)
    assert due["pilot_projects"] == due["pilot_project_communities"] == dt.date(2016, 9, 30)
    assert due["pilot_evaluation"] == dt.date(2017, 10, 1)
    assert due["power_duty_lists"] == dt.date(2017, 12, 31)


def _gansu_ground():
    """A piece of 甘肃's real tree: 甘肃省 62 → 兰州市 6201 → 城关区 620102 → 酒泉路街道
    620102001 → one community (its code made up: communities come from each city's list)."""
    rows = [("62", "甘肃省", "province"), ("6201", "兰州市", "city"),
            ("620102", "城关区", "county"), ("620102001", "酒泉路街道", "township"),
            ("620102001001", "测试社区", "community")]
    parent, path = None, "/"
    for code, name, level in rows:
        path = f"{path}{code}/"
        parent = OrgUnit.create(code=code, name=name, level=level, parent=parent, path=path)
    return OrgUnit.get(OrgUnit.code == "62")


def test_the_province_wide_targets_sit_on_gansu(plan):
    from models.plans.loading import PLANS_DIR, load_plan
    province = _gansu_ground()
    load_plan(PLANS_DIR / "gansu_sanshe_pilot.toml")
    assert row(plan, province, "pilot_projects").target == 200
    assert row(plan, province, "pilot_project_communities").target == 100
    assert row(plan, province, "social_organization_jobs").target == 250000
    # each on the province itself, not on a place below it
    from models.core.schema import Target
    on = {t.indicator.code: t.org_unit.code for t in Target.select().join(Indicator)
          .where(Indicator.plan == plan)}
    assert on == {"pilot_projects": "62", "pilot_project_communities": "62",
                  "social_organization_jobs": "62"}

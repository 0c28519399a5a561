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
from models.core.schema import Application, OrgUnit, Plan, SocialOrganization, Volunteer
from tests import factories as f
from tests.plankit import POLICIES

TODAY = dt.date(2026, 11, 23)
TOWN = "511802006"  # 对岩镇: three villages
STREET = "511802001"  # 东城街道: three urban communities


@pytest.fixture
def plan(db):
    return Plan.get(Plan.code == "gansu-sanshe-pilot")


def unit(code: str) -> OrgUnit:
    return OrgUnit.get(OrgUnit.code == code)


def communities(code: str) -> list[OrgUnit]:
    return list(OrgUnit.select().where(OrgUnit.parent == unit(code)).order_by(OrgUnit.code))


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
    r = row(plan, unit(STREET), "volunteer_rate")
    # (150 + 100 + 150) / (1000 + 1500 + 2500) × 100 = 8 %; 8 / 10 = 80 %; ≥ 7.5 → behind
    assert (r.actual, r.target, r.percent, r.pace) == (Decimal("8.00"), 10, 80.0, "behind")
    assert row(plan, a, "volunteer_rate").pace == "done"  # 15 %
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
    # the county: 9 villages → 3.00 to reach; 1 reached; urban communities do not count
    f.report("activity", by=f.worker("c", place=communities(STREET)[0]),
             parties=["social_worker"], date=dt.date(2026, 3, 1))
    r = row(plan, unit("511802"), "rural_social_work_coverage")
    assert (r.actual, r.target, r.pace) == (1, Decimal("3.00"), "at_risk")
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
    # 15 urban communities in 雨城区, 1 with five; 9 villages, 1 with three
    assert (urban.actual, urban.target) == (1, 15)
    assert (rural.actual, rural.target) == (1, 9)


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
    assert [r["label"] for r in form["rows"]] == ["项目名称", "社区概况", "项目概况", "资金需求和来源",
                                                  "申请省级补助资金", "效果预估"]
    assert [a["label"] for a in form["applicant_levels"]] == ["市(州)", "县(市、区)", "街道(乡镇)", "社区"]
    overview = next(r for r in form["rows"] if r["key"] == "overview")
    assert overview["parts"] == ["需求分析", "服务对象", "服务方式", "项目实施周期"]
    kind = get_kind(plan.spec["approval"]["kind"])
    names = {fd.name for fd in kind.fields}
    assert {name for r in form["rows"] for name in r["fields"]} <= names

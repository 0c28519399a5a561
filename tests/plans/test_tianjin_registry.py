"""天津 community social organizations (003_e46522dbaec760a4.txt, 津民发〔2018〕61号): the
registered (注册登记) hub organization of every street with its 2–3 full-time social workers,
the three-level incubation network, the registry's filing and registration stages, and the
volunteers' registration and time bank, measured on registry rows.

The hub, incubation and liaison targets carry no date in their own sentence; the plan reads
them by 2020 (一: "力争到2020年"), standing: seen in 2026 the whole target is expected.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.plans import progress
from models.core.schema import OrgUnit, Plan, SocialOrganization, Volunteer, VolunteerHours

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def plan(db):
    return Plan.get(Plan.code == "tianjin-shequ-zuzhi")


def unit(code: str) -> OrgUnit:
    return OrgUnit.get(OrgUnit.code == code)


def row(plan, scope, code, year=2026, as_of=TODAY):
    pp = progress.plan_progress(plan, scope, year, as_of)
    return next(r for r in pp.rows if r.indicator.code == code)


def hub(street: OrgUnit, workers: int, status: str = "registered") -> SocialOrganization:
    return SocialOrganization.create(
        name=f"{street.name}社区社会组织联合会", category="other", org_unit=street,
        org_path=street.path, leader="陈刚", is_hub=True, full_time_social_workers=workers,
        status=status, registration="registered" if status in ("registered", "deregistered") else "filed")


def test_one_hub_organization_per_street_with_two_or_three_social_workers(plan):
    county = unit("511802")
    hub(unit("511802001"), 2)
    hub(unit("511802002"), 4)  # registered, but over-staffed for the 2–3 the document sets
    hub(unit("511802003"), 3, status="reviewed")  # not even filed
    hubs = row(plan, county, "streets_with_hub")
    staffed = row(plan, county, "hubs_staffed")
    # 雨城区 has 13 streets and towns; 2 have a registered hub; 1 of them with 2–3 social workers
    assert (hubs.actual, hubs.target) == (2, 13)
    assert (staffed.actual, staffed.target) == (1, 13)
    # due by 2020 (assumed), long past: all 13 expected; 2 < 0.75 × 13 → at risk
    assert (hubs.expected, hubs.pace) == (Decimal(13), "at_risk")
    assert row(plan, unit("511802001"), "hubs_staffed").pace == "done"


def test_a_hub_that_is_only_filed_is_not_a_hub(plan):
    """注册登记1家: a hub filed (备案) by its street, or struck off, does not count; once
    the district records its registration it does."""
    street = unit("511802001")
    only_filed = hub(street, 2, status="filed")
    hub(unit("511802002"), 2, status="deregistered")
    assert row(plan, unit("511802"), "streets_with_hub").actual == 0
    assert row(plan, unit("511802"), "hubs_staffed").actual == 0
    from models import registry as r
    r.register_organization(only_filed, unit=unit("511802"), actor="区民政局")
    assert row(plan, unit("511802"), "streets_with_hub").actual == 1
    assert row(plan, unit("511802"), "hubs_staffed").actual == 1


def test_the_three_level_incubation_network(plan):
    """市、区、街道(乡、镇)三级孵化网络“全覆盖”, by 2020: each tier its own indicator."""
    city, county, other = unit("5118"), unit("511802"), unit("511803")
    for u in (county, unit("511802001"), unit("511802002")):
        u.attrs = {**(u.attrs or {}), "incubator": True}
        u.save()
    streets = row(plan, county, "incubation_streets")
    assert (streets.actual, streets.target, streets.pace) == (2, 13, "at_risk")
    districts = row(plan, city, "incubation_districts")
    assert (districts.actual, districts.target) == (1, 8)
    other.attrs = {**(other.attrs or {}), "incubator": True}
    other.save()
    assert row(plan, city, "incubation_districts").actual == 2
    # the city tier sits on the province-level place: 天津市 (12); Ya'an has none loaded
    assert row(plan, city, "incubation_city").pace in ("no_target", "not_measured")


def test_a_demonstration_hub_in_every_district_by_the_end_of_2019(plan):
    city = unit("5118")
    county = unit("511802")
    county.attrs = {"hub_demo_point": 1}
    county.save()
    r = row(plan, city, "districts_with_hub_demo")
    # 1 of 8 counties; due 2019-12-31 long past → all 8 expected → at risk
    assert (r.actual, r.target, r.expected, r.pace) == (1, 8, 8, "at_risk")
    # in 2019, the plan's start (2018-11-01) to the due date spread evenly:
    # by 2019-06-30, 242 of 426 days → 8 × 242 / 426 = 4.54
    r = row(plan, city, "districts_with_hub_demo", year=2019, as_of=dt.date(2019, 6, 30))
    assert r.expected == Decimal("4.54")


def test_the_registry_stages_and_the_priority_kinds(plan):
    village = OrgUnit.select().where(OrgUnit.path.startswith(unit("511802101").path),
                                     OrgUnit.level == "community").first()
    for i, (status, category, members, registration) in enumerate((
            ("filed", "elderly_care", 12, "filed"), ("filed", "mutual_aid", 8, "filed"),
            ("filed", "charity_relief", 20, "candidate"), ("pending", "elderly_care", 5, "filed"),
            ("reviewed", "community_service", 9, "filed"),
            ("deregistered", "elderly_care", 30, "filed"),
            ("registered", "hardship_relief", 6, "registered"))):
        SocialOrganization.create(name=f"组织{i}", category=category, org_unit=village,
                                  org_path=village.path, leader="周杰", status=status,
                                  members=members, registration=registration)
    county = unit("511802")
    got = {code: row(plan, county, code).actual for code in (
        "organizations_filed", "organizations_awaiting_review", "organizations_awaiting_filing",
        "priority_organizations", "organization_members", "registration_candidates",
        "organizations_registered", "mutual_aid_organizations")}
    assert got == {"organizations_filed": 3, "organizations_awaiting_review": 1,
                   "organizations_awaiting_filing": 1,
                   # elderly care, charitable relief (filed), hardship relief (registered)
                   "priority_organizations": 3,
                   "organization_members": 46,  # 12 + 8 + 20 + 6
                   "registration_candidates": 1, "organizations_registered": 1,
                   "mutual_aid_organizations": 1}
    # an organization founded after the year it is looked at is not in that year's registry
    SocialOrganization.update(founded_on=dt.date(2026, 5, 1)).where(
        SocialOrganization.name == "组织0").execute()
    assert row(plan, county, "organizations_filed", year=2025).actual == 2


def test_supervised_hubs_funds_and_liaisons_are_counted_from_the_places(plan):
    county = unit("511802")
    for code, attrs in (("511802001", {"hub_supervision": True}),
                        ("511802002", {"hub_supervision": False})):
        u = unit(code)
        u.attrs = {**(u.attrs or {}), **attrs}
        u.save()
    a, b = list(OrgUnit.select().where(OrgUnit.parent == unit("511802001")).order_by(OrgUnit.code))[:2]
    a.attrs = {"community_fund": True, "volunteer_liaison": True}
    a.save()
    b.attrs = {"volunteer_liaison": False}
    b.save()
    assert row(plan, county, "streets_with_supervised_hub").actual == 1
    assert row(plan, county, "communities_with_fund").actual == 1
    liaison = row(plan, unit("511802001"), "communities_with_volunteer_liaison")
    assert (liaison.actual, liaison.target) == (1, 3)


def test_volunteers_registered_and_the_time_bank(plan):
    community = OrgUnit.get(OrgUnit.code == "511802001001")
    old = Volunteer.create(name="孙静", org_unit=community, org_path=community.path,
                           registered_on=dt.date(2025, 4, 1))
    new = Volunteer.create(name="吴磊", org_unit=community, org_path=community.path,
                           registered_on=dt.date(2026, 4, 1))
    Volunteer.create(name="郑霞", org_unit=community, org_path=community.path,
                     registered_on=dt.date(2026, 5, 1), active=False)
    VolunteerHours.create(volunteer=old, date=dt.date(2026, 6, 1), hours=Decimal("3.5"))
    VolunteerHours.create(volunteer=new, date=dt.date(2026, 6, 2), hours=Decimal("2"))
    VolunteerHours.create(volunteer=old, date=dt.date(2025, 6, 1), hours=Decimal("8"))
    county = unit("511802")
    # registered by the end of 2026, still active: 2; of them registered in 2026: 1
    assert row(plan, county, "volunteers_registered").actual == 2
    assert row(plan, county, "volunteers_new").actual == 1
    # hours served in 2026: 3.5 + 2; in 2025: 8
    assert row(plan, county, "time_bank_hours").actual == Decimal("5.5")
    assert row(plan, county, "time_bank_hours", year=2025).actual == Decimal("8")
    assert row(plan, county, "volunteers_registered", year=2025).actual == 1
    # a quarter counts the hours inside it
    pp = progress.plan_progress(plan, county, 2026, TODAY, window=progress.Window.quarter(2026, 2))
    assert next(r for r in pp.rows if r.indicator.code == "time_bank_hours").actual == Decimal("5.5")
    pp = progress.plan_progress(plan, county, 2026, TODAY, window=progress.Window.quarter(2026, 1))
    assert next(r for r in pp.rows if r.indicator.code == "time_bank_hours").actual == 0


def test_the_counties_of_the_city_each_see_only_their_own_registry(plan):
    hub(unit("511802001"), 2)
    hub(unit("511803001"), 3)
    parts = progress.breakdown(plan, unit("5118"), 2026, TODAY)
    by_code = {pp.scope.code: next(r for r in pp.rows if r.indicator.code == "streets_with_hub")
               for pp in parts.values()}
    assert (by_code["511802"].actual, by_code["511802"].target) == (1, 13)
    assert (by_code["511803"].actual, by_code["511803"].target) == (1, 13)
    assert by_code["511822"].actual == 0

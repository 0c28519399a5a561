"""浙江 2025 (001_61aea6d432ceec82.txt): its ratios, presences and stations measured on real
places and registry rows, each figure worked out by hand; the 联动指数 definition.

The 2025 targets are standing: due 2025-12-31, held after it. Seen on 2026-11-23 for 2026, the
whole target is expected (due_share = 1), so pace compares the actual with the target itself:
done ≥ target, behind ≥ 75 % of it, at risk below.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.plans import progress
from models.core.schema import Indicator, OrgUnit, Plan, SocialOrganization, Volunteer

TODAY = dt.date(2026, 11, 23)
STREET = "511802001"  # 东城街道: three urban communities


@pytest.fixture
def plan(db):
    return Plan.get(Plan.code == "zhejiang-2025")


def unit(code: str) -> OrgUnit:
    return OrgUnit.get(OrgUnit.code == code)


def communities(code: str = STREET) -> list[OrgUnit]:
    return list(OrgUnit.select().where(OrgUnit.parent == unit(code)).order_by(OrgUnit.code))


def row(plan, scope, code, year=2026, as_of=TODAY):
    pp = progress.plan_progress(plan, scope, year, as_of)
    return next(r for r in pp.rows if r.indicator.code == code)


def set_places(values: dict) -> None:
    """{community: dict(population=..., attrs=...)}"""
    for u, fields in values.items():
        for k, v in fields.items():
            setattr(u, k, v)
        u.save()


def organizations(u: OrgUnit, n: int, *, status="filed", active=True, start=0,
                  category="community_service", **kw):
    for i in range(start, start + n):
        SocialOrganization.create(name=f"{u.name}组织{i}", category=category,
                                  org_unit=u, org_path=u.path, leader="张敏", status=status,
                                  active=active, **kw)


def volunteers(u: OrgUnit, n: int, *, team=None, day=dt.date(2026, 3, 1)):
    for _ in range(n):
        Volunteer.create(name="李芳", org_unit=u, org_path=u.path, team=team, registered_on=day)


def test_certified_social_workers_per_10000_residents(plan):
    a, b, c = communities()
    set_places({a: dict(population=4000, attrs={"certified_social_workers": 20}),
                b: dict(population=3000, attrs={"certified_social_workers": 10}),
                c: dict(population=3000, attrs={"certified_social_workers": 5})})
    r = row(plan, unit(STREET), "social_workers_per_10k")
    # (20 + 10 + 5) / (4000 + 3000 + 3000) × 10000 = 35 per 10,000: the target exactly
    assert (r.actual, r.target, r.pace) == (Decimal("35.00"), 35, "done")
    c.attrs = {"certified_social_workers": 4}
    c.save()
    r = row(plan, unit(STREET), "social_workers_per_10k")
    # 34 / 10000 × 10000 = 34; 34 / 35 = 97.14 %; expected the whole 35 (due 2025-12-31
    # passed); 34 ≥ 0.75 × 35 = 26.25 → behind
    assert r.actual == Decimal("34.00") and round(r.percent, 2) == 97.14
    assert (r.expected, r.pace) == (Decimal("35.00"), "behind")
    # one community: 20 / 4000 × 10000 = 50
    assert row(plan, a, "social_workers_per_10k").actual == Decimal("50.00")


def test_a_ratio_without_its_figures_is_not_measured_rather_than_zero(plan):
    a, b, c = communities()
    set_places({a: dict(population=4000, attrs={"certified_social_workers": 20}),
                b: dict(population=3000, attrs={"certified_social_workers": 10}),
                c: dict(population=None, attrs={"certified_social_workers": 5})})
    street = unit(STREET)
    # 长春社区's population is missing: the street's ratio is not known
    r = row(plan, street, "social_workers_per_10k")
    assert (r.actual, r.pace, r.percent, r.expected) == (None, "not_measured", None, None)
    assert r.target == 35 and r.has_target
    # ... and the plan's completion leaves it out instead of counting 0 %
    pp = progress.plan_progress(plan, street, 2026, TODAY)
    assert all(x.percent is not None for x in pp.targeted if x.pace != "not_measured")
    # the others are still measured
    assert row(plan, a, "social_workers_per_10k").actual == Decimal("50.00")
    # an attribute nobody has recorded is not measured either
    c.population, c.attrs = 3000, {}
    c.save()
    assert row(plan, street, "social_workers_per_10k").pace == "not_measured"


def test_certified_share_of_full_time_community_workers(plan):
    a, b, c = communities()
    set_places({a: dict(attrs={"community_workers": 10, "certified_community_workers": 7}),
                b: dict(attrs={"community_workers": 10, "certified_community_workers": 6}),
                c: dict(attrs={"community_workers": 5, "certified_community_workers": 1})})
    r = row(plan, unit(STREET), "certified_community_workers")
    # (7 + 6 + 1) / (10 + 10 + 5) × 100 = 56 %; target 60 %: 93.33 %; 56 ≥ 45 → behind
    assert (r.actual, r.target, r.pace) == (Decimal("56.00"), 60, "behind")
    assert round(r.percent, 2) == 93.33


def test_break_through_60_percent_means_more_than_60(plan):
    """突破60%: exactly 60 % is not reached (nor on pace, the whole 60 being expected);
    60.1 % is."""
    a, b, c = communities()
    set_places({a: dict(attrs={"community_workers": 10, "certified_community_workers": 7}),
                b: dict(attrs={"community_workers": 10, "certified_community_workers": 6}),
                c: dict(attrs={"community_workers": 5, "certified_community_workers": 2})})
    r = row(plan, unit(STREET), "certified_community_workers")
    # 15 / 25 = 60 %: the target, not more than it
    assert (r.actual, r.target, r.expected) == (Decimal("60.00"), 60, Decimal("60.00"))
    assert r.pace == "behind"
    # 601 / 1000 = 60.1 % → done
    set_places({a: dict(attrs={"community_workers": 990, "certified_community_workers": 594}),
                b: dict(attrs={"community_workers": 5, "certified_community_workers": 5}),
                c: dict(attrs={"community_workers": 5, "certified_community_workers": 2})})
    r = row(plan, unit(STREET), "certified_community_workers")
    assert (r.actual, r.pace) == (Decimal("60.10"), "done")
    assert Indicator.get(Indicator.code == "certified_community_workers").spec["strict"] is True
    # before the due date, exactly the share expected by then is not on track either:
    # by 2024-12-31, 60 × 366 / 731 = 30.04 expected; 751 / 2500 = 30.04 % → behind
    set_places({a: dict(attrs={"community_workers": 2500, "certified_community_workers": 751}),
                b: dict(attrs={"community_workers": 0, "certified_community_workers": 0}),
                c: dict(attrs={"community_workers": 0, "certified_community_workers": 0})})
    early = dt.date(2024, 12, 31)
    r = row(plan, unit(STREET), "certified_community_workers", year=2024, as_of=early)
    assert (r.actual, r.expected, r.pace) == (Decimal("30.04"), Decimal("30.04"), "behind")
    c.attrs = {"community_workers": 0, "certified_community_workers": 1}  # 752 / 2500
    c.save()
    r = row(plan, unit(STREET), "certified_community_workers", year=2024, as_of=early)
    assert (r.actual, r.pace) == (Decimal("30.08"), "on_track")


def test_community_social_organizations_per_urban_and_per_rural_community(plan):
    a, b, c = communities()
    organizations(a, 20)
    organizations(b, 15)
    organizations(c, 10)
    organizations(c, 5, status="pending", start=100)  # not filed: not counted
    organizations(c, 3, status="deregistered", start=200)  # struck off: not counted
    street = unit(STREET)
    SocialOrganization.create(name="联合会", category="community_service", org_unit=street,
                              org_path=street.path, leader="陈刚", status="registered",
                              registration="registered", is_hub=True)  # the street's, not a community's
    r = row(plan, street, "csos_per_urban_community")
    # 45 filed / 3 urban communities = 15 per community; 15 / 20 = 75 %; 15 ≥ 0.75 × 20 → behind
    assert (r.actual, r.target, r.percent, r.pace) == (Decimal(15), 20, 75.0, "behind")
    # no village in the street: the rural average is not measured (0 villages)
    assert row(plan, street, "csos_per_rural_community").pace == "not_measured"
    # in the county: 45 in the 15 urban communities = 3; villages: 0 / 6 = 0 → at risk
    county = unit("511802")
    assert row(plan, county, "csos_per_urban_community").actual == 3
    rural = row(plan, county, "csos_per_rural_community")
    assert (rural.actual, rural.target, rural.pace) == (0, 9, "at_risk")
    # a village's organizations count in the rural average, never in the urban one
    village = communities("511802101")[0]
    organizations(village, 18)
    assert row(plan, county, "csos_per_rural_community").actual == 3  # 18 / 6
    assert row(plan, county, "csos_per_urban_community").actual == 3


def test_communities_with_five_active_organizations(plan):
    a, b, c = communities()
    organizations(a, 5)
    organizations(b, 4)
    organizations(b, 1, active=False, start=50)  # five filed, one of them inactive
    organizations(c, 7, status="reviewed")  # not filed yet
    r = row(plan, unit(STREET), "communities_with_5_active_csos")
    # only 胜利社区 has 5 active filed ones: 1 of 3; 1 < 0.75 × 3 → at risk
    assert (r.actual, r.target, r.pace) == (1, 3, "at_risk")
    assert row(plan, a, "communities_with_5_active_csos").pace == "done"


def test_communities_with_a_volunteer_service_organization(plan):
    """每个社区培育1个以上志愿服务类的社区社会组织: an organization of the category
    志愿服务类, in force; a volunteer team typed on a registration is not one."""
    a, b, c = communities()
    volunteers(a, 3, team="银龄志愿队")
    volunteers(b, 1, team="青年志愿队")
    organizations(b, 2)  # community service, not volunteer service
    organizations(c, 1, category="volunteer_service", status="pending")  # not filed yet
    r = row(plan, unit(STREET), "communities_with_volunteer_cso")
    assert (r.actual, r.target) == (0, 3)
    organizations(a, 1, category="volunteer_service", start=10)
    organizations(b, 1, category="volunteer_service", status="registered",
                  registration="registered", start=10)
    r = row(plan, unit(STREET), "communities_with_volunteer_cso")
    assert (r.actual, r.target) == (2, 3)
    organizations(c, 1, category="volunteer_service", start=10)
    assert row(plan, unit(STREET), "communities_with_volunteer_cso").pace == "done"


def test_a_social_work_station_in_every_township(plan):
    r = row(plan, unit("511802"), "township_stations")
    assert (r.actual, r.target, r.pace) == (13, 13, "done")  # 雨城区: 13 townships, 13 stations
    assert row(plan, unit("5118"), "township_stations").actual == 96  # 96 townships in 雅安市


def test_registry_counts_show_without_a_target_where_the_province_is_not_loaded(plan):
    a, b, c = communities()
    organizations(a, 2, rating="4A", status="registered", registration="registered")
    organizations(b, 1, rating="5A", status="registered", registration="registered")
    organizations(c, 1, rating="3A", status="registered", registration="registered")
    set_places({a: dict(attrs={"star_complex": True}), b: dict(attrs={"star_complex": False})})
    street = unit(STREET)
    assert row(plan, street, "rated_4a_organizations").actual == 3
    assert row(plan, street, "star_complexes").actual == 1
    assert row(plan, street, "star_complexes").pace == "no_target"


def test_4a_counts_registered_organizations_in_force_only(plan):
    """4A级及以上社会组织: 等级评估 rates registered (登记) organizations; a filed community
    organization, or one pending, returned or deregistered, is not counted."""
    a, b, c = communities()
    organizations(a, 1, rating="4A", status="registered", registration="registered")
    organizations(a, 1, rating="4A", status="deregistered", registration="registered", start=1)
    organizations(a, 1, rating="5A", status="pending", start=2)
    organizations(b, 1, rating="4A", status="returned", start=3)
    organizations(b, 1, rating="4A", status="filed", start=4)  # a filed community organization
    organizations(c, 1, rating="5A", status="filed", registration="candidate", start=5)
    street = unit(STREET)
    assert row(plan, street, "rated_4a_organizations").actual == 1
    organizations(c, 1, rating="5A", status="registered", registration="registered", start=6)
    assert row(plan, street, "rated_4a_organizations").actual == 2


def test_the_six_kinds_and_the_five_linkage_models_are_counted(plan):
    a, b, c = communities()
    for i, kind in enumerate(("volunteer_service", "self_governance", "mediation",
                              "emergency_rescue", "environment", "hardship_relief",
                              "culture_sports")):
        organizations(a, i + 1, category=kind, start=10 * i)
    organizations(b, 4, category="mediation", status="pending", start=100)  # not counted
    street = unit(STREET)
    got = {k: row(plan, street, f"csos_{k}").actual for k in (
        "volunteer_service", "self_governance", "mediation", "emergency_rescue", "environment",
        "hardship_relief", "culture_sports")}
    assert got == {"volunteer_service": 1, "self_governance": 2, "mediation": 3,
                   "emergency_rescue": 4, "environment": 5, "hardship_relief": 6,
                   "culture_sports": 7}
    set_places({a: dict(attrs={"linkage_community_led": True, "linkage_charity_leveraged": True}),
                b: dict(attrs={"linkage_community_led": True}),
                c: dict(attrs={"linkage_community_led": False, "linkage_org_carrier": True})})
    got = {k: row(plan, street, f"linkage_{k}").actual for k in (
        "community_led", "org_carrier", "social_worker_led", "volunteer_aided",
        "charity_leveraged")}
    assert got == {"community_led": 2, "org_carrier": 1, "social_worker_led": 0,
                   "volunteer_aided": 0, "charity_leveraged": 1}


def test_every_target_says_whether_it_is_binding_or_expected(plan):
    targeted = [i for i in Indicator.select().where(Indicator.plan == plan)
                if i.spec.get("targets") or i.per_unit_target is not None
                or i.measure == "presence"]
    assert len(targeted) == 11
    for i in targeted:
        assert i.spec["nature"] in ("binding", "expected"), i.code
        assert "约束性" in i.spec["nature_assumed"], i.code


def test_a_breakdown_gives_each_township_the_figures_of_its_own_plan_progress(plan):
    a, b, c = communities()
    set_places({a: dict(population=4000, attrs={"certified_social_workers": 20}),
                b: dict(population=3000, attrs={"certified_social_workers": 10}),
                c: dict(population=3000, attrs={"certified_social_workers": 5})})
    organizations(a, 5)
    county = unit("511802")
    parts = progress.breakdown(plan, county, 2026, TODAY)
    street = unit(STREET)
    own = progress.plan_progress(plan, street, 2026, TODAY)
    mine = {r.indicator.code: (r.actual, r.target, r.pace) for r in parts[street.id].rows}
    assert mine == {r.indicator.code: (r.actual, r.target, r.pace) for r in own.rows}
    # the other townships have no certified social workers recorded: not measured
    other = parts[unit("511802002").id]
    assert next(r for r in other.rows if r.indicator.code == "social_workers_per_10k").pace == "not_measured"
    # the street's own figures rank it first among the townships that have communities (a
    # township with none loaded is measured on its station alone)
    order = [p.code for p, _ in progress.ranked(parts)
             if OrgUnit.select().where(OrgUnit.parent == p).exists()]
    assert order[0] == STREET and len(order) == 7


def test_a_quarter_does_not_cut_a_ratio_target(plan):
    a, b, c = communities()
    set_places({a: dict(population=4000, attrs={"certified_social_workers": 20}),
                b: dict(population=3000, attrs={"certified_social_workers": 10}),
                c: dict(population=3000, attrs={"certified_social_workers": 5})})
    pp = progress.plan_progress(plan, unit(STREET), 2026, TODAY, window=progress.Window.quarter(2026, 4))
    r = next(r for r in pp.rows if r.indicator.code == "social_workers_per_10k")
    assert (r.actual, r.target) == (Decimal("35.00"), 35)


def test_before_the_due_date_a_standing_target_is_expected_in_proportion(plan):
    a, b, c = communities()
    set_places({a: dict(population=4000, attrs={"certified_social_workers": 10}),
                b: dict(population=3000, attrs={"certified_social_workers": 5}),
                c: dict(population=3000, attrs={"certified_social_workers": 5})})
    as_of = dt.date(2024, 12, 31)
    r = row(plan, unit(STREET), "social_workers_per_10k", year=2024, as_of=as_of)
    # 2024-01-01 → 2025-12-31 is 731 days; by 2024-12-31, 366 have passed:
    # expected 35 × 366 / 731 = 17.52; actual 20 → on track
    assert r.expected == (Decimal(35) * Decimal(366) / Decimal(731)).quantize(Decimal("0.01"))
    assert r.expected == Decimal("17.52")
    assert (r.actual, r.pace) == (Decimal("20.00"), "on_track")


def test_the_index_names_five_elements_of_the_plans_own_indicators_equally_weighted(plan):
    elements = plan.spec["index"]["elements"]
    codes = {i.code: i for i in Indicator.select().where(Indicator.plan == plan)}
    assert [e["code"] for e in elements] == ["community", "social_org", "social_worker",
                                             "volunteer", "charity"]
    assert sum(Decimal(str(e["weight"])) for e in elements) == 1
    for e in elements:
        assert e["indicators"] and all(c in codes for c in e["indicators"]), e["code"]
        # every element is scored from indicators that carry a target (not bare counters)
        assert all(codes[c].target_basis != "explicit" or codes[c].spec.get("targets")
                   for c in e["indicators"]), e["code"]
    assert "等权" in plan.spec["index"]["weights_note"]

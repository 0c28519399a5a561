"""The 联动指数: element scores and the weighted total by hand-computed expectations, elements
that are not measured, the ranking of places, the definition read from the plan, the radar."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from charts import png_bytes
from charts.radar import linkage_radar
from models.plans import linkage
from models.plans.loading import PlanFileError
from models.core.schema import OrgUnit, Plan, SocialOrganization, Volunteer
from tests import factories as f
from tests.plankit import AS_OF, INDEX, YEAR, load_test_plan


def unit(code: str) -> OrgUnit:
    return OrgUnit.get(OrgUnit.code == code)


def scores(ix: linkage.LinkageIndex) -> dict:
    return {e.code: (round(e.score, 4) if e.score is not None else None) for e in ix.elements}


# ---- the math ------------------------------------------------------------------------------

def test_it_scores_each_element_as_the_mean_capped_attainment_of_its_indicators(plan):
    ix = linkage.index_for(plan, unit("511802"), YEAR, AS_OF)
    # events 2/4 = 0.5, reach 150/100 capped at 1 -> 75; gifts 1/2 -> 50 (the money counter
    # has no target and is left out, not counted as 0); charity: nothing measurable
    assert scores(ix) == {"community": 75.0, "volunteers": 50.0, "charity": None}
    assert [e.measured for e in ix.elements] == [("events", "reach"), ("gifts",), ()]


def test_the_total_weighs_only_the_measured_elements(plan):
    ix = linkage.index_for(plan, unit("511802"), YEAR, AS_OF)
    # (0.6 × 75 + 0.4 × 50) / (0.6 + 0.4): charity's 0.2 is not in the denominator
    assert ix.total == pytest.approx(65.0)


def test_a_place_with_one_measured_element_scores_that_element(plan):
    ix = linkage.index_for(plan, unit("511803"), YEAR, AS_OF)
    # events 2/2 -> 1, reach 0/50 -> 0: 50; no donation target in 名山区
    assert scores(ix) == {"community": 50.0, "volunteers": None, "charity": None}
    assert ix.total == pytest.approx(50.0)


def test_the_city_is_scored_against_the_sum_of_its_counties_targets(plan):
    ix = linkage.index_for(plan, unit("5118"), YEAR, AS_OF)
    # events 4/(4+2), reach 150/(100+50) -> 1; gifts 1/2
    assert scores(ix)["community"] == pytest.approx(100 * (4 / 6 + 1) / 2, abs=1e-4)
    assert ix.total == pytest.approx(0.6 * 100 * (4 / 6 + 1) / 2 + 0.4 * 50.0)


def test_a_place_without_any_target_is_not_measured_rather_than_zero(plan):
    ix = linkage.index_for(plan, unit("511822"), YEAR, AS_OF)
    assert scores(ix) == {"community": None, "volunteers": None, "charity": None}
    assert ix.total is None


def test_the_counties_of_the_city_are_ranked_by_their_index(plan):
    ranking = linkage.ranking(plan, unit("5118"), YEAR, AS_OF)
    assert [(u.code, round(t, 4) if t is not None else None) for u, t in ranking[:3]] == [
        ("511802", 65.0), ("511803", 50.0), ("511822", None)]
    assert len(ranking) == OrgUnit.select().where(OrgUnit.level == "county").count()
    unranked = [u.code for u, t in ranking[2:]]
    assert unranked == sorted(unranked) and all(t is None for _, t in ranking[2:])


def test_a_county_lists_its_communities_and_each_is_scored_on_its_own_targets(plan):
    county = unit("511802")
    rows = linkage.index_by_child(plan, county, YEAR, AS_OF)
    communities = list(OrgUnit.select().where(OrgUnit.level == "community",
                                               OrgUnit.path.startswith(county.path))
                       .order_by(OrgUnit.code))
    assert [r.place.code for r in rows] == [c.code for c in communities]
    c0 = f.community("511802", 0)
    by_code = {r.place.code: r for r in rows}
    assert scores(by_code[c0.code]) == {"community": 100.0, "volunteers": None, "charity": None}
    assert by_code[c0.code].total == pytest.approx(100.0)
    assert all(r.total is None for r in rows if r.place.code != c0.code)
    assert linkage.ranked(rows)[0].place == c0


def test_the_progress_of_every_level_comes_from_breakdowns_of_their_parents(plan):
    from models.plans.progress import plan_progress

    levels = linkage.progress_by_level(plan, unit("511802"), YEAR, AS_OF)
    assert set(levels) == {"county", "township", "community"}
    c0 = f.community("511802", 0)
    [mine] = [pp for pp in levels["community"] if pp.scope == c0]
    direct = plan_progress(plan, c0, YEAR, AS_OF)
    assert [(r.indicator.code, r.actual, r.target) for r in mine.rows] == \
           [(r.indicator.code, r.actual, r.target) for r in direct.rows]
    assert sum(len(pp.rows) for pp in levels["township"]) == \
        len(direct.rows) * unit("511802").children.count()


def test_a_community_has_no_places_below_it(plan):
    assert linkage.index_by_child(plan, f.community("511802", 0), YEAR, AS_OF) == []


def test_the_average_counts_only_places_where_an_element_is_measured(plan):
    rows = linkage.index_by_child(plan, unit("5118"), YEAR, AS_OF)
    avg = {e.code: e.score for e in linkage.average(rows)}
    assert avg["community"] == pytest.approx((75.0 + 50.0) / 2)
    assert avg["volunteers"] == pytest.approx(50.0)  # 雨城区 only
    assert avg["charity"] is None


# ---- the definition ------------------------------------------------------------------------

def test_weights_default_to_equal_shares(db, tmp_path):
    index = {"elements": [{k: v for k, v in e.items() if k != "weight"}
                          for e in INDEX["elements"][:2]]}
    plan = load_test_plan(tmp_path, index)
    assert [e.weight for e in linkage.elements_of(plan)] == [Decimal("0.5"), Decimal("0.5")]


def test_a_plan_without_an_index_has_none(db):
    plan = Plan.get(Plan.code == "yaan-jiuxiang")
    assert not linkage.has_index(plan) and linkage.elements_of(plan) == []


def test_the_index_is_read_from_the_plan_file(db, tmp_path):
    plan = load_test_plan(tmp_path)
    elements = linkage.elements_of(plan)
    assert [(e.code, e.name, e.weight, e.indicators) for e in elements] == [
        ("community", "社区", Decimal("0.6"), ("events", "reach")),
        ("volunteers", "志愿者", Decimal("0.4"), ("gifts", "gift_money")),
        ("charity", "慈善资源", Decimal("0.2"), ("ratio", "gift_money"))]


def test_an_index_naming_an_unknown_indicator_is_refused_at_load(db, tmp_path):
    bad = {"elements": [{**INDEX["elements"][0], "indicators": ["events", "nope"]}]}
    with pytest.raises(PlanFileError, match="nope"):
        load_test_plan(tmp_path, bad)


def test_a_negative_weight_is_refused(db, tmp_path):
    bad = {"elements": [{**INDEX["elements"][0], "weight": -0.1}]}
    with pytest.raises(linkage.IndexDefinitionError, match="negative"):
        linkage.elements_of(load_test_plan(tmp_path, bad))


# ---- the radar -----------------------------------------------------------------------------

def test_the_radar_renders_a_png_with_a_comparison_and_unmeasured_elements(tmp_path):
    fig = linkage_radar(["社区", "社会组织", "社会工作者", "志愿者", "慈善资源"],
                        [75.0, 40.0, None, 90.0, 100.0], [60.0, 55.0, 30.0, None, 50.0],
                        title="联动指数：雨城区", place_label="雨城区", compare_label="各区县平均",
                        total=65.3)
    data = png_bytes(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    texts = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert texts[0] == "社区" and "未测评" in texts[2]
    (tmp_path / "radar.png").write_bytes(data)


def test_the_radar_needs_one_score_per_element():
    with pytest.raises(ValueError):
        linkage_radar(["社区", "志愿者"], [1.0])


# ---- the shipped 浙江 plan -------------------------------------------------------------------

@pytest.fixture
def zhejiang(db):
    """东城街道 (雨城区, three urban communities A, B, C with 10,000 residents): A has 3 of 5
    community workers certified, 20 certified social workers, six filed organizations, all
    active, one of them of the volunteer-service kind; B has 0 of 5 certified, 10 social
    workers, one filed volunteer-service organization; C has 1 of 4 certified, no social
    worker, one pending volunteer-service organization and a volunteer team (a team is not an
    organization). The township has its social-work station
    (loaded with the places)."""
    plan = Plan.get(Plan.code == "zhejiang-2025")
    township = OrgUnit.get(OrgUnit.code == "511802001")
    a, b, c = list(township.children.order_by(OrgUnit.code))
    for unit, population, attrs in (
            (a, 4000, {"community_workers": 5, "certified_community_workers": 3,
                       "certified_social_workers": 20}),
            (b, 3000, {"community_workers": 5, "certified_community_workers": 0,
                       "certified_social_workers": 10}),
            (c, 3000, {"community_workers": 4, "certified_community_workers": 1,
                       "certified_social_workers": 0})):
        unit.population, unit.attrs = population, attrs
        unit.save()
    orgs = [(a, f"A{k}", "filed") for k in range(6)] + [(b, "B0", "filed"), (c, "C0", "pending")]
    for unit, name, status in orgs:
        kind = "community_service" if name[1] != "0" else "volunteer_service"
        SocialOrganization.create(name=name, category=kind, org_unit=unit,
                                  org_path=unit.path, leader="负责人", status=status,
                                  founded_on=dt.date(2024, 3, 1))
    for unit, name, team in ((a, "甲", None), (a, "乙", None), (b, "丙", None), (c, "丁", "C队")):
        Volunteer.create(name=name, org_unit=unit, org_path=unit.path, team=team,
                         registered_on=dt.date(2024, 5, 1))
    return plan, township, (a, b, c)


def test_the_zhejiang_plan_ships_five_equal_elements(zhejiang):
    plan, _, _ = zhejiang
    elements = linkage.elements_of(plan)
    assert [e.name for e in elements] == ["社区", "社会组织", "社会工作者", "志愿者", "慈善资源"]
    assert {e.weight for e in elements} == {Decimal("0.2")}


def test_the_zhejiang_index_of_a_street_by_hand(zhejiang):
    plan, township, _ = zhejiang
    ix = linkage.index_for(plan, township, 2025, dt.date(2025, 11, 23))
    got = scores(ix)
    # 社区: certified community workers 4 / 14 = 28.57 % of the 60 % standard (the 1,000
    # star-rated complexes are a target of 浙江省, not of a place loaded here: left out)
    assert got["community"] == pytest.approx(100 * 28.57 / 60, abs=1e-3)
    # 社会组织: 7 filed organizations over 3 urban communities = 2.3333 of 20 per community;
    # 1 of 3 communities has 5 active ones; no rural community, no graded service centre
    per_community = float(Decimal(7 / 3).quantize(Decimal("0.0001")))
    assert got["social_org"] == pytest.approx(100 * (per_community / 20 + 1 / 3) / 2, abs=1e-3)
    # 社会工作者: 30 certified per 10,000 residents of 35; the township has its station
    assert got["social_worker"] == pytest.approx(100 * (30 / 35 + 1) / 2, abs=1e-3)
    # 志愿者: 2 of 3 communities have a volunteer-service organization in force
    assert got["volunteer"] == pytest.approx(100 * 2 / 3, abs=1e-3)
    # 慈善资源: the 200 foundations are the province's target: not measured here
    assert got["charity"] is None
    assert ix.total == pytest.approx(sum(v for v in got.values() if v is not None) / 4)


def test_the_zhejiang_index_ranks_the_communities_of_a_county(zhejiang):
    plan, _, (a, b, c) = zhejiang
    rows = linkage.ranked(linkage.index_by_child(plan, OrgUnit.get(OrgUnit.code == "511802"),
                                                 2025, dt.date(2025, 11, 23)))
    assert rows[0].place == a
    # A: 60 % certified (full), 6 organizations of 20 and 5 active ones, 50 per 10,000
    # (full), its volunteer-service organization; a community has no township station to count
    assert scores(rows[0]) == pytest.approx({"community": 100.0, "social_org": 65.0,
                                             "social_worker": 100.0, "volunteer": 100.0,
                                             "charity": None})
    assert rows[0].total == pytest.approx((100 + 65 + 100 + 100) / 4)
    assert rows[1].place == b

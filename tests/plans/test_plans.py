"""The plan files: loadable side by side, checked at load, counted once per report.
(Their fidelity to the documents is tests/plans/test_fidelity.py.)"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from models.plans import progress
from models.plans.loading import (DEFAULT_PLAN_FILE, PlanFileError, load_plan, read_plan_file, recount,
                          shipped_plan_files)
from models.core.schema import ActionLine, Contribution, Indicator, OrgUnit, Plan, Target
from tests import factories as f

COUNTIES = {"雨城区": "511802", "名山区": "511803", "荥经县": "511822", "汉源县": "511823",
            "石棉县": "511824", "天全县": "511825", "芦山县": "511826", "宝兴县": "511827"}


def test_it_splits_minors_points_by_county_exactly_as_the_document_does():
    spec = read_plan_file(DEFAULT_PLAN_FILE)
    ind = next(i for i in spec["indicators"] if i["code"] == "minors_points")
    quote = ind["quote"]
    for name, code in COUNTIES.items():
        m = re.search(name + r"(\d+)个", quote)
        assert m, name
        assert ind["targets"][code] == int(m.group(1))
    assert sum(ind["targets"][c] for c in COUNTIES.values()) == ind["targets"]["5118"] == 316


def test_it_loads_the_ya_an_plan_with_nine_lines_and_its_targets(db):
    plan = Plan.get(Plan.code == "yaan-jiuxiang")
    assert plan.is_default and plan.source_file == "004_ef173f524f7c7ddd.txt"
    lines = list(ActionLine.select().where(ActionLine.plan == plan).order_by(ActionLine.number))
    assert [l.slogan for l in lines] == ["弱有众扶", "银发暖心", "花朵呵护", "心灵守护", "友邻互助",
                                         "情暖万家", "和睦同心", "新风弘扬", "文脉赓续"]
    minors = Indicator.get(Indicator.plan == plan, Indicator.code == "minors_points")
    assert Target.select().where(Target.indicator == minors).count() == 9
    xinfeng = Indicator.get(Indicator.plan == plan, Indicator.code == "xinfeng_stations")
    assert xinfeng.measure == "presence" and xinfeng.target_basis == "units"
    assert (xinfeng.spec["level"], xinfeng.spec["count"], xinfeng.spec["min"]) == (
        "station", "xinfeng_activities", 5)


def test_loading_a_plan_twice_changes_nothing(db):
    before = (Plan.select().count(), Indicator.select().count(), Target.select().count())
    load_plan(DEFAULT_PLAN_FILE)
    assert (Plan.select().count(), Indicator.select().count(), Target.select().count()) == before


def test_a_second_plan_loads_beside_the_first_and_counts_the_same_report(db, tmp_path):
    r = f.report("xinfeng")
    second = tmp_path / "second.toml"
    second.write_text('''
code = "county-pilot"
name = "县级试点"
name_en = "County pilot"
source_file = "004_ef173f524f7c7ddd.txt"
source_title = "test"
start_date = 2026-01-01
[[action_lines]]
code = "xinfeng"
number = 1
name = "新风"
name_en = "New customs"
[[indicators]]
code = "xinfeng_events"
line = "xinfeng"
name = "新风活动"
name_en = "New-customs events"
measure = "count"
kind = "xinfeng"
targets = { "511802" = 5 }
quote = "5"
''', "utf-8")
    before = Plan.select().count()
    plan = load_plan(second).plan
    assert Plan.select().count() == before + 1
    assert Plan.get(Plan.code == "yaan-jiuxiang").is_default
    plans_counting = {c.indicator.plan.code for c in Contribution.select().where(Contribution.report == r)}
    assert {"yaan-jiuxiang", "county-pilot"} <= plans_counting
    assert recount(plan) == 1


# ---- five plans side by side --------------------------------------------------------------------

TODAY = dt.date(2026, 11, 23)
SHIPPED = {"yaan-jiuxiang", "zhejiang-2025", "gansu-sanshe-pilot", "tianjin-wushe-demo-2024",
           "tianjin-shequ-zuzhi"}


def _row(pp, code):
    return next(r for r in pp.rows if r.indicator.code == code)


def test_all_five_plans_load_side_by_side_with_ya_an_first_and_default(db):
    plans = list(Plan.select().order_by(Plan.id))
    assert {p.code for p in plans} == SHIPPED
    assert plans[0].code == "yaan-jiuxiang" and plans[0].is_default
    assert [p.code for p in plans if p.is_default] == ["yaan-jiuxiang"]
    assert shipped_plan_files()[0] == DEFAULT_PLAN_FILE


def test_the_sections_beyond_indicators_are_kept_in_the_plan_spec(db):
    zhejiang = Plan.get(Plan.code == "zhejiang-2025")
    elements = zhejiang.spec["index"]["elements"]
    assert [e["name"] for e in elements] == ["社区", "社会组织", "社会工作者", "志愿者", "慈善资源"]
    assert [Decimal(str(e["weight"])) for e in elements] == [Decimal("0.2")] * 5
    gansu = Plan.get(Plan.code == "gansu-sanshe-pilot")
    assert [lv["level"] for lv in gansu.spec["approval"]["levels"]] == \
        ["community", "township", "county", "city", "province"]
    assert gansu.spec["approval"]["filing_window"] == ["2016-07-01", "2016-09-30"]
    registry = Plan.get(Plan.code == "tianjin-shequ-zuzhi").spec["registry"]
    assert (registry["first_review"], registry["filing"]) == ("community", "township")
    # an indicator's settings are its spec, dates as ISO text
    done = Indicator.get(Indicator.code == "creation_completed")
    assert [{k: m[k] for k in ("by", "share")} for m in done.spec["milestones"]] == [
        {"by": "2023-11-30", "share": 0.5}, {"by": "2024-06-30", "share": 1}]
    assert done.measure == "presence" and done.target_basis == "units"
    assert Indicator.get(Indicator.code == "volunteer_share").target_basis == "uniform"


def test_province_wide_targets_wait_for_the_province_and_are_kept_in_the_spec(db):
    """浙江省 (33) is not among this database's places: its 1000 complexes are kept with the
    indicator, no Target row is made, and the count shows without a target."""
    star = Indicator.get(Indicator.code == "star_complexes")
    assert star.spec["targets"] == {"33": 1000}
    assert Target.select().where(Target.indicator == star).count() == 0
    pp = progress.plan_progress(star.plan, OrgUnit.get(OrgUnit.code == "5118"), 2026, TODAY)
    assert _row(pp, "star_complexes").pace == "no_target"


def _plan_file(tmp_path, body: str, scope: str = "5118") -> Path:
    path = tmp_path / "p.toml"
    path.write_text(f'''
code = "broken"
name = "测试"
name_en = "Test"
source_file = "004_ef173f524f7c7ddd.txt"
source_title = "test"
start_date = 2026-01-01
scope = "{scope}"
{body}
''', "utf-8")
    return path


@pytest.mark.parametrize("body, message", [
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "average"', "unknown measure"),
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "ratio"\n'
     'spec = { numerator = "population" }', "needs a denominator"),
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "ratio"\n'
     'spec = { numerator = "volunteers", denominator = "population" }', "unknown indicator 'volunteers'"),
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "presence"\n'
     'spec = { attr = "has_fund" }', "needs a level"),
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "registry"\n'
     'spec = { source = "people" }', "needs a source"),
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "registry"\n'
     'spec = { source = "organizations", where = { colour = "red" } }', "no column 'colour'"),
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "tier"\n'
     'spec = { attr = "site_no", of = "money", tiers = [] }', "unknown indicator 'money'"),
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "presence"\n'
     'spec = { level = "community", attr = "x", milestones = [{ by = 2026-06-30 }] }', "by and share"),
    ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "count"\nkind = "activity"\n'
     '[index]\n[[index.elements]]\ncode = "e"\nname = "e"\nindicators = ["a", "b"]', "unknown indicators b"),
])
def test_a_plan_file_that_cannot_be_computed_is_refused_and_nothing_is_saved(db, tmp_path, body, message):
    before = (Plan.select().count(), Indicator.select().count())
    with pytest.raises(PlanFileError, match=message):
        load_plan(_plan_file(tmp_path, body))
    assert (Plan.select().count(), Indicator.select().count()) == before


def test_a_target_of_an_unknown_place_inside_a_loaded_scope_is_still_an_error(db, tmp_path):
    body = ('[[indicators]]\ncode = "a"\nname = "a"\nname_en = "a"\nmeasure = "count"\n'
            'kind = "activity"\ntargets = { "5118999" = 3 }')
    with pytest.raises(ValueError, match="unknown org unit 5118999"):
        load_plan(_plan_file(tmp_path, body))
    assert not Plan.select().where(Plan.code == "broken").exists()


# ---- a report entered once counts in every plan it belongs to ----------------------------------

def test_one_activity_counts_in_the_ya_an_plan_and_in_zhejiang(db):
    """A children's-line service with volunteers: Ya'an counts it as an activity of its
    children line, Zhejiang as an activity with volunteers — one report, no second entry."""
    city = OrgUnit.get(OrgUnit.code == "5118")
    r = f.report("activity", parties=["community", "volunteer"], date=dt.date(2026, 11, 20))
    rows = Contribution.select().where(Contribution.report == r)
    assert {(c.indicator.plan.code, c.indicator.code) for c in rows} >= {
        ("yaan-jiuxiang", "activities_children"), ("zhejiang-2025", "volunteer_activities")}
    yaan = progress.plan_progress(Plan.get(Plan.code == "yaan-jiuxiang"), city, 2026, TODAY)
    zhejiang = progress.plan_progress(Plan.get(Plan.code == "zhejiang-2025"), city, 2026, TODAY)
    assert _row(yaan, "activities_children").actual == 1
    assert _row(zhejiang, "volunteer_activities").actual == 1
    # recounting every plan rebuilds the same rows, never a second count
    recount()
    again = progress.plan_progress(Plan.get(Plan.code == "zhejiang-2025"), city, 2026, TODAY)
    assert _row(again, "volunteer_activities").actual == 1
    # an activity without volunteers is Ya'an's only
    f.report("activity", parties=["community"], date=dt.date(2026, 11, 21))
    zhejiang = progress.plan_progress(Plan.get(Plan.code == "zhejiang-2025"), city, 2026, TODAY)
    assert _row(zhejiang, "volunteer_activities").actual == 1


def test_one_donation_counts_in_three_plans_goods_at_their_value_where_the_plan_says_so(db):
    city = OrgUnit.get(OrgUnit.code == "5118")
    f.report("donation", amount="5000.00", date=dt.date(2026, 11, 20))
    f.report("donation", form="goods", amount=None, goods="冬衣", goods_value="1200.00",
             date=dt.date(2026, 11, 20))
    got = {code: progress.plan_progress(Plan.get(Plan.code == code), city, 2026, TODAY)
           for code in ("yaan-jiuxiang", "zhejiang-2025", "tianjin-wushe-demo-2024")}
    assert _row(got["yaan-jiuxiang"], "donations_money").actual == 5000
    assert _row(got["yaan-jiuxiang"], "donations_goods").actual == 1200
    # 5000 + 1200: Zhejiang and Tianjin count goods at their value (包括捐赠物资折算金额)
    assert _row(got["zhejiang-2025"], "charity_raised").actual == 6200
    assert _row(got["tianjin-wushe-demo-2024"], "funds_raised").actual == 6200


def test_a_rejected_report_leaves_every_plan(db):
    from models.reports.filing import review

    city = OrgUnit.get(OrgUnit.code == "5118")
    r = f.report("activity", parties=["volunteer"], date=dt.date(2026, 11, 20))
    review(r, "rejected", actor="test", reason="照片不清晰")
    for code, ind in (("yaan-jiuxiang", "activities_children"), ("zhejiang-2025", "volunteer_activities")):
        pp = progress.plan_progress(Plan.get(Plan.code == code), city, 2026, TODAY)
        assert _row(pp, ind).actual == 0


# ---- every plan's dashboard -------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_each_plans_dashboard_shows_its_indicators_with_their_figures(as_alice, code, monkeypatch):
    import html

    import admin.views.dashboard
    from models.demo import place_attrs

    monkeypatch.setattr(admin.views.dashboard, "today", lambda: TODAY)
    place_attrs(5118)
    f.report("activity", activity_type="training", parties=["social_worker", "volunteer"],
             date=dt.date(2026, 11, 20))
    plan = Plan.get(Plan.code == code)
    page = as_alice.get(f"/admin/?plan={code}")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    for ind in Indicator.select().where(Indicator.plan == plan):
        assert ind.name in text, ind.code
    pp = progress.plan_progress(plan, OrgUnit.get(OrgUnit.code == "5118"), 2026, TODAY)
    # one report and the places' facts make real, non-zero progress on every plan
    assert any(r.actual for r in pp.targeted), code

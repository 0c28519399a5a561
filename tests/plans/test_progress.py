"""Progress and pacing, checked against hand-computed numbers."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.plans import progress
from models.forms.kinds import default_plan
from models.reports.filing import review
from models.core.schema import Indicator, OrgUnit
from tests import factories as f

TODAY = dt.date(2026, 11, 23)


def _row(pp, code):
    return next(r for r in pp.rows if r.indicator.code == code)


def test_it_spreads_an_annual_target_evenly_over_the_year():
    w = progress.Window.year(2026)
    assert w.share_elapsed(dt.date(2026, 1, 1)) == Decimal(1) / Decimal(365)
    assert w.share_elapsed(dt.date(2026, 12, 31)) == 1
    assert w.share_elapsed(dt.date(2025, 6, 1)) == 0


def test_it_names_the_pace():
    w = progress.Window.year(2026)
    mid = dt.date(2026, 7, 2)  # 183/365 elapsed
    assert progress.pace_of(Decimal(10), Decimal(10), w, mid)[0] == "done"
    assert progress.pace_of(Decimal(6), Decimal(10), w, mid)[0] == "on_track"
    assert progress.pace_of(Decimal(4), Decimal(10), w, mid)[0] == "behind"
    assert progress.pace_of(Decimal(2), Decimal(10), w, mid)[0] == "at_risk"
    assert progress.pace_of(Decimal(2), Decimal(10), w, dt.date(2027, 1, 5))[0] == "missed"
    assert progress.pace_of(Decimal(2), None, w, mid)[0] == "no_target"


def test_it_counts_new_customs_events_of_the_year(db):
    """The events themselves are a counter (no target): the stations that reach 5 are
    tests/plans/test_yaan.py."""
    plan = default_plan()
    yucheng = f.county("511802")
    ailin = f.worker("ailin", place=f.community("511802", 0))
    for day in (3, 10, 17):
        f.report("xinfeng", by=ailin, date=dt.date(2026, 11, day))
    f.report("xinfeng", by=ailin, date=dt.date(2025, 12, 30))  # last year: not counted
    row = _row(progress.plan_progress(plan, yucheng, 2026, TODAY), "xinfeng_activities")
    assert (row.actual, row.target, row.pace) == (3, None, "no_target")


def test_it_sums_milestones_into_the_county_split_and_the_city_total(db):
    plan = default_plan()
    bowen = f.worker("bowen", place=f.community("511822", 1))
    f.report("milestone", by=bowen, count=40, date=dt.date(2024, 5, 1))
    f.report("milestone", by=bowen, count=31, date=dt.date(2025, 3, 1))
    city = OrgUnit.get(OrgUnit.level == "city")
    county_row = _row(progress.plan_progress(plan, f.county("511822"), 2026, TODAY), "minors_points")
    assert (county_row.actual, county_row.target, county_row.pace) == (71, 71, "done")
    city_row = _row(progress.plan_progress(plan, city, 2026, TODAY), "minors_points")
    assert (city_row.actual, city_row.target, city_row.pace) == (71, 316, "missed")
    township = bowen.org_unit.parent
    assert _row(progress.plan_progress(plan, township, 2026, TODAY), "minors_points").target is None


def test_rejected_reports_do_not_count_and_approved_ones_do(db):
    plan = default_plan()
    r1 = f.report("activity", participants=30)
    r2 = f.report("activity", participants=12)
    scope = f.county("511802")
    assert _row(progress.plan_progress(plan, scope, 2026, TODAY), "participants_children").actual == 42
    review(r1, "rejected", actor="test", reason="重复")
    review(r2, "approved", actor="test")
    assert _row(progress.plan_progress(plan, scope, 2026, TODAY), "participants_children").actual == 12


def test_the_breakdown_by_county_adds_up_to_the_city(db):
    plan = default_plan()
    for code, n in (("511802", 2), ("511803", 1), ("511827", 3)):
        w = f.worker(place=f.community(code))
        for _ in range(n):
            f.report("placename", by=w, stories=2)
    city = OrgUnit.get(OrgUnit.level == "city")
    parts = progress.breakdown(plan, city, 2026, TODAY)
    assert len(parts) == 8
    by_name = {pp.scope.code: _row(pp, "placename_stories").actual for pp in parts.values()}
    assert by_name["511802"] == 4 and by_name["511803"] == 2 and by_name["511827"] == 6
    assert by_name["511824"] == 0
    assert sum(by_name.values()) == _row(progress.plan_progress(plan, city, 2026, TODAY), "placename_stories").actual


def test_a_quarter_view_counts_only_its_quarter_against_a_pro_rata_target(db):
    plan = default_plan()
    w = f.worker(place=f.community("511802"))
    for day in (dt.date(2026, 2, 1), dt.date(2026, 5, 1)):
        f.report("milestone", by=w, date=day, milestone_type="village_facility_upgrade")
    scope = OrgUnit.get(OrgUnit.level == "city")
    q2 = progress.Window.quarter(2026, 2)
    row = _row(progress.plan_progress(plan, scope, 2026, TODAY, window=q2), "village_facility_upgrades")
    assert row.actual == 1
    assert row.target == (Decimal(5) * Decimal(91) / Decimal(365)).quantize(Decimal("0.01"))
    assert row.pace == "missed"


def test_places_are_ranked_by_completion_never_people(db):
    plan = default_plan()
    w = f.worker(place=f.community("511827"))
    f.report("milestone", by=w, count=3, date=dt.date(2025, 1, 1))  # 宝兴县 reaches its 3 points
    city = OrgUnit.get(OrgUnit.level == "city")
    # in 2025, the last year of that 2023–2025 target (in 2026 it is an ended period, apart)
    ranked = progress.ranking(plan, city, 2025, dt.date(2025, 12, 31))
    assert ranked[0][0].code == "511827"
    assert all(isinstance(place, OrgUnit) for place, _ in ranked)


def test_it_lists_communities_silent_for_two_weeks(db):
    w = f.worker(place=f.community("511802", 0))
    f.report("activity", by=w, date=dt.date(2026, 11, 20))
    quiet = f.worker(place=f.community("511802", 1))
    f.report("activity", by=quiet, date=dt.date(2026, 10, 1))
    silent = dict(progress.silent_communities(f.county("511802"), TODAY))
    assert w.org_unit not in silent
    assert silent[quiet.org_unit] == dt.date(2026, 10, 1)
    assert f.community("511802", 2) in silent


def test_reference_targets_are_shown_but_not_measured(db):
    pp = progress.plan_progress(default_plan(), OrgUnit.get(OrgUnit.level == "city"), 2026, TODAY)
    row = _row(pp, "elderly_visit_rate")
    assert row.pace == "not_measured" and row.actual is None and row.target == 100
    assert Indicator.select().where(Indicator.measure == "reference",
                                    Indicator.plan == default_plan()).count() == 3

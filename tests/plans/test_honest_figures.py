"""Honest figures, computed once in models/plans: the headline counts only the targets whose
period includes the one asked for; an over-achieved target counts as done, not as 69 times
done; a place's rate says how many indicators it is counted over, and a parent can be read on
its children's basis; a community sees its share of the targets above it and its standing;
the radar leaves an unassessed element out; the dashboard's cached figures follow a review."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from charts.radar import linkage_radar
from models.forms.kinds import default_plan
from models.org.places import city
from models.core.schema import AuditLog
from models.plans import progress
from models.plans.community import community_view
from models.plans.pacing import Window
from models.reports.filing import review
from tests.factories import community, county, report, worker

TODAY = dt.date(2026, 11, 23)


def row(pp: progress.PlanProgress, code: str) -> progress.IndicatorProgress:
    return next(r for r in pp.rows if r.indicator.code == code)


def test_a_target_whose_period_ended_is_apart_from_the_headline(db):
    zhao = worker("zhao", place=community("511802", 1))
    report("milestone", by=zhao, date=dt.date(2025, 6, 1), count=2)  # 2023–2025 points
    report("xinfeng", by=zhao, date=dt.date(2026, 3, 1))
    pp = progress.plan_progress(default_plan(), city(), 2026, TODAY)
    points = row(pp, "minors_points")
    assert points.window.end == dt.date(2025, 12, 31) and points.target == 316
    assert points in pp.ended and points not in pp.current and not points.reached
    # by hand: the mean of the capped rates of the 2026 targets with a measure
    mine = [r for r in pp.targeted if r.window.end.year >= 2026 and r.percent is not None]
    assert pp.basis == len(mine) > 0
    assert pp.completion == pytest.approx(sum(min(r.percent, 100) for r in mine) / len(mine))
    # in 2025 the same target is current, and counted
    assert "minors_points" in {r.indicator.code for r in
                               progress.plan_progress(default_plan(), city(), 2025,
                                                      dt.date(2025, 6, 30)).current}


def test_an_over_achieved_target_counts_as_done_and_says_so(db):
    ailin = worker("ailin")
    for day in (3, 4, 5):  # three trainings against the city's target of one
        report("activity", by=ailin, date=dt.date(2026, 4, day), activity_type="training")
    pp = progress.plan_progress(default_plan(), city(), 2026, TODAY)
    training = row(pp, "minors_training")
    assert (training.actual, training.target) == (3, 1)
    assert training.percent == 300.0 and training.over and training.capped == 100.0
    others = [r.capped for r in pp.counted if r is not training]
    assert pp.completion == pytest.approx((100.0 + sum(others)) / (len(others) + 1))
    assert pp.completion <= 100.0


def test_a_place_is_rated_over_the_indicators_that_apply_at_its_level(db):
    zhao = worker("zhao", place=community("511802", 1))
    report("xinfeng", by=zhao, date=dt.date(2026, 3, 1))
    plan = default_plan()
    pp = progress.plan_progress(plan, city(), 2026, TODAY)
    parts = progress.breakdown(plan, city(), 2026, TODAY)
    yucheng = next(p for p in parts.values() if p.scope.code == "511802")
    # the city has targets of its own the counties do not share
    assert pp.basis > yucheng.basis >= 1
    basis = {r.indicator.code for p in parts.values() for r in p.counted}
    assert basis == {r.indicator.code for r in yucheng.counted}
    # read on the counties' basis, the city's figure is the mean over the same indicators
    same = pp.completion_over(basis)
    assert same == pytest.approx(sum(r.capped for r in pp.counted
                                     if r.indicator.code in basis) / len(basis))
    # the counties' figures add up to the city's on that basis (xinfeng: one indicator)
    if basis == {"xinfeng_activities"}:
        city_row = row(pp, "xinfeng_activities")
        assert city_row.actual == sum(row(p, "xinfeng_activities").actual for p in parts.values())


def test_a_community_sees_its_share_of_the_targets_above_it_and_its_standing(db):
    mine, other = community("511802", 0), community("511802", 1)
    assert mine.parent_id == other.parent_id
    wang, li = worker("wang", place=mine), worker("li", place=other)
    for day in (1, 2, 3):
        report("xinfeng", by=wang, date=dt.date(2026, 5, day))
    report("xinfeng", by=li, date=dt.date(2026, 5, 9))
    report("activity", by=li, date=dt.date(2026, 5, 9))
    view = community_view(default_plan(), mine, 2026, TODAY)
    assert [p.parent.level for p in view.parents] == ["township", "county"]
    town, county_share = view.parents
    # the target above is stations holding at least 5 events; the community adds events:
    # its 3 against the 5 its township's one station needs
    share = next(s for s in town.shares if s.indicator.code == "xinfeng_stations")
    assert share.source.code == "xinfeng_activities"
    assert (share.actual, share.target) == (3, 5) and share.percent == pytest.approx(60.0)
    county_xinfeng = next(s for s in county_share.shares if s.indicator.code == "xinfeng_stations")
    assert (county_xinfeng.actual, county_xinfeng.target) == (3, 65)  # 雨城区: 13 stations × 5
    assert view.reports == 3 and sum(n for _, n in view.months) == 3
    assert view.months[4] == (dt.date(2026, 5, 1), 3)
    assert view.siblings[0].unit == mine and view.position == 1
    assert {s.unit for s in view.siblings} >= {mine, other}
    assert next(s for s in view.siblings if s.unit == other).reports == 2


def _line_radii(fig, color: str) -> list[list[float]]:
    ax = fig.axes[0]
    return [list(line.get_ydata()) for line in ax.get_lines() if line.get_color() == color]


def test_the_radar_leaves_an_unassessed_element_out():
    fig = linkage_radar(["社区", "社会组织", "社工", "志愿者", "慈善资源"],
                        [80.0, None, 60.0, 40.0, 20.0], [50.0, 50.0, None, 50.0, 50.0])
    [place] = _line_radii(fig, "#d95f0e")
    assert place == [80.0, 60.0, 40.0, 20.0, 80.0]  # closed, without a point at 0
    [compare] = _line_radii(fig, "#2c7fb8")
    assert 0.0 not in compare and len(compare) == 5
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "未测评" in labels[1]


def test_a_finished_window_says_so():
    q3 = Window.from_label("2026Q3")
    assert q3 == Window.quarter(2026, 3) and q3.ended_by(TODAY)
    assert not Window.from_label("2026").ended_by(TODAY)
    assert Window.from_label("2026H1").end == dt.date(2026, 6, 30)
    with pytest.raises(ValueError):
        Window.from_label("2026Q5")


def test_the_data_version_moves_with_a_review(db):
    zhao = worker("zhao", place=community("511802", 1))
    made = report("xinfeng", by=zhao, date=dt.date(2026, 3, 1))
    before = progress.data_version()
    assert progress.data_version() == before  # reading changes nothing
    review(made, "rejected", actor="admin:test", reason="照片不清晰")
    assert progress.data_version() != before


def test_an_officials_sign_in_keeps_the_data_version(db):
    """A sign-in is audited, but changes no figure: the dashboard's caches must survive it."""
    zhao = worker("zhao", place=community("511802", 1))
    made = report("xinfeng", by=zhao, date=dt.date(2026, 3, 1))
    review(made, "approved", actor="admin:test")
    before = progress.data_version()
    for action in ("login", "logout", "login_failed", "language"):
        AuditLog.create(actor="admin:demo", action=action, entity="admin_user", entity_id="1")
    assert progress.data_version() == before
    review(made, "rejected", actor="admin:test", reason="照片不清晰")  # after the sign-ins
    assert progress.data_version() != before

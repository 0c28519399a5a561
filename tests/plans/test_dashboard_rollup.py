"""The monthly rollup behind the dashboard: kept equal to the raw contributions by triggers,
and giving progress the same numbers as summing the raw rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import community, county, report, worker
from models.plans import progress, rollup
from models.forms.kinds import default_plan
from models.org.places import city
from models.plans.loading import count_report, recount
from models.reports.filing import review
from models.core.schema import Contribution, Report

TODAY = dt.date(2026, 11, 23)


def _rows():
    cm = rollup.ContributionMonth
    return sorted((r.indicator_id, r.org_path, r.parent_path, str(r.month), r.status,
                   Decimal(r.total).quantize(Decimal("0.01")), r.n) for r in cm.select())


def _assert_rollup_matches_a_rebuild():
    live = _rows()
    rollup.rebuild()
    assert live == _rows()


def _data():
    ailin = worker("ailin")
    bowen = worker("bowen", place=community("511803"))
    caixia = worker("caixia", place=community("511802", 4))
    made = [
        report("activity", by=ailin, date=dt.date(2026, 2, 3)),
        report("activity", by=bowen, date=dt.date(2026, 5, 17), participants=12),
        report("xinfeng", by=caixia, date=dt.date(2026, 8, 30)),
        report("milestone", by=ailin, date=dt.date(2025, 6, 1), count=3),
        report("donation", by=bowen, date=dt.date(2026, 3, 9), amount="0.10"),
        report("donation", by=bowen, date=dt.date(2026, 3, 9), amount="0.20"),
        report("placename", by=caixia, date=dt.date(2026, 11, 2), status="approved"),
    ]
    return ailin, bowen, caixia, made


def test_it_keeps_the_rollup_equal_to_the_contributions_through_every_write(db):
    _, _, _, made = _data()
    assert _rows(), "triggers filled the rollup"
    _assert_rollup_matches_a_rebuild()
    review(made[0], "approved", actor="t")
    review(made[1], "rejected", actor="t", reason="照片不清晰")
    _assert_rollup_matches_a_rebuild()
    made[2].activity_date = dt.date(2026, 9, 2)
    made[2].save()
    count_report(made[2])
    _assert_rollup_matches_a_rebuild()
    made[3].delete_instance(recursive=True)
    _assert_rollup_matches_a_rebuild()
    recount()
    _assert_rollup_matches_a_rebuild()
    before = _rows()
    report("xinfeng", by=worker("dawei"), date=dt.date(2026, 10, 1))  # triggers are back
    assert _rows() != before
    _assert_rollup_matches_a_rebuild()


def test_it_removes_rows_that_no_contribution_backs_any_more(db):
    r = report("xinfeng", date=dt.date(2026, 4, 4))
    assert rollup.ContributionMonth.select().where(rollup.ContributionMonth.status == "submitted").count()
    review(r, "rejected", actor="t", reason="x")
    cm = rollup.ContributionMonth
    assert cm.select().where(cm.status == "submitted").count() == 0
    # one row per indicator the event feeds: its count and its participants
    assert cm.select().where(cm.status == "rejected", cm.org_path == "/5118/").count() == 2


def test_it_has_a_row_per_level_from_the_city_down_to_the_community(db):
    r = report("xinfeng", date=dt.date(2026, 4, 4))
    cm = rollup.ContributionMonth
    paths = [p for (p,) in cm.select(cm.org_path).distinct().order_by(cm.org_path).tuples()]
    unit = r.org_unit
    assert paths == [a.path for a in unit.ancestors()]
    assert {str(m) for (m,) in cm.select(cm.month).tuples()} == {"2026-04-01"}


@pytest.mark.parametrize("window", [None, progress.Window.quarter(2026, 1),
                                    progress.Window.half(2026, 2)], ids=["year", "Q1", "H2"])
def test_progress_reads_the_same_numbers_from_the_rollup_and_the_raw_rows(db, monkeypatch, window):
    _data()
    plan = default_plan()
    scopes = [city(), county("511802"), county("511803")]
    from_rollup = [(progress.plan_progress(plan, s, 2026, TODAY, window),
                    progress.breakdown(plan, s, 2026, TODAY, window)) for s in scopes]
    monkeypatch.setattr(rollup, "covers", lambda start, end: False)
    from_raw = [(progress.plan_progress(plan, s, 2026, TODAY, window),
                 progress.breakdown(plan, s, 2026, TODAY, window)) for s in scopes]

    def numbers(pair):
        pp, parts = pair
        head = [(r.indicator.code, r.actual, r.target, r.pace) for r in pp.rows]
        return head, {k: [(r.indicator.code, r.actual) for r in v.rows] for k, v in parts.items()}

    assert [numbers(p) for p in from_rollup] == [numbers(p) for p in from_raw]
    money = next(r for r in from_rollup[0][0].rows if r.indicator.code == "donations_money")
    assert money.actual == (Decimal("0.30") if window in (None, progress.Window.quarter(2026, 1))
                            else Decimal(0))


def test_a_window_that_is_not_whole_months_is_summed_from_the_raw_rows(db, monkeypatch):
    report("xinfeng", date=dt.date(2026, 4, 4))
    report("xinfeng", date=dt.date(2026, 4, 20))
    calls = []
    real = rollup.totals
    monkeypatch.setattr(rollup, "totals", lambda *a, **k: calls.append(a) or real(*a, **k))
    window = progress.Window(dt.date(2026, 4, 1), dt.date(2026, 4, 10), "early April")
    pp = progress.plan_progress(default_plan(), city(), 2026, TODAY, window)
    row = next(r for r in pp.rows if r.indicator.code == "xinfeng_activities")
    assert row.actual == 1
    assert not [a for a in calls if a[1] == dt.date(2026, 4, 1) and a[2] == dt.date(2026, 4, 10)]


def test_a_rebuild_fills_a_rollup_created_on_an_existing_database(db):
    _data()
    before = _rows()
    rollup.ContributionMonth.delete().execute()
    with rollup.suspended():
        Contribution.delete().execute()
        recount()
    assert _rows() == before
    assert Report.select().count() == 7

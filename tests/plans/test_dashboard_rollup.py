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


# ---- the weekly sums behind the weekly trend ---------------------------------------------------

def _week_rows() -> dict:
    cw, rw = rollup.ContributionWeek, rollup.ReportWeek
    return {"contributions": sorted((r.indicator_id, r.org_path, str(r.week), r.status,
                                     Decimal(r.total).quantize(Decimal("0.01")), r.n)
                                    for r in cw.select()),
            "reports": sorted((r.org_path, str(r.week), r.status, r.n) for r in rw.select())}


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:k]) + "/" for k in range(1, len(parts) + 1)]


def _week_rows_from_the_raw_rows() -> dict:
    """The weekly sums computed here, in Python, from every report and contribution."""
    sums: dict = {}
    for c in Contribution.select():
        for path in _ancestors(c.org_path):
            key = (c.indicator_id, path, str(rollup.week_of(c.activity_date)), c.status)
            total, n = sums.get(key, (Decimal(0), 0))
            sums[key] = (total + Decimal(c.value), n + 1)
    counts: dict = {}
    for r in Report.select():
        for path in _ancestors(r.org_path):
            key = (path, str(rollup.week_of(r.activity_date)), r.status)
            counts[key] = counts.get(key, 0) + 1
    return {"contributions": sorted((*k, t.quantize(Decimal("0.01")), n)
                                    for k, (t, n) in sums.items()),
            "reports": sorted((*k, n) for k, n in counts.items())}


def _assert_weeks_match_the_raw_rows():
    live = _week_rows()
    assert live == _week_rows_from_the_raw_rows()
    rollup.rebuild([rollup.CONTRIBUTION_WEEK, rollup.REPORT_WEEK])
    assert _week_rows() == live


def test_a_week_starts_on_monday_and_never_in_the_year_before():
    assert rollup.week_of(dt.date(2026, 11, 25)) == dt.date(2026, 11, 23)  # a Wednesday
    assert rollup.week_of(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)
    assert rollup.week_of(dt.date(2026, 1, 3)) == dt.date(2026, 1, 1)  # Monday was 29 Dec.
    assert rollup.week_of(dt.date(2025, 12, 31)) == dt.date(2025, 12, 29)


KINDS = ("activity", "xinfeng", "placename", "donation", "milestone")
STATUSES = ("submitted", "approved", "rejected")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_weekly_sums_equal_the_raw_rows_through_random_writes(db, seed):
    """Inserts, status changes, moves to another date, deletions in any order, around New
    Year and month ends: after each step the weekly rows are what the raw rows add up to."""
    import random

    rng = random.Random(seed)
    workers = [worker("ailin"), worker("bowen", place=community("511803")),
               worker("caixia", place=community("511802", 4))]
    days = [dt.date(2025, 12, 28), dt.date(2025, 12, 31), dt.date(2026, 1, 1),
            dt.date(2026, 1, 4), dt.date(2026, 1, 5), dt.date(2026, 3, 31), dt.date(2026, 11, 23)]
    made = []
    for _ in range(14):
        step = rng.choice(["add", "add", "review", "move", "delete"] if made else ["add"])
        if step == "add":
            made.append(report(rng.choice(KINDS), by=rng.choice(workers), date=rng.choice(days),
                               status=rng.choice(STATUSES[:2])))
        elif step == "review":
            r = rng.choice(made)
            r.status = rng.choice(STATUSES)
            r.save()
            Contribution.update(status=r.status).where(Contribution.report == r).execute()
        elif step == "move":
            r = rng.choice(made)
            r.activity_date = rng.choice(days)
            r.save()
            count_report(r)
        else:
            made.pop(rng.randrange(len(made))).delete_instance(recursive=True)
        _assert_weeks_match_the_raw_rows()
    assert _week_rows()["reports"] or not made


def test_the_weekly_sums_follow_review_and_a_recount(db):
    _, _, _, made = _data()
    review(made[0], "approved", actor="t")
    review(made[1], "rejected", actor="t", reason="照片不清晰")
    _assert_weeks_match_the_raw_rows()
    recount()
    _assert_weeks_match_the_raw_rows()
    rollup.ContributionWeek.delete().execute()
    rollup.ReportWeek.delete().execute()
    assert rollup.rebuild() > 0
    _assert_weeks_match_the_raw_rows()


def test_the_weekly_trend_reads_the_same_numbers_as_the_raw_rows(db, monkeypatch):
    _data()
    report("xinfeng", by=worker("dawei"), date=dt.date(2026, 11, 24))  # as_of's own week
    plan, as_of = default_plan(), dt.date(2026, 11, 25)
    scopes = [city(), county("511802"), community("511803")]
    from_rollup = [progress.weekly_trend(plan, s, 2026, as_of) for s in scopes]

    def raw_reports(path, start, end, statuses):
        out: dict = {}
        for r in Report.select().where(Report.org_path.startswith(path),
                                       Report.activity_date.between(start, end + dt.timedelta(6)),
                                       Report.status.in_(statuses)):
            week = rollup.week_of(r.activity_date)
            if start <= week <= end:
                out[week] = out.get(week, 0) + 1
        return out

    def raw_totals(ids, path, start, end, statuses):
        out: dict = {}
        for c in Contribution.select().where(Contribution.org_path.startswith(path),
                                             Contribution.indicator.in_(ids),
                                             Contribution.status.in_(statuses)):
            week = rollup.week_of(c.activity_date)
            if start <= week <= end:
                key = (c.indicator_id, week)
                out[key] = out.get(key, Decimal(0)) + Decimal(c.value)
        return out

    monkeypatch.setattr(rollup, "weekly_reports", raw_reports)
    monkeypatch.setattr(rollup, "weekly_totals", raw_totals)
    from_raw = [progress.weekly_trend(plan, s, 2026, as_of) for s in scopes]
    assert from_rollup == from_raw
    city_weeks = {p.start: p.reports for p in from_rollup[0]}
    assert city_weeks[dt.date(2026, 11, 23)] == 1  # counted from the raw rows of this week
    assert sum(city_weeks.values()) == 7  # 2026's reports counted by the plan, to 25 Nov.
    # the fixture's plan sets no annual target below the city: the sums compared directly
    ids = [i.id for i in progress.plan_indicators(plan)]
    year = (dt.date(2026, 1, 1), dt.date(2026, 11, 22), plan.counted_statuses)
    monkeypatch.undo()
    for s in scopes:
        assert rollup.weekly_totals(ids, s.path, *year) == raw_totals(ids, s.path, *year)
        assert rollup.weekly_reports(s.path, *year) == raw_reports(s.path, *year)
    assert rollup.weekly_totals(ids, city().path, *year)

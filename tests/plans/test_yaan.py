"""Document 004 (雅安 九项行动) read as written: what issue 13 found wrong, each checked against
hand-computed numbers — stations that reach 5 events (not a pooled sum), the 14th five-year
plan's 累计 targets counted from 2021, the minors among the participants, the strict 超过, the
deadlines the document does not give marked as assumed, and the numbers the forms collect."""
from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest

from models.core.errors import ValidationError
from models.core.schema import Indicator, OrgUnit, Station
from models.forms.kinds import earliest_date, get_kind, parse_answer, validate_complete
from models.plans import progress
from models.plans.loading import DEFAULT_PLAN_FILE, read_plan_file
from models.forms.kinds import default_plan
from tests import factories as f

TODAY = dt.date(2026, 11, 23)


def _row(pp, code):
    return next(r for r in pp.rows if r.indicator.code == code)


def _city():
    return OrgUnit.get(OrgUnit.level == "city")


def _station_townships(county_code: str) -> list[OrgUnit]:
    county = f.county(county_code)
    paths = [s.path for s in Station.select().where(Station.path.startswith(county.path))
             .order_by(Station.path)]
    return [OrgUnit.get(OrgUnit.path == p) for p in paths]


def _worker_in(township: OrgUnit, name: str):
    community = (OrgUnit.select().where(OrgUnit.parent == township, OrgUnit.level == "community")
                 .order_by(OrgUnit.code).first())
    return f.worker(name, place=community)


def test_each_station_must_hold_five_new_customs_events_a_busy_one_hides_no_idle_one(db):
    plan = default_plan()
    busy, idle, short = _station_townships("511802")[:3]
    w = _worker_in(busy, "ailin")
    for day in range(1, 8):  # 7 events at one station
        f.report("xinfeng", by=w, date=dt.date(2026, 3, day))
    v = _worker_in(short, "bowen")
    for day in range(1, 5):  # 4 at another: not enough
        f.report("xinfeng", by=v, date=dt.date(2026, 4, day))
    f.report("xinfeng", by=v, date=dt.date(2025, 12, 30))  # last year's fifth does not count

    def row(scope):
        return _row(progress.plan_progress(plan, scope, 2026, TODAY), "xinfeng_stations")

    assert (row(busy).actual, row(busy).target, row(busy).pace) == (1, 1, "done")
    assert (row(idle).actual, row(idle).target) == (0, 1)
    assert (row(short).actual, row(short).target) == (0, 1)
    county = f.county("511802")
    stations = Station.select().where(Station.path.startswith(county.path)).count()
    assert stations >= 3
    county_row = row(county)
    # 11 events against a pooled 5 × stations would read as progress; per station it is 1 met.
    assert (county_row.actual, county_row.target) == (1, stations)
    assert county_row.pace != "done"
    assert _row(progress.plan_progress(plan, county, 2026, TODAY), "xinfeng_activities").actual == 11


def test_two_stations_one_with_seven_events_one_with_none_is_one_of_two(db):
    plan = default_plan()
    busy, idle = _station_townships("511803")[:2]
    w = _worker_in(busy, "ailin")
    for day in range(1, 8):
        f.report("xinfeng", by=w, date=dt.date(2026, 6, day))
    m = progress.Measures(plan, 2026, None, f.county("511803"))
    ind = Indicator.get(Indicator.plan == plan, Indicator.code == "xinfeng_stations")
    assert m.presence(ind, busy.path) == (1, 1)
    assert m.presence(ind, idle.path) == (0, 1)
    both = {busy.path, idle.path}
    assert sum(m.presence(ind, p)[0] for p in both) == 1
    assert sum(m.presence(ind, p)[1] for p in both) == 2


def test_cemeteries_and_marriage_pilots_count_from_2021_to_the_end_of_2025(db):
    plan = default_plan()
    w = f.worker("bowen", place=f.community("511822", 1))
    f.report("milestone", by=w, milestone_type="rural_public_cemetery", count=2,
             date=dt.date(2022, 6, 1))  # before the plan's 2023 start: 累计 counts it
    f.report("milestone", by=w, milestone_type="rural_public_cemetery", count=1,
             date=dt.date(2024, 6, 1))
    f.report("milestone", by=w, milestone_type="rural_public_cemetery", count=5,
             date=dt.date(2020, 12, 31))  # before the 14th five-year plan: not counted
    f.report("milestone", by=w, milestone_type="marriage_reform_pilot", count=1,
             date=dt.date(2021, 9, 1))
    pp = progress.plan_progress(plan, _city(), 2026, TODAY)
    cemeteries = _row(pp, "rural_cemeteries")
    assert (cemeteries.actual, cemeteries.target) == (3, 35)
    assert (cemeteries.window.start, cemeteries.window.end) == (dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    assert cemeteries.pace == "missed"
    pilots = _row(pp, "marriage_reform_pilots")
    assert (pilots.actual, pilots.target, pilots.window.start) == (1, 3, dt.date(2021, 1, 1))
    # Midway through the 14th five-year plan the pace is read from 2021, not from 2023.
    mid = _row(progress.plan_progress(plan, _city(), 2023, dt.date(2023, 6, 30)), "rural_cemeteries")
    elapsed = Decimal((dt.date(2023, 6, 30) - dt.date(2021, 1, 1)).days + 1) / Decimal(1826)
    assert mid.expected == (35 * elapsed).quantize(Decimal("0.01"))  # 17.46, not 0.87 × 35 / 3


def test_a_worker_may_report_a_cemetery_built_in_2022_but_not_one_of_2020(db):
    assert earliest_date() == dt.date(2021, 1, 1)
    kind = get_kind("milestone")
    answers = {"milestone_type": "rural_public_cemetery", "name": "某村公益性墓地", "count": 1,
               "date": "2022-05-01"}
    validate_complete(kind, answers, today=TODAY)
    with pytest.raises(ValidationError) as e:
        validate_complete(kind, {**answers, "date": "2020-12-31"}, today=TODAY)
    assert e.value.code == "too_early"


def test_a_typed_date_before_the_plan_takes_the_earlier_start_of_its_kind(db):
    """The bot checks a date against the plan's start first and reads the indicators' earlier
    starts only for a date before it (models.forms.kinds.parse_answer)."""
    date = get_kind("milestone").field("date")
    start = default_plan().start_date
    assert start > dt.date(2022, 5, 1)  # else this checks nothing
    assert parse_answer(date, "2022-05-01", today=TODAY, kind="milestone") == "2022-05-01"
    with pytest.raises(ValidationError) as e:
        parse_answer(date, "2020-12-31", today=TODAY, kind="milestone")
    assert (e.value.code, e.value.args_["earliest"]) == ("too_early", dt.date(2021, 1, 1))
    with pytest.raises(ValidationError) as e:
        parse_answer(get_kind("activity").field("date"), "2022-05-01", today=TODAY,
                     kind="activity")
    assert (e.value.code, e.value.args_["earliest"]) == ("too_early", start)


def test_minors_reached_are_the_minors_not_everyone_present(db):
    plan = default_plan()
    day = dt.date(2025, 6, 1)  # inside the assumed 2023–2025 period
    f.report("activity", participants=50, minors=30, date=day)
    f.report("activity", participants=20, minors=20, activity_type="training", date=day)
    assert _row(progress.plan_progress(plan, _city(), 2025, TODAY), "minors_service_reach").actual == 30
    pp = progress.plan_progress(plan, _city(), 2025, TODAY)
    assert _row(pp, "minors_reached").actual == 50  # every children-line activity
    assert _row(pp, "participants_children").actual == 70


def test_more_than_38000_is_strict_exactly_38000_is_not_done(db):
    w = progress.Window(dt.date(2023, 1, 1), dt.date(2025, 12, 31), "")
    assert progress.pace_of(38000, 38000, w, TODAY, strict=True)[0] == "missed"
    assert progress.pace_of(38001, 38000, w, TODAY, strict=True)[0] == "done"
    assert progress.pace_of(38000, 38000, w, TODAY)[0] == "done"
    ind = Indicator.get(Indicator.plan == default_plan(), Indicator.code == "minors_service_reach")
    assert ind.spec["strict"] is True
    f.report("activity", participants=40, minors=3, date=dt.date(2025, 6, 1))  # far below
    row = _row(progress.plan_progress(default_plan(), _city(), 2026, TODAY), "minors_service_reach")
    assert row.pace == "missed"


UNDATED = {"minors_points", "minors_featured_community", "minors_service_sessions",
           "minors_service_reach", "mental_rehab_stations"}


def test_deadlines_the_document_does_not_give_are_marked_assumed(db):
    spec = read_plan_file(DEFAULT_PLAN_FILE)
    by_code = {i["code"]: i for i in spec["indicators"]}
    for code in UNDATED:
        assert by_code[code]["assumed"] and "due_reads" not in by_code[code], code
        assert Indicator.get(Indicator.code == code, Indicator.plan == default_plan()).spec["assumed"]
    for code in ("rural_cemeteries", "marriage_reform_pilots"):
        assert "assumed" not in by_code[code] and by_code[code]["due_reads"] == "到“十四五”末"
    assert spec["assumed_start"]


def test_the_dashboard_says_which_deadlines_are_assumed_and_which_are_strict(app, as_alice):
    text = html.unescape(as_alice.get("/admin/").get_data(as_text=True))

    def head(code):
        """The indicator's row, in the main table or, once its period has ended, in 已结束的目标期."""
        return text.split(f'data-indicator="{code}"', 1)[1].split("</tr>", 1)[0]

    ended = text.split('id="wd-ended"', 1)[1].split("</table>", 1)[0]
    assert 'data-indicator="minors_points"' in ended  # 2023–2025: ended by 2026, its note kept
    assert "原文未写保护点的完成期限" in head("minors_points")  # the assumption's reason
    assert "原文未写" not in head("rural_cemeteries") and "2021–2025" in head("rural_cemeteries")
    assert "wd-strict" in head("minors_service_reach") and "wd-strict" not in head("minors_points")


def test_the_urban_streets_coverage_counts_streets_with_a_complex(db):
    plan = default_plan()
    streets = list(OrgUnit.select().where(OrgUnit.level == "township", OrgUnit.is_rural == False,  # noqa: E712
                                          OrgUnit.path.startswith(f.county("511802").path))
                   .order_by(OrgUnit.code))
    assert len(streets) >= 2
    w = _worker_in(streets[0], "ailin")
    f.report("milestone", by=w, milestone_type="elderly_complex", count=2, date=dt.date(2022, 3, 1))
    row = _row(progress.plan_progress(plan, f.county("511802"), 2026, TODAY), "elderly_complex_coverage")
    assert (row.actual, row.target) == (1, len(streets))


def test_special_groups_visits_and_the_five_aspects_are_counted(db):
    plan = default_plan()
    f.report("activity", groups=["orphan", "dibao"])
    f.report("activity", action_line="assistance", groups=["tekun"])
    f.report("activity", action_line="mental", groups=["mental_disorder"])
    f.report("activity", action_line="elderly", elderly_visited=12)
    f.report("placename", audience=60, elderly=10, children=40)
    f.report("xinfeng", participants=33)
    f.report("milestone", milestone_type="municipal_selfgov_case", aspect="consultation")
    pp = progress.plan_progress(plan, _city(), 2026, TODAY)
    got = {code: _row(pp, code).actual for code in (
        "special_children_services", "assistance_recipient_services", "mental_disorder_services",
        "elderly_visits", "placename_yilao_yixiao", "placename_audience", "xinfeng_participants",
        "activity_volunteers", "municipal_selfgov_cases")}
    assert got == {"special_children_services": 1, "assistance_recipient_services": 2,
                   "mental_disorder_services": 1, "elderly_visits": 12,
                   "placename_yilao_yixiao": 50, "placename_audience": 60,
                   "xinfeng_participants": 33, "activity_volunteers": 20,
                   "municipal_selfgov_cases": 1}
    kind = get_kind("milestone")
    asked = [x.name for x in kind.visible_fields({"milestone_type": "municipal_selfgov_case"})]
    assert "aspect" in asked
    assert "aspect" not in [x.name for x in kind.visible_fields({"milestone_type": "rural_public_cemetery"})]


def test_more_minors_than_participants_is_refused(db):
    kind = get_kind("activity")
    answers = dict(f.ANSWERS["activity"], minors=31, date="2026-11-20")
    with pytest.raises(ValidationError) as e:
        validate_complete(kind, answers, today=TODAY)
    assert e.value.code == "minors_exceed_participants"


def test_a_quarter_asks_each_station_its_share_of_the_five(db):
    """Read over a quarter, 5 a year is 5 × 91/365 = 1.25 events: 2 meet it, 1 does not."""
    plan = default_plan()
    two, one = _station_townships("511803")[:2]
    for day in (dt.date(2026, 4, 2), dt.date(2026, 6, 30), dt.date(2026, 7, 1)):
        f.report("xinfeng", by=_worker_in(two, "ailin") if day.month != 7 else _worker_in(one, "dan"),
                 date=day)
    f.report("xinfeng", by=_worker_in(one, "bowen"), date=dt.date(2026, 5, 5))
    q2 = progress.Window.quarter(2026, 2)
    ind = Indicator.get(Indicator.plan == plan, Indicator.code == "xinfeng_stations")
    m = progress.Measures(plan, 2026, q2, f.county("511803"))
    assert m.presence(ind, two.path) == (1, 1)
    assert m.presence(ind, one.path) == (0, 1)  # its July event is the next quarter's
    whole = progress.Measures(plan, 2026, None, f.county("511803"))
    assert whole.presence(ind, two.path) == (0, 1)  # over the year, 2 of 5 is not enough


def test_a_presence_over_stations_without_a_count_is_refused():
    from models.plans.loading import PlanFileError, check_indicator
    ind = {"code": "x", "measure": "presence", "spec": {"level": "station", "attr": "fund"}}
    with pytest.raises(PlanFileError, match="over stations needs a count"):
        check_indicator("p", ind, {"x"})
    check_indicator("p", {**ind, "spec": {"level": "station", "count": "x", "min": 5}}, {"x"})

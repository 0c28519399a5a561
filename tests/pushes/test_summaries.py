"""Weekly summaries and digests, checked against numbers worked out by hand.

The places: 雨城区 (511802) has 13 townships (so 13 social-work stations), 7 of them with 3
communities each (21 communities); the city has 96 stations (counted below, not assumed). The annual
target of the default plan a county carries is 新风弘扬: every station holds 5 activities a
year (the stations that have, of all stations); a county with streets also carries the
standing coverage of its streets by elderly-care complexes (none reported here: 0 %).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests import factories as f
from models.pushes import summaries
from models.forms.kinds import default_plan
from models.core.i18n import translator
from models.plans.progress import Window
from models.core.schema import Indicator, OrgUnit, ReportKind
from models.plans import progress
from models.org.places import stations_in

D = dt.date
AS_OF = D(2026, 11, 22)  # Sunday of ISO week 2026-W47 (16–22 November)


def stations(scope) -> int:
    return stations_in(scope).count()


def pace_mark(n: int) -> float:
    """22 November is day 326 of 2026: the pace mark is 326/365 of n stations, in %."""
    return round(float((Decimal(n) * 326 / 365).quantize(Decimal("0.01")) / n * 100), 1)


def has_streets(scope) -> bool:
    return OrgUnit.select().where(OrgUnit.level == "township", OrgUnit.is_rural == False,  # noqa: E712
                                  OrgUnit.path.startswith(scope.path)).exists()


@pytest.fixture
def week(db):
    """ailin (township 1 of 雨城区), caixia (township 2 of 雨城区), bowen (名山区)."""
    ailin = f.worker("ailin", place=f.community("511802", 0))
    caixia = f.worker("caixia", place=f.community("511802", 3))
    bowen = f.worker("bowen", place=f.community("511803", 0))
    f.report("activity", by=ailin, date=D(2026, 11, 20))  # children line
    f.report("activity", by=ailin, date=D(2026, 11, 16), status="approved", action_line="elderly")
    f.report("activity", by=ailin, date=D(2026, 11, 18), status="rejected")  # not counted
    f.report("xinfeng", by=ailin, date=D(2026, 11, 21))
    f.report("xinfeng", by=caixia, date=D(2026, 11, 17))
    f.report("xinfeng", by=caixia, date=D(2026, 3, 2))  # earlier this year
    for day in (2, 9, 16):  # caixia's station reaches 5 this year
        f.report("xinfeng", by=caixia, date=D(2026, 2, day))
    f.report("activity", by=ailin, date=D(2026, 11, 15))  # Sunday of the week before
    f.report("donation", by=ailin, date=D(2026, 11, 19))  # no action line
    f.report("activity", by=bowen, date=D(2026, 11, 20))  # another county
    return {"ailin": ailin, "caixia": caixia, "bowen": bowen}


def test_it_counts_this_weeks_reports_by_kind_and_line(week):
    s = summaries.weekly_summary(f.county("511802"), default_plan(), AS_OF)
    assert (s.week.start, s.week.end, s.week.label) == (
        D(2026, 11, 16), D(2026, 11, 22), "2026-W47")
    assert {k.code: k.count for k in s.kinds if k.count} == {
        "activity": 2, "xinfeng": 2, "donation": 1}
    assert [k.code for k in s.kinds] == [k.code for k in ReportKind.select().order_by(
        ReportKind.order)]  # every kind, zeros included, in the form's order
    assert s.reports == 5
    assert {lp.line.code: lp.reports for lp in s.lines if lp.reports} == {
        "children": 1, "elderly": 1, "xinfeng": 2}
    assert s.other_reports == 1


def test_it_gives_the_year_to_date_with_pace(week):
    county = f.county("511802")
    s = summaries.weekly_summary(county, default_plan(), AS_OF)
    xinfeng = next(lp for lp in s.lines if lp.line.code == "xinfeng")
    # 1 station (caixia's, 5 events) of 雨城区's 13 has held its 5; ailin's 1 does not count
    n = stations(county)
    assert xinfeng.completion == pytest.approx(100 / n)
    assert round(xinfeng.expected, 1) == pace_mark(n)
    assert xinfeng.pace == "at_risk"  # 1 of 13 (7.7 %) is below 0.75 × 89.4 %
    # the county's current targets: 新风弘扬, and its streets' elderly-care complexes (the
    # 2023–2025 ones are history in 2026)
    lines = [lp.line.code for lp in s.lines if lp.completion is not None]
    assert lines == (["elderly", "xinfeng"] if has_streets(county) else ["xinfeng"])
    parts = [100 / n] + ([0] if has_streets(county) else [])
    assert (s.overall.completion, s.overall.pace) == (pytest.approx(sum(parts) / len(parts)),
                                                      "at_risk")


def test_it_names_the_places_furthest_behind_worst_first(week):
    county = f.county("511802")
    s = summaries.weekly_summary(county, default_plan(), AS_OF)
    townships = [u.code for u in
                 OrgUnit.select().where(OrgUnit.parent == county).order_by(OrgUnit.code)]
    assert s.behind_level == "township"
    caixias = week["caixia"].org_unit.parent.code  # the one station that held its 5
    zero = [t for t in townships if t != caixias]
    assert [u.code for u, _, _ in s.behind] == zero[:5]  # five at 0 %, by code
    assert all(c == 0 for _, c, _ in s.behind)
    everyone, _ = summaries.furthest_behind(default_plan(), county, 2026, AS_OF, n=len(townships))
    assert everyone[-1][0].code == caixias and everyone[-1][1] > 0


def test_it_lists_communities_silent_for_two_weeks(week):
    s = summaries.weekly_summary(f.county("511802"), default_plan(), AS_OF)
    assert len(s.silent) == 21 - 2
    heard = {week["ailin"].org_unit_id, week["caixia"].org_unit_id}
    assert not heard & {u.id for u, _ in s.silent}


def test_the_weekly_text_says_it_in_the_groups_language(week):
    s = summaries.weekly_summary(f.county("511802"), default_plan(), AS_OF)
    en = summaries.format_weekly(s, translator("en"))
    assert "<b>Weekly summary: Yucheng</b>" in en
    assert "<b>5 reports this week</b>" in en
    assert "Activity held: 2" in en and "Donation to a community fund: 1" in en
    n = stations(f.county("511802"))
    assert f"{100 / n:.1f}% (expected {pace_mark(n)}%, 🔴 at risk)" in en
    assert "19 communities without reports for two weeks" in en and "and 9 more" in en
    zh = summaries.format_weekly(s, translator("zh_Hans"))
    assert "雨城区" in zh and "开展活动：2" in zh and "严重滞后" in zh
    assert len(en) <= summaries.MESSAGE_LIMIT and len(zh) <= summaries.MESSAGE_LIMIT


def test_names_are_escaped_for_telegram_html(week):
    county = f.county("511802")
    county.name_en = "Yu <b>cheng</b> & co"
    county.save()
    text = summaries.format_weekly(summaries.weekly_summary(county, default_plan(), AS_OF),
                                   translator("en"))
    assert "Yu &lt;b&gt;cheng&lt;/b&gt; &amp; co" in text and "<b>cheng</b>" not in text


def test_a_long_text_is_cut_at_a_line_and_fits():
    lines = ["<b>title</b>"] + [f"• <i>line {i}</i>" for i in range(1000)]
    text = summaries.fit(lines, 4096)
    assert len(text) <= 4096 and text.endswith("…")
    assert all(line.count("<i>") == line.count("</i>") for line in text.splitlines())


def test_a_community_without_anything_says_so(db):
    s = summaries.weekly_summary(f.community("511827"), default_plan(), AS_OF)
    assert s.reports == 0 and s.behind == [] and s.overall.completion is None
    text = summaries.format_weekly(s, translator("en"))
    assert "No reports dated this week." in text and "No annual targets at this level." in text
    assert "1 community without reports for two weeks" in text


# ---- the digest ------------------------------------------------------------------------------

@pytest.fixture
def quarter(db):
    ailin = f.worker("ailin", place=f.community("511802", 0))
    bowen = f.worker("bowen", place=f.community("511803", 0))
    f.report("donation", by=ailin, date=D(2026, 10, 10), amount="5000.00")
    f.report("donation", by=bowen, date=D(2026, 11, 19), amount="1200.50", goods_value="300")
    f.report("donation", by=bowen, date=D(2026, 12, 1), amount="999", status="rejected")
    f.report("donation", by=ailin, date=D(2026, 9, 30), amount="777")  # Q3
    f.report("xinfeng", by=ailin, date=D(2026, 10, 3))
    f.report("xinfeng", by=ailin, date=D(2026, 12, 24))
    f.report("xinfeng", by=bowen, date=D(2026, 11, 2))
    f.report("placename", by=ailin, date=D(2026, 11, 5), stories=3)
    f.report("placename", by=bowen, date=D(2026, 12, 5), stories=4)
    return {"ailin": ailin, "bowen": bowen}


def test_the_digest_sums_donations_and_counts_activities(quarter):
    city = OrgUnit.get(OrgUnit.level == "city")
    d = summaries.digest(city, default_plan(), Window.quarter(2026, 4), D(2026, 12, 31))
    assert (d.donations, d.donated_goods, d.donation_reports) == (
        Decimal("6200.50"), Decimal("300"), 2)
    assert (d.xinfeng, d.placename, d.placename_stories) == (3, 2, 7)
    assert [(m.start, m.donations, m.xinfeng, m.placename) for m in d.months] == [
        (D(2026, 10, 1), Decimal("5000.00"), 1, 0),
        (D(2026, 11, 1), Decimal("1200.50"), 1, 1),
        (D(2026, 12, 1), Decimal(0), 1, 1)]


def test_the_digest_figures_are_the_plan_counters_as_progress_counts_them(quarter):
    city = OrgUnit.get(OrgUnit.level == "city")
    q4 = Window.quarter(2026, 4)
    d = summaries.digest(city, default_plan(), q4, D(2026, 12, 31))
    pp = progress.plan_progress(default_plan(), city, 2026, D(2026, 12, 31), q4)
    actual = {r.indicator.code: r.actual for r in pp.rows}
    assert (d.donations, d.donated_goods, d.xinfeng, d.placename, d.placename_stories) == (
        actual["donations_money"], actual["donations_goods"], actual["xinfeng_activities"],
        actual["placename_promotions"], actual["placename_stories"])


def test_a_figure_whose_counter_the_plan_lacks_reads_zero(quarter):
    city = OrgUnit.get(OrgUnit.level == "city")
    Indicator.delete().where(Indicator.plan == default_plan(),
                             Indicator.code == "donations_goods").execute()
    d = summaries.digest(city, default_plan(), Window.quarter(2026, 4), D(2026, 12, 31))
    assert (d.donations, d.donated_goods) == (Decimal("6200.50"), Decimal(0))


def test_the_digest_measures_the_quarter_against_its_share_of_the_year(quarter):
    city = OrgUnit.get(OrgUnit.level == "city")
    d = summaries.digest(city, default_plan(), Window.quarter(2026, 4), D(2026, 12, 31))
    xinfeng = next(lp for lp in d.lines if lp.line.code == "xinfeng")
    # a quarter asks each station 5 × 92/365 = 1.26 events: ailin's held 2 (met), bowen's 1
    assert xinfeng.completion == pytest.approx(100 / stations(city))
    assert xinfeng.expected == pytest.approx(100.0)


def test_the_city_digest_ranks_counties(quarter):
    city = OrgUnit.get(OrgUnit.level == "city")
    d = summaries.digest(city, default_plan(), Window.quarter(2026, 4), D(2026, 12, 31))
    assert d.ranking_level == "county"
    # 雨城区: 1 of its stations met the quarter's share (2 ≥ 1.26), its streets 0 %; 名山区's
    # one event is short of it; the rest 0, by code
    yucheng = f.county("511802")
    parts = [100 / stations(yucheng)] + ([0] if has_streets(yucheng) else [])
    assert [(u.code, round(c, 2)) for u, c, _ in d.ranking] == [
        ("511802", round(sum(parts) / len(parts), 2)), ("511803", 0),
        ("511822", 0), ("511823", 0), ("511824", 0), ("511825", 0), ("511826", 0), ("511827", 0)]


def test_a_county_digest_ranks_its_townships(quarter):
    d = summaries.digest(f.county("511802"), default_plan(), Window.half(2026, 2), D(2026, 12, 31))
    assert d.ranking_level == "township" and len(d.ranking) == 13
    assert d.ranking[0][0].id == quarter["ailin"].org_unit.parent_id
    assert d.kind == "half" and d.donations == Decimal("5777.00")  # H2 includes 30 September


def test_the_digest_text(quarter):
    city = OrgUnit.get(OrgUnit.level == "city")
    d = summaries.digest(city, default_plan(), Window.quarter(2026, 4), D(2026, 12, 31))
    en = summaries.format_digest(d, translator("en"))
    assert "<b>Quarterly digest: Ya'an, 2026, quarter 4</b>" in en
    assert "1. Yucheng: " in en and "1. Mingshan" not in en
    assert "Donations raised: CN¥6,200.50 in 2 donations, and goods worth CN¥300.00" in en
    assert "New-customs (新风弘扬) activities: 3" in en
    assert "promotions: 2, with 7 stories collected" in en
    zh = summaries.format_digest(d, translator("zh_Hans"))
    assert "雅安市" in zh and "2026年第4季度" in zh and "雨城区" in zh


def test_the_weekly_trend_runs_through_the_year(quarter):
    city = OrgUnit.get(OrgUnit.level == "city")
    d = summaries.digest(city, default_plan(), Window.quarter(2026, 4), D(2026, 12, 31))
    assert d.trend[0].start == D(2025, 12, 29) and d.trend[-1].start == D(2026, 12, 28)
    by_week = {p.start: p.reports for p in d.trend}
    assert by_week[D(2026, 9, 28)] == 2  # a donation on 30 Sept., a xinfeng on 3 Oct.
    assert sum(by_week.values()) == 8  # every counted report of 2026


def test_the_week_across_new_year_closes_the_old_year(db):
    ailin = f.worker("ailin", place=f.community("511802", 0))
    f.report("xinfeng", by=ailin, date=D(2026, 12, 30))
    f.report("xinfeng", by=ailin, date=D(2027, 1, 2))
    for day in (1, 2, 3, 4):  # with 30 December, ailin's station holds 5 in 2026
        f.report("xinfeng", by=ailin, date=D(2026, 12, day))
    s = summaries.weekly_summary(f.county("511802"), default_plan(), D(2027, 1, 3))
    assert s.week.label == "2026-W53" and s.reports == 2
    assert (s.progress.year, s.progress.as_of) == (2026, D(2026, 12, 31))
    xinfeng = next(lp for lp in s.lines if lp.line.code == "xinfeng")
    assert xinfeng.completion == pytest.approx(100 / stations(f.county("511802")))  # 2026's
    assert "Year 2026 to date" in summaries.format_weekly(s, translator("en"))


def test_a_township_digest_has_no_ranking_chart_when_its_communities_have_no_targets(quarter):
    township = quarter["ailin"].org_unit.parent
    d = summaries.digest(township, default_plan(), Window.quarter(2026, 4), D(2026, 12, 31))
    assert d.ranking_level == "community" and all(c is None for _, c, _ in d.ranking)
    assert [s["chart"] for s in d.chart_specs("en")] == [
        "digest_lines", "digest_trend", "digest_figures"]
    assert "Ranking of places" not in summaries.format_digest(d, translator("en"))

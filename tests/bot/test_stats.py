"""/mystats: the worker's own counts, and their community's and county's progress, by hand."""
from __future__ import annotations

import datetime as dt

from models.core.schema import OrgUnit, Station
from tests import factories
from tests.botkit import worker_of


async def test_it_shows_my_counts_and_our_progress_against_targets(bot_app):
    ailin = bot_app.chat("ailin")
    me = worker_of(ailin)
    bowen = factories.worker("bowen", place=me.org_unit)
    caixia = factories.worker("caixia", place=factories.community("511803"))
    factories.report("activity", by=me)  # children / service, 30 people, 2026-11-20
    factories.report("activity", by=me, participants=25)
    factories.report("activity", by=me, date=dt.date(2025, 6, 1))  # last year
    factories.report("activity", by=me, status="rejected")  # not counted
    factories.report("xinfeng", by=me)
    factories.report("activity", by=bowen, participants=20)
    factories.report("xinfeng", by=caixia)  # another county

    await ailin.send("/mystats")
    lines = ailin.last.split("\n")
    community, county = me.org_unit.name, me.org_unit.ancestor_at("county").name_en
    assert lines[:4] == [
        "📊 Your reports in 2026",
        "🤝 Activity held: 2",
        "🎎 New customs (weddings and funerals): 1",
        "3 reports in all.",
    ]
    # The community has no targets, so only what was counted this year shows: ailin's two
    # activities and bowen's one (30 + 25 + 20 people, 20 minors each, 5 volunteers each), and
    # one new-customs event of 40 people. Last year's activity counts toward the plan's
    # 2023–2025 targets, which are history in 2026.
    at = lines.index(f"🏘 {community}, 2026 (as of Nov 23, 2026)")
    counted = [
        "• Activities held (Child care): 3 activities",
        "• Participants (Child care): 75 person-times",
        "• Volunteers serving at activities: 15 person-times",
        "• Minors reached by children-line activities: 60 person-times",
        "• New-customs (weddings and funerals) activities: 1 activities",
        "• Participants in new-customs activities: 40 person-times",
    ]
    assert lines[at + 1:at + 8] == counted + [""]
    # The county: every social-work station should hold 5 new-customs activities a year; of
    # 雨城区's stations none has (its one event is short), and by Nov 23 (day 327 of 365)
    # 89.6 % of them were due: at risk. Its streets have no elderly-care complex reported yet.
    at = lines.index(f"🏛 {county}, 2026 (as of Nov 23, 2026)")
    yucheng = me.org_unit.ancestor_at("county")
    stations = Station.select().where(Station.path.startswith(yucheng.path)).count()
    streets = OrgUnit.select().where(OrgUnit.level == "township", OrgUnit.is_rural == False,  # noqa: E712
                                     OrgUnit.path.startswith(yucheng.path)).count()
    assert lines[at + 1:] == [
        "🔴 Stations holding at least 5 new-customs activities a year: "
        f"0 / {stations} stations (0.0%, at risk)",
        f"🔴 Urban streets with a community elderly-care complex: 0 / {streets} streets (0.0%, at risk)",
    ] + counted
    assert "Bowen" not in ailin.last and "Caixia" not in ailin.last  # people are never ranked


async def test_it_shows_empty_stats_to_a_new_worker(bot_app):
    duoduo = bot_app.chat("duoduo", place=factories.community("511803"))
    await duoduo.send("/mystats")
    assert "None yet this year. Send /report to add one." in duoduo.last
    assert "Nothing counted yet this year." in duoduo.last

"""Every report kind, end to end over the real HTTP path, to a stored Report."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.schema import Contribution, Indicator

from tests.botkit import ACTIVITY, TODAY, bot_api, bot_app, draft_of, reports_of, walk  # noqa: F401


def contributions(report) -> dict[str, Decimal]:
    return {c.indicator.code: Decimal(c.value) for c in
            Contribution.select().join(Indicator).where(Contribution.report == report)}


async def test_it_stores_an_activity_report(bot_app):
    alice = bot_app.chat("alice")
    await walk(alice, ACTIVITY)
    assert "Please check your report" in alice.last
    assert len(alice.live()) == 1
    await alice.press("Submit")
    assert "Your report is saved" in alice.last
    [report] = reports_of(alice)
    assert report.kind.code == "activity"
    assert report.activity_date == TODAY - dt.timedelta(days=1)
    assert report.action_line == "children"
    assert report.values == {"action_line": "children", "activity_type": "service",
                             "title": "四点半课堂", "date": "2026-11-22", "place": "社区活动室",
                             "participants": 30, "parties": ["community", "volunteer"],
                             "volunteers": 5, "summary": None, "photos": 0}
    assert contributions(report) == {
        "minors_service_sessions": 1, "minors_service_reach": 30,
        "activities_children": 1, "participants_children": 30}
    assert draft_of(alice) is None

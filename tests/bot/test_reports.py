"""Every report kind, end to end over the real HTTP path, to a stored Report; and the ways
through the form: Back, Skip, Edit a field, Cancel, /cancel, an unfinished report."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.core.schema import Contribution, Draft, Indicator, Plan, Report

from tests.botkit import (ACTIVITY, CONTINUE, TODAY, at_card, draft_of, only_the_newest_acts,
                          open_at, refused, reports_of, walk)


def contributions(report, plan: str = "yaan-jiuxiang") -> dict[str, Decimal]:
    """What the report adds to each indicator of one plan (the default plan unless named)."""
    return {c.indicator.code: Decimal(c.value) for c in
            Contribution.select().join(Indicator).join(Plan)
            .where(Contribution.report == report, Plan.code == plan)}


async def submit(chat) -> Report:
    assert "Please check your report" in chat.last
    await chat.press("Submit")
    assert "Your report is saved" in chat.last
    [report] = reports_of(chat)
    return report


async def test_it_stores_an_activity_report(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, ACTIVITY)
    await only_the_newest_acts(ailin)  # only the card can be tapped
    report = await submit(ailin)
    assert report.kind.code == "activity"
    assert report.activity_date == TODAY - dt.timedelta(days=1)
    assert report.action_line == "children"
    assert report.org_unit_id == report.worker.org_unit_id
    assert report.values == {"action_line": "children", "activity_type": "service",
                             "title": "四点半课堂", "date": "2026-11-22", "place": "社区活动室",
                             "participants": 30, "minors": 20, "groups": None,
                             "parties": ["community", "volunteer"],
                             "volunteers": 5, "summary": None, "photos": 0}
    assert contributions(report) == {
        "minors_service_sessions": 1, "minors_service_reach": 20, "minors_reached": 20,
        "activities_children": 1, "participants_children": 30, "activity_volunteers": 5}
    assert draft_of(ailin) is None


async def test_it_stores_a_new_customs_report(bot_app):
    bowen = bot_app.chat("bowen")
    await walk(bowen, ["/report", ("press", "New customs"), ("press", "Frugal funerals"),
                     "上周六", "村委会", "三十", ("press", "Skip")])
    report = await submit(bowen)
    assert report.activity_date == dt.date(2026, 11, 21)
    assert report.action_line == "xinfeng"
    assert report.values == {"event_type": "frugal_funeral", "date": "2026-11-21",
                             "place": "村委会", "participants": 30, "photos": 0}
    assert contributions(report) == {"xinfeng_activities": 1, "xinfeng_participants": 30}


async def test_it_stores_a_place_name_report(bot_app):
    caixia = bot_app.chat("caixia")
    await walk(caixia, ["/report", ("press", "Place-name"), ("press", "In a school"), "昨天",
                       "上里古镇", "3个", "60人", "10", "四十", ("press", "Skip")])
    report = await submit(caixia)
    assert report.activity_date == dt.date(2026, 11, 22)
    assert report.action_line == "placename"
    assert report.values == {"setting": "school", "date": "2026-11-22", "place_names": "上里古镇",
                             "stories": 3, "audience": 60, "elderly": 10, "children": 40,
                             "photos": 0}
    assert contributions(report) == {"placename_promotions": 1, "placename_stories": 3,
                                     "placename_audience": 60, "placename_yilao_yixiao": 50}


async def test_it_stores_a_money_donation(bot_app):
    dan = bot_app.chat("dan")
    await walk(dan, ["/report", ("press", "Donation"), ("press", "An enterprise")])
    assert "Step 2/5" in dan.last  # the amount is not asked until the form is known
    await dan.press("Money")
    assert "Step 3/6" in dan.last and "How much, in yuan?" in dan.last
    await walk(dan, ["1.5万", "和平社区慈善基金", "2026-11-20", ("press", "Skip")])
    assert "Amount: CN¥15,000.00" in dan.last
    report = await submit(dan)
    assert report.activity_date == dt.date(2026, 11, 20)
    assert report.action_line is None
    assert report.values == {"donor_type": "enterprise", "form": "money", "amount": "15000.00",
                             "fund": "和平社区慈善基金", "date": "2026-11-20", "photos": 0}
    # every donation counts toward both sums (the domain's rule): goods are worth 0 here
    assert contributions(report) == {"donations_money": 15000, "donations_goods": 0}
    # entered once, counted by the other plans that measure money raised too
    assert contributions(report, "tianjin-wushe-demo-2024") == {"funds_raised": 15000}


async def test_it_stores_a_donation_of_goods(bot_app):
    erin = bot_app.chat("erin")
    await walk(erin, ["/report", ("press", "Donation"), ("press", "An individual"),
                      ("press", "Goods"), "大米20袋", "800元", "爱心基金", ("press", "Today"),
                      ("press", "Skip")])
    assert "Amount" not in erin.last and "Goods: 大米20袋" in erin.last
    report = await submit(erin)
    assert report.activity_date == TODAY
    assert report.values == {"donor_type": "individual", "form": "goods", "goods": "大米20袋",
                             "goods_value": "800.00", "fund": "爱心基金",
                             "date": "2026-11-23", "photos": 0}
    assert contributions(report) == {"donations_goods": 800, "donations_money": 0}


async def test_it_stores_a_milestone_with_a_quick_number(bot_app):
    fay = bot_app.chat("fay")
    await walk(fay, ["/report", ("press", "Milestone"), ("press", "Minors-protection point"),
                     "和平社区未成年人保护点"])
    assert fay.keyboard()[:3] == ["1", "2", "3"]
    await walk(fay, [("press", "2"), ("press", "2 days ago"), ("press", "Skip")])
    report = await submit(fay)
    assert report.action_line == "children"  # from the chosen option's line
    assert report.activity_date == dt.date(2026, 11, 21)
    assert report.values["count"] == 2
    assert contributions(report) == {"minors_points": 2}


async def test_it_counts_only_visible_fields_in_the_step_counter(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, ["/report", ("press", "Activity held")])
    assert "Step 1/11" in ailin.last and "Which action line" in ailin.last
    assert "Back" not in ailin.keyboard()  # nothing to go back to


async def test_it_goes_back_to_change_an_answer(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, ["/report", ("press", "Activity held"), ("press", "Child care"),
                       ("press", "Service"), "四点半课堂"])
    assert "Step 4/13" in ailin.last  # a children-line activity also asks minors and groups
    await ailin.press("Back")
    assert "Step 3/13" in ailin.last and "Current answer: 四点半课堂" in ailin.last
    await ailin.press("Back")
    assert "Step 2/13" in ailin.last and "Current answer: Service" in ailin.last
    await ailin.press("Training")
    assert "Step 4/13" in ailin.last  # the title is kept: on to the first unanswered question
    draft = draft_of(ailin)
    assert draft.answers["activity_type"] == "training" and draft.answers["title"] == "四点半课堂"
    await ailin.press("Back")
    assert "Step 3/13" in ailin.last  # the question above, not the last one answered


async def test_it_skips_optional_fields(bot_app):
    ailin = bot_app.chat("ailin")
    open_at(ailin, "activity", action_line="elderly", activity_type="service", title="t",
            date="2026-11-20", place="p", participants=12, elderly_visited=3,
            parties=["community"])
    await walk(ailin, ["/report", ("press", "Continue")])
    assert "How many volunteers" in ailin.last and "Skip" in ailin.keyboard()
    await walk(ailin, [("press", "Skip"), ("press", "Skip"), ("press", "Skip"), ("press", "Skip")])
    assert "Volunteers: —" in ailin.last and "Location: —" in ailin.last
    report = await submit(ailin)
    assert report.values["volunteers"] is None and report.latitude is None


async def test_it_edits_a_field_from_the_card(bot_app):
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    await ailin.press("Edit a field")
    assert {"Participants", "Title", "Photos"} <= set(ailin.keyboard())
    await ailin.press("Participants")
    assert "How many people took part?" in ailin.last and "Current answer: 30" in ailin.last
    assert "Step 6/13" in ailin.last and ailin.keyboard() == ["⬅ Back to the report"]
    await ailin.send("45")
    assert "Please check your report" in ailin.last and "Participants: 45" in ailin.last
    report = await submit(ailin)
    assert report.values["participants"] == 45
    assert contributions(report)["participants_children"] == 45
    assert contributions(report)["minors_service_reach"] == 20  # the minors, not everyone


async def test_it_asks_the_fields_an_edit_reveals(bot_app):
    dan = bot_app.chat("dan")
    open_at(dan, "donation", donor_type="enterprise", form="money", amount="500.00", fund="f",
            date="2026-11-20", photos=0)
    await walk(dan, ["/report", ("press", "Continue"), ("press", "Edit a field"),
                     ("press", "Form"), ("press", "Goods")])
    assert "What goods were donated?" in dan.last
    await walk(dan, ["棉被10床", "1000"])
    assert "Goods: 棉被10床" in dan.last and "Amount" not in dan.last
    report = await submit(dan)
    assert "amount" not in report.values and report.values["goods_value"] == "1000.00"


async def test_it_returns_to_the_card_without_changing_a_field(bot_app):
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    await walk(ailin, [("press", "Edit a field"), ("press", "Back to the report")])
    assert "✅ Submit" in ailin.keyboard()
    await walk(ailin, [("press", "Edit a field"), ("press", "Title"),
                       ("press", "Back to the report")])
    assert "Please check your report" in ailin.last and "Title: 四点半课堂" in ailin.last
    await submit(ailin)


async def test_it_cancels_from_the_card(bot_app):
    ailin = bot_app.chat("ailin")
    at_card(ailin)
    await walk(ailin, CONTINUE)
    await ailin.press("Cancel")
    assert "cancelled and nothing was saved" in ailin.last
    assert reports_of(ailin) == [] and draft_of(ailin) is None
    assert ailin.live() == []


async def test_it_cancels_midway_with_the_command(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, ["/report", ("press", "Activity held"), ("press", "Child care")])
    await ailin.send("/cancel")
    assert "cancelled and nothing was saved" in ailin.last
    assert draft_of(ailin) is None
    await refused(ailin, ailin.live())  # the cancelled question's buttons: no report open
    assert ailin.live() == []
    await ailin.send("好的")  # an answer to the cancelled question finds no report
    assert "You have no report open" in ailin.last and draft_of(ailin) is None
    await ailin.send("/cancel")
    assert "There is no report to cancel" in ailin.last


async def test_it_offers_to_continue_an_unfinished_report(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, ["/report", ("press", "Activity held"), ("press", "Child care"), "/report"])
    assert "You have an unfinished report: 🤝 Activity held" in ailin.last
    await ailin.press("Continue")
    assert "Step 2/13" in ailin.last
    await walk(ailin, ["/report", ("press", "Start a new report")])
    assert "What would you like to report?" in ailin.last and draft_of(ailin) is None
    await ailin.press("New customs")
    assert Draft.select().count() == 1 and draft_of(ailin).kind.code == "xinfeng"


async def test_it_starts_one_report_on_a_double_tap(bot_app):
    ailin = bot_app.chat("ailin")
    await ailin.send("/report")
    before = len(ailin.user.messages)
    await ailin.user.press("Activity held")
    second = await ailin.user.press("Activity held")  # before the bot has answered the first
    await ailin.done.until(second)
    # the tapped menu (before - 1) is edited into the first question, asked once
    assert ["🤝 Step 1/11\nWhich action line was this activity under?" in m["text"]
            for m in ailin.user.messages[before - 1:]].count(True) == 1
    assert Draft.select().count() == 1 and len(ailin.live()) == 1

"""Volunteers through the bot, over the real HTTP path: a registration is one report and one
volunteer whatever is tapped twice or redelivered; service hours go to a volunteer of the
worker's own community only, in half hours, never more than 24 a day."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models import registry as r
from models.core.schema import Report, Volunteer, VolunteerHours

from tests import factories
from tests.botkit import CONTINUE, TODAY, draft_of, open_at, reports_of, walk, worker_of

ID_A = "11010519491231002X"
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
REGISTRATION = ["/report", ("press", "Volunteer registration"), "陈海燕", ("press", "Female"),
                "138 1234 5678", ID_A, "和平社区志愿服务队", "理发、陪护", ("press", "Yesterday")]


def volunteer(place, name: str, phone: str) -> Volunteer:
    return r.register_volunteer(place, {"name": name, "phone": phone, "team": "志愿服务队",
                                        "skills": "陪护"}, actor="test",
                                registered_on=dt.date(2026, 1, 5))


async def test_it_registers_a_volunteer_once(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, REGISTRATION)
    card = ailin.last
    assert "Please check your report" in card
    assert "ID number: 1101**********002X" in card and ID_A not in card
    assert "Phone: 13812345678" in card and "Gender: Female" in card
    first = await ailin.user.press("Submit")
    second = await ailin.user.press("Submit")  # a double tap, before the bot answers
    await ailin.done.until(second)
    await bot_app.api.redeliver(first)
    await ailin.done.until(first, times=2)
    [report] = reports_of(ailin)
    [v] = list(Volunteer.select())
    assert v.uid == report.uid and v.source == "bot"
    assert (v.name, v.gender, v.phone, v.id_number, v.team, v.skills) == (
        "陈海燕", "female", "13812345678", ID_A, "和平社区志愿服务队", "理发、陪护")
    assert v.org_unit_id == worker_of(ailin).org_unit_id
    assert v.registered_on == dt.date.fromisoformat(YESTERDAY)
    assert report.values["id_number"] == "1101**********002X"  # the report keeps it masked
    saved = [m for m in ailin.user.messages if "Your report is saved" in (m["text"] or "")]
    assert len(saved) == 1


async def test_a_bad_phone_or_id_number_is_asked_again(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, REGISTRATION[:4])
    await ailin.send("12345")
    assert "mobile number of 11 digits" in ailin.last and "Their phone number?" in ailin.last
    await ailin.send("13812345678")
    await ailin.send(ID_A[:-1] + "1")
    assert "not a valid ID card number" in ailin.last
    assert "id_number" not in draft_of(ailin).answers
    await ailin.press("Skip")  # the ID number is optional
    assert "Which volunteer team" in ailin.last
    assert Volunteer.select().count() == 0


async def test_the_same_person_registered_again_is_refused_at_submit(bot_app):
    ailin = bot_app.chat("ailin")
    volunteer(worker_of(ailin).org_unit, "陈海燕", "13812345678")
    await walk(ailin, REGISTRATION)
    await ailin.press("Submit")
    assert "陈海燕 is already registered as a volunteer" in ailin.last
    assert "Their phone number?" in ailin.last  # back at the field to correct
    assert reports_of(ailin) == [] and Volunteer.select().count() == 1


async def test_it_logs_hours_for_a_volunteer_of_the_community(bot_app):
    ailin = bot_app.chat("ailin")
    home = worker_of(ailin).org_unit
    li = volunteer(home, "李桂英", "13900001111")
    volunteer(home, "王建国", "13900003333")
    stranger = volunteer(factories.community("511803"), "孙丽", "13900006666")
    await walk(ailin, ["/report", ("press", "Volunteer service hours")])
    assert "Which volunteer served?" in ailin.last
    buttons = ailin.keyboard()
    assert "李桂英 ·1111" in buttons and "王建国 ·3333" in buttons
    assert not any(stranger.name in b for b in buttons)
    await walk(ailin, [("press", "李桂英 ·1111"), ("press", "Yesterday"), "25"])
    assert "Service hours must be between 0.5 and 24 per day." in ailin.last
    await walk(ailin, ["1个半小时", "敬老院陪护"])
    assert "Volunteer: 李桂英 ·1111" in ailin.last and "Hours: 1.5" in ailin.last
    await ailin.press("Submit")
    assert "Your report is saved" in ailin.last
    [report] = reports_of(ailin)
    entry = VolunteerHours.get(VolunteerHours.uid == report.uid)
    assert (entry.volunteer_id, entry.hours, entry.activity, entry.date) == (
        li.id, Decimal("1.5"), "敬老院陪护", dt.date.fromisoformat(YESTERDAY))
    assert r.balance(li) == Decimal("1.5")


async def test_a_volunteer_can_be_named_by_typing(bot_app):
    ailin = bot_app.chat("ailin")
    home = worker_of(ailin).org_unit
    wang = volunteer(home, "王建国", "13900003333")
    volunteer(factories.community("511803"), "孙丽", "13900006666")
    await walk(ailin, ["/report", ("press", "Volunteer service hours"), "孙丽"])
    assert "No active volunteer of your community matches that" in ailin.last
    await ailin.send("139 0000 3333")
    assert draft_of(ailin).answers["volunteer"] == wang.uid
    assert "On which day?" in ailin.last


async def test_hours_for_another_communitys_volunteer_are_impossible(bot_app):
    ailin = bot_app.chat("ailin")
    stranger = volunteer(factories.community("511803"), "孙丽", "13900006666")
    # a forged answer (an old button, a crafted draft): the domain still refuses it
    open_at(ailin, "volunteer_hours", volunteer=stranger.uid, date=YESTERDAY, hours="2",
            activity="探访")
    await walk(ailin, CONTINUE)
    await ailin.press("Submit")
    assert "This volunteer is not registered in your community." in ailin.last
    assert reports_of(ailin) == [] and VolunteerHours.select().count() == 0


async def test_a_day_holds_at_most_24_hours(bot_app):
    ailin = bot_app.chat("ailin")
    li = volunteer(worker_of(ailin).org_unit, "李桂英", "13900001111")
    r.log_hours(li, date=dt.date.fromisoformat(YESTERDAY), hours="20", activity="防汛值守",
                actor="test")
    open_at(ailin, "volunteer_hours", volunteer=li.uid, date=YESTERDAY, hours="5",
            activity="夜间巡逻")
    await walk(ailin, CONTINUE)
    await ailin.press("Submit")
    assert "already has 20 hours on that day" in ailin.last
    assert draft_of(ailin).step == "hours"
    await walk(ailin, ["4", ("press", "Submit")])  # corrected, straight back to the card
    assert "Your report is saved" in ailin.last
    assert r.balance(li) == Decimal("24")
    assert Report.select().count() == 1

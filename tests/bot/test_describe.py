"""One message, one report (bot/describe.py): a worker with no report open describes what they
did and gets the draft filled in from it, through the real application and the local Bot API."""
from __future__ import annotations

import datetime as dt

from models.core.schema import Draft, Photo, Volunteer

from tests.botkit import TODAY, draft_of, reports_of
from tests.images import jpeg

MESSAGE = "昨天下午在胜利社区文化广场开展了未成年人防溺水安全宣传，社工和志愿者共8人参加，服务群众三十余人"
#: A child-care activity asks how many of those present were minors (kinds.toml, 004 三(2));
#: MESSAGE does not say, so that is the one question its draft asks before the card.
MINORS = "Of them, how many were minors (under 18)?"


async def answer_minors(chat, minors: str = "20") -> None:
    assert MINORS in chat.last
    await chat.send(minors)


async def test_one_message_then_submit_stores_the_report(bot_app):
    ailin = bot_app.chat("ailin")
    await ailin.send(MESSAGE)
    # every required field the message states was read: only the minors are asked
    assert "Understood from your message:" in ailin.last
    assert "«三十余人»" in ailin.last and "(approximate)" in ailin.last
    await answer_minors(ailin)
    assert "Please check your report" in ailin.last
    assert reports_of(ailin) == []  # nothing stored before Submit
    await ailin.press("Submit")
    assert "Your report is saved" in ailin.last
    [report] = reports_of(ailin)
    assert report.values == {
        "action_line": "children", "activity_type": "publicity", "title": "未成年人防溺水安全宣传",
        "date": "2026-11-22", "place": "胜利社区文化广场", "participants": 30,
        "minors": 20, "groups": None, "parties": ["social_worker", "volunteer"], "volunteers": None,
        "summary": None, "photos": 0}
    assert draft_of(ailin) is None


async def test_a_message_without_its_date_asks_only_for_the_date(bot_app):
    bowen = bot_app.chat("bowen")
    # (the community organised it: a party said, so only the date is left)
    await bowen.send("胜利社区在社区广场开展了未成年人防溺水安全宣传，服务群众30人")
    assert "When was it held?" in bowen.last
    await bowen.send("上周六")
    await answer_minors(bowen)
    assert "Please check your report" in bowen.last
    await bowen.press("Submit")
    [report] = reports_of(bowen)
    assert report.values["date"] == "2026-11-21" and report.values["participants"] == 30


async def test_an_unclear_kind_asks_one_question_with_the_likely_kinds(bot_app):
    chen = bot_app.chat("chen")
    await chen.send("昨天在和平社区开展地名文化进校园和移风易俗宣传，参加群众60人")
    assert "Which kind of report is this message?" in chen.last
    assert sorted(chen.keyboard()) == sorted(["🎎 New customs (weddings and funerals)",
                                              "🏞 Place-name culture promotion"])
    assert Draft.select().count() == 0
    await chen.press("New customs (weddings and funerals)")
    draft = draft_of(chen)
    assert draft.kind.code == "xinfeng"
    assert draft.answers["date"] == "2026-11-22" and draft.answers["participants"] == 60
    assert "What kind of new-customs event was it?" in chen.last  # only what is missing


async def test_a_photo_with_a_caption_stores_the_photo_too(bot_app):
    dan = bot_app.chat("dan")
    await dan._step("(photo)", dan.user.send_photo(jpeg(1), caption=MESSAGE))
    await answer_minors(dan)
    assert "Please check your report" in dan.last
    await dan.press("Submit")
    [report] = reports_of(dan)
    assert report.values["photos"] == 1
    assert Photo.select().where(Photo.report == report).count() == 1


def posted_on(day: dt.date) -> int:
    """Unix time of noon (Beijing time) on ``day``: when a forwarded message was posted."""
    return int(dt.datetime(day.year, day.month, day.day, 4, tzinfo=dt.timezone.utc).timestamp())


#: A 工作简讯 as posted in a work group, forwarded to the bot: it states every required field.
BULLETIN = ("【工作简讯】昨天上午，胜利社区在社区活动室开展未成年人防溺水安全讲座，社工2名、"
            "志愿者3名参与，参加儿童25人。")


async def test_a_forwarded_bulletin_reads_its_dates_from_the_day_it_was_posted(bot_app):
    kai = bot_app.chat("kai")
    posted = TODAY - dt.timedelta(days=3)
    await kai._step("(forward)", kai.user.forward(BULLETIN, date=posted_on(posted)))
    assert "Understood from your message:" in kai.last
    assert "Please check your report" in kai.last  # straight to the card: nothing asked
    await kai.press("Submit")
    [report] = reports_of(kai)
    # 昨天 is the day before it was posted, not before it was forwarded
    assert report.values["date"] == (posted - dt.timedelta(days=1)).isoformat()
    assert (report.values["participants"], report.values["minors"]) == (25, 25)
    assert report.values["volunteers"] == 3 and report.values["place"] == "社区活动室"


async def test_a_forwarded_photo_with_a_caption_stores_the_photo_too(bot_app):
    lan = bot_app.chat("lan")
    await lan._step("(forwarded photo)", lan.user.forward(photo=jpeg(3), caption=BULLETIN,
                                                         date=posted_on(TODAY)))
    assert "Please check your report" in lan.last
    await lan.press("Submit")
    [report] = reports_of(lan)
    assert report.values["photos"] == 1 and report.values["date"] == "2026-11-22"
    assert Photo.select().where(Photo.report == report).count() == 1


async def test_the_card_shows_on_request_the_words_each_value_came_from(bot_app):
    mei = bot_app.chat("mei")
    await mei.send(BULLETIN)
    assert "📄 Show sources" in mei.keyboard()
    assert "Where each value came from:" not in mei.last
    await mei.press("📄 Show sources")
    shown = mei.last
    assert "Where each value came from:" in shown
    assert "Participants: «参加儿童25人»" in shown and "Of whom minors: «参加儿童25人»" in shown
    assert "Volunteers: «社工2名、志愿者3名参与»" in shown
    assert "Date: «【工作简讯】昨天上午»" in shown
    assert "Understood from your message:" in shown  # the note above the card stays
    assert "📄 Hide sources" in mei.keyboard()
    await mei.press("📄 Hide sources")
    assert "Where each value came from:" not in mei.last and "Please check" in mei.last
    await mei.press("📄 Show sources")
    await mei.press("✏️ Edit a field")  # going on hides them
    assert "Where each value came from:" not in mei.last
    await mei.press("Volunteers")
    await mei.send("4")
    await mei.press("📄 Show sources")
    # a value changed since has no source; the others keep theirs
    assert "Volunteers: «" not in mei.last and "Participants: «参加儿童25人»" in mei.last
    await mei.press("Submit")
    [report] = reports_of(mei)
    assert report.values["volunteers"] == 4


async def test_a_report_not_read_from_a_message_has_no_sources_button(bot_app):
    nan = bot_app.chat("nan")
    await nan.send(BULLETIN)
    await nan.press("✖ Cancel")
    await nan.send("/report")
    assert not any("sources" in b for b in nan.keyboard())


async def test_a_greeting_is_not_a_report(bot_app):
    erin = bot_app.chat("erin")
    await erin.send("你好")
    assert "You have no report open" in erin.last
    assert draft_of(erin) is None


async def test_help_says_a_worker_can_simply_describe_what_they_did(bot_app):
    fang = bot_app.chat("fang")
    await fang.send("/help")
    assert "simply describe what you did in one message" in fang.last
    assert "胜利社区文化广场" in fang.last  # with an example


async def test_report_offers_the_same_as_last_time_dated_today_without_its_photos(bot_app):
    gao = bot_app.chat("gao")
    await gao._step("(photo)", gao.user.send_photo(jpeg(2), caption=MESSAGE))
    await answer_minors(gao)
    await gao.press("Submit")
    await gao.send("/report")
    assert "🔁 Same as last time: 🤝 未成年人防溺水安全宣传" in gao.keyboard()
    await gao.press("🔁 Same as last time: 🤝 未成年人防溺水安全宣传")
    assert "Please check your report" in gao.last
    assert len(reports_of(gao)) == 1  # nothing stored before Submit
    await gao.press("Submit")
    first, again = sorted(reports_of(gao), key=lambda r: r.id)
    assert first.values["date"] == "2026-11-22" and again.values["date"] == TODAY.isoformat()
    assert again.values["photos"] == 0 and first.values["photos"] == 1
    assert Photo.select().where(Photo.report == again).count() == 0
    assert {k: v for k, v in again.values.items() if k not in ("date", "photos")} == \
        {k: v for k, v in first.values.items() if k not in ("date", "photos")}


async def test_same_as_last_time_refuses_another_workers_report(bot_app):
    hui, ivy = bot_app.chat("hui"), bot_app.chat("ivy")
    await hui.send(MESSAGE)
    await answer_minors(hui)
    await hui.press("Submit")
    [report] = reports_of(hui)
    await ivy.send("/report")

    async def forged_tap():  # a tap on hui's report id, which ivy's menu never offered
        return ivy.user.api._callback(ivy.user._chat, ivy.user, ivy.live()[-1], f"ag:{report.id}")

    await ivy._step("(forged tap)", forged_tap())
    assert draft_of(ivy) is None
    assert "What would you like to report?" in ivy.last


async def test_a_chinese_worker_reads_what_was_understood_in_chinese(bot_app):
    jun = bot_app.chat("jun", language_code="zh-hans")
    await jun.send(MESSAGE)
    assert "从您的消息中读到：" in jun.last and "（约数）" in jun.last
    assert "«三十余人»" in jun.last


async def test_a_volunteer_registered_in_one_message_goes_straight_to_its_card(bot_app):
    ailin = bot_app.chat("ailin")
    await ailin.send("新登记志愿者一名：姓名何丽萍，女，电话13908165527，加入桂花社区志愿服务队，"
                     "特长：理发、量血压。今天登记的。")
    assert "Please check your report" in ailin.last  # the ID number is optional: not asked
    await ailin.press("Submit")
    [v] = list(Volunteer.select())
    assert (v.name, v.gender, v.phone, v.team, v.skills, v.registered_on) == (
        "何丽萍", "female", "13908165527", "桂花社区志愿服务队", "理发、量血压", TODAY)


async def test_a_volunteers_hours_in_one_message_ask_only_which_volunteer(bot_app):
    bowen = bot_app.chat("bowen")
    await bowen.send("志愿者周建国昨天在龙门镇敬老院陪护老人3个小时")
    # never guessed from the name: the registered volunteers are offered
    assert "Which volunteer served?" in bowen.last
    draft = draft_of(bowen)
    assert draft.kind.code == "volunteer_hours"
    assert draft.answers["hours"] == "3" and draft.answers["date"] == (
        TODAY - dt.timedelta(days=1)).isoformat()


async def test_a_pilot_application_in_one_message_opens_the_application_with_what_it_says(bot_app):
    ailin = bot_app.chat("ailin")
    await ailin.send("我们孔家崖街道准备申报三社联动试点项目，项目名称暂定“孔家崖邻里帮帮团”，"
                     "想申请省级补助5万元")
    draft = draft_of(ailin)
    assert draft.kind.code == "pilot_application"
    assert draft.answers["project_name"] == "孔家崖邻里帮帮团"
    assert draft.answers["subsidy"] == "50000.00"
    # what the message does not state is asked, the first of them next
    assert "Describe your community" in ailin.last

"""A community files its 申报表 in the bot and follows it up the chain: the form walked by the
one engine over the real HTTP path, a notice at every step, /applications, and a returned
application corrected and filed again (SQLite and PostgreSQL)."""
from __future__ import annotations

from decimal import Decimal

from bot import outbox
from bot.commands import COMMANDS
from models.org import access
from models.applications import act
from models.forms.kinds import get_kind
from models.core.schema import Application, Draft, Report
from tests import factories as f
from tests.botkit import draft_of, open_at, reports_of, walk, worker_of
from tests.factories import APPLICATION_ANSWERS as ANSWERS, official
from tests.factories import application as file

FILING = ["/report", ("press", "Pilot project application"),
          "“四点半课堂”困境儿童课后服务", "社区共有居民2400户，老旧小区较多。",
          "放学后无人看护的儿童较多。", "困境和留守儿童约50人",
          "社工带领志愿者开展课业辅导和安全教育小组", "2026年12月至2027年6月",
          "总需求8万元：申请省级补助5万元，街道配套3万元。", "5万",
          "儿童课后安全得到保障，培育社区社会组织1个。",
          ("press", "Disability and schooling"), ("press", "The left-behind"),
          ("press", "Done"), "阳光社工服务中心承接，社工李娜主导实施",
          "2026-10-08", "2026-10-20", "2026-10-27", "2026-11-02"]
SUBSIDY = FILING.index("5万")


def officials_over(chat):
    place = worker_of(chat).org_unit
    return {"township": official("tina", access.TOWNSHIP_OFFICER, place.parent.code),
            "county": official("bob", "county_official", place.parent.parent.code),
            "city": official("alice", "city_admin", "5118"),
            "province": official("pia", access.PROVINCE_OFFICER, "5118")}


async def notices(bot_app, chat) -> list[str]:
    """Deliver what the chain queued; the texts the worker received."""
    before = len(chat.user.messages)
    await outbox.drain(bot_app.app)
    return [m["text"] for m in chat.user.messages[before:]]


async def test_it_files_the_application_form_field_by_field(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, FILING[:2])
    assert "Step 1/15" in ailin.last and "What is the project called?" in ailin.last
    await walk(ailin, FILING[2:SUBSIDY])
    assert "Step 8/15" in ailin.last and "How much provincial subsidy" in ailin.last
    await ailin.send("很多")  # not an amount: asked again, nothing stored
    assert "Step 8/15" in ailin.last and "subsidy" not in draft_of(ailin).answers
    await walk(ailin, FILING[SUBSIDY:])
    card = ailin.last
    assert "Please check your report" in card
    assert "Provincial subsidy requested: CN¥50,000.00" in card
    assert "Needs analysis: 放学后无人看护的儿童较多。" in card
    await ailin.press("Submit")
    assert "Your report is saved" in ailin.last
    [report] = reports_of(ailin)
    application = Application.get(Application.uid == report.uid)
    assert (application.level, application.status) == ("township", "pending")
    assert application.subsidy == Decimal("50000.00")
    assert application.title == ANSWERS["project_name"]
    assert application.answers == {**ANSWERS, "subsidy": "50000.00"}
    assert await notices(bot_app, ailin) == [
        "Your application “‘四点半课堂’困境儿童课后服务” was filed. It now waits for Street "
        "first review."]


async def test_a_text_too_long_is_refused_and_asked_again(bot_app):
    ailin = bot_app.chat("ailin")
    await walk(ailin, FILING[:2])
    await ailin.send("项" * 61)
    assert "That is too long: at most 60 characters." in ailin.last
    assert "Step 1/15" in ailin.last and draft_of(ailin).answers == {}


async def test_the_worker_is_told_at_every_step_and_can_correct_a_returned_one(bot_app):
    ailin = bot_app.chat("ailin")
    levels = officials_over(ailin)
    application = file(worker_of(ailin))
    assert (await notices(bot_app, ailin))[0].endswith("It now waits for Street first review.")
    act(application, actor_user=levels["township"], action="pass", opinion="同意上报")
    assert await notices(bot_app, ailin) == [
        "Your application “‘四点半课堂’困境儿童课后服务” passed Street first review. It now waits "
        "for County review.\nOpinion: 同意上报"]
    act(Application.get_by_id(application.id), actor_user=levels["county"], action="return",
        opinion="请补充预算明细")
    [returned] = await notices(bot_app, ailin)
    assert "was returned for changes at County review" in returned
    assert returned.endswith("Opinion: 请补充预算明细")
    assert ailin.keyboard() == ["Correct this report"]

    await ailin.press("Correct this report")
    assert "Correcting a report that was sent back. Reason: 请补充预算明细" in ailin.last
    await walk(ailin, [("press", "Edit a field"), ("press", "Funding needed and its sources"),
                       "总需求8万元：省级补助5万元，街道配套2万元，社区基金1万元。"])
    await ailin.press("Submit")
    assert "Your corrected report was sent for review again." in ailin.last
    application = Application.get_by_id(application.id)
    assert (application.level, application.status) == ("township", "pending")
    assert application.answers["funding"].startswith("总需求8万元：省级补助5万元")
    assert Report.get(Report.uid == application.uid).status == "submitted"
    assert (await notices(bot_app, ailin))[0].endswith("It now waits for Street first review.")

    for level, action in (("township", "pass"), ("county", "pass"), ("city", "pass"),
                          ("province", "approve")):
        act(Application.get_by_id(application.id), actor_user=levels[level], action=action)
    texts = await notices(bot_app, ailin)
    assert [t.split(". It now")[0].split("” ")[-1] for t in texts[:3]] == [
        "passed Street first review", "passed County review", "passed City re-review"]
    assert texts[3] == ("Your application “‘四点半课堂’困境儿童课后服务” was approved "
                        "(Provincial approval).")


async def test_applications_lists_the_communitys_applications_and_where_they_stand(bot_app):
    ailin = bot_app.chat("ailin")
    bowen = bot_app.chat("bowen", place=worker_of(ailin).org_unit)  # the same community
    stranger = bot_app.chat("caixia", place=f.community("511803"))
    levels = officials_over(ailin)
    waiting = file(worker_of(ailin), project_name="独居老人关爱")
    act(waiting, actor_user=levels["township"], action="pass")
    returned = file(worker_of(ailin), project_name="四点半课堂")
    act(returned, actor_user=levels["township"], action="return", opinion="请补充服务对象人数")
    approved = file(worker_of(bowen), project_name="银龄互助时间银行")
    for level in ("township", "county", "city"):
        act(Application.get_by_id(approved.id), actor_user=levels[level], action="pass")
    act(Application.get_by_id(approved.id), actor_user=levels["province"], action="approve",
        opinion="同意列为试点")
    file(worker_of(stranger), project_name="别处的项目")

    await ailin.send("/applications")
    text = ailin.last
    assert text.startswith("📝 Pilot-project applications of ")
    assert "别处的项目" not in text
    assert text.index("银龄互助时间银行") < text.index("四点半课堂") < text.index("独居老人关爱")
    assert "“独居老人关爱” · CN¥50,000.00" in text and "⏳ Waiting for County review" in text
    assert "↩️ Returned for changes at Street first review\n   Opinion: 请补充服务对象人数" in text
    assert "✅ Approved (Provincial approval)\n   Opinion: 同意列为试点" in text
    assert ailin.keyboard() == ["Correct “四点半课堂”"]  # ailin filed it: she may correct it
    await bowen.send("/applications")
    assert "四点半课堂" in bowen.last and bowen.keyboard() == []  # bowen did not

    await ailin.press("Correct “四点半课堂”")
    assert "Correcting a report that was sent back. Reason: 请补充服务对象人数" in ailin.last
    await ailin.press("Submit")
    assert Application.get_by_id(returned.id).status == "pending"


async def test_applications_without_any_says_how_to_file_one(bot_app):
    ailin = bot_app.chat("ailin")
    await ailin.send("/applications")
    assert "has not filed a pilot-project application yet" in ailin.last
    assert "applications" in [name for name, _ in COMMANDS]


async def test_the_longest_application_fits_one_message_even_when_returned(bot_app):
    """Every answer at its longest, and a returned one with the longest opinion: the card is
    still one Telegram message (4,096 characters)."""
    ailin = bot_app.chat("ailin")
    longest = {"project_name": "项" * 60, "community_profile": "社" * 500, "needs": "需" * 500,
               "beneficiaries": "对" * 200, "service_methods": "方" * 500, "period": "期" * 100,
               "funding": "资" * 500, "subsidy": "1000000.00", "outcomes": "效" * 300,
               "service_areas": [o.value for o in get_kind("pilot_application").field("service_areas").options],
               "implementer": "承" * 100, "needs_collected_on": "2026-09-30",
               "hearing_on": "2026-10-20", "review_on": "2026-10-27", "notice_on": "2026-11-02"}
    open_at(ailin, "pilot_application", **longest)
    await walk(ailin, ["/report", ("press", "Continue")])
    assert "Please check your report" in ailin.last and len(ailin.last) <= 4096
    await ailin.press("Submit")
    [report] = reports_of(ailin)
    application = Application.get(Application.uid == report.uid)
    act(application, actor_user=officials_over(ailin)["township"], action="return",
        opinion="改" * 500)
    await outbox.drain(bot_app.app)
    await ailin.press("Correct this report")
    card = ailin.last
    assert "Correcting a report that was sent back" in card and "改" * 500 in card
    assert len(card) <= 4096
    assert Draft.select().count() == 1


async def test_an_application_whose_steps_are_out_of_order_is_not_filed(bot_app):
    """社区筹划征集、社区居民听证、居民代表会议审议并张榜公示后 … 逐级申报: a notice posted before the
    hearing is refused at Submit, with the reason, and nothing is filed."""
    ailin = bot_app.chat("ailin")
    steps = list(FILING)
    steps[-3], steps[-1] = steps[-1], steps[-3]  # the hearing after the public notice
    await walk(ailin, steps)
    await ailin.press("Submit")
    assert "in that order" in ailin.last
    assert reports_of(ailin) == [] and Application.select().count() == 0

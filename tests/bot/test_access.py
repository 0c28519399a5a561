"""Who may talk to the bot, in which language, with which commands."""
from __future__ import annotations

import datetime as dt

from models.core.schema import ChatState, Draft, Invite, Worker

from tests import factories
from tests.botkit import walk, worker_of

NOT_REGISTERED = "To register, open the invite link your county or township coordinator gave you"


async def test_it_registers_a_worker_with_an_invite_link(bot_app):
    place = factories.community(index=2)
    invite = factories.invite(place)
    gina = bot_app.chat("gina", registered=False)
    await gina.send(f"/start {invite.code}")
    assert gina.last.startswith("Welcome, Gina! You are registered with ")
    assert place.name in gina.last and "Yucheng" in gina.last
    worker = worker_of(gina)
    assert (worker.org_unit_id, worker.status, worker.language) == (place.id, "active", "en")
    assert Invite.get_by_id(invite.id).uses == 1
    await gina.send("/report")
    assert "What would you like to report?" in gina.last
    await gina.send("/start")
    assert gina.last.startswith("Welcome back, Gina")


async def test_it_tells_an_unregistered_user_how_to_get_an_invite_and_nothing_else(bot_app):
    stranger = bot_app.chat("stranger", registered=False)
    for text in ("你好", "/report", "/mystats", "30", "/start"):
        replies = await stranger.send(text)
        assert [r["text"] for r in replies] == [replies[0]["text"]]
        assert NOT_REGISTERED in replies[0]["text"] and not replies[0]["reply_markup"]
    replies = await stranger.photo(b"photo")
    assert NOT_REGISTERED in replies[0]["text"]
    assert Worker.select().count() == 0 and Draft.select().count() == 0


async def test_it_refuses_unknown_expired_and_used_up_invites(bot_app):
    expired = factories.invite()
    Invite.update(expires_at=dt.datetime(2026, 1, 1)).where(Invite.id == expired.id).execute()
    used = factories.invite(max_uses=1)
    first = bot_app.chat("first", registered=False)
    await first.send(f"/start {used.code}")
    assert "Welcome, First!" in first.last
    hank = bot_app.chat("hank", registered=False)
    await hank.send("/start not-a-code")
    assert "This invite code is not valid. Ask your county or township coordinator" in hank.last
    await hank.send(f"/start {expired.code}")
    assert "This invite has expired." in hank.last
    await hank.send(f"/start {used.code}")
    assert "This invite has already been used." in hank.last
    assert Worker.select().where(Worker.display_name == "Hank").count() == 0


async def test_it_tells_a_disabled_worker_so_and_does_nothing_else(bot_app):
    ivy = bot_app.chat("ivy", status="disabled")
    disabled = "Your account has been disabled. Please contact your coordinator."
    for text in ("/report", "四点半课堂", "/start", f"/start {factories.invite().code}"):
        replies = await ivy.send(text)
        assert [r["text"] for r in replies] == [disabled]
    assert worker_of(ivy).status == "disabled" and Draft.select().count() == 0


async def test_it_asks_a_pending_worker_to_wait_for_approval(bot_app):
    invite = factories.invite(requires_approval=True)
    jo = bot_app.chat("jo", registered=False)
    await jo.send(f"/start {invite.code}")
    assert "Your coordinator must approve the registration" in jo.last
    assert worker_of(jo).status == "pending"
    await jo.send("/report")
    assert "waiting for your coordinator's approval" in jo.last


async def test_it_switches_the_language_of_the_next_question(bot_app):
    # While in Chinese, kim taps by callback data and the checks read data (action-line names,
    # Babel's dates), so they hold once the Chinese catalog translates the msgids.
    kim = bot_app.chat("kim", language_code="zh-hans")
    await walk(kim, ["/report", ("press", "k:activity")])
    assert "社会救助“弱有众扶”行动" in kim.keyboard()
    await walk(kim, ["/lang", ("press", "English")])
    assert "From now on I will write to you in English." in kim.user.messages[-2]["text"]
    assert "Step 1/11" in kim.last
    assert "Social assistance: many hands for the vulnerable" in kim.keyboard()
    assert ChatState.get(ChatState.tg_user_id == kim.user.id).language == "en"
    assert worker_of(kim).language == "en"
    await walk(kim, [("press", "Child care"), ("press", "Service"), "t", ("press", "Yesterday")])
    assert "Sunday, November 22, 2026" in kim.last  # the tap edited its question into the next
    await walk(kim, ["/lang", ("press", "lang:zh_Hans"), ("press", "b:place")])
    assert "2026年11月22日星期日" in kim.last
    assert worker_of(kim).language == "zh_Hans"


async def test_it_lets_anyone_choose_a_language(bot_app):
    stranger = bot_app.chat("stranger", registered=False, language_code=None)
    await walk(stranger, ["/lang", ("press", "English")])
    assert "From now on I will write to you in English." in stranger.last
    assert ChatState.get(ChatState.tg_user_id == stranger.user.id).language == "en"


async def test_it_sets_the_command_menus_for_chinese_and_english(bot_app):
    commands = ["report", "mystats", "applications", "cancel", "lang", "help"]
    for language in ("zh", "en", ""):
        menu = bot_app.api.get_commands(language_code=language)
        assert [c["command"] for c in menu] == commands
        assert all(c["description"] for c in menu)
    assert bot_app.api.get_commands(language_code="en")[0]["description"] == \
        "Report an activity or a milestone"


async def test_it_helps_and_explains_unknown_commands(bot_app):
    ailin = bot_app.chat("ailin")
    await ailin.send("/help")
    assert "/report — Report an activity or a milestone" in ailin.last and "上周六" in ailin.last
    await ailin.send("/frobnicate")
    assert "I do not know that command." in ailin.last
    await ailin.send("hello")
    assert "You have no report open. Send /report" in ailin.last


async def test_it_stays_silent_in_group_chats(bot_app):
    ailin = bot_app.chat("ailin")
    group = bot_app.api.group(-100777, "社区工作群")
    update_id = await group.send(ailin.user, "/report")
    await ailin.done.until(update_id)
    assert bot_app.api.sent(-100777) == [] and ailin.user.messages == []

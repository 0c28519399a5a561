"""A bad answer is explained and the same question asked again; the draft does not change."""
from __future__ import annotations

from tests.botkit import draft_of, only_the_newest_acts, open_at, unchanged

ACTIVITY_SO_FAR = dict(action_line="children", activity_type="service", title="四点半课堂",
                       date="2026-11-20", place="社区活动室")


async def rejected(chat, draft, answer: str, error: str, question: str) -> None:
    """Send a bad answer: one message with the error and the question again, nothing stored."""
    replies = await chat.send(answer)
    assert len(replies) == 1, [r["text"] for r in replies]
    text = replies[0]["text"]
    assert text.startswith(f"⚠️ {error}"), text
    assert question in text
    assert unchanged(draft)
    await only_the_newest_acts(chat)  # the question above keeps its buttons, which do nothing


async def test_it_rejects_numbers_it_cannot_accept(bot_app):
    ailin = bot_app.chat("ailin")
    draft = open_at(ailin, "activity", **ACTIVITY_SO_FAR)
    question = "Step 6/13\nHow many people took part?"
    await rejected(ailin, draft, "很多", "Please send a number, e.g. 30 or 三十.", question)
    await rejected(ailin, draft, "-5", "The number cannot be negative.", question)
    await rejected(ailin, draft, "200000", "The number must be at most 100,000.", question)
    await rejected(ailin, draft, "0", "The number must be at least 1.", question)
    await rejected(ailin, draft, "2.5", "Please send a whole number.", question)
    await ailin.send("约50人")
    assert draft_of(ailin).answers["participants"] == 50
    assert ailin.last.startswith("✓ Participants: 50\n\n🤝 Step 7/13")  # how it was read


async def test_it_rejects_dates_outside_the_plan_and_the_past(bot_app):
    ailin = bot_app.chat("ailin")
    draft = open_at(ailin, "activity", **{k: v for k, v in ACTIVITY_SO_FAR.items()
                                          if k in ("action_line", "activity_type", "title")})
    question = "Step 4/13\nWhen was it held?"
    await rejected(ailin, draft, "明天", "The date cannot be in the future.", question)
    await rejected(ailin, draft, "2026-11-24", "The date cannot be in the future.", question)
    await rejected(ailin, draft, "2022-12-31",
                   "The date cannot be before Jan 1, 2023, when the plan started.", question)
    await rejected(ailin, draft, "下雨那天", "I could not read that date.", question)
    await ailin.send("上周六")
    assert draft_of(ailin).answers["date"] == "2026-11-21"
    assert ailin.last.startswith("✓ Date: Saturday, November 21, 2026\n\n🤝 Step 5/13")


async def test_it_rejects_text_that_is_too_long(bot_app):
    ailin = bot_app.chat("ailin")
    draft = open_at(ailin, "activity", action_line="children", activity_type="service")
    await rejected(ailin, draft, "长" * 61, "That is too long: at most 60 characters.",
                   "What was the activity called?")
    await ailin.send("长" * 60)
    assert draft_of(ailin).answers["title"] == "长" * 60


async def test_it_asks_for_the_buttons_when_a_choice_is_typed(bot_app):
    ailin = bot_app.chat("ailin")
    draft = open_at(ailin, "activity", action_line="children")
    await rejected(ailin, draft, "Service", "Please use the buttons below the question.",
                   "What kind of activity was it?")
    assert "Service" in ailin.keyboard()  # the question came back with its buttons


async def test_it_asks_for_the_buttons_on_the_card_and_for_photos(bot_app):
    bowen = bot_app.chat("bowen")
    draft = open_at(bowen, "xinfeng", event_type="council", date="2026-11-20", place="村委会",
                    participants=20)
    await rejected(bowen, draft, "好了", "Please use the buttons below the question.",
                   "Photos if you have them")
    await bowen.press("Skip")
    draft = draft_of(bowen)
    await rejected(bowen, draft, "提交", "Please use the buttons below the question.",
                   "Please check your report")
    assert "✅ Submit" in bowen.keyboard()


async def test_it_rejects_more_elderly_and_children_than_the_audience(bot_app):
    caixia = bot_app.chat("caixia")
    draft = open_at(caixia, "placename", setting="school", date="2026-11-20", place_names="上里",
                    stories=3, audience=60, elderly=30)
    await rejected(caixia, draft, "40",
                   "Elderly plus children (70) cannot exceed the audience (60).",
                   "Of them, how many were children?")
    await caixia.send("30")
    assert draft_of(caixia).answers["children"] == 30


async def test_it_rejects_amounts_it_cannot_accept(bot_app):
    dan = bot_app.chat("dan")
    draft = open_at(dan, "donation", donor_type="individual", form="money")
    question = "How much, in yuan?"
    await rejected(dan, draft, "1.234", "Amounts have at most two decimals (fen).", question)
    await rejected(dan, draft, "-500", "The number cannot be negative.", question)
    await rejected(dan, draft, "0", "The number must be at least 0.01.", question)
    await rejected(dan, draft, "两亿", "The number must be at most 100000000.00.", question)


async def test_it_explains_a_sticker_or_a_photo_out_of_place(bot_app):
    ailin = bot_app.chat("ailin")
    draft = open_at(ailin, "activity", action_line="children")
    replies = await ailin.photo(b"not now")
    assert replies[-1]["text"].startswith("⚠️ That answer does not fit this question.")
    assert "What kind of activity was it?" in replies[-1]["text"] and unchanged(draft)
    await ailin.location(30.0, 103.0)
    assert ailin.last.startswith("⚠️ That answer does not fit this question.")
    assert unchanged(draft)

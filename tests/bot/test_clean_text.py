"""Text is cleaned at the door: control, bidi and zero-width characters sent to the bot never
reach the database or the county's export, and an answer that says nothing (emoji only) is
explained and the same question asked again."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests import factories
from tests.adminkit import app, as_bob, officials, settings  # noqa: F401  (the admin's fixtures)
from tests.botkit import ACTIVITY, draft_of, open_at, reports_of, unchanged, walk

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def dirty(text: str) -> bool:
    return bool(ILLEGAL_CHARACTERS_RE.search(text)) or any(ch in BIDI or ch in "\u200b\ufeff"
                                                           for ch in text)


async def test_control_and_bidi_characters_sent_to_the_bot_never_reach_the_export(
        bot_app, as_bob):
    ailin = bot_app.chat("ailin", place=factories.community("511802"))
    script = list(ACTIVITY)
    script[script.index("四点半课堂")] = "四点半\x00课堂\x1b[31m\u202egpj.exe"
    script[script.index("社区活动室")] = "\ufeff社区\u200b活动室\u2066\x07"
    await walk(ailin, script)
    await ailin.press("Submit")
    [report] = reports_of(ailin)
    assert report.values["title"] == "四点半课堂[31mgpj.exe"
    assert report.values["place"] == "社区活动室"

    response = as_bob.get("/admin/reports/export/xlsx/")
    assert response.status_code == 200
    sheets = load_workbook(io.BytesIO(response.data), read_only=True)
    cells = [str(v) for ws in sheets for row in ws.iter_rows(values_only=True)
             for v in row if v is not None]
    assert any("四点半课堂[31mgpj.exe" in c for c in cells)
    assert not [c for c in cells if dirty(c)]


async def test_an_answer_of_only_emoji_is_explained_and_the_same_question_asked(bot_app):
    ailin = bot_app.chat("ailin")
    draft = open_at(ailin, "activity", action_line="children", activity_type="service")
    replies = await ailin.send("🎉🎉🎉")
    assert len(replies) == 1
    assert replies[0]["text"].startswith("⚠️ Please answer in words: letters, digits or Chinese "
                                         "characters.")
    assert "What was the activity called?" in replies[0]["text"]
    assert unchanged(draft)
    await ailin.send("\u202e\u200b！！")  # invisible characters and punctuation: nothing said
    assert "Please answer in words" in ailin.last and unchanged(draft)
    await ailin.send("🎉 迎新年 🎉")
    assert draft_of(ailin).answers["title"] == "🎉 迎新年 🎉"


async def test_the_message_is_chinese_for_a_chinese_worker(bot_app):
    kim = bot_app.chat("kim", language_code="zh")
    draft = open_at(kim, "activity", action_line="children", activity_type="service",
                    title="四点半课堂", date="2026-11-20")
    [reply] = await kim.send("👨\u200d👩\u200d👧")
    assert reply["text"].startswith("⚠️ 请用文字回答"), reply["text"]
    assert unchanged(draft)


async def test_a_one_line_answer_loses_its_line_breaks_and_a_story_keeps_them(bot_app):
    ailin = bot_app.chat("ailin")
    open_at(ailin, "activity", action_line="children", activity_type="service")
    await ailin.send("四点半\n课堂\t第二期")
    assert draft_of(ailin).answers["title"] == "四点半 课堂 第二期"
    bowen = bot_app.chat("bowen")
    open_at(bowen, "activity", **factories.ANSWERS["activity"], groups=None)  # groups skipped
    assert draft_of(bowen).step == "summary"
    await bowen.send("1. 入户\x1b走访\u202e\n2. 宣传")
    assert draft_of(bowen).answers["summary"] == "1. 入户走访\n2. 宣传"

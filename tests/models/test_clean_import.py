"""Import cells come through the same door as the bot's answers (models.core.text): control,
bidi and zero-width characters are removed, and a text cell that says nothing (emoji only) is
a row error in the import's own words."""
from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook

from models.core.i18n import translator
from models.importing import dry_run, run
from models.core.schema import Report, Volunteer

TODAY = dt.date(2025, 12, 1)
HEADER = ["类型", "社区", "日期", "行动", "活动类型", "活动名称", "地点", "参与人数", "参与力量",
          "其中未成年人"]
ROW = ["开展活动", "511802001001", "2025-03-08", "花朵呵护", "服务", "课堂", "活动室", "30", "社区",
       "20"]


def csv_bytes(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_control_bidi_and_zero_width_characters_never_reach_the_database(db):
    dirty = [*ROW[:5], "四点半\x00课堂\x1b[31m\u202e", "\ufeff社区\u200b活动室\u2066", "\u200b3\u200b0",
             "社区\u202e", "20"]
    result = run("reports", csv_bytes([HEADER, dirty]), filename="r.csv", actor="cli",
                 today=TODAY)
    assert result.written, [e.code for e in result.errors]
    [report] = Report.select()
    assert report.values["title"] == "四点半课堂[31m"
    assert report.values["place"] == "社区活动室"
    assert report.values["participants"] == 30 and report.values["parties"] == ["community"]


def test_a_text_cell_of_only_emoji_is_a_row_error_in_the_imports_words(db):
    rows = [HEADER, [*ROW[:5], "🎉🎉🎉", *ROW[6:]], [*ROW[:6], "\u202e\u200b", *ROW[7:]]]
    result = dry_run("reports", xlsx_bytes(rows), filename="r.xlsx", today=TODAY)
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (2, "活动名称", "not_meaningful"), (3, "地点", "required")]
    assert result.errors[0].message(translator("en")) == (
        "“🎉🎉🎉” has no letters, digits or Chinese characters: write the value in words.")
    assert result.errors[0].message(translator("zh_Hans")) == (
        "“🎉🎉🎉”中没有汉字、字母或数字：请用文字填写。")


def test_a_volunteers_name_is_cleaned_and_an_emoji_name_refused(db):
    header = ["姓名", "手机号", "所属社区"]
    rows = [header, ["李\u202e桂英\x07", "13900001111", "511802001001"],
            ["👍", "13900002222", "511802001001"]]
    result = dry_run("volunteers", csv_bytes(rows), filename="v.csv", today=TODAY)
    assert [(e.line, e.code) for e in result.errors] == [(3, "not_meaningful")]
    result = run("volunteers", csv_bytes(rows[:2]), filename="v.csv", actor="cli", today=TODAY)
    assert result.written and Volunteer.get().name == "李桂英"

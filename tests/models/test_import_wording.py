"""An import's cell errors speak of the file (a column, a value to write), never in the bot's
words ("请发送数字…", "tap a name"): every rule code a cell can fail on has a spreadsheet
wording of its own."""
from __future__ import annotations

import pytest

from models.core.i18n import translator
from models.core.messages import FORMS
from models.importing.results import MESSAGES, RowError

BOT_WORDS = ("发送", "点", "按钮", "send", "tap", "button")


@pytest.mark.parametrize("code", ["not_a_number", "not_integer", "wrong_type", "not_a_phone",
                                  "not_hours", "unknown_category", "unknown_role",
                                  "volunteer_not_found"])
def test_a_cell_error_is_worded_for_a_spreadsheet(code):
    error = RowError(5, "参与人数", code, {"value": "三十人"})
    zh = error.message(translator("zh_Hans"))
    en = error.message(translator("en"))
    assert "三十人" in zh and "三十人" in en  # the value the official has to fix
    assert not [w for w in BOT_WORDS if w in zh or w in en.lower()], (zh, en)


def test_the_bot_keeps_its_own_wording():
    assert FORMS["not_a_number"] != MESSAGES["not_a_number"]
    assert "请发送数字" in translator("zh_Hans").gettext(FORMS["not_a_number"])

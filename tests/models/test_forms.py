"""Report kinds are data: the engine's rules work for any kind the data file defines."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot import keyboards as kb
from models.core.errors import ValidationError
from models.core.i18n import Translator
from models.forms import fieldtypes, options
from models.forms.kinds import FieldDef, active_kinds, get_kind, options_for, parse_answer
from models.core.settings import SettingsError, load_settings

TODAY = dt.date(2026, 11, 23)


def test_it_ships_its_kinds_with_optional_photos_only(db):
    kinds = {k.code: k for k in active_kinds()}
    assert {"activity", "xinfeng", "placename", "donation", "milestone", "volunteer",
            "volunteer_hours"} <= set(kinds)
    # an application is dated the day it is filed; every other report asks when it happened
    assert [k.code for k in kinds.values() if k.date_field() is None] == ["pilot_application"]
    for k in kinds.values():
        for fd in k.fields:
            if fd.type == "photo":
                assert fd.optional, f"{k.code}.{fd.name}: photos must never be required"


def test_it_asks_for_the_amount_only_for_money_and_goods_only_for_goods(db):
    donation = get_kind("donation")
    money = [f.name for f in donation.visible_fields({"form": "money"})]
    goods = [f.name for f in donation.visible_fields({"form": "goods"})]
    assert "amount" in money and "goods" not in money
    assert "goods" in goods and "goods_value" in goods and "amount" not in goods


def test_the_action_line_comes_from_the_field_the_option_or_the_kind(db):
    assert get_kind("activity").action_line_of({"action_line": "elderly"}) == "elderly"
    assert get_kind("milestone").action_line_of({"milestone_type": "rural_public_cemetery"}) == "xinfeng"
    assert get_kind("placename").action_line_of({}) == "placename"
    assert get_kind("donation").action_line_of({"form": "money"}) is None


def test_action_line_options_come_from_the_default_plan(db):
    field = get_kind("activity").field("action_line")
    zh = options_for(field, "zh_Hans")
    en = options_for(field, "en")
    assert len(zh) == 9 and zh[7].label == "婚丧嫁娶“新风弘扬”行动"
    assert en[0].label.startswith("Social assistance")


@pytest.mark.parametrize("kind,field,text,value", [
    ("activity", "participants", "三十人", 30),
    ("activity", "participants", "约50", 50),
    ("donation", "amount", "1.5万", "15000.00"),
    ("activity", "date", "昨天", "2026-11-22"),
    ("activity", "date", "上周六", "2026-11-21"),
    ("milestone", "date", "2022-05-01", "2022-05-01"),  # 累计 cemeteries count from 2021
])
def test_it_accepts_what_people_type(db, kind, field, text, value):
    assert parse_answer(get_kind(kind).field(field), text, today=TODAY, kind=kind) == value


@pytest.mark.parametrize("kind,field,text,code", [
    ("activity", "participants", "0", "too_small"),
    ("activity", "participants", "100001", "too_large"),
    ("donation", "amount", "0", "too_small"),
    ("donation", "amount", "2亿", "too_large"),
    ("activity", "date", "2022-12-31", "too_early"),  # the plan's start
    ("milestone", "date", "2020-12-31", "too_early"),  # the earliest start of a milestone's
    ("activity", "date", "明天", "future"),
    ("activity", "title", "长" * 61, "too_long"),
    ("activity", "action_line", "儿童", "use_buttons"),
])
def test_it_refuses_bad_answers_with_a_code(db, kind, field, text, code):
    with pytest.raises(ValidationError) as e:
        parse_answer(get_kind(kind).field(field), text, today=TODAY, kind=kind)
    assert e.value.code == code


def test_an_unknown_field_type_is_refused():
    with pytest.raises(ValueError):
        FieldDef.from_dict({"name": "x", "type": "colour", "prompt": "p", "label": "l"})


def test_settings_name_the_missing_variable(tmp_path):
    s = load_settings(env={}, env_file=tmp_path / "none.env")
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        s.require("telegram_bot_token")
    assert "telegram_bot_token" not in repr(load_settings(env={"TELEGRAM_BOT_TOKEN": "1:SECRET"}))
    assert "SECRET" not in repr(load_settings(env={"TELEGRAM_BOT_TOKEN": "1:SECRET"}))


def test_settings_read_a_dot_env_file_under_the_environment(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=sqlite:///x.db\nWEBHOOK_PORT=9000\n")
    s = load_settings(env={"DATABASE_URL": "postgresql://h/db"}, env_file=env_file)
    assert s.database_url == "postgresql://h/db" and s.webhook_port == 9000
    with pytest.raises(SettingsError, match="WEBHOOK_PORT"):
        load_settings(env={"WEBHOOK_PORT": "abc"}, env_file=tmp_path / "none")


# -- one table of field types ----------------------------------------------------------------

def _field(type_: str, **extra) -> FieldDef:
    return FieldDef.from_dict({"name": "x", "type": type_, "prompt": "p", "label": "l", **extra})


def test_every_type_of_the_shipped_kinds_is_one_entry_of_the_table(db):
    used = {f.type for k in active_kinds() for f in k.fields}
    assert used <= set(fieldtypes.FIELD_TYPES)
    assert set(fieldtypes.FIELD_TYPES) == {"choice", "multi", "integer", "money", "date", "text",
                                           "photo", "location", "phone", "id_number", "hours"}
    for name, entry in fieldtypes.FIELD_TYPES.items():
        assert entry.name == name
        assert entry.prompt in {"typed", "location"} | set(kb.ANSWER_BUTTONS)
    with pytest.raises(ValueError, match="unknown field type"):
        _field("colour")


@pytest.mark.parametrize("type_, typed, stored", [
    ("integer", "约30人", 30),
    ("money", "1.5万", "15000.00"),
    ("date", "昨天", "2026-11-22"),
    ("text", "  社区  议事会 ", "社区 议事会"),
    ("phone", "+86 138-1234-5678", "13812345678"),
    ("id_number", "11010519491231002x", "11010519491231002X"),
    ("hours", "1个半小时", "1.5"),
])
def test_each_type_reads_what_people_type(db, type_, typed, stored):
    assert parse_answer(_field(type_), typed, today=TODAY) == stored


@pytest.mark.parametrize("type_", ["choice", "multi", "photo", "location"])
def test_buttons_photos_and_places_are_not_typed(db, type_):
    with pytest.raises(ValidationError) as e:
        parse_answer(_field(type_), "anything", today=TODAY)
    assert e.value.code in ("use_buttons", "wrong_type")


def test_each_type_shows_and_exports_its_value():
    zh = Translator("zh_Hans")
    label = {"a": "甲", "b": "乙"}.get

    def shown(type_, value, how):
        return getattr(fieldtypes.FIELD_TYPES[type_], how)(_field(type_), value, zh, label)

    assert shown("integer", 1200, "card") == "1,200"
    assert shown("money", "15000.00", "display") == "¥15,000.00"
    assert shown("date", "2026-11-21", "card") == "2026年11月21日星期六"
    assert shown("choice", "a", "card") == "甲"
    assert shown("multi", ["a", "b"], "display") == "甲、乙"
    assert shown("id_number", "11010519491231002X", "card") == "1101**********002X"
    assert shown("photo", 0, "card") == "—"
    assert shown("location", {"lat": 39.1, "lon": 117.2}, "card") == "39.10000, 117.20000"
    assert shown("integer", "30", "cell") == 30
    assert shown("money", "12.50", "cell") == Decimal("12.50")
    assert shown("date", "2026-11-21", "cell") == dt.date(2026, 11, 21)
    assert shown("text", "议事会", "cell") == "议事会"


def test_each_type_says_what_an_import_template_asks():
    notes = {name: t.import_note(_field(name, min=1, max=9), ["甲", "乙"])
             for name, t in fieldtypes.FIELD_TYPES.items()}
    assert notes["integer"] == "整数，1—9"
    assert notes["money"] == "金额（元），最多两位小数"
    assert notes["date"] == "日期，如 2024-03-05"
    assert notes["choice"] == "可选值：甲、乙"
    assert notes["multi"] == "可选值：甲、乙（可多选，用顿号分隔）"
    assert notes["text"] == "文字，最多 500 字"
    assert {n for n, t in fieldtypes.FIELD_TYPES.items() if t.shown_apart} == {"photo", "location"}


def test_an_import_cell_is_read_by_its_type(db):
    names = {"甲": "a", "乙": "b"}
    read = {"option": names.__getitem__, "values": lambda: ["a", "b"],
            "parse": lambda s: f"typed:{s}"}
    multi, choice = fieldtypes.FIELD_TYPES["multi"], fieldtypes.FIELD_TYPES["choice"]
    assert multi.read_cell(_field("multi"), "乙、甲，乙", **read) == ["b", "a"]
    assert choice.read_cell(_field("choice"), "甲", **read) == "a"
    assert fieldtypes.FIELD_TYPES["integer"].read_cell(_field("integer"), "3", **read) == "typed:3"


def test_a_new_type_is_one_entry_of_the_table(db, monkeypatch):
    """What ARCHITECTURE.md's recipe promises: the form engine, the bot's buttons and the
    admin's display take a type they have never heard of from its entry alone."""
    from admin.answers import cell, display

    class Percent(fieldtypes.FieldType):
        name = "percent"
        prompt = "numbers"

        def parse(self, f, text, *, today, earliest):
            return int(text.rstrip("%"))

        def display(self, f, value, t, label):
            return f"{value}%"

    monkeypatch.setitem(fieldtypes.FIELD_TYPES, "percent", Percent())
    f = _field("percent", quick=["50", "100"])
    assert parse_answer(f, "80%", today=TODAY) == 80
    t = Translator("en")
    markup = kb.question(f, t, today=TODAY)
    assert [b.text for b in markup.inline_keyboard[0]] == ["50", "100"]
    assert display(f, 80, t) == "80%" and cell(f, 80, t) == "80%"


# -- option sources ---------------------------------------------------------------------------

def test_a_choice_from_an_unregistered_source_fails_loudly(db):
    f = _field("choice", options_from="nobody_registered_this")
    with pytest.raises(LookupError, match="nobody_registered_this"):
        options_for(f)
    with pytest.raises(LookupError):
        parse_answer(f, "张三", today=TODAY)


def test_a_registered_source_offers_and_matches_in_the_bound_scope(db, monkeypatch):
    monkeypatch.setattr(options, "_SOURCES", {})
    seen = []
    options.register_options(
        "people", options=lambda scope, value: seen.append((scope, value)) or [],
        match=lambda scope, text, field: f"{scope}:{text}:{field}")
    f = _field("choice", options_from="people")
    options.bind_scope(7)
    try:
        assert options_for(f, value="u1") == [] and seen == [(7, "u1")]
        assert parse_answer(f, "张三", today=TODAY) == "7:张三:x"
    finally:
        options.bind_scope(None)
    options.register_options("people", options=lambda scope, value: [])
    with pytest.raises(ValidationError) as e:  # without ``match``, only the buttons answer
        parse_answer(f, "张三", today=TODAY)
    assert e.value.code == "use_buttons"

"""Report kinds are data: the engine's rules work for any kind the data file defines."""
from __future__ import annotations

import datetime as dt

import pytest

from models.core.errors import ValidationError
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
])
def test_it_accepts_what_people_type(db, kind, field, text, value):
    assert parse_answer(get_kind(kind).field(field), text, today=TODAY) == value


@pytest.mark.parametrize("kind,field,text,code", [
    ("activity", "participants", "0", "too_small"),
    ("activity", "participants", "100001", "too_large"),
    ("donation", "amount", "0", "too_small"),
    ("donation", "amount", "2亿", "too_large"),
    ("activity", "date", "2022-12-31", "too_early"),
    ("activity", "date", "明天", "future"),
    ("activity", "title", "长" * 61, "too_long"),
    ("activity", "action_line", "儿童", "use_buttons"),
])
def test_it_refuses_bad_answers_with_a_code(db, kind, field, text, code):
    with pytest.raises(ValidationError) as e:
        parse_answer(get_kind(kind).field(field), text, today=TODAY)
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

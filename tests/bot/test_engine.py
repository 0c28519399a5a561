"""The form engine's pure parts, for every kind: what it asks, shows and routes."""
from __future__ import annotations

import ast
import datetime as dt
import string
from pathlib import Path

import pytest

from bot import callbacks as cb
from bot import engine
from bot import keyboards as kb
from models.forms.kinds import active_kinds, options_for
from models.core.i18n import Translator
from models.core.schema import Draft

BOT = Path(engine.__file__).parent
TODAY = dt.date(2026, 11, 23)

#: gettext calls whose msgid is data (kinds.toml, plan files) or an N_ constant, not a literal.
DATA_MSGIDS = {"kind.name", "k.name", "f.prompt", "f.label", "option.label", "f.field_type.hint",
               "description", "pace", "NOT_REGISTERED", "PENDING", "label", "DESCRIBE_HINT"}


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_it_renders_every_field_of_every_kind_with_short_callbacks(db, locale):
    t = Translator(locale)
    for kind in active_kinds():
        for f in kind.fields:
            options = options_for(f, locale)
            markup = kb.question(f, t, options=options, selected=(1 << len(options)) - 1,
                                 today=TODAY, photos=1, can_go_back=True, editing=False)
            for row in (markup.inline_keyboard if markup else ()):
                for button in row:
                    assert len(button.callback_data.encode()) <= cb.MAX_BYTES
                    assert button.text.strip()
            answers = {f.when["field"]: f.when["in"][0]} if f.when else {}
            draft = Draft(answers=answers, history=[], step=f.name, editing=False)
            text = engine.question_text(kind, draft, f, t, locale)
            assert t.gettext(f.prompt) in text
        assert len(kb.card("0" * 36, t).inline_keyboard) == 2


def test_it_shows_values_the_way_people_read_them(db):
    zh, en = Translator("zh_Hans"), Translator("en")
    donation = next(k for k in active_kinds() if k.code == "donation")
    amount, date = donation.field("amount"), donation.field("date")
    assert engine.show_value(amount, "15000.00", zh, "zh_Hans") == "¥15,000.00"
    assert engine.show_value(amount, "15000.00", en, "en") == "CN¥15,000.00"
    assert engine.show_value(date, "2026-11-21", zh, "zh_Hans") == "2026年11月21日星期六"
    assert engine.show_value(date, "2026-11-21", en, "en") == "Saturday, November 21, 2026"
    activity = next(k for k in active_kinds() if k.code == "activity")
    line, parties = activity.field("action_line"), activity.field("parties")
    assert engine.show_value(line, "children", zh, "zh_Hans") == "儿童关爱“花朵呵护”行动"
    assert engine.show_value(parties, ["community", "volunteer"], en, "en") == \
        "Community and Volunteers"
    assert engine.show_value(activity.field("summary"), None, en, "en") == "—"


def test_it_packs_callbacks_and_refuses_long_ones():
    assert cb.unpack(cb.pack(cb.ANSWER, "parties", 3)) == ("a", ["parties", "3"])
    with pytest.raises(ValueError):
        cb.pack(cb.ANSWER, "x" * 70, 1)


def _n_constants(tree) -> set[str]:
    """Module-level names bound to ``N_("literal")``: pybabel extracts those where they are
    defined, so passing the name to gettext is as safe as the literal."""
    return {target.id for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "N_"
            and all(isinstance(a, ast.Constant) for a in node.value.args)
            for target in node.targets if isinstance(target, ast.Name)}


def _gettext_calls():
    for path in sorted(BOT.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        constants = _n_constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("gettext", "ngettext", "N_") and node.args:
                    yield path.name, node, name, constants


def test_it_writes_every_message_as_a_literal_with_named_placeholders():
    """pybabel can only extract literals; placeholders must be named and all filled."""
    for filename, node, name, constants in _gettext_calls():
        msgids = node.args[:2] if name == "ngettext" else node.args[:1]
        where = f"{filename}:{node.lineno}"
        if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in msgids):
            assert ast.unparse(node.args[0]) in DATA_MSGIDS | constants, \
                f"{where}: msgid is not a literal"
            continue
        for msgid in msgids:
            fields = {f for _, f, _, _ in string.Formatter().parse(msgid.value) if f is not None}
            assert "" not in fields and not any(f.isdigit() for f in fields), \
                f"{where}: positional placeholder in {msgid.value!r}"
            if name != "N_":
                given = {k.arg for k in node.keywords} | ({"n"} if name == "ngettext" else set())
                assert fields == given, f"{where}: {msgid.value!r} gets {sorted(given)}"

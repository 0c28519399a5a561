"""The catalogs in locales/ against the source: every msgid the code (and kinds.toml) uses today
is translated into Chinese, placeholders survive translation, and babel finds no errors.

When a test here fails after adding a string: `make i18n`, translate the new entries in
locales/zh_Hans/LC_MESSAGES/messages.po (and fill msgstr[0]/msgstr[1] of new plural entries in
locales/en/... with the English singular and plural), then run this file again.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import models.core.i18n
from models.core.i18n import translator

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
# The same keywords as `make i18n` (-k N_ -k _l -k lazy_gettext on top of babel's defaults).
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sd%]")
CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=None)
def source_messages() -> dict[str | tuple[str, str], list[str]]:
    """Every msgid extracted from the current source, as `make i18n` would: singular msgids as
    strings, plural ones as (singular, plural); each with the files it comes from."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found: dict = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        key = tuple(message[:2]) if isinstance(message, (tuple, list)) else message
        if key:
            found.setdefault(key, []).append(filename)
    return found


@lru_cache(maxsize=None)
def catalog(locale: str):
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def entries(locale: str):
    return [m for m in catalog(locale) if m.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text)) - {"%%"}


def describe(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)


def test_extraction_finds_the_strings_of_the_code_and_of_kinds_toml():
    found = source_messages()
    assert "Submit" in found  # bot/keyboards.py
    assert "Activity held" in found  # models/data/kinds.toml, through the custom extractor
    assert "Sign in" in found  # a Jinja template
    assert ("{n} photo", "{n} photos") in found  # ngettext
    assert len(found) > 300


def test_every_msgid_of_the_source_is_translated_into_chinese():
    zh = catalog("zh_Hans")
    problems = []
    for key, files in sorted(source_messages().items(), key=lambda kv: str(kv[0])):
        msgid = key[0] if isinstance(key, tuple) else key
        where = ", ".join(sorted(set(files)))
        message = zh.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if isinstance(key, tuple) and not isinstance(message.id, (tuple, list)):
            problems.append(f"should be a plural entry: {msgid!r} ({where})")
        elif not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
    assert not problems, "Run `make i18n` and translate in locales/zh_Hans: " + describe(problems)


def test_english_plural_entries_have_both_forms():
    en = catalog("en")
    problems = []
    for key in source_messages():
        if not isinstance(key, tuple):
            continue
        message = en.get(key[0])
        if message is None or tuple(message.string) != key:
            problems.append(f"{key[0]!r}: msgstr[0]/[1] should be {key!r}")
    assert not problems, "Fill locales/en plural entries: " + describe(problems)


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_translations_keep_placeholders_line_breaks_and_emoji(locale):
    problems = []
    for m in entries(locale):
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        wanted = placeholders(ids[-1])
        for s in filter(None, strings):
            if placeholders(s) != wanted:
                problems.append(f"{ids[0]!r}: {sorted(placeholders(s))} != {sorted(wanted)}")
            if s.count("\n") != ids[0].count("\n"):
                problems.append(f"{ids[0]!r}: line breaks differ")
            lead = re.match(r"[^\w\s%{(“\"'/.,;-]+", ids[0])  # a lead emoji or symbol, not punctuation
            if lead and not s.startswith(lead.group()):
                problems.append(f"{ids[0]!r}: should start with {lead.group()!r}")
    assert not problems, describe(problems)


def test_chinese_strings_are_chinese():
    untouched = [m.id for m in entries("zh_Hans")
                 if m.string and not isinstance(m.id, tuple) and m.string == m.id]
    assert not untouched, describe([repr(u) for u in untouched])


@pytest.fixture
def fresh_translators():
    models.core.i18n._translations.cache_clear()
    models.core.i18n._cached.cache_clear()
    yield
    models.core.i18n._translations.cache_clear()
    models.core.i18n._cached.cache_clear()


def test_the_translator_speaks_chinese_and_english(fresh_translators):
    zh, en = translator("zh_Hans"), translator("en")
    assert zh.gettext("Submit") == "提交"
    assert zh.gettext("Back") == "返回"
    assert zh.gettext("Edit a field") == "修改某项"
    assert zh.gettext("Skip") == "跳过"
    assert zh.gettext("Step {n}/{total}", n=2, total=11) == "第2/11步"
    assert CJK.search(zh.gettext("Activity held"))
    assert CJK.search(zh.gettext("What would you like to report?"))
    assert zh.ngettext("{n} photo", "{n} photos", 3) == "3张照片"
    assert translator(None).gettext("Done") == zh.gettext("Done")  # Chinese is the default

    assert en.gettext("Submit") == "Submit"
    assert en.gettext("Activity held") == "Activity held"
    assert en.gettext("Step {n}/{total}", n=2, total=11) == "Step 2/11"
    assert en.ngettext("{n} photo", "{n} photos", 1) == "1 photo"
    assert en.ngettext("{n} photo", "{n} photos", 3) == "3 photos"
    assert en.ngettext("{n} report in all.", "{n} reports in all.", 2) == "2 reports in all."


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_babel_finds_no_errors_in_the_catalog(locale):
    problems = [f"{m.id!r}: {'; '.join(map(str, errors))}"
                for m, errors in catalog(locale).check() if errors]
    assert not problems, describe(problems)

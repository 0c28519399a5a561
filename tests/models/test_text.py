"""The one normalizer at every door (models.core.text): what it removes, what it keeps."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from models.core.text import clean, export_safe, meaningful

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
STRAY = "\u200b\u2060\ufeff"
FAMILY = "👨\u200d👩\u200d👧"
HEART_ON_FIRE = "❤\ufe0f\u200d🔥"
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"

# Text as it arrives: letters, CJK, emoji and their joiners, and every kind of invisible byte.
_NASTY = st.sampled_from(list(BIDI + STRAY + "\u200c\u200d\ufe0f\x00\x1b\x7f\x85\x9f\t\n\r"
                              "\x0b\x0c \u3000\u00a0\u2028１Ａ，́") + [FAMILY, ENGLAND, "🎉"])
TEXTS = st.lists(st.one_of(st.text(max_size=4), _NASTY), max_size=12).map("".join)


def _forbidden(text: str, multiline: bool) -> list[str]:
    allowed = "\n" if multiline else ""
    return [ch for ch in text
            if (unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in BIDI
            or ch in STRAY or 0xD800 <= ord(ch) <= 0xDFFF]


@settings(max_examples=400)
@given(TEXTS, st.booleans())
@example("e\u200b\u0301", False)
@example("\u00b4x", False)
@example(ENGLAND + "\u200c", False)
def test_clean_is_idempotent(text, multiline):
    once = clean(text, multiline=multiline)
    assert clean(once, multiline=multiline) == once


@settings(max_examples=400)
@given(TEXTS, st.booleans())
@example("\x00\x1b[31m\u202eabc\ufeff", False)
def test_clean_leaves_no_forbidden_character(text, multiline):
    out = clean(text, multiline=multiline)
    assert _forbidden(out, multiline) == []
    assert not ILLEGAL_CHARACTERS_RE.search(out)
    assert out == out.strip() and "  " not in out
    if not multiline:
        assert "\n" not in out and "\t" not in out


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Nd"]), min_size=1,
                max_size=10), TEXTS)
def test_meaningful_text_keeps_its_letters_digits_and_cjk(word, noise):
    word = unicodedata.normalize("NFKC", word)
    out = clean(noise + word + noise)
    assert meaningful(out)
    kept = [ch for ch in out if unicodedata.category(ch)[0] in "LN"]
    assert "".join(ch for ch in word if unicodedata.category(ch)[0] in "LN") in "".join(kept)


@pytest.mark.parametrize("sequence", [FAMILY, HEART_ON_FIRE, ENGLAND, "1\ufe0f\u20e3",
                                      "👍🏽", "🏳\ufe0f\u200d🌈"])
def test_emoji_sequences_survive(sequence):
    assert clean(f"好 {sequence}") == f"好 {sequence}"
    assert clean(f"\u202e{sequence}\u200b") == sequence


def test_what_is_removed_and_kept():
    assert clean("  活动\x00\x1b[31m\u202e名称\u200b  ") == "活动[31m名称"
    assert clean("a\u200db a\u200cb") == "ab ab"  # joiners not between emoji
    assert clean("３０人，ＡＢ") == "30人，AB"  # NFKC as before, Chinese punctuation kept
    assert clean("第一行\r\n\t第二行\n\n\n\n第三行") == "第一行 第二行 第三行"
    assert clean("第一行\r\n\t第二行\n\n\n\n第三行", multiline=True) == "第一行\n第二行\n\n第三行"
    assert clean(None) == ""


def test_meaningful():
    assert not meaningful("🎉🎉🎉")
    assert not meaningful(clean("\u202e\u200b！？…"))
    assert not meaningful(FAMILY)
    assert meaningful("社区") and meaningful("a") and meaningful("7") and meaningful("🎉 7")


def test_export_guard_drops_what_openpyxl_refuses():
    stored = "\x00\x1b[31m\u202e标题\ud800\ufffe\n\t"
    safe = export_safe(stored)
    assert not ILLEGAL_CHARACTERS_RE.search(safe)
    assert safe == "[31m标题\n\t"
    assert export_safe(12) == 12 and export_safe(None) is None


def test_choices_numbers_and_dates_are_cleaned_before_they_are_read():
    from datetime import date

    from models.core.errors import ValidationError
    from models.forms.parsing import (parse_choice, parse_date, parse_int, parse_multi,
                                      parse_text)

    assert parse_int("\u202e3\u200b0\x1b人", "f") == 30
    assert parse_date("\u20662026-11-03\u2069", "f", today=date(2026, 11, 23)) == \
        date(2026, 11, 3)
    assert parse_choice("\u202esafety\x00", "f", ["safety"]) == "safety"
    assert parse_multi("a\u200b、\u202eb", "f", ["a", "b"]) == ["a", "b"]
    assert parse_text("标题\x00\u202e", "f", multiline=False) == "标题"
    with pytest.raises(ValidationError) as error:
        parse_text("🎉🎉🎉", "f")
    assert error.value.code == "not_meaningful"
    with pytest.raises(ValidationError) as error:
        parse_text("\u202e\u200b\x00", "f")
    assert error.value.code == "required"

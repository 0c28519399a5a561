"""The one cleaning every text gets at the door, and the last guard every export applies.

What people type or paste can carry bytes nobody sees: control characters (NUL, ESC),
bidi overrides (U+202E turns "gpj.exe" into what looks like "exe.jpg") and zero-width
characters. Stored as sent, one of them makes an XLSX export fail for a whole county and
lets a worker spoof what officials read. ``clean`` removes them (keeping what emoji
sequences need: a ZWJ between emoji, variation selectors, a flag's tag sequence), folds
NFKC as the parsers always did, and settles whitespace; ``meaningful`` says whether what is
left says anything (a letter, a digit, a Chinese character; emoji alone do not).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["BIDI", "ZERO_WIDTH", "clean", "export_safe", "meaningful"]

#: Bidi embeddings, overrides and isolates, and the directional marks.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
#: Invisible characters: zero width (space, non-joiner, joiner, word joiner, BOM), soft
#: hyphen, invisible operators, deprecated format characters, interlinear annotations.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064"
                       "\u206a\u206b\u206c\u206d\u206e\u206f\ufff9\ufffa\ufffb")
_JOINERS = "\u200c\u200d"
_NONCHARACTERS = frozenset("\ufffe\uffff")
_TAG_FIRST, _TAG_CANCEL = 0xE0020, 0xE007F  # tag letters and the tag that ends a sequence
_BLACK_FLAG = "\U0001F3F4"  # the base of subdivision flags (🏴 + tags + cancel tag)
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2300, 0x23FF), (0x2B00, 0x2BFF),
    (0x2190, 0x21FF), (0x25A0, 0x25FF), (0x2900, 0x297F), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x3297, 0x3299), (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
    (0x2122, 0x2122), (0x2139, 0x2139), (0x24C2, 0x24C2),
)
_EMOJI_TAILS = "\ufe0e\ufe0f\u20e3"  # variation selectors and the keycap that may follow

# Chinese prose's own punctuation, which NFKC would turn into ASCII ("，" → ","): kept as
# typed, while full-width letters and digits still fold to ASCII.
_CJK_PUNCTUATION_RE = re.compile("([，：；？！（）])")
_LINE_BREAKS_RE = re.compile("\r\n|[\r\x85\u2028\u2029]")
_INLINE_SPACE_RE = re.compile(r"[^\S\n]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
# What openpyxl refuses (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE), plus what no UTF-8 file
# can hold (lone surrogates) and what XML forbids (U+FFFE/U+FFFF).
_EXPORT_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
                                + "".join(sorted(BIDI)) + "]")


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _EMOJI_RANGES)


def _emoji_before(chars: list[str]) -> bool:
    """Whether the kept text ends with an emoji (its variation selector or skin tone aside)."""
    for ch in reversed(chars):
        if ch in _EMOJI_TAILS or _TAG_FIRST <= ord(ch) <= _TAG_CANCEL:
            continue
        return _is_emoji(ch)
    return False


def _emoji_after(text: str, i: int) -> bool:
    """Whether the next character that is not a joiner or an invisible one is an emoji."""
    for ch in text[i:]:
        if ch in _JOINERS:
            continue
        return _is_emoji(ch)
    return False


def _tag_sequence_end(text: str, i: int) -> int:
    """The end of a well-formed tag sequence starting at ``i`` (after a 🏴), else ``i``."""
    j = i
    while j < len(text) and _TAG_FIRST <= ord(text[j]) < _TAG_CANCEL:
        j += 1
    if j > i and j < len(text) and ord(text[j]) == _TAG_CANCEL:
        return j + 1
    return i


def _strip_invisible(text: str, multiline: bool) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        cp = ord(ch)
        if ch == "\n":
            out.append("\n" if multiline else " ")
        elif ch in "\t\x0b\x0c":
            out.append(" ")
        elif ch in _JOINERS:
            if _emoji_before(out) and _emoji_after(text, i + 1):
                out.append(ch)
        elif ch == _BLACK_FLAG:
            end = _tag_sequence_end(text, i + 1)
            out.extend(text[i:end])
            i = end
            continue
        elif (cp < 0x20 or 0x7F <= cp <= 0x9F or ch in BIDI or ch in ZERO_WIDTH
              or ch in _NONCHARACTERS or 0xD800 <= cp <= 0xDFFF
              or cp == 0xE0001 or _TAG_FIRST <= cp <= _TAG_CANCEL):
            pass
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _nfkc(text: str) -> str:
    """NFKC, Chinese punctuation kept as typed."""
    return "".join(part if _CJK_PUNCTUATION_RE.fullmatch(part) else
                   unicodedata.normalize("NFKC", part)
                   for part in _CJK_PUNCTUATION_RE.split(text))


def _settle_spaces(text: str, multiline: bool) -> str:
    if not multiline:
        return " ".join(text.split())
    s = "\n".join(_INLINE_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", s).strip()


def clean(text: Any, *, multiline: bool = False) -> str:
    """``text`` as stored: invisible and control characters removed, NFKC (Chinese
    punctuation kept), runs of spaces collapsed, stripped. A one-line text turns line breaks
    and tabs into spaces; a multi-line one keeps its line breaks (at most one blank line).
    Idempotent: cleaning a clean text changes nothing."""
    if text is None:
        return ""
    s = _LINE_BREAKS_RE.sub("\n", str(text))
    for _ in range(3):  # NFKC can recompose what a removal brought together: settle
        before = s
        s = _settle_spaces(_nfkc(_strip_invisible(s, multiline)), multiline)
        if s == before:
            break
    return s


def meaningful(text: str) -> bool:
    """Whether ``text`` says something: at least one letter, digit or Chinese character
    (Unicode categories L* and N*). Emoji, punctuation and symbols alone do not."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text or "")


def export_safe(value: Any) -> Any:
    """The last guard of every export: a text loses what a spreadsheet, a CSV file or a PDF
    cannot hold (C0 controls but tab and line breaks, lone surrogates, U+FFFE/U+FFFF) and
    any bidi control, whatever was stored before the door cleaned it; so do the texts in a
    dict, list or tuple (a chart's spec). Other values pass."""
    if isinstance(value, str):
        return _EXPORT_ILLEGAL_RE.sub("", value)
    if isinstance(value, dict):
        return {k: export_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(export_safe(v) for v in value)
    return value


def nested_quotes(text: str) -> str:
    """A text to be quoted inside “…”: its own double quotes become single ones
    (“四点半课堂”托管 → ‘四点半课堂’托管), as Chinese typography nests them, so a notice
    reads 您的申报“‘四点半课堂’托管”, never ““四点半课堂”托管”."""
    return text.replace("“", "‘").replace("”", "’")

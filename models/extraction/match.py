"""Phrase matching shared by the extraction's readers: a phrase list against a message."""
from __future__ import annotations


def _hits(text: str, low: str, words) -> list[str]:
    """The phrases of ``words`` found in the text (English case-insensitively, a hyphen as
    a space: tree-burial is tree burial)."""
    flat = low.replace("-", " ")
    return [w for w in words if (w in text) or (w.isascii() and (
        w.lower() in low or w.lower().replace("-", " ") in flat)) or (
        # a verb and its object with 了 between them: 量了血压 is 量血压
        len(w) >= 3 and not w.isascii() and w[:1] + "了" + w[1:] in text)]


def _unless(text: str, words) -> tuple[str, str]:
    """The text (and its lower case) without the phrases ``words``."""
    for w in words:
        text = text.replace(w, " ")
    return text, text.lower()

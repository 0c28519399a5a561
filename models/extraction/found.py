"""A value read from a message, with the words that say it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    """A value read from the text, the phrase that says it, and whether it was hedged."""
    value: object
    source: str
    approximate: bool = False

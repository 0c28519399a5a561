"""The activity's action line: the line a message's phrases name most, ties resolved only
where the text settles them."""
from __future__ import annotations

import re

from .match import _hits


_KIN_AFTER_RE = re.compile("[^和及与、]{0,3}?(?:家属|家庭|亲属|家长|照料者|照护者)")
_KIN_BEFORE_RE = re.compile(r"(?:carers|caregivers|families|relatives|parents) of (?:people |those )?"
                            r"(?:with |living with )?(?:severe |serious )?$")


def _served(low: str, word: str) -> bool:
    """Whether a group's word names those served, not their kin (精神障碍患者家属, carers of
    people with mental illness): the group is the kin's, not the activity's."""
    return any(not _KIN_AFTER_RE.match(low, i + len(word))
               and not _KIN_BEFORE_RE.search(low[max(0, i - 50):i])
               for i in (m.start() for m in re.finditer(re.escape(word), low)))


def _longest_line(text: str, low: str, table: dict, groups: dict | None = None
                  ) -> tuple[list[str], str]:
    """The action lines named most often (by distinct phrases); ties are all returned, but
    for a line whose every phrase only qualifies another tied line's people (为留守老人开展义诊:
    left behind, but elderly): that tie goes to the people's line."""
    best, chosen, source, said = 0, [], "", {}
    found = {line: _hits(text, low, words) for line, words in table.items()}
    every = [h for hs in found.values() for h in hs]
    for line, words in table.items():
        # a phrase inside a longer one found (留守 in 留守妇女, of another line) is not said
        # on its own unless it is also said apart from it
        hits = [h for h in found[line] if not any(
            h != o and h.lower() in o.lower() and low.count(h.lower()) <= low.count(o.lower())
            for o in every)]
        if not hits:
            continue
        said[line] = hits
        if len(hits) > best:
            best, chosen, source = len(hits), [line], max(hits, key=len)
        elif len(hits) == best:
            chosen.append(line)
            source = source + "、" + max(hits, key=len)
    if len(chosen) > 1 and groups:
        heads = {g: [w.lower() for w in ws] for g, ws in groups.items() if g in chosen}
        kept = [line for line in chosen if not all(
            _qualifies(low, h.lower(), [w for g, ws in heads.items() if g != line for w in ws])
            for h in said[line])]
        if len(kept) == 1:
            return kept, max(said[kept[0]], key=len)
    return chosen, source


def _qualifies(low: str, phrase: str, heads: list[str]) -> bool:
    """Whether every time the phrase is said a head noun of another line follows it (留守老人)."""
    at = [m.end() for m in re.finditer(re.escape(phrase), low)]
    return bool(at) and all(any(low.startswith(w, i) for w in heads) for i in at)

"""Which of the five parties a message names: a community only where it organises."""
from __future__ import annotations

import re


_CLAUSE_BREAK_RE = re.compile(r"[，。；;,.!！?？：:（）()—]")


def _organisers(text: str, low: str, words: list[str], rule: dict) -> list[str]:
    """The community words (of ``words``) said of a community that organises or co-organises:
    社区联合…, 联合XX社区居委会在…开展, 村委会和镇社工站一起组织, our community ran…; never
    在XX社区开展 (the venue), 为XX村 (those served), 社区老年学校 (a facility's name)."""
    out = []
    alts = sorted({w.lower() for w in words}, key=len, reverse=True)
    for m in re.finditer("|".join(map(re.escape, alts)), low):
        en = m.group().isascii()
        k = "en_" if en else ""
        start, end = m.start(), m.end()
        if en and ((start and low[start - 1].isalpha()) or (end < len(low) and low[end].isalpha()
                                                             and low[end] not in "s")):
            continue
        if en and low.startswith("s", end) and not low.startswith("s'", end):
            continue  # communities/villages: not a body named
        after = low[end:]
        if any(after.lstrip().startswith(h) or (en and re.match(
                rf"^(?:'s|’s)?(?: [a-z'’-]+){{0,2}} {re.escape(h)}\b", after))
               for h in rule[k + "staff"]) or \
                re.search(rf"(?:{'|'.join(map(re.escape, rule['labels']))})\s*[：:]?\s*\S{{0,12}}$",
                          low[max(0, start - 40):start]):
            out.append(text[start:end])
            continue
        # the head noun: 社区居委会 is the committee, 社区's director
        for h in sorted(rule[k + "heads"], key=len, reverse=True):
            if after.lstrip().startswith(h):
                after = after.lstrip()[len(h):]
                break
        if en:
            after = re.sub(r"^(?:'s|’s)?(?: [a-z'’-]+){0,2}? (?=\w)", " ", after) \
                if re.match(r"^(?:'s|’s)", after) else after
        clause = _CLAUSE_BREAK_RE.split(after, 1)[0]
        follow = clause.lstrip()
        if en:
            ok = any(re.match(rf"{re.escape(f)}\b", follow) for f in rule["en_follows"]) or (
                any(re.match(rf"{re.escape(f)}\b", follow) for f in rule["en_follows_if_verb"])
                and any(re.search(rf"\b{re.escape(v)}\b", follow) for v in rule["en_verbs"]))
        else:
            ok = any(follow.startswith(f) for f in rule["follows"]) or (
                any(follow.startswith(f) for f in rule["follows_if_verb"])
                and any(v in follow for v in rule["verbs"]))
        if not ok:
            continue
        before = _CLAUSE_BREAK_RE.split(low[:start])[-1]
        def last(ws):
            if en:
                found = [x.end() for w in ws for x in re.finditer(rf"\b{re.escape(w)}\b", before)]
            else:
                found = [i + len(w) for w in ws if (i := before.rfind(w)) >= 0]
            return max(found, default=-1)
        if last(rule[k + "venue_before"]) > last(rule[k + "with_before"]):
            continue
        out.append(text[start:end])
    return out

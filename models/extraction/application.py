"""A pilot project's application (申报表) told in one message ("我们孔家崖街道准备申报三社联动试点项目，
项目名称暂定“孔家崖邻里帮帮团”，想申请省级补助5万元"): the fields it states, read with the
extraction's own readers (quoted names, the money parser, phrase lists of extraction.toml); the
rest of the form is asked."""
from __future__ import annotations

import re

from .counts import _CLAUSE_RE, _money, _one
from .found import Found
from .match import _hits
from .names import _QUOTED_RE

#: A period the project runs (2026年12月至2027年6月, from March 2027 to August 2027).
_YM = r"(?:[0-9]{4}年)?[0-9]{1,2}月(?:[0-9]{1,2}[日号])?"
_EN_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November"
             r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?(?: [0-9]{4})?")
_PERIOD_RE = re.compile(f"{_YM}(?:至|到|—|–|-|~|～){_YM}|{_EN_MONTH} (?:to|until|-|–) {_EN_MONTH}", re.I)


def application(text: str, low: str, data: dict, v: dict, unsure: dict) -> None:
    """A pilot application's fields where the message states them: its name in quotes, the
    subsidy asked (an amount said with 补助/subsidy), the service areas named, the period; the
    message's own date is no field of it. What is not stated, or stated two ways, is asked."""
    v.pop("date", None)
    unsure.pop("date", None)
    names = list(_QUOTED_RE.finditer(text))
    if len(names) == 1:
        v["project_name"] = Found(names[0].group("q").strip(), names[0].group(0))
    elif names:
        unsure["project_name"] = [Found(m.group("q").strip(), m.group(0)) for m in names]
    words = data.get("subsidy", {}).get("words", ())
    money = _money(text)
    said = [(r, f) for r, f in money
            if _hits(clause := _clause_of(text, f.source), clause.lower(), words)]
    if not said and len(money) == 1 and _hits(text, low, words):
        said = money  # 申请补助，5万元: the one sum, the subsidy said in the message
    one, many = _one([f for r, f in said if r == "amount"])
    if one and not any(r == "rough" for r, _ in said):
        v["subsidy"] = one
    elif money:  # several, or 几万元, or a sum not said to be the subsidy: asked
        unsure["subsidy"] = many or [f for _, f in said] or [f for _, f in money]
    areas = {a: _hits(text, low, ws) for a, ws in data.get("service_areas", {}).items()}
    areas = {a: hs for a, hs in areas.items() if hs}
    if areas:  # every area named
        v["service_areas"] = Found(list(areas), "、".join(max(hs, key=len) for hs in areas.values()))
    m = _PERIOD_RE.search(text)
    if m:
        v["period"] = Found(m.group(0), m.group(0))
    who = _implementer(text, data.get("implementer", {}))
    if who:
        v["implementer"] = who


def _implementer(text: str, said: dict) -> Found | None:
    """Who carries the project out: 由阳光社会工作服务中心承接实施, carried out by the Sunshine
    Social Work Centre (a name in capitals)."""
    verbs = "|".join(map(re.escape, sorted(said.get("verbs", ()), key=len, reverse=True)))
    m = verbs and re.search(f"由(?P<w>[^，。,；;由]{{2,30}}?)(?:{verbs})", text)
    if m:
        return Found(m.group("w"), m.group(0))
    en = "|".join(map(re.escape, said.get("en_verbs", ())))
    m = en and re.search(rf"\b(?i:{en}) (?:the )?(?P<w>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*)", text)
    if m:
        return Found(m.group("w"), m.group(0))
    return None


def _clause_of(text: str, phrase: str) -> str:
    """The clause of ``text`` that holds ``phrase`` (its first occurrence)."""
    at = text.find(phrase)
    if at < 0:
        return ""
    start = max([m.end() for m in _CLAUSE_RE.finditer(text, 0, at)] + [0])
    stop = min([m.start() for m in _CLAUSE_RE.finditer(text, at + len(phrase))] + [len(text)])
    return text[start:stop]

"""One message, one report: read what a worker wrote ("昨天下午在胜利社区文化广场开展了未成年人防溺水
安全宣传，社工和志愿者共8人参加，服务群众三十余人") into a kind and its fields.

Rule-based and local: the phrases that name kinds, action lines and options are data
(``models/data/extraction.toml``), numbers and dates are read by ``models.forms.parsing``.
Every value keeps the phrase it came from; a value the text does not settle (two dates, two
counts that could both be the participants, a tie between two kinds or two lines) is never
guessed: it goes to ``unsure`` so the bot asks it.
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from models.core.errors import ValidationError
from models.core.paths import DATA_DIR
from models.forms import parsing

__all__ = ["Found", "Extraction", "extract", "words_of", "PHRASES_FILE"]

PHRASES_FILE = DATA_DIR / "extraction.toml"


@dataclass(frozen=True)
class Found:
    """A value read from the text, the phrase that says it, and whether it was hedged."""
    value: object
    source: str
    approximate: bool = False


@dataclass
class Extraction:
    #: The kind read, or None when the text does not settle it (then see ``kinds``).
    kind: str | None
    #: The likely kinds, best first (one when settled, two or three when unclear).
    kinds: list[str]
    values: dict[str, Found] = field(default_factory=dict)
    #: Fields the text names more than one way: the candidates, to be asked, never chosen.
    unsure: dict[str, list[Found]] = field(default_factory=dict)


@lru_cache(maxsize=4)
def phrases(path: Path = PHRASES_FILE) -> dict:
    return tomllib.loads(Path(path).read_text("utf-8"))


# --------------------------------------------------------------------------------------------
# Phrase matching
# --------------------------------------------------------------------------------------------

def _hits(text: str, low: str, words) -> list[str]:
    """The phrases of ``words`` found in the text (English case-insensitively)."""
    return [w for w in words if (w in text) or (w.isascii() and w.lower() in low)]


def _longest_option(text: str, low: str, table: dict) -> tuple[list[str], str]:
    """The options whose longest matched phrase is the longest; and that phrase."""
    best, chosen, source = 0, [], ""
    for option, words in table.items():
        hits = _hits(text, low, words)
        if not hits:
            continue
        n = max(len(h) for h in hits)
        if n > best:
            best, chosen, source = n, [option], max(hits, key=len)
        elif n == best:
            chosen.append(option)
    return chosen, source


def _first_option(text: str, low: str, table: dict) -> tuple[str | None, str]:
    """The first option (in the data's order) one of whose phrases is found."""
    for option, words in table.items():
        hits = _hits(text, low, words)
        if hits:
            return option, max(hits, key=len)
    return None, ""


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_CN = "零〇一二两三四五六七八九十"
_DAY = f"(?:[0-9]{{1,2}}|[{_CN}]{{1,3}})"
_WEEKDAY = r"(?:上上个|上上|上个|上|本|这个|这)?(?:周|星期|礼拜)[一二三四五六日天1-7]"
_DATE_RE = re.compile(
    r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}"
    f"|(?:[0-9]{{4}}|[0-9]{{2}}|[{_CN}]{{4}})年{_DAY}月{_DAY}[日号]?"
    r"|(?<![0-9/.])[0-9]{1,2}/[0-9]{1,2}(?![0-9/])"
    f"|(?<![0-9年]){_DAY}月{_DAY}[日号]"
    f"|(?:本月|这个月|这月){_DAY}[日号]"
    f"|大前天|前天|昨天|昨日|今天|今日|{_WEEKDAY}"
    f"|(?:[0-9]+|[{_CN}]+)天前")
_RANGE_RE = re.compile(f"\\s*(?:、|至|到|-|—|~|～|和|及)\\s*{_DAY}[日号]")
_EN_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_EN_DAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_EN_DATE_RE = re.compile(
    r"\b(yesterday|today)\b"
    r"|\b(?:last|on|this past) (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b([0-9]{1,2})(?:st|nd|rd|th)? (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* ([0-9]{1,2})(?:st|nd|rd|th)?\b",
    re.I)


def _dates(text: str, today: dt.date, earliest: dt.date | None) -> tuple[list[Found], bool]:
    """Every date the text names (resolved, distinct), and whether one could not be read."""
    found: list[Found] = []
    bad = False
    for m in _DATE_RE.finditer(text):
        phrase = m.group(0)
        if _RANGE_RE.match(text, m.end()):  # "12月3日、4日", "3日至5日": which day?
            bad = True
        expr = re.sub("^(?:本月|这个月|这月)", "", phrase)
        try:
            d = parsing.parse_date(expr, "date", today=today, earliest=earliest)
        except ValidationError:
            bad = True
            continue
        found.append(Found(d.isoformat(), phrase))
    for m in _EN_DATE_RE.finditer(text):
        phrase = m.group(0)
        try:
            if m.group(1):
                d = today - dt.timedelta(days=1 if m.group(1).lower() == "yesterday" else 0)
            elif m.group(2):
                back = (today.weekday() - _EN_DAYS[m.group(2).lower()]) % 7 or 7
                d = today - dt.timedelta(days=back)
            else:
                day = int(m.group(3) or m.group(6))
                month = _EN_MONTHS[(m.group(4) or m.group(5)).lower()[:3]]
                d = dt.date(today.year, month, day)
                if d > today:
                    bad = True
                    continue
        except ValueError:
            bad = True
            continue
        found.append(Found(d.isoformat(), phrase))
    distinct: dict[str, Found] = {}
    for f in found:
        distinct.setdefault(f.value, f)
    return list(distinct.values()), bad


# --------------------------------------------------------------------------------------------
# Counts and money
# --------------------------------------------------------------------------------------------

_NUM = (r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?[十百千万kw]?"
        r"|[零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+)")
_COUNT_RE = re.compile(
    r"(?P<pre>大约|大概|将近|接近|超过|共计|总共|一共|约|近|逾|共)?"
    f"(?P<num>{_NUM})"
    r"(?P<hedge>余|多|来)?(?P<unit>人次|个|名|位|人|篇|则|处|家|户)(?P<post>左右|以上|上下)?")
_EN_COUNT_RE = re.compile(
    r"(?P<pre>about |around |some |over |nearly |almost |more than |roughly |approximately )?"
    r"(?P<num>[0-9][0-9,]*)(?P<hedge>\+| or so|-odd)? ?(?:more |local |older |elderly )?"
    r"(?P<unit>people|persons|residents|participants|villagers|volunteers|elderly|seniors|"
    r"children|kids|pupils|students|minors|teenagers|youngsters|stories|attendees|guests)", re.I)
_MONEY_RE = re.compile(
    r"(?P<pre>价值|折合|约|共计|共|人民币|¥|￥)?(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?[千万]?"
    r"|[零一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+)(?P<unit>万元|元|块钱|块)")
_EN_MONEY_RE = re.compile(
    r"(?P<pre>worth |valued at )?(?:¥|rmb ?|cny ?)(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)(?P<k>k)?"
    r"|(?P<pre2>worth |valued at )?(?P<num2>[0-9][0-9,]*(?:\.[0-9]+)?)(?P<k2>k)? ?(?:yuan|rmb)",
    re.I)
_CLAUSE_RE = re.compile(r"[，。；;！!？?\n]|(?<![0-9]),|,(?![0-9])|\. ")


@dataclass(frozen=True)
class _Count:
    value: int
    source: str
    approximate: bool
    before: str  # the clause up to the number
    after: str  # the clause after it
    unit: str


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_RE.split(text) if c.strip()]


def _counts(text: str) -> list[_Count]:
    """Every count, with the words around it up to its neighbours in the clause: in
    "社工2名、志愿者3名" the 3 is the volunteers', not the social workers'."""
    out = []
    for clause in _clauses(text):
        found = []
        for m in _COUNT_RE.finditer(clause):
            try:
                value = parsing.parse_int(m.group("num"), "n")
            except ValidationError:
                continue
            found.append((m, value, bool(
                m.group("hedge") or m.group("post") or (m.group("pre") or "") in
                ("大约", "大概", "将近", "接近", "超过", "约", "近", "逾")), m.group("unit")))
        for m in _EN_COUNT_RE.finditer(clause):
            found.append((m, int(m.group("num").replace(",", "")),
                          bool(m.group("pre") or m.group("hedge")), m.group("unit").lower()))
        found.sort(key=lambda f: f[0].start())
        for i, (m, value, approximate, unit) in enumerate(found):
            start = found[i - 1][0].end() if i else 0
            end = found[i + 1][0].start() if i + 1 < len(found) else len(clause)
            out.append(_Count(value, m.group(0), approximate, clause[start:m.start()],
                              clause[m.end():max(end, m.end())], unit))
    return out


_PERSON_UNITS = {"人次", "名", "位", "人", "people", "persons", "residents", "participants",
                 "villagers", "attendees", "guests"}
_VOLUNTEER = ("志愿者", "义工", "volunteer")
_STAFF = ("社工", "工作人员", "社区干部", "social worker", "staff")
_ELDERLY = ("老人", "老年", "长者", "elderly", "seniors")
_CHILDREN = ("儿童", "孩子", "学生", "青少年", "小朋友", "children", "kids", "pupils", "students")
_AUDIENCE = ("参加", "来了", "参与", "服务", "群众", "居民", "受益", "村民", "覆盖", "到场", "观众", "听众",
             "吸引", "人次", "参会", "took part", "attended", "joined", "residents", "people",
             "villagers", "participants", "served")


#: The nouns after 个 that make it a count of people ("来了25个小朋友").
_PEOPLE_NOUNS = ("小朋友", "孩子", "儿童", "学生", "老人", "居民", "群众", "村民", "家长", "人",
                 "青少年", "娃")
_CAME = ("参加", "参与", "参训", "到场", "观看", "came", "attended", "took part", "joined")


def _role(c: _Count, kind: str | None) -> str | None:
    """What a count is about: volunteers, staff, elderly, children, stories, the audience."""
    near_before, near_after = c.before[-8:].lower(), c.after[:8].lower()
    near = near_before + " " + c.unit + " " + near_after
    if c.unit in ("篇", "则", "stories") or "故事" in near_after or "故事" in near_before[-4:]:
        return "stories"
    if c.unit == "volunteers" or any(w in near for w in _VOLUNTEER):
        if any(w in near for w in _STAFF):
            return "staff"
        return "volunteers"
    if any(w in near for w in _STAFF):
        return "staff"
    clause = (c.before + c.unit + c.after).lower()
    if kind == "placename" and not any(w in clause for w in _CAME):
        if c.unit in ("elderly", "seniors") or any(w in near_before[-4:] + near_after[:2]
                                                    for w in _ELDERLY):
            return "elderly"
        if c.unit in ("children", "kids", "pupils", "students") or any(
                w in near_before[-4:] + near_after[:2] for w in _CHILDREN):
            return "children"
    if c.unit == "个" and any(c.after.startswith(w) for w in _PEOPLE_NOUNS):
        strong = any(w in c.before.lower() + c.after[:8].lower() for w in _AUDIENCE + _CAME)
        return "audience" if strong else "people"
    if c.unit in _PERSON_UNITS or c.unit in ("elderly", "seniors", "children", "kids",
                                             "pupils", "students", "minors", "teenagers",
                                             "youngsters"):
        strong = any(w in c.before.lower() + c.unit + c.after[:6].lower() for w in _AUDIENCE)
        return "audience" if strong else "people"
    return None


_JOIN = "和及与、跟或/&"


def _group(c: _Count, groups: dict) -> str | None:
    """Whom a count is of ("elderly", "children") when a group's word is right before the
    number or right after it; None when no group, or when it joins two ("老人和儿童共30人")."""
    before = c.before.rstrip("：:的了共计约 ").lower()
    after, source = c.after.lower(), c.source.lower()
    for group, words in groups.items():
        for w in words:
            w = w.lower()
            if before.endswith(w):
                if before[:-len(w)][-1:] and before[:-len(w)][-1] in _JOIN:
                    return None
                return group
            i = after.find(w)
            if 0 <= i <= 4 and not any(j in after[:i] for j in _JOIN):
                return group
            if w.isascii() and w in source:
                return group
    return None


def _group_count(counts: list[_Count], roles: list[str | None], groups: dict, group: str,
                 only=None) -> tuple[Found | None, list[Found]]:
    """The one count of a group of people (``only``: a test on its clause), or the candidates."""
    return _one([Found(c.value, c.source, c.approximate) for c, r in zip(counts, roles)
                 if r in ("audience", "people", None) and _group(c, groups) == group
                 and (r is not None or c.unit == "户") and (only is None or only(c))])


def _one(cands: list[Found]) -> tuple[Found | None, list[Found]]:
    """The one value the candidates agree on, or the disagreeing candidates."""
    distinct: dict = {}
    for f in cands:
        distinct.setdefault(f.value, f)
    if len(distinct) == 1:
        return next(iter(distinct.values())), []
    return None, list(distinct.values())


def _money(text: str) -> list[tuple[str, Found]]:
    """Amounts in yuan with what they are: ("value", …) after 价值/worth, else ("amount", …)."""
    out = []
    for m in _MONEY_RE.finditer(text):
        try:
            v = parsing.parse_money(m.group("num") + ("万" if m.group("unit") == "万元" else ""), "m")
        except ValidationError:
            continue
        role = "value" if m.group("pre") in ("价值", "折合") else "amount"
        out.append((role, Found(str(v), m.group(0), m.group("pre") == "约")))
    for m in _EN_MONEY_RE.finditer(text):
        num = (m.group("num") or m.group("num2")).replace(",", "")
        try:
            v = parsing.parse_money(num, "m") * (1000 if (m.group("k") or m.group("k2")) else 1)
        except ValidationError:
            continue
        role = "value" if (m.group("pre") or m.group("pre2")) else "amount"
        out.append((role, Found(str(v.quantize(parsing._CENT)), m.group(0).strip())))
    return out


# --------------------------------------------------------------------------------------------
# Place, title, names
# --------------------------------------------------------------------------------------------

_VERBS = ("开展|举办|举行|召开|组织|进行|为|给|向|对|慰问|走访|看望|探访|宣传|集中|设立|发放|签订|张贴|"
          "公示|修订|讲解|收集")
_PLACE_RE = re.compile(f"(?:在|于|到)(?P<p>[^，。,；;！!？?\\s]{{2,40}}?)(?={_VERBS}|，|。|$)")
_EN_PLACE_RE = re.compile(
    r"\b(?:at|in) (?:the )?(?P<p>[A-Z][\w'’-]*(?: (?:[A-Z0-9][\w'’-]*|of|No\.))*)")
_DATEISH_RE = re.compile(f"^(?:{_DATE_RE.pattern})|(?:上午|下午|晚上|中午|早上|傍晚)")
_TITLE_VERB_RE = re.compile(r"(?:组织开展|开展|举办|举行|召开)(?:了)?")
_TITLE_CUT_RE = re.compile(r"[，。,；;！!？?\n]|(?<=活动)")
_EN_TITLE_RE = re.compile(
    r"\b(?:held|organi[sz]ed|ran|hosted|gave|did|carried out|joined|attended|took part in)"
    r"\s+(?:an?\s+|the\s+|our\s+)?"
    r"(?P<t>.+?)(?=\s+(?:at|in|on|with|yesterday|today|last)\b|[,.;]|$)", re.I)
_QUOTED_RE = re.compile(r"[“\"「『《](?P<q>[^”\"」』》]{2,30})[”\"」』》]")


def _place(text: str) -> Found | None:
    for m in _PLACE_RE.finditer(text):
        p = _DATEISH_RE.sub("", m.group("p")).strip()
        p = re.sub(r"^(?:在|于)", "", p)
        if len(p) >= 2 and not _DATE_RE.fullmatch(p):
            return Found(p, m.group(0).rstrip("，。"))
    for m in _EN_PLACE_RE.finditer(text):
        p = m.group("p").strip()
        if p.lower() not in {w for w in _EN_MONTHS} and len(p) >= 3:
            return Found(p, m.group(0))
    return None


def _title(text: str) -> Found | None:
    m = _TITLE_VERB_RE.search(text)
    if m:
        rest = text[m.end():]
        t = _TITLE_CUT_RE.split(rest, maxsplit=1)[0]
        t = re.sub(r"^(?:了|一场|一次|一期|一堂|一个)+", "", t).strip()
        if 2 <= len(t) <= 60:
            return Found(t, m.group(0) + t)
    m = _EN_TITLE_RE.search(text)
    if m:
        t = m.group("t").strip()
        if 2 <= len(t) <= 60:
            return Found(t[:1].upper() + t[1:], m.group(0))
    m = _QUOTED_RE.search(text)
    if m:
        return Found(m.group("q"), m.group(0))
    return None


_FUND_STOP = set("向给为入到捐了，。,、在与及 ")


def _fund(text: str) -> Found | None:
    for m in re.finditer("基金(?!会)", text):
        i = j = m.start()
        while j > 0 and text[j - 1] not in _FUND_STOP and i - j < 20:
            j -= 1
        name = text[j:i + 2]
        if len(name) > 2:
            return Found(name, name)
    m = re.search(r"\b(?:to|into) (?:the )?(?P<f>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)* Fund)\b", text)
    if m:
        return Found(m.group("f"), m.group(0))
    return None


def _goods(text: str) -> Found | None:
    m = re.search(r"(?:捐赠|捐助|捐献|捐了|捐给[^，。]{0,12}?)(?:了)?(?P<g>[^，。；;]{2,80})", text)
    if m:
        g = re.split(r"[，。；;,]|价值|折合|[约共]?[0-9.]+万?元", m.group("g"))[0].strip("、 ")
        if g and not re.match(r"^[约共]?[0-9零一二两三四五六七八九十百千万.,]+(?:万元|元|块)", g):
            return Found(g, m.group(0))
    m = re.search(r"\bdonated (?P<g>.+?)(?=\s+(?:worth|valued|to|for)\b|[,.;]|$)", text, re.I)
    if m:
        return Found(m.group("g").strip(), m.group(0))
    return None


def _milestone_name(text: str) -> Found | None:
    m = _QUOTED_RE.search(text)
    if m:
        return Found(m.group("q"), m.group(0))
    m = re.search(r"(?P<n>[\u4e00-\u9fa5A-Za-z0-9（）()]{4,40}?(?:工作站|服务站|保护站|康复站|之家|"
                  r"服务中心|社区|公墓|案例|试点县|试点))(?=正式|顺利|成功|挂牌|揭牌|建成|获评|入选|"
                  r"被评为|通过|投入|落成|，|。|$)", text)
    if m:
        n = re.sub(f"^(?:{_DATE_RE.pattern})", "", m.group("n"))
        n = re.sub(r"^(?:上午|下午|我们|我|本)", "", n)
        return Found(n, m.group(0))
    m = re.search(r"\b(?P<n>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)+)", text)
    if m:
        return Found(m.group("n"), m.group(0))
    return None


def _place_names(text: str) -> Found | None:
    quoted = [m.group("q") for m in _QUOTED_RE.finditer(text)]
    if quoted:
        return Found("、".join(quoted), "、".join(f"“{q}”" for q in quoted))
    m = re.search(r"(?P<n>[\u4e00-\u9fa5、]{2,60}?)等(?:[0-9一二两三四五六七八九十]+个)?(?:老)?地名",
                  text)
    if m:
        n = re.sub(r"^.*?(?:讲述|介绍|讲解|讲了|围绕|讲)", "", m.group("n"))
        return Found(n, m.group(0))
    return None


# --------------------------------------------------------------------------------------------
# The whole message
# --------------------------------------------------------------------------------------------

def _kinds(text: str, low: str, data: dict) -> list[tuple[str, int]]:
    scores = []
    for code, spec in data["kinds"].items():
        hits = _maximal(_hits(text, low, spec["phrases"]))
        if hits:
            scores.append((code, spec.get("weight", 1) * len(hits)))
    scores.sort(key=lambda s: -s[1])
    # An activity is what a report is when nothing more particular is named: its words
    # (开展, 活动) come with every kind.
    particular = [s for s in scores if data["kinds"][s[0]].get("weight", 1) > 1]
    return particular or scores


def _maximal(hits: list[str]) -> list[str]:
    """The phrases not contained in a longer phrase found ("地名" inside "地名文化")."""
    return [h for h in hits if not any(h != o and h.lower() in o.lower() for o in hits)]


def extract(text: str, *, today: dt.date, earliest: dt.date | None = None,
            kind: str | None = None, data: dict | None = None) -> Extraction:
    """Read a worker's message. ``kind`` when the worker already chose it."""
    data = data or phrases()
    text = parsing.normalize(text)
    low = text.lower()

    scores = _kinds(text, low, data)
    if kind is None:
        if not scores:
            return Extraction(None, [])
        top = scores[0][1]
        best = [c for c, s in scores if s == top]
        if len(best) > 1:
            return Extraction(None, [c for c, _ in scores[:3]])
        kind = best[0]
        kinds = [kind]
    else:
        kinds = [kind]
    out = Extraction(kind, kinds)
    v, unsure = out.values, out.unsure

    dates, bad_date = _dates(text, today, earliest)
    if len(dates) == 1 and not bad_date:
        v["date"] = dates[0]
    elif dates or bad_date:
        unsure["date"] = dates

    counts = _counts(text)
    roles: dict[str, list[Found]] = {}
    role_of = [_role(c, kind) for c in counts]
    for c, r in zip(counts, role_of):
        if r:
            roles.setdefault(r, []).append(Found(c.value, c.source, c.approximate))
    audience = roles.get("audience", []) + roles.get("people", [])
    people_field = "audience" if kind == "placename" else "participants"
    if kind in ("activity", "xinfeng", "placename"):
        one, many = _one(audience)
        if one:
            v[people_field] = one
        elif many:
            unsure[people_field] = many

    if kind == "activity":
        line, src = _longest_line(text, low, data["lines"])
        if line and len(line) == 1:
            v["action_line"] = Found(line[0], src)
        elif line:
            unsure["action_line"] = [Found(x, src) for x in line]
        atype, src = _first_option(text, low, data["activity_types"])
        if atype:
            v["activity_type"] = Found(atype, src)
        title = _title(text)
        if title:
            v["title"] = title
        parties = [p for p, words in data["parties"].items() if _hits(text, low, words)]
        if parties:
            v["parties"] = Found(parties, "、".join(
                max(_hits(text, low, data["parties"][p]), key=len) for p in parties))
        one, many = _one(roles.get("volunteers", []))
        if one:
            v["volunteers"] = one
        elif many:
            unsure["volunteers"] = many
        # of those present, the minors (children line) or the elderly visited at home
        # (elderly line): only a count said to be of them, never the whole audience
        visits = data.get("visits", {}).get("words", [])
        line_read = v.get("action_line")
        asked = {"children": ("minors", None),
                 "elderly": ("elderly_visited",
                             lambda c: bool(_hits(c.before + c.source + c.after,
                                                  (c.before + c.source + c.after).lower(),
                                                  visits)))}
        if line_read and line_read.value in asked:
            name, only = asked[line_read.value]
            one, many = _group_count(counts, role_of, data.get("groups", {}), line_read.value,
                                     only)
            if one:
                v[name] = one
            elif many:
                unsure[name] = many

    if kind in ("activity", "xinfeng"):
        place = _place(text)
        if place:
            v["place"] = place

    if kind == "xinfeng":
        opts, src = _longest_option(text, low, data["event_types"])
        if len(opts) == 1:
            v["event_type"] = Found(opts[0], src)
        elif opts:
            unsure["event_type"] = [Found(o, src) for o in opts]

    if kind == "placename":
        setting, src = _first_option(text, low, data["settings"])
        if setting:
            v["setting"] = Found(setting, src)
        names = _place_names(text)
        if names:
            v["place_names"] = names
        for role in ("stories", "elderly", "children"):
            one, many = _one(roles.get(role, []))
            if one:
                v[role] = one
            elif many:
                unsure[role] = many

    if kind == "donation":
        donors, src = _longest_option(text, low, data["donors"])
        if len(donors) == 1:
            v["donor_type"] = Found(donors[0], src)
        elif donors:
            unsure["donor_type"] = [Found(d, src) for d in donors]
        money = _money(text)
        amounts = [f for r, f in money if r == "amount"]
        values = [f for r, f in money if r == "value"]
        goods_words = _hits(text, low, data["goods"]["words"])
        if goods_words or values:
            v["form"] = Found("goods", max(goods_words, key=len) if goods_words else
                              values[0].source)
            goods = _goods(text)
            if goods:
                v["goods"] = goods
            one, many = _one(values or amounts)
            if one:
                v["goods_value"] = one
            elif many:
                unsure["goods_value"] = many
        elif amounts:
            v["form"] = Found("money", amounts[0].source)
            one, many = _one(amounts)
            if one:
                v["amount"] = one
            else:
                unsure["amount"] = many
        fund = _fund(text)
        if fund:
            v["fund"] = fund

    if kind == "milestone":
        opts, src = _longest_option(text, low, data["milestones"])
        if len(opts) == 1:
            v["milestone_type"] = Found(opts[0], src)
        elif opts:
            unsure["milestone_type"] = [Found(o, src) for o in opts]
        name = _milestone_name(text)
        if name:
            v["name"] = name
        things = [Found(c.value, c.source, c.approximate) for c in counts
                  if c.unit in ("个", "处", "家") and "故事" not in c.after[:4]]
        one, many = _one(things)
        if one:
            v["count"] = one
        elif many:
            unsure["count"] = many
        elif name:
            v["count"] = Found(1, name.source)
    for k in unsure:
        v.pop(k, None)
    return out


def _longest_line(text: str, low: str, table: dict) -> tuple[list[str], str]:
    """The action lines named most often (by distinct phrases); ties are all returned."""
    best, chosen, source = 0, [], ""
    for line, words in table.items():
        hits = [h for h in _hits(text, low, words)
                if not any(h != o and h in o for o in _hits(text, low, words))]
        if not hits:
            continue
        if len(hits) > best:
            best, chosen, source = len(hits), [line], max(hits, key=len)
        elif len(hits) == best:
            chosen.append(line)
            source = source + "、" + max(hits, key=len)
    return chosen, source


def words_of(text: str, phrase: str, width: int = 40) -> str:
    """The words of the message around ``phrase`` (its clause, at most ``width`` characters
    either side): what the worker is shown as where a value came from."""
    text = parsing.normalize(text)
    at = text.find(phrase)
    if not phrase or at < 0:
        return phrase
    start = max([m.end() for m in _CLAUSE_RE.finditer(text, 0, at)] + [0, at - width])
    stop = min([m.start() for m in _CLAUSE_RE.finditer(text, at + len(phrase))]
               + [len(text), at + len(phrase) + width])
    return text[start:stop].strip()


def answers_of(found: Extraction) -> dict:
    """The values read, as a draft's answers (what the form engine stores)."""
    return {name: f.value for name, f in found.values.items()}


def missing(fields, answers: dict) -> list[str]:
    """The required fields (``FieldDef``s of the kind, in order) the answers leave open,
    given the ``when`` conditions the answers already settle."""
    return [f.name for f in fields
            if f.applies(answers) and not f.is_optional and answers.get(f.name) in (None, "", [])]

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

from models.core.paths import DATA_DIR
from models.forms import parsing

from .counts import _CLAUSE_RE, _counts, _group_count, _money, _one, _role
from .dates import _DATE_RE, _EN_MONTHS, _dates
from .found import Found

__all__ = ["Found", "Extraction", "extract", "words_of", "PHRASES_FILE"]

PHRASES_FILE = DATA_DIR / "extraction.toml"


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


def _unless(text: str, words) -> tuple[str, str]:
    """The text (and its lower case) without the phrases ``words``."""
    for w in words:
        text = text.replace(w, " ")
    return text, text.lower()


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
# Place, title, names
# --------------------------------------------------------------------------------------------

_VERBS = ("开展|举办|举行|召开|组织|进行|为|给|向|对|慰问|走访|看望|探访|宣传|集中|设立|发放|签订|张贴|"
          "公示|修订|讲解|收集|搞|邀请|联合|共开展|共组织|共举办|先后|分别")
_PLACE_RE = re.compile(
    f"(?:在|于|到)\\s*(?P<p>[^，。,；;！!？?\\s]{{2,40}}?)(?=\\s*(?:{_VERBS})|，|。|,|;|$)")
#: A labelled form's lines: 活动名称：… / 地点：…
_LABEL_RE = {"title": re.compile(r"(?:活动名称|活动主题|主题|名称)[:：]\s*(?P<v>[^;；，。,]{2,60})"),
             "place": re.compile(r"(?:活动地点|地点|地址)[:：]\s*(?P<v>[^;；，。,\s]{2,40})")}
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


def _labelled(text: str, name: str) -> Found | None:
    m = _LABEL_RE[name].search(text)
    return Found(m.group("v").strip(), m.group(0)) if m else None


def _place(text: str) -> Found | None:
    found = _labelled(text, "place")
    if found:
        return found
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
    found = _labelled(text, "title")
    if found:
        return found
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


_EVENT_AFTER_RE = re.compile(r"进校园|进社区|进小区|主题|活动|宣传|讲座|展览|分享会|讲述会|故事会")


def _place_names(text: str) -> Found | None:
    # a quoted name right before 进校园, 活动, 讲座… is the event's, not a place's
    quoted = [m.group("q") for m in _QUOTED_RE.finditer(text)
              if not _EVENT_AFTER_RE.match(text, m.end())]
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

def _lines(text: str) -> str:
    """The text normalised (full-width digits, spaces), its line breaks kept as clause breaks:
    a labelled form's lines (地点：… / 参加人数：…) are separate clauses."""
    return parsing.normalize(re.sub(r"\s*\n\s*", "；", text.strip()))


def _kinds(text: str, low: str, data: dict) -> list[tuple[str, int]]:
    scores = []
    for code, spec in data["kinds"].items():
        words = spec["phrases"]
        if code == "activity":  # whatever names an activity's type names an activity
            words = [*words, *(w for ws in data["activity_types"].values() for w in ws)]
        hits = _maximal(_hits(text, low, words))
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
    text = _lines(text)
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
    role_of = [_role(c, kind, data["roles"]) for c in counts]
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
        said = {p: _hits(*_unless(text, data.get("parties_unless", {}).get(p, ())), words)
                for p, words in data["parties"].items()}
        parties = [p for p, hits in said.items() if hits]
        if parties:
            v["parties"] = Found(parties, "、".join(max(said[p], key=len) for p in parties))
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
    text = _lines(text)
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

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

from .application import application
from .counts import _CLAUSE_RE, _COUNTED_NOUNS, _JOIN, _counts, _group_count, _money, _one, _role
from .dates import _BARE_WEEKDAY_RE, _dates
from .found import Found
from .lines import _longest_line, _served
from .match import _hits, _unless
from .names import (_fund, _goods, _labelled, _milestone_name, _place, _place_names, _places, _title,
                    _title_said)
from .parties import _organisers
from .volunteers import hours_said, particulars_said, registration, service

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
# The whole message
# --------------------------------------------------------------------------------------------

def _lines(text: str) -> str:
    """The text normalised (full-width digits, spaces), its line breaks kept as clause breaks:
    a labelled form's lines (地点：… / 参加人数：…) are separate clauses."""
    return parsing.normalize(re.sub(r"\s*\n\s*", "；", text.strip()))


def _kinds(text: str, low: str, data: dict, today: dt.date) -> list[tuple[str, int]]:
    scores = []
    for code, spec in data["kinds"].items():
        words = spec["phrases"]
        # whatever names an activity's type (a custom's event type) names an activity (xinfeng)
        types = {"activity": "activity_types", "xinfeng": "event_types"}.get(code)
        if types:
            words = [*words, *(w for ws in data[types].values() for w in ws)]
        hits = _maximal(_hits(text, low, words))
        if hits:
            scores.append((code, spec.get("weight", 1) * len(hits)))
    # one volunteer and nobody counted: their particulars (志愿者张三，电话139…，特长…) are a
    # registration, their hours (志愿者周建国…陪护老人3个小时) an entry of hours (3个小时的义诊
    # for 40 residents is an activity)
    # (社工和志愿者去了…陪她聊了两个小时: workers together, an activity, not one volunteer's hours)
    alone = _hits(text, low, data["roles"]["volunteers"]) and not any(
        _role(c, None, data["roles"]) in ("audience", "people", "staff") for c in _counts(text)) \
        and not re.search(f"(?:{'|'.join(map(re.escape, data['roles']['staff']))})"
                          f"[{_JOIN}](?:{'|'.join(map(re.escape, data['roles']['volunteers']))})"
                          f"|(?:{'|'.join(map(re.escape, data['roles']['volunteers']))})(?:们)?"
                          f"[{_JOIN}](?:{'|'.join(map(re.escape, data['roles']['staff']))})", text)
    for code, said in (("volunteer", particulars_said), ("volunteer_hours", hours_said)):
        if alone and code in data["kinds"] and said(text):
            scores = _at_least(scores, code, data["kinds"][code].get("weight", 1))
    if "donation" in data["kinds"] and any(r == "value" for r, _ in _money(text)) and _hits(
            text, low, [*data["donors"]["organization"], *data["donors"]["enterprise"]]):
        # 区慈善会给滨河社区送来了价值2万元的过冬物资: a body's goods, their value told
        scores = _at_least(scores, "donation", data["kinds"]["donation"].get("weight", 1))
    if "donation" in data["kinds"] and re.search(r"收到|接收|\breceived\b", text, re.I) and _hits(
            text, low, data["goods"]["words"]):
        # 收到一位匿名居民送来的10床棉被: goods received from someone
        scores = _at_least(scores, "donation", data["kinds"]["donation"].get("weight", 1))
    if "donation" in data["kinds"] and _TO_FUND_RE.search(text) and (
            _money(text) or _hits(text, low, data["goods"]["words"])):
        # 转了5000块钱给社区爱心基金, 给东岗社区微基金送来轮椅5台: money or goods given to a fund
        scores = _at_least(scores, "donation", data["kinds"]["donation"].get("weight", 1))
    scores.sort(key=lambda s: -s[1])
    served = [w for ws in (*data.get("groups", {}).values(), *data["lines"].values()) for w in ws
              if not w.isascii()] + data["roles"]["present"]
    handed = re.search(f"{_HANDED}[^，。,；;]{{0,10}}?(?:{'|'.join(map(re.escape, served))})", text)
    if scores and scores[0][0] == "donation" and (handed or any(
            _role(c, None, data["roles"]) == "audience" for c in _counts(text)) and any(
            c == "activity" for c, _ in scores)):
        # 爱心超市开张仪式，企业捐了一批米面油，来了群众50多人: an event with a gift in it, or a gift
        # at an event? 收到爱心企业捐的暖手宝，下午就送给了独居老人: a gift, or its handing out? asked
        return [scores[0], ("activity", scores[0][1])]
    if scores and scores[0][0] in ("donation", "milestone") and _HELD_RE.search(text):
        # 揭牌仪式后开展了亲子游戏活动; 举办慈善义卖活动…存入社区慈善基金: an activity held
        # besides the milestone or the gift — which is the report? asked
        return [scores[0], ("activity", scores[0][1])]
    pilot = next((s for s in scores if s[0] == "pilot_application"), None)
    if pilot and _HELD_RE.search(text):
        # 申报试点的“邻里帮帮团”项目昨天开展了助老活动: the pilot applied for, or an activity
        # held in it? asked, whichever has more words (an activity's words come with both)
        return [pilot, ("activity", pilot[1])]
    # An activity is what a report is when nothing more particular is named: its words
    # (开展, 活动) come with every kind.
    particular = [s for s in scores if data["kinds"][s[0]].get("weight", 1) > 1]
    if not scores and (any(_role(c, None, data["roles"]) in ("audience", "people")
                           or c.unit in ("户", "家") or "家庭" in c.after[:10]
                           for c in _counts(text)) or _dates(text, today, None)[0]) \
            and _hits(text, low, [w for ws in data["lines"].values() for w in ws]):
        # 去金花村看了3个精神障碍患者家庭: a line's people, counted; went to see the Li family
        # this afternoon … two kids: a line's people on a day gone
        return [("activity", 1)]
    return particular or scores


#: An activity said to be held (开展了亲子游戏活动, 举办慈善义卖活动), not a ceremony's own words.
_HELD_RE = re.compile(r"(?:开展|举办|举行|组织)了?[^，。,；;]{0,20}?(?:活动|讲座|培训|比赛|义卖|演出|游戏)"
                      r"|\b(?:held|organi[sz]ed|ran) (?:an? |the )?[\w' -]{0,30}?(?:activity|event|class|talk|"
                      r"workshop|sale|fair)\b", re.I)
#: Money or goods given to a fund (给…基金, to the … Fund): a donation whatever else is said.
_TO_FUND_RE = re.compile(r"(?:给|向|为|入|到)[^，。,；;]{0,20}?基金|\b(?:to|for|into) the [^,.;]{0,60}?Fund\b")
#: Words before goods that make them what the money buys (买点冬衣, 用于购买大米, to buy rice).
_BOUGHT_RE = re.compile(r"买|购|用于|用来|\bbuy\b|\bpurchase\b")
#: A gift handed on to people (送给了独居老人): the handing out is an activity of its own.
_HANDED = "(?:送给|发给|分给|分发给|发放给|送到)了?"

#: Words of a time to come: a notice (下周三来检查台账，周二前交给我) reports nothing done.
_FUTURE_RE = re.compile(r"下周|下星期|下礼拜|明天|后天|下个月|下月|\b(?:next week|tomorrow|planned for|will be held"
                        r"|next (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b", re.I)


def _notice(text: str, today: dt.date) -> bool:
    """Whether the text speaks only of days to come (a weekday alone, 周二前, is one of them)."""
    if not _FUTURE_RE.search(text):
        return False
    dates, _ = _dates(text, today, None)
    return all(_BARE_WEEKDAY_RE.fullmatch(d.source) for d in dates)


def _errand(text: str, data: dict) -> bool:
    """Whether the text only passes on paperwork (昨天的活动照片我发你邮箱了): no report, however
    many of a report's words it holds, when it counts nobody and names no place."""
    said = data.get("errands", {})
    return bool(_hits(text, text.lower(), said.get("things", ())) and _hits(
        text, text.lower(), said.get("sent", ()))) and not _counts(text) and not _place(text)


def _at_least(scores: list[tuple[str, int]], code: str, score: int) -> list[tuple[str, int]]:
    """The scores with ``code`` scored at least ``score`` (once)."""
    return [(c, s) for c, s in scores if c != code] + [
        (code, max([score] + [s for c, s in scores if c == code]))]


_PLURAL_RE = re.compile(r"几个|多个|若干|一批|多家|等|分别|各|\b(?:several|multiple|two|three)\b", re.I)


def _maximal(hits: list[str]) -> list[str]:
    """The phrases not contained in a longer phrase found ("地名" inside "地名文化")."""
    return [h for h in hits if not any(h != o and h.lower() in o.lower() for o in hits)]


def extract(text: str, *, today: dt.date, earliest: dt.date | None = None,
            kind: str | None = None, data: dict | None = None) -> Extraction:
    """Read a worker's message. ``kind`` when the worker already chose it."""
    data = data or phrases()
    text = _lines(text)
    low = text.lower()

    scores = _kinds(text, low, data, today)
    if kind is None:
        # (an application speaks of days to come, 下个月申报: no notice for that)
        if not scores or (_notice(text, today) and scores[0][0] != "pilot_application") \
                or _errand(text, data):
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
    people_field = "audience" if kind == "placename" else "participants"
    if kind in ("activity", "xinfeng", "placename"):
        # a count said to be of those present (参加, 到会, 服务) over one that only names
        # people (推选了2名新理事, 11位逝者骨灰): the one that says who came
        served = (*data["roles"].get("present", ()), *(w for ws in data.get("groups", {}).values()
                                                       for w in ws), *_COUNTED_NOUNS)
        aside = [c for c, r in zip(counts, role_of) if r == "people" and _object_count(c)
                 and not any(c.after.startswith(w, i) for w in served for i in range(4))]
        weak = [Found(c.value, c.source, c.approximate) for c, r in zip(counts, role_of)
                if r == "people" and c not in aside]
        one, many = _one(roles.get("audience", []) + weak if roles.get("audience") or weak
                         else roles.get("people", []))
        if one:
            v[people_field] = one
        elif many:
            unsure[people_field] = many

    if kind == "activity":
        # (the youth league is an organisation, not the children served)
        # (nor does the place's name: 便民服务室 is where, not 便民服务 given)
        where = _place(text)
        room = re.sub(r"^.*(?:社区|小区|村|镇|乡|街道)", "", where.value) if where else ""
        line, src = _longest_line(*_unless(text, [*data.get("lines_unless", {}).get("words", ()),
                                                  *([room] if len(room) >= 3 else [])]),
                                  data["lines"], data.get("groups", {}))
        named = _title_said(text)
        if len(line) > 1 and named:
            # a tie goes to the one line the activity's name says (困难群众主动发现机制宣讲), a
            # campaign's quoted name aside (“情暖万家”走访慰问: asked)
            bare = re.sub(r"[“\"「『][^”\"」』]*[”\"」』]", "", named.value)
            own = {x: _hits(bare, bare.lower(), data["lines"][x]) for x in line}
            own = [x for x, hs in own.items() if hs]
            if len(own) == 1 and max(map(len, _hits(bare, bare.lower(),
                                                    data["lines"][own[0]]))) >= 3:
                line, src = own, max(_hits(bare, bare.lower(), data["lines"][own[0]]), key=len)
        if line and len(line) == 1:
            v["action_line"] = Found(line[0], src)
        elif line:
            unsure["action_line"] = [Found(x, src) for x in line]
        title = _title(text)
        if title:
            v["title"] = title
        # what the activity is called says its type (民族团结趣味运动会 is a games day, whatever
        # service the volunteers gave at it); else what the message tells of it
        # (服务 in 党群服务中心 names a centre, not a service given)
        unless = data.get("types_unless", {}).get("words", ())
        atype, src = _first_option(*_unless(title.value, unless), data["activity_types"]) \
            if title else (None, "")
        if not atype:
            # (志愿者共20余人参与服务: what the helpers did, not what the activity was)
            helpers = {c.source + c.after[:6] for c, r in zip(counts, role_of)
                       if r in ("staff", "volunteers") and re.match("[\u4e00-\u9fa5]", c.after)}
            atype, src = _first_option(*_unless(text, [*unless, *helpers]), data["activity_types"])
        if title:
            # what the name ends in is what it was (楼门长议事能力培训 is a training,
            # 团体心理辅导 a service): the longest type phrase ending the name
            name = re.sub(r"(?:活动|班)$", "", _unless(title.value, unless)[0].strip()).lower()
            ends = [(len(w), o, w) for o, ws in data["activity_types"].items() for w in ws
                    if len(w) >= 2 and name.endswith(w.lower())]
            if ends:
                _, atype, src = max(ends, key=lambda e: e[0])
        if atype:
            v["activity_type"] = Found(atype, src)
        said = {p: _hits(*_unless(text, data.get("parties_unless", {}).get(p, ())), words)
                for p, words in data["parties"].items()}
        if said.get("community") and "community_organises" in data:
            # a community only where it organises, not where it is the venue or those served
            said["community"] = _organisers(*_unless(text, data.get("parties_unless", {}).get(
                "community", ())), said["community"], data["community_organises"])
        parties = [p for p, hits in said.items() if hits]
        if parties:
            v["parties"] = Found(parties, "、".join(max(said[p], key=len) for p in parties))
        # (a 低保家庭 is the group itself, a 患者家庭 the group's kin)
        households = data.get("special_group_households", {}).get("groups", ())
        served = {g: [w for w in _hits(text, low, ws) if g in households or _served(low, w.lower())]
                  for g, ws in data.get("special_groups", {}).items()}
        groups = [g for g, ws in served.items() if ws]
        if groups:  # optional and multiple: every group named is served
            v["groups"] = Found(groups, "、".join(max(served[g], key=len) for g in groups))
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
                             lambda c: bool(_hits(_said(c), _said(c).lower(), visits)))}
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
        where = _places(text) if not _labelled(text, "place") else []
        if len(where) > 1:  # 上午在东风社区…，下午又到西河村…: which? asked
            unsure["place"] = where
        elif place:
            v["place"] = place

    if kind == "xinfeng":
        named = {o: max(h, key=len) for o, ws in data["event_types"].items()
                 if (h := _hits(text, low, ws))}
        # the council's own meeting is the council's, whatever it settles; a wedding the
        # council guided names two types: asked
        if len(named) > 1 and "council" in named and _council_met(text, named["council"],
                                                                   data["council_meets"]["words"]):
            named = {"council": named["council"]}
        if len(named) > 1 and "council" in named and all(
                re.match("成员|会长|理事|代表|members", text[m.end():], re.I) and re.match(
                    "[^，。,；;]*?(?:参加|参与|到会|出席|到场|attended|came)", text[m.end():], re.I)
                for m in re.finditer(re.escape(named["council"]), text, re.I)):
            # 红白理事会成员和群众代表40人参加: its members came, the event is another's (but
            # 理事会成员上门劝导…婚事新办: the council at work, or the wedding? asked)
            named.pop("council")
        named = _event_types(text, named, data)
        if len(named) == 1:
            v["event_type"] = Found(*next(iter(named.items())))
        elif named:
            unsure["event_type"] = [Found(o, src) for o, src in named.items()]

    if kind == "placename":
        # where it was held says the setting, not who came (来了游客和村民 at a ferry: asked)
        where = _place(text)
        setting, src = _first_option(where.value, where.value.lower(), data["settings"]) \
            if where else (None, "")
        if not setting:
            setting, src = _first_option(*_unless(text, data["settings_unless"]["words"]),
                                         data["settings"])
        if setting:
            v["setting"] = Found(setting, src)
        names = _place_names(text)
        if names:
            v["place_names"] = names
        for role in ("stories", "elderly", "children"):
            one, many = _one(roles.get(role, []))
            if not one and not many and role != "stories":
                # 四年级学生120人听了: the audience, all of them children
                one, many = _group_count(counts, role_of, data.get("groups", {}), role)
            if not one and not many and role != "stories":
                one = _none_came(text, data.get("groups", {}).get(role, ()))
            if one:
                v[role] = one
            elif many:
                unsure[role] = many

    if kind == "donation":
        # 某公司通过县慈善会向…捐赠: the donor is the company, not the body it gave through
        # … and not the body it gave to (向稠城街道社区发展基金会捐款, to the … Fund)
        via = re.sub(r"(?:通过|经由|经)[^，。,；;]{1,15}?(?=向|给|为|捐)|(?:向|给)[^，。,；;]{2,25}?"
                     r"(?=捐|凑|赠)|(?<![Tt]hanks )\b(?:through|via|to) (?:the )?[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*"
                     # 基金会收到某公司捐款: the body that received it is no donor
                     r"|(?:^|(?<=[，。,；;]))[^，。,；;]{0,30}?(?:收到|接收|接到|获得)",
                     "", text)
        donors, src = _longest_option(via, via.lower(), data["donors"])
        if len(donors) == 1:
            v["donor_type"] = Found(donors[0], src)
        elif donors:
            unsure["donor_type"] = [Found(d, src) for d in donors]
        money = _money(text)
        amounts = [f for r, f in money if r == "amount"]
        values = [f for r, f in money if r == "value"]
        rough = [f for r, f in money if r == "rough"]
        # 让我们买点冬衣给困难户: what the money is for, not goods given
        goods_words = [w for w in _hits(text, low, data["goods"]["words"]) if any(
            not _BOUGHT_RE.search(low[max(0, i - 8):i])
            for i in (m.start() for m in re.finditer(re.escape(w.lower()), low)))]
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
        elif amounts or rough:
            v["form"] = Found("money", (amounts or rough)[0].source)
            one, many = _one(amounts)
            if one and not rough:
                v["amount"] = one
            else:
                unsure["amount"] = many or rough
        fund = _fund(text)
        if fund:
            v["fund"] = fund

    if kind == "volunteer":
        registration(text, v)
    if kind == "volunteer_hours":
        service(text, v)

    if kind == "milestone":
        opts, src = _longest_option(text, low, data["milestones"])
        if len(opts) == 1:
            v["milestone_type"] = Found(opts[0], src)
        elif opts:
            unsure["milestone_type"] = [Found(o, src) for o in opts]
        aspect, src = _first_option(text, low, data["aspects"])
        if aspect:  # asked of a self-governance case only (kinds.toml's when)
            v["aspect"] = Found(aspect, src)
        name = _milestone_name(text)
        if name:
            v["name"] = name
        things = [Found(c.value, c.source, c.approximate) for c in counts
                  if c.unit in ("个", "处", "家") and "故事" not in c.after[:4]]
        listed = _milestones_listed(text)
        if listed and not things:  # A工作站和B工作站同时挂牌: two
            things = [listed]
        one, many = _one(things)
        if one:
            v["count"] = one
        elif many:
            unsure["count"] = many
        elif (name or "milestone_type" in v) and not _PLURAL_RE.search(text):
            # one named, or one of a type (我县获批全省婚俗改革实验区): one
            v["count"] = Found(1, (name or v["milestone_type"]).source)
    if kind == "pilot_application":
        application(text, low, data, v, unsure)
    for k in unsure:
        v.pop(k, None)
    return out


_NONE_RE = "(?:没有|没|无|并无)"
_CAME_RE = "(?:参加|参与|到场|来|在场|出席)"


def _none_came(text: str, words) -> Found | None:
    """没有老人参加, no children came: none of a group, said in words (0)."""
    for w in words:
        m = re.search(f"{_NONE_RE}{re.escape(w)}{_CAME_RE}", text) or (w.isascii() and re.search(
            rf"\bno {re.escape(w)}(?: people| residents)?(?= came| attended| took part| were there|"
            r"\s*[,.;]|\s*$)", text, re.I))
        if m:
            return Found(0, m.group(0))
    return None


def _council_met(text: str, council: str, words) -> bool:
    """Whether the council itself met (召开红白理事会会议, 理事会在…召开例会), not a meeting of
    another kind its members came to (召开移风易俗座谈会，红白理事会成员…参加)."""
    meet = "|".join(map(re.escape, words))
    return bool(re.search(f"{re.escape(council)}[^，。,；;]{{0,30}}?(?:{meet})"
                          f"|(?:{meet})(?:了)?[^，。,；;]{{0,4}}?{re.escape(council)}", text, re.I))


def _said(c) -> str:
    """A count's clause, with the clause before when its noun is elided there (一共看了7位)."""
    return (c.prev if c.elided else "") + "，" + c.before + c.source + c.after


def _object_count(c) -> bool:
    """Whether a count only names people something else was done with (推选了2名新理事,
    11位逝者骨灰以花坛葬安葬): a number, a classifier and a noun, not a tally of those present
    (家长20人) nor one in a list after a count of them (来了25个小朋友和18位家长); the caller
    keeps those whose noun is of the people served (为15名困境儿童)."""
    if re.search(r"\b(?:ashes|graves|remains) of\s*$", c.before, re.I):
        return True  # the ashes of 6 people: the people are not there
    return c.unit in ("名", "位", "个") and bool(re.match("[\u4e00-\u9fa5]", c.after)) \
        and not re.search(f"[{_JOIN}]\\s*$", c.before) and not re.search("[:：]", c.before)


_MILESTONE_UNIT = "(?:工作站|服务站|服务中心|中心|社工站|社工室|养老点|服务点|幸福院|敬老院|社区|公墓|综合体|村)"
_LISTED_RE = re.compile(f"[\u4e00-\u9fa5]{{2,20}}?{_MILESTONE_UNIT}"
                        f"(?:[和、及与][\u4e00-\u9fa5]{{2,20}}?{_MILESTONE_UNIT})+")


def _milestones_listed(text: str) -> Found | None:
    """Two or more units named in a list (城东…工作站和城西…工作站): how many."""
    m = _LISTED_RE.search(text)
    if not m:
        return None
    return Found(len(re.findall(_MILESTONE_UNIT + "(?:[和、及与]|$)", m.group(0))), m.group(0))


_RULE_OF_RE = re.compile(r"(?:按|依照|根据|遵照|遵守|听从|采纳)[照着了]?\s*$"
                         r"|\b(?:as|following|according to|in line with|as advised by)\s+(?:the\s+)?$", re.I)


def _event_types(text: str, named: dict, data: dict) -> dict:
    """Which of several custom types the event is. One named only as the rule followed
    (按红白理事会的要求丧事简办, 按照村规民约丧事简办) is no event of its own; an instrument
    (村规民约 written, 红黑榜 posted) is the event, whatever custom it speaks of (彩礼, 厚养薄葬)."""
    said = {o: [m.start() for m in re.finditer(re.escape(src), text, re.I)] for o, src in named.items()}
    followed = {o for o in named
                if said[o] and all(_RULE_OF_RE.search(text[max(0, i - 16):i]) for i in said[o])}
    if len(named) == 1:  # 家属听从红白理事会建议，不办酒席: which custom? asked
        return {} if followed else named
    if followed and len(followed) < len(named):
        named = {o: src for o, src in named.items() if o not in followed}
    instruments = {o: src for o, src in named.items() if o in data["event_instruments"]["types"]}
    if len(named) > 1 and len(instruments) == 1:
        return instruments
    return named


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

"""What a message names: where it happened (在胜利社区文化广场, at Hebei Street Elderly Care
Centre, 新民村村民…), the activity's title, the fund, the goods, a milestone's name, the place
names a talk covered."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from .dates import _DATE_RE, _EN_MONTHS, _to_come
from .found import Found

_VERBS = ("设点|摆摊|设摊|摆点|开设|开办|建立|开展|举办|举行|召开|组织|进行|为|给|向|对|慰问|走访|看望|探访|宣传|集中|设立|发放|签订|张贴|"
          "公示|修订|讲解|收集|搞|邀请|联合|开了|开个|调解|调节|化解|处理|看了|陪|共开展|共组织|共举办|先后|分别|"
          "办理|参观|就诊|复诊|体检|取药")
_PLACE_RE = re.compile(
    # (a verb followed by a unit word is the unit's name: 调解室, 服务站)
    f"(?P<at>在(?!旁|一旁|身边|场|座)|(?<![用对关由等属至参])于|(?<![遇想收得做感看听找达受提报迟])到|再|走进|来到|前往|深入|去了一趟|去了趟|去了|去(?![年世掉除]))\\s*(?P<p>[^，。,；;！!？?\\s]{{2,40}}?)(?=\\s*(?:{_VERBS})(?![室站所馆厅中栏墙台])|，|。|,|;|$)")
#: A labelled form's lines: 活动名称：… / 地点：…
_LABEL_RE = {"title": re.compile(r"(?:活动名称|活动主题|主题|名称|\b(?:Activity|Event|Title))[:：]\s*"
                                 r"(?P<v>[^;；，。,]{2,60})"),
             "place": re.compile(r"(?:活动地点|地点|地址)[:：]\s*(?P<v>[^;；，。,\s]{2,40})"
                                 r"|\b(?:Venue|Place|Location)[:：]\s*(?P<e>[^;；，。,]{2,60})")}
_EN_PLACE_RE = re.compile(
    r"\b(?:at|in) (?:the )?(?P<p>[A-Z][\w'’-]*(?: (?:[A-Z0-9][\w'’-]*|of\b(?= [A-Z0-9])|No\.))*)")
#: What a place's name ends in or holds: 再新康社区儿童之家 is 在 mistyped, 再开展 is not a place.
_PLACE_WORD_RE = re.compile("社区|小区|村|镇|乡|街道|中心|广场|之家|学校|小学|中学|公园|院|站|馆|室|楼|场|点")
#: A place named where a clause starts, with no 在 (新民村村民王某某…, 石堰村李大爷去世).
_LEAD_PLACE_RE = re.compile(
    r"(?:^|[，,。；;！!？?\s])(?P<p>(?!按照|根据|依照)[\u4e00-\u9fa5]{2,10}?(?:社区|小区|村|镇|乡|街道))"
    # (not 村民, 村委, 社区医生…; but 街道民主村 is a street's village)
    r"(?![委级两干里规医]|(?<=[村区])民)")
_EN_NAMED_PLACE_RE = re.compile(
    r"\b(?P<p>(?:[A-Z][\w'’-]* )+(?:Village|Community|Town|Township|Street|Estate|Park|Square"
    r"|Centre|Center|Library|Hall|School|Home|Station|Point|Court|Garden|Gardens))\b")
_DATEISH_RE = re.compile(f"^(?:{_DATE_RE.pattern})|(?:上午|下午|晚上|中午|早上|傍晚)")
_TITLE_VERB_RE = re.compile(r"(?:组织开展|开展|举办|举行|召开)(?:了)?")
# (a quick message's spaces: 开展 儿童绘画比赛 参赛儿童 40人 — the title ends before its count)
_TITLE_CUT_RE = re.compile(r"[，。,；;！!？?\n]|(?<=活动)"
                           r"|\s+(?=参加|参与|参赛|参训|服务|听讲|到场|观众|来了|共|约|[0-9零一二两三四五六七八九十]+[人名位个])")
_EN_TITLE_RE = re.compile(
    r"\b(?:held|organi[sz]ed|ran|hosted|gave|did|carried out|joined|attended|took part in)"
    r"\s+(?:an?\s+|the\s+|our\s+)?"
    r"(?P<t>.+?)(?=\s+(?:at|in|on|with|yesterday|today|last)\b|\s+(?:for|to) (?:about |some |around )?[0-9]|[,.;]|$)", re.I)
_QUOTED_RE = re.compile(r"[“\"「『《](?P<q>[^”\"」』》]{2,30})[”\"」』》]")


def _labelled(text: str, name: str) -> Found | None:
    m = _LABEL_RE[name].search(text)
    return Found((m.group("v") or m.group("e")).strip(), m.group(0)) if m else None


#: Where a named unit ends: 姚桥社区广场 / 甘家村妇女之家 / 乌镇镇文化站广场.
_UNIT_END_RE = re.compile("(?:社区|小区|村|镇|乡|街道|中心|广场|之家|学校|小学|中学|校|公园|院|站|馆|"
                          "活动室|室|楼|驿站|凉亭|礼堂|食堂|农场|会场|场|点|基地|口|堂)")


_PLACE_TAIL_RE = re.compile("[园坝会墓地场亭房堂厅屋馆田林山河桥街路巷里苑坪湾台口门前旁边子]$")


_JOINS = "和及与、"

#: A count inside what follows 在/到 (8户…老人家里): people or homes, not a place's name.
_COUNTED_RE = re.compile("(?<![第0-9])(?:[0-9]+|[两二三四五六七八九十]{1,3})(?:户|名|位|个|人)")

_GENERIC_PLACE_RE = re.compile("(?:我们|咱们|我|本|该|全)?(?:辖区|社区|村里|村|小区|街道|镇|乡|家中|家里)")


#: What starts a clause's predicate right after a place: 调解室帮楼上楼下两户人家…, 社工站给…
_PREDICATE_START = set("帮给为对向和与跟把让带替陪教请")


def _unit_end(p: str) -> str:
    """A place is a named unit: what follows its last unit word (办了“邻里百家宴”, 授课, 设摊)
    is the clause's verb and object, not the place, unless it names no unit word at all; and
    a unit word followed by a preposition or a helping verb (帮, 给, 为…) ends it."""
    ends = [m.end() for m in _UNIT_END_RE.finditer(p) if m.end() >= 3]
    cut = next((e for e in ends if e < len(p) and p[e] in _PREDICATE_START), None)
    if cut:
        return p[:cut]
    if not ends or ends[-1] == len(p) or re.search("[“\"「《]", p[:ends[-1]]):
        return p
    rest = p[ends[-1]:]
    if _PLACE_TAIL_RE.search(rest) and not re.search("[了“\"「《]", rest):
        return p  # 村委会, 中心花园, 田坝, 公墓: the unit's own part
    return p[:ends[-1]]


def _places(text: str) -> list[Found]:
    """Every place the text says something was done at (在…, 到…, at …), first first; two
    distinct ones (上午在东风社区…，下午又到西河村…) leave the place to be asked."""
    out = [*_at_places(text), *(Found(m.group("p").strip(), m.group(0))
                                for m in _EN_AT_RE.finditer(text))]
    out = [f for f in out if not _to_come(text, max(text.find(f.source), 0))]  # 下次准备在…
    distinct: list[Found] = []
    for f in out:
        if not any(f.value in d.value or d.value in f.value for d in distinct):
            distinct.append(f)
    return distinct


#: English "at <Name>": the places named with at (in December, in Yi are no places).
_EN_AT_RE = re.compile(r"\bat (?:the )?(?P<p>[A-Z][\w'’-]*(?: (?:[A-Z0-9][\w'’-]*|of\b(?= [A-Z0-9])|No\.))+)")


def _place(text: str) -> Found | None:
    found = _labelled(text, "place")
    if found:
        return found
    for f in _at_places(text):
        return f
    for m in _EN_PLACE_RE.finditer(text):
        p = m.group("p").strip()
        if p.lower() not in {w for w in _EN_MONTHS} and len(p) >= 3:
            more = _en_facility(text[m.end():])
            return Found(p + more, m.group(0) + more)
    return _lead_place(text)


def _en_facility(after: str) -> str:
    """The lower-case words after a name that end at a facility word (' service hall', "'s
    elderly activity centre"), or ''."""
    words = _facilities()
    m = re.match(rf"^((?: [a-z][\w'’-]*){{0,3}}? (?:{'|'.join(map(re.escape, words))}))\b", after)
    return m.group(1) if m else ""


@lru_cache(maxsize=1)
def _facilities() -> tuple[str, ...]:
    from models.core.paths import DATA_DIR
    data = tomllib.loads((DATA_DIR / "extraction.toml").read_text("utf-8"))
    return tuple(sorted(data.get("place_facilities", {}).get("en", ()), key=len, reverse=True))


def _at_places(text: str):
    """The places after 在/于/到/走进…, in order."""
    for m in _PLACE_RE.finditer(text):
        p = _DATEISH_RE.sub("", m.group("p")).strip()
        p = re.sub(r"^(?:在|于|了)", "", p)  # (改到了12月6日: a date, not a place)
        if m.group("at") in ("再", "去了一趟", "去了趟", "去了", "去") and not _PLACE_WORD_RE.search(p):
            continue
        if m.group("at") == "到" and (p[0] in "场位达" or re.search("[0-9]人", p)) \
                or p[0].isdigit():
            continue  # 到场群众约50人, 降到2万
        if "了" in p[2:]:  # 和平小区调节了一起纠纷, 篮球场放了一场: the place ends before its verb
            at = p.index("了", 2)
            p = next((h for h in (p[:at - 2], p[:at - 1]) if _PLACE_WORD_RE.search(h[-2:])
                      or _UNIT_END_RE.search(h[-2:])), p)
        p = re.sub("(?<=[坝院家村屋店室楼馆园场区子])里$", "", p)  # 院坝里: where, 院坝
        p = _unit_end(p)
        if _GENERIC_PLACE_RE.fullmatch(p) or _COUNTED_RE.search(p):
            continue  # 在辖区, 在我们街道, 到辖区8户特殊困难老人家里: no place named
        if len(p) >= 2 and not _DATE_RE.fullmatch(p):
            yield Found(p, m.group(0).rstrip("，。"))


def _lead_place(text: str) -> Found | None:
    """A place named where a clause starts, with no 在 (东城街道精神康复服务站组织…)."""
    m = _LEAD_PLACE_RE.search(text) or _EN_NAMED_PLACE_RE.search(text)
    if m:
        p = re.sub("^(?:去|到|来|在|咱们|我们|我|本|该|全|跟着|跟随|随同|陪同|跟|和|同)", "",
                   _DATEISH_RE.sub("", m.group("p")))
        # Yesterday Sunshine Children's Home ran…: the capital is the sentence's, not the name's
        p = re.sub(r"^(?:(?:Yesterday|Today|Tonight|This|Last|On|In|At|The|Our|We)\b ?)+", "", p)
        if m.re is _LEAD_PLACE_RE:  # 东城街道精神康复服务站组织…: the unit is the whole name
            rest = re.split(f"[，。,；;！!？?\\s{_JOINS}0-9“\"「《]|{_VERBS}", text[m.end():], maxsplit=1)[0]
            whole = _unit_end(p + rest) if rest else p
            if len(whole) >= len(p) + 2 and _UNIT_END_RE.search(whole[-3:]):
                p = whole
        if len(re.sub("(?:社区|小区|村|镇|乡|街道)$", "", p)) >= 2 and not re.search(
                f"[在给为对向]|{_VERBS}", p):  # not 我们社区, nor 区民政局在我们街道, 县民政局联合各乡
            return Found(p, m.group("p"))
    return None


_SPOKEN_TITLE_RE = re.compile(r"(?:搞了|办了|开了|上了|组织了|举行了|举办了)(?:一场|一次|一期|一堂|一节|一个|个|场|次)?")
#: What an event's name ends in (讲座, 培训, 会, 课, 赛…): a spoken title is taken only then.
_EVENT_END_RE = re.compile("(?:讲座|培训|培训会|宣传|宣讲|义诊|演练|活动|会|课|赛|比赛|晚会|演出|服务|体检|集市|义集|"
                           "课堂|沙龙|展|营|市场)$")


_NAMED_RE = re.compile(r"[“\"「『]([^”\"」』]{2,40})[”\"」』]")


def _title(text: str) -> Found | None:
    """The activity's title; a name the text gives it in quotes is the title, bare
    (举办“邻里百家宴”, a “Know Your Benefits” information session, a class called “Little
    Lifesavers”): the rest says what kind of event it was, which the type already holds."""
    found = _title_said(text)
    if found:
        named = _NAMED_RE.findall(found.value)
        if len(named) == 1:
            return Found(named[0].strip(), found.source)
    return found


def _title_said(text: str) -> Found | None:
    found = _labelled(text, "title")
    if found:
        return found
    m = _TITLE_VERB_RE.search(text)
    if m:
        rest = text[m.end():]
        t = _TITLE_CUT_RE.split(rest, maxsplit=1)[0]
        t = re.sub(r"^(?:了|一场|一次|一期|一堂|一个)+", "", t)
        t = re.sub(r"^[0-9一二两三四五六七八九十半]+个?(?:小时|钟头|分钟|天)的", "", t).strip()  # 3个小时的
        # “便民服务日”活动: the name in quotes, 活动 only says it was an activity
        t = re.sub(r"^[“\"「『《]([^”\"」』》]{2,30})[”\"」』》]活动$", r"\1", t)
        if 2 <= len(t) <= 60:
            return Found(t, m.group(0) + t)
    for m in _SPOKEN_TITLE_RE.finditer(text):
        # 搞了场消防演练, 开了个协商会, 上了一堂书法课: what was held, when it names an event
        t = _TITLE_CUT_RE.split(text[m.end():], maxsplit=1)[0].strip()
        t = re.sub(r"^[“\"「『《]([^”\"」』》]{2,30})[”\"」』》]$", r"\1", t)
        if 2 <= len(t) <= 30 and _EVENT_END_RE.search(t):
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


_FUND_STOP = set("向给为入到捐了，。,、在与及 ;；:：")


def _fund(text: str) -> Found | None:
    m = re.search(r"(?:受赠基金|基金名称|受赠方|Fund)[:：]\s*(?P<f>[^;；，。,\n]{2,40})", text)
    if m:  # 受赠基金：雨城区西城街道社区慈善基金 (a labelled form)
        return Found(m.group("f").strip(), m.group(0))
    m = re.search("(?:向|给|捐给|捐入|存入|注入)(?P<f>[^，。,、；;向给]{2,25}?基金会)(?=捐|赠|凑|，|。|$)", text)
    if m:  # 向稠城街道社区发展基金会捐款: the foundation given to
        return Found(m.group("f"), m.group("f"))
    for m in re.finditer("基金(?!会)", text):
        i = j = m.start()
        while j > 0 and text[j - 1] not in _FUND_STOP and i - j < 20:
            j -= 1
        name = re.sub("^(?:(?:定向|专项|专门)?用于|咱们|我们|我|本|该)", "", text[j:i + 2])
        if len(name) > 2:
            return Found(name, name)
    m = re.search(r"(?P<f>[^，。,、；;向给]{2,25}?基金会?)(?:收到|接收|接到)", text)
    if m:  # 城西街道社区发展基金会收到…捐款: the fund that received it
        return Found(m.group("f"), m.group("f"))
    # (to the Taoyuan Street neighbourhood fund, into the … community development foundation)
    m = re.search(r"\b(?:to|into|for) (?:the )?(?P<f>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*(?:[ -]Fund"
                  r"|(?: [a-z][\w'’-]*){0,3} (?:[Ff]und|[Ff]oundation)))\b", text)
    if m:
        return Found(m.group("f"), m.group(0))
    return None


def _goods(text: str) -> Found | None:
    m = re.search(r"(?:捐赠|捐增|捐助|捐献|捐了|捐给[^，。]{0,12}?|送来|送去|赠送|赠予|捐来)(?:了)?(?P<g>[^，。；;]{2,80})", text)
    if m:
        # 捐赠价值2万元的防寒物资: the goods after their value
        g = re.sub(r"^(?:价值|折合|折价)?[约共]?[0-9.零一二两三四五六七八九十百千万]+(?:万元|元)的", "",
                   m.group("g"))
        g = re.split(r"[，。；;,（(]|价值|折合|估价|[约共]?[0-9.]+万?元", g)[0].strip("、 ")
        g = re.sub("^的", "", g)  # 收到爱心企业捐赠的羽绒服60件
        if g and not re.match(r"^[约共]?[0-9零一二两三四五六七八九十百千万.,]+(?:万元|元|块)", g):
            return Found(g, m.group(0))
    m = re.search(r"\b(?:donated|gave|contributed|presented) (?P<g>.+?)(?=\s+(?:worth|valued|to|for)\b|[,.;]|$)", text, re.I)
    if m:
        return Found(m.group("g").strip(), m.group(0))
    return None


def _milestone_name(text: str) -> Found | None:
    m = _QUOTED_RE.search(text)
    if m:
        return Found(m.group("q"), m.group(0))
    m = re.search(r"(?P<n>[\u4e00-\u9fa5A-Za-z0-9（）()]{4,40}?(?:工作站|服务站|保护站|康复站|之家|"
                  r"服务中心|社区|公墓|案例|试点县|试点|保护点|养老点|服务点|工作点|社工站|社工室|幸福院|"
                  r"敬老院|综合体|总站|中心|街道|县|区|镇|乡|村))(?=(?:(?:本|上个?|这个?)?月[初底中]|近日|日前|近期|今天|昨天|前天"
                  r"|[0-9]{1,2}月[0-9]{1,2}[日号])?(?:正式|顺利|成功|挂牌|揭牌|建成|获评|获批|入选|被评为|被命名为|命名为|通过|投入|投用|"
                  r"落成|成立|在[^，。,；;]{2,20}?(?:挂牌|揭牌|成立|建成|落成)|，|,|。|$))", text)
    if m:
        n = re.sub(f"^(?:{_DATE_RE.pattern})", "", m.group("n"))
        n = re.sub("^.*?(?:首个|首家|第一个|第一家)", "", n)  # 桐庐县首个村级…站: the one, not the count
        n = re.sub("^.*[了的](?=[^了的]{4,}$)", "", n)  # 去看了看新建成的村级互助养老点: the name
        n = re.sub(r"^(?:上午|下午)?(?:我们|咱们|我|本)(?:县|区|市|镇|乡|街道|社区|村)?的?(?=..)", "", n)
        n = re.sub(r"^(?:街道|社区|村|镇|乡|县|区)的", "", n)  # 我们街道的阳光家园…: whose, not its name
        return Found(n, m.group(0))
    m = re.search(r"\b(?:The |the )?(?P<n>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)+)", text)
    if m and m.group("n").startswith("The "):
        m = re.search(r"\bThe (?P<n>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)+)", text)
    if m:
        return Found(m.group("n"), m.group(0))
    return None


_EVENT_AFTER_RE = re.compile(r"进校园|进社区|进小区|主题|活动|宣传|讲座|展览|分享|讲述会|故事会|地名文化")


_NAME = "[\u4e00-\u9fa5]{2,8}"
#: 讲述了青衣江、金鸡关、周公山的地名故事 / 给村民讲安顺场、松林河的由来: two names or more told
_NAMES_TOLD_RE = re.compile(
    f"(?:讲述|介绍|讲解|讲|围绕|聊)(?:了)?(?:[\u4e00-\u9fa5]{{1,8}}的)?(?P<n>{_NAME}(?:[、和及与]{_NAME})+)"
    "(?:的(?:地名故事|地名由来|地名|由来|来历|故事|历史)|(?:(?:这|那)?(?:几|[0-9两二三四五六七八九十]+)个?|这些|那些)(?:老)?(?:地名|名字|地方))")
#: 讲飞仙关名字的来历: one name told
_NAME_TOLD_RE = re.compile(f"(?:讲述|介绍|讲解|讲|聊)(?:了)?(?P<n>{_NAME}?)(?:这个)?(?:名字|地名)的(?:由来|来历|故事)")
#: 讲的老地名有老城墙、苍坪山、廊桥: the names listed after 地名有
_NAMES_LISTED_RE = re.compile(f"地名(?:有|是|包括|包含)[:：]?(?P<n>{_NAME}(?:[、和及与]{_NAME})*)")


_EN_NAME = r"[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*"
_EN_NAMES_RE = re.compile(
    rf"(?:(?:how|where|why) |(?:names?|stories|story|history|origins?)(?: of)? )"
    rf"(?P<n>{_EN_NAME}(?:, {_EN_NAME})*,? and {_EN_NAME})"
    r"(?= got their names| were named| came to be| (?:got|get) (?:its|their) name|[,.;:]|$)")


def _place_names(text: str) -> Found | None:
    # 讲五大道名称的来历和马场道、睦南道的故事: 五大道 is a name told, 来历 is not
    text = re.sub(r"(?<=[讲述绍解聊了])([\u4e00-\u9fa5]{2,6}?)(?:名称|名字|地名)的(?:来历|由来)(?=[和及与、])",
                  r"\1", text)
    # a quoted name right before 进校园, 活动, 讲座… is the event's, not a place's
    m = _NAMES_TOLD_RE.search(text) or _NAMES_LISTED_RE.search(text) or _NAME_TOLD_RE.search(text)
    if m:
        # 张家山、大北街、观化街几个老地名的来历: the names, not the words that count them
        names = re.sub(r"(?:这些|那些|(?:这|那)?(?:几|[0-9一二两三四五六七八九十]+)?个?)(?:老)?(?:地名|名字|地方)$|等$", "",
                       m.group("n"))
        return Found(re.sub("[和及与]", "、", names), m.group(0))
    m = _EN_NAMES_RE.search(text)
    if m:  # how Dazhigu, Xiaosunzhuang and Chentangzhuang got their names
        return Found(re.sub(r",? and ", ", ", m.group("n")), m.group(0))
    quoted = [m.group("q") for m in _QUOTED_RE.finditer(text)
              if not _EVENT_AFTER_RE.match(text, m.end()) and "地名" not in m.group("q")]
    if quoted:
        return Found("、".join(quoted), "、".join(f"“{q}”" for q in quoted))
    m = re.search(r"(?P<n>[\u4e00-\u9fa5、]{2,60}?)等(?:[0-9一二两三四五六七八九十]+个)?(?:老)?地名",
                  text)
    if m:
        n = re.sub(r"^.*?(?:讲述|介绍|讲解|讲了|围绕|讲)", "", m.group("n"))
        n = re.sub(r"^[^、]*的(?=[^、的]+、)", "", n)  # 小区周边的鹤鸣山、双河口: the names
        return Found(n, m.group(0))
    return None

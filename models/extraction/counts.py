"""The counts and sums a message names (三十余人, 1,200人次, 20 children, 1.5万元, ¥500), each
with the words around it, and what a count is of (volunteers, staff, the audience, the
elderly, minors, stories)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from models.core.errors import ValidationError
from models.forms import parsing

from .found import Found

_NUM = (r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?[十百千万kw]?"
        r"|[零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+)")
# 几十人, 数十人 name no number: never read as 十人
_COUNT_RE = re.compile(
    r"(?<![几数好第])(?P<pre>大约|大概|将近|接近|超过|共计|总共|一共|约|近|逾|共)?"
    f"(?<![几数好第])(?P<num>{_NUM})"
    r"(?:(?<=[0-9])\s)?(?P<hedge>余|多|来|几)?(?P<unit>人次|号人|个(?!月|多月|小时|钟头|星期|礼拜|季度|工作日)|名|位|人|篇|则|处|家|户)(?P<post>左右|以上|上下)?")
_EN_NOUNS = (r"people|persons|residents|participants|villagers|volunteers|elderly|seniors|"
             r"children|kids|pupils|students|minors|teenagers|youngsters|stories|attendees|guests"
             r"|farmers|members|parents|patients|women|men|locals|relatives|neighbou?rs|friends")
_EN_COUNT_RE = re.compile(
    r"(?P<pre>about |around |some |over |nearly |almost |more than |roughly |approximately )?"
    # (9 families of people: households, not people — no household word between; 6 volunteers
    # turned up: the noun, not the verb, is the unit)
    rf"(?P<num>[0-9][0-9,]*)(?P<hedge>\+| or so|-odd)? ?(?:(?!families |households |homes |(?:{_EN_NOUNS})\b)[a-z-]{{2,}} ){{0,3}}"
    rf"(?P<unit>{_EN_NOUNS}"
    r"|attended|came|joined|turned up|showed up)", re.I)
#: A labelled form in English: Participants: 22, Volunteers: 3.
_EN_LABEL_RE = re.compile(r"\b(?P<l>participants|attendees|attendance|number of participants|volunteers)"
                          r"\s*[:：]\s*(?:about |around )?(?P<num>[0-9]+)\b", re.I)
#: saw 14 of them: the people named before, counted (not "25 of them elderly", a part)
_EN_THEM_RE = re.compile(r"\b(?P<num>[0-9]+) of them(?=\s*(?:[,.;!]|$))", re.I)
_EN_ONE_RE = re.compile(r"\b(?P<num>a|one|[0-9]+) volunteer\b(?!s)", re.I)
#: 参加人数30, 服务人数：约50: a count whose unit is the label before it
_LABEL_COUNT_RE = re.compile(
    f"人数[:：为是]?(?P<pre>约|共|共计|大约)?\\s*(?P<num>{_NUM})(?![0-9.,万千百十人名位个])")
_MONEY_RE = re.compile(
    r"(?P<pre>(?:价值|折合|折价|估价)约?|约|共计|共|人民币|¥|￥)?(?<![几数好])(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?[千万wW]?"
    r"|[零一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+)(?P<hedge>多|余|来)?(?P<unit>万元|元|块钱|块)")
_EN_MONEY_RE = re.compile(
    r"(?P<pre>worth (?:about |around |some |roughly )?|valued at (?:about |around )?)?(?:¥|rmb ?|cny ?)(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)(?P<k>k)?"
    r"|(?P<pre2>worth (?:about |around |some |roughly )?|valued at (?:about |around )?)?(?P<num2>[0-9][0-9,]*(?:\.[0-9]+)?)(?P<k2>k)? ?(?:yuan|rmb)",
    re.I)
_VAGUE_MONEY_RE = re.compile(r"[几数][十百千万]+[多余来]?(?:万元|元|块钱|块)")
_CLAUSE_RE = re.compile(r"[，。；;！!？?\n]|(?<![0-9]),|,(?![0-9])|\. "
                        # a space between Chinese words is a comma in a quick message (but
                        # 志愿者 五名, 五名 志愿者: a count and its label)
                        r"|(?<=[\u4e00-\u9fa5])(?<![零〇一二两三四五六七八九十百千万名位])\s+"
                        r"(?=[\u4e00-\u9fa5])(?![零〇一二两三四五六七八九十百千万])")


#: Two neighbouring digits said together (七八, 两三, 十五六): "seven or eight", a range.
_RANGE_NUM_RE = re.compile("(?:[一二两三四五六七八九]十)?[一二两三四五六七八九]{2}|十[一二三四五六七八]{2}"
                           "|[一二两三四五六七八九]{2}[十百千万]")


@dataclass(frozen=True)
class _Count:
    value: int
    source: str
    approximate: bool
    before: str  # the clause up to the number
    after: str  # the clause after it
    unit: str
    prev: str = ""  # the clause before this one

    @property
    def elided(self) -> bool:
        """一共看了7位, 收集了12个: a classifier with no noun after it counts the noun of the
        clause before (入户看望独居老人, 收集地名故事)."""
        return self.unit in ("个", "位", "名") and not re.match("[\u4e00-\u9fa5A-Za-z]", self.after) \
            and bool(re.search("(?:^|[了共计有是约])\\s*$", self.before))  # not 家长10名


#: 其中 and its spoken forms (里面有, 里头, 当中): what follows is a part of the count before;
#: so are those who signed up there and then (当场登记意向31人: among those who came).
_PART_RE = re.compile("其中|里面|里头|当中|当场(?:登记|报名)")


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_RE.split(text) if c.strip()]


def _counts(text: str) -> list[_Count]:
    """Every count, with the words around it up to its neighbours in the clause: in
    "社工2名、志愿者3名" the 3 is the volunteers', not the social workers'."""
    out = []
    clauses = _clauses(text)
    for at, clause in enumerate(clauses):
        found = []
        for m in _COUNT_RE.finditer(clause):
            if _RANGE_NUM_RE.fullmatch(m.group("num")):
                continue  # 七八个小孩, 十五六个: a range said, no number (asked)
            try:
                value = parsing.parse_int(m.group("num"), "n")
            except ValidationError:
                continue
            found.append((m, value, bool(
                m.group("hedge") or m.group("post") or (m.group("pre") or "") in
                ("大约", "大概", "将近", "接近", "超过", "约", "近", "逾")), m.group("unit")))
        for m in _LABEL_COUNT_RE.finditer(clause):
            try:
                value = parsing.parse_int(m.group("num"), "n")
            except ValidationError:
                continue
            found.append((m, value, bool(m.group("pre") in ("约", "大约")), "人"))
        for m in _EN_LABEL_RE.finditer(clause):  # Participants: 22 / Volunteers: 3
            found.append((m, int(m.group("num")), False,
                          "volunteers" if m.group("l").lower().startswith("volunteer") else "人"))
        for m in _EN_THEM_RE.finditer(clause):
            found.append((m, int(m.group("num")), False, "people"))
        for m in _EN_ONE_RE.finditer(clause):  # a volunteer psychologist, 3 volunteer nurses
            n = m.group("num")
            found.append((m, int(n) if n.isdigit() else 1, False, "volunteers"))
        for m in _EN_COUNT_RE.finditer(clause):
            found.append((m, int(m.group("num").replace(",", "")),
                          bool(m.group("pre") or m.group("hedge")), m.group("unit").lower()))
        found.sort(key=lambda f: f[0].start())
        for i, (m, value, approximate, unit) in enumerate(found):
            start = found[i - 1][0].end() if i else 0
            end = found[i + 1][0].start() if i + 1 < len(found) else len(clause)
            out.append(_Count(value, m.group(0), approximate, clause[start:m.start()],
                              clause[m.end():max(end, m.end())], unit,
                              clauses[at - 1] if at else ""))
    return out


_PERSON_UNITS = {"人次", "号人", "名", "位", "人", "people", "persons", "residents", "participants",
                 "villagers", "attendees", "guests", "attended", "came", "joined", "turned up",
                 "showed up", "farmers", "members", "parents", "patients", "women", "men",
                 "locals", "relatives", "neighbours", "neighbors", "friends"}
_ELDERLY = ("老人", "老年", "长者", "elderly", "seniors")
_CHILDREN = ("儿童", "孩子", "小孩", "娃娃", "学生", "青少年", "小朋友", "children", "kids", "pupils", "students")
_AUDIENCE = ("参加", "来了", "参与", "服务", "群众", "居民", "受益", "村民", "覆盖", "到场", "观众", "听众",
             "吸引", "人次", "参会", "took part", "attended", "joined", "residents",
             "villagers", "participants", "served")


#: The nouns after 个 that make it a count of people ("来了25个小朋友").
_PEOPLE_NOUNS = ("小朋友", "孩子", "小孩", "朋友", "儿童", "学生", "老人", "居民", "群众", "村民", "家长", "人",
                 "青少年", "娃", "家属", "长者")
_CAME = ("参加", "参与", "参训", "到场", "观看", "听了", "听讲", "聆听", "来了", "listened", "came", "attended", "took part", "joined",
         "told", "taught", "spoke to", "talked to")


def _role(c: _Count, kind: str | None, roles: dict) -> str | None:
    """What a count is about: volunteers, staff, elderly, children, stories, the audience
    (``roles``: the words that name volunteers and staff, extraction.toml's)."""
    volunteer, staff = roles["volunteers"], roles["staff"]
    near_before, near_after = c.before[-8:].lower(), c.after[:8].lower()
    near = near_before + " " + c.unit + " " + near_after
    if c.unit in ("篇", "则", "stories") or "故事" in near_after or "故事" in near_before[-4:] \
            or (c.elided and "故事" in c.prev[-6:]):
        return "stories"
    if c.unit == "volunteers":  # 8 volunteers, a volunteer doctor: the noun counted
        return "volunteers"
    noun = _classified(c, volunteer, staff)
    if noun:
        return noun
    if c.unit in ("户", "家", "处"):  # 2名志愿者给5户困难家庭: households, never helpers
        return None
    # (a tally of people: 25人, 8名, 十几个人 — not 两个地名, which counts names)
    tally = c.unit in ("人", "人次", "名", "位", "号人") or (c.unit == "个" and c.after.startswith("人"))
    head = c.before.rstrip("：:的了共计约有是一起等 ")
    if tally and any(head.endswith(w) for w in roles.get("present", ())) and not any(
            head.endswith(w) for w in (*volunteer, *staff)) and kind != "placename" \
            and "其中" not in c.before and any(w in near for w in (*volunteer, *staff)):
        return "audience"  # 社工和志愿者带领居民30人: the noun the number follows is counted
    joined = _joined(c.before) if tally else []
    if joined:  # 居民和志愿者25人参加, 12号楼居民、物业和社区两委共19人: who the number counts together
        workers = [m for m in joined if any(w in m for w in (*volunteer, *staff))]
        if workers and any(c.after.lstrip().startswith(w) for w in roles.get("helping", ())):
            return "staff"  # 家属和志愿者4人帮忙: volunteers with others who helped, not those served
        if any(w in m for m in joined if m not in workers for w in roles.get("present", ())):
            return "audience"  # residents among them: those present, the workers with them
        if any(w in m for m in joined for w in volunteer) and not all(
                any(w in m for w in (*volunteer, *staff)) for m in joined):
            return "staff"  # 爱心商家和志愿者十几个人帮忙: helpers, not the volunteers alone
    # 听讲师生: 讲师 is no lecturer there (the words of those present are not staff's)
    workers = near
    for w in roles.get("present", ()):
        workers = workers.replace(w, " ")
    if c.unit == "volunteers" or any(w in near for w in volunteer):
        if any(w in workers for w in staff) and not _volunteer_head(near_before, volunteer):
            return "staff"
        return "volunteers"
    if any(w in workers for w in staff):
        return "staff"
    if tally and re.search("员$", head) and not any(head.endswith(w) for w in roles.get(
            "members", ())):  # 讲解员2人, 调解员3名: a post held, staff (not 学员, 党员, 成员)
        return "staff"
    clause = (c.before + c.unit + c.after).lower()
    if kind == "placename" and not any(w in clause for w in _CAME):
        if c.unit in ("elderly", "seniors") or any(w in near_before[-4:] + near_after[:2]
                                                    for w in _ELDERLY):
            return "elderly"
        if c.unit in ("children", "kids", "pupils", "students") or any(
                w in near_before[-4:] + near_after[:2] for w in _CHILDREN):
            return "children"
    if _PART_RE.search(c.before):  # 参加居民50人，其中儿童20人: a part of the count before
        return "part"
    if c.unit == "个" and (any(c.after.startswith(w) for w in _PEOPLE_NOUNS) or any(
            c.before.rstrip("有的共计约是来了到 ").endswith(w) for w in _PEOPLE_NOUNS)):
        strong = any(w in c.before.lower() + c.after[:8].lower() for w in _AUDIENCE + _CAME)
        return "audience" if strong else "people"
    if c.unit in _PERSON_UNITS or c.unit in ("elderly", "seniors", "children", "kids",
                                             "pupils", "students", "minors", "teenagers",
                                             "youngsters"):
        strong = any(w in c.before.lower() + c.unit + c.after[:6].lower() for w in _AUDIENCE + _CAME)
        return "audience" if strong else "people"
    return None


_JOIN = "和及与、跟或/&"
#: Whom a number and its classifier count when a noun follows them (两名精神障碍患者).
_COUNTED_NOUNS = _PEOPLE_NOUNS + ("患者", "康复者", "病人", "妇女", "孤儿", "对象",
                                  "师生", "游客", "乡亲", "群众", "老年人", "残疾人")


def _classified(c: _Count, volunteer, staff) -> str | None:
    """数 + 量 + 名: 20名志愿者, 3位社工, 两名精神障碍患者 — a number with a classifier counts
    the noun right after it (within a few words of modifiers), whatever role noun stands
    before the verb ahead of it (社工陪同两名患者). None when no noun follows."""
    if c.unit not in ("名", "位", "个") or not re.match("[\u4e00-\u9fa5]", c.after) \
            or _PART_RE.search(c.before):  # 里面有20多个老人: a part, read as one below
        return None
    before = c.before.rstrip("：:的了共计约有是 ").lower()
    if any(before.endswith(w.lower()) for w in (*volunteer, *staff)):
        return None  # 志愿者3名带领孩子们: the label before the number counts it
    after = c.after[:10].lower()
    best = None
    for role, words in (("volunteers", volunteer), ("staff", staff), ("people", _COUNTED_NOUNS)):
        for w in words:
            i = after.find(w.lower())
            if 0 <= i <= 4 and not any(j in after[:i] for j in _JOIN + "参在到给为对是的") \
                    and not after[i + len(w):].startswith(("家庭", "家", "户")):  # 患者家庭
                # the head noun is the last one (两个大学生志愿者: volunteers, not students)
                if best is None or i + len(w) > best[0]:
                    best = (i + len(w), role)
    if best is None or best[1] != "people":
        return best[1] if best else None
    strong = any(w in c.before.lower() + c.after[:10].lower() for w in _AUDIENCE + _CAME)
    return "audience" if strong else "people"


_JOINED_RE = re.compile(f"[\u4e00-\u9fa5A-Za-z0-9]{{1,10}}(?:[{_JOIN}][\u4e00-\u9fa5A-Za-z0-9]{{1,10}})+$")


def _joined(before: str) -> list[str]:
    """The nouns joined right before a number (居民、物业和社区两委共19人: three), or []."""
    # (与 in 参与/与会, 和 in 和谐/和平/和睦 joins nothing)
    before = re.sub("(?<=参)与|与(?=会)|和(?=谐|平|睦|美|顺)", "口", before)
    m = _JOINED_RE.search(before.rstrip("：:的了共计约有是一起等 "))
    return re.split(f"[{_JOIN}]", m.group(0)) if m else []


def _volunteer_head(before: str, volunteer) -> bool:
    """Whether the words before a number end with a volunteer word that heads them with no
    join before it: 心理咨询师志愿者5名 are volunteers, 社工和志愿者共8人 are staff."""
    before = before.rstrip("：:的了共计约有是 ")
    return any(before.endswith(w) and not any(j in before for j in _JOIN) for w in volunteer)


def _group(c: _Count, groups: dict) -> str | None:
    """Whom a count is of ("elderly", "children") when a group's word is right before the
    number or right after it, or ends the clause before an elided count (入户看望独居老人，一共
    看了7位); None when no group, or when it joins two ("老人和儿童共30人")."""
    own = _own_group(c, groups)
    if own is None and c.elided and not any(w in c.before for ws in groups.values() for w in ws):
        prev = c.prev.lower()
        ends = [(prev.rfind(w.lower()), g) for g, ws in groups.items() for w in ws
                if w.lower() in prev[-8:]]
        return max(ends)[1] if ends else None
    return own


def _own_group(c: _Count, groups: dict) -> str | None:
    before = c.before.rstrip("：:的了共计约有是 ").lower()
    after, source = c.after.lower(), c.source.lower()
    for group, words in groups.items():
        for w in words:
            w = w.lower()
            if before.endswith(w):
                head = before[:-len(w)]
                if head[-1:] and head[-1] in _JOIN and any(
                        head[:-1].endswith(x) for x in _PEOPLE_NOUNS):
                    return None
                return group
            i = after.find(w)
            # (12名事实无人抚养儿童: the group noun after its modifiers, no verb between)
            if 0 <= i <= 8 and not any(j in after[:i] for j in _JOIN + "(（，,参在到给为对是的发送") \
                    and "其中" not in after[:i]:
                return group
            if w.isascii() and w in source:
                return group
    return None


def _group_count(counts: list[_Count], roles: list[str | None], groups: dict, group: str,
                 only=None) -> tuple[Found | None, list[Found]]:
    """The one count of a group of people (``only``: a test on its clause), or the candidates."""
    return _one([Found(c.value, c.source, c.approximate) for c, r in zip(counts, roles)
                 if r in ("audience", "people", "part", None) and _group(c, groups) == group
                 and (r is not None or c.unit == "户") and (only is None or only(c))])


def _one(cands: list[Found]) -> tuple[Found | None, list[Found]]:
    """The one value the candidates agree on, or the disagreeing candidates."""
    distinct: dict = {}
    for f in cands:
        distinct.setdefault(f.value, f)
    if len(distinct) == 1:
        return next(iter(distinct.values())), []
    # 参与儿童38名、家长12名，共50人: the total of the others is the one
    nums = [x for x in distinct if isinstance(x, int) and not isinstance(x, bool)]
    if len(distinct) >= 3 and len(nums) == len(distinct):
        totals = [x for x in nums if x == sum(nums) - x]
        if len(totals) == 1:
            return distinct[totals[0]], []
    return None, list(distinct.values())


def _money(text: str) -> list[tuple[str, Found]]:
    """Amounts in yuan with what they are: ("value", …) after 价值/worth, ("rough", …) for
    五千多元, else ("amount", …)."""
    # 几千块钱, 数万元: a sum said and not told (rough, with no value: asked)
    out = [("rough", Found(None, m.group(0))) for m in _VAGUE_MONEY_RE.finditer(text)]
    for m in _MONEY_RE.finditer(text):
        try:
            v = parsing.parse_money(re.sub("[wW]$", "万", m.group("num"))  # 1w元: 1万元
                                    + ("万" if m.group("unit") == "万元" else ""), "m")
        except ValidationError:
            continue
        # 五千多元: more than 5,000, the sum itself unsaid ("rough": asked, never stored)
        role = ("rough" if m.group("hedge") else
                "value" if (m.group("pre") or "").startswith(("价值", "折合", "折价", "估价")) else "amount")
        out.append((role, Found(str(v), m.group(0), (m.group("pre") or "").endswith("约"))))
    for m in _EN_MONEY_RE.finditer(text):
        num = (m.group("num") or m.group("num2")).replace(",", "")
        try:
            v = parsing.parse_money(num, "m") * (1000 if (m.group("k") or m.group("k2")) else 1)
        except ValidationError:
            continue
        role = "value" if (m.group("pre") or m.group("pre2")) else "amount"
        out.append((role, Found(str(v.quantize(parsing._CENT)), m.group(0).strip())))
    return out



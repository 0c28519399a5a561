"""Is a plan file faithful to the document it cites?  Pure functions over a plan's TOML (as a
dict) and the document's text; no database, no web.

Two questions, both answered as lists a person can act on:

- ``uncovered(plan, text)``: the document's *requirement sentences* (a number with its unit, a
  ratio, a date, a required step) whose requirement words no quote of the plan covers — an
  indicator's ``quote``, an ``[[encoded]]`` or ``[[not_encoded]]`` entry, or a quote of another
  section (``[approval]`` ...). So a requirement cannot be silently left out.
- ``problems(plan, text)``: every binding rule the plan breaks (FIDELITY_SPEC / the plans'
  README): each number is bound by ``reads`` to the phrase that states it in the document's
  notation, next to the name of the place whose code carries it; direction (min/max/strict),
  period and due date (``due_reads`` or ``assumed``), ratio units (``per``), tiers, milestones,
  the approval chain and the ``by`` references of ``[[encoded]]`` all agree with the text.

``python -m models.plans.fidelity uncovered FILE`` / ``check FILE`` print them (exit 1 if any).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from models.core.paths import DATA_DIR

POLICIES_DIR = DATA_DIR / "policies"
PLACES_DIR = DATA_DIR / "places"
KINDS_FILE = DATA_DIR / "kinds.toml"


def document(name: str) -> str:
    """The text of a shipped policy document (``models/data/policies/<name>``)."""
    path = POLICIES_DIR / name
    if "/" in name or "\\" in name or not path.is_file():
        raise FileNotFoundError(f"no shipped policy document {name!r} in {POLICIES_DIR}")
    return path.read_text("utf-8")


def compact(text: str) -> str:
    """Whitespace removed: the documents' line breaks and stray spaces mean nothing."""
    return re.sub(r"\s+", "", text)


# ---- numbers as the documents write them ------------------------------------------------------

CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
            "七": 7, "八": 8, "九": 9}
CN_UNIT = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇一二两三四五六七八九十百千"


def cn_number(s: str) -> int | None:
    """三十 → 30, 一百二十 → 120, 十五 → 15, 两千 → 2000, 三万 → 30000."""
    if not s:
        return None
    if s.endswith("万"):
        head = cn_number(s[:-1]) if s[:-1] else 1
        return None if head is None else head * 10000
    total, digit = 0, None
    for ch in s:
        if ch in CN_DIGIT:
            digit = CN_DIGIT[ch]
        elif ch in CN_UNIT:
            total += (1 if digit is None else digit) * CN_UNIT[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


MEASURE_WORDS = "个名家次支场人项所类级条户处座种元倍成位批期"
DASHES = "—–-－~～"


@dataclass(frozen=True)
class Number:
    """One number in a phrase: the values it may stand for (15% is 15 and 0.15) and where."""
    values: frozenset
    start: int
    end: int
    text: str


def _f(x) -> Fraction:
    return Fraction(str(x)) if not isinstance(x, Fraction) else x


def numbers_in(text: str) -> list[Number]:
    """The numbers a phrase states, in order: Arabic (3.8万 = 38000, 15% = 15 and 0.15),
    百分之十, 三分之一, and Chinese numerals with a measure word (至少一名, 三十个, 两千人, 八成).
    Years, months and days are dates, not numbers."""
    out: list[Number] = []
    taken: list[tuple[int, int]] = []

    def add(values, m_start, m_end):
        if any(s < m_end and m_start < e for s, e in taken):
            return
        taken.append((m_start, m_end))
        out.append(Number(frozenset(values), m_start, m_end, text[m_start:m_end]))

    for m in re.finditer(rf"(百分之|[{CN_NUM}]+分之)([{CN_NUM}]+|\d+(?:\.\d+)?)", text):
        head, tail = m.group(1), m.group(2)
        n = Fraction(tail) if tail[0].isdigit() else Fraction(cn_number(tail) or 0)
        if head == "百分之":
            add({n, n / 100}, m.start(), m.end())
        else:
            d = cn_number(head[:-2])
            if d:
                add({n / d}, m.start(), m.end())
    for m in re.finditer(r"(?<![\d.])(\d+(?:\.\d+)?)(万|千|亿)?(%|％|‰)?", text):
        after = text[m.end():m.end() + 1]
        if not m.group(2) and not m.group(3) and (after in ("年", "月", "日", "号", "-")
                                                   or text[m.start() - 1:m.start()] == "-"):
            continue
        n = Fraction(m.group(1))
        n *= {"万": 10000, "千": 1000, "亿": 10 ** 8}.get(m.group(2), 1)
        values = {n}
        if m.group(3) in ("%", "％"):
            values.add(n / 100)
        elif m.group(3) == "‰":
            values.add(n / 1000)
        add(values, m.start(), m.end())
    for m in re.finditer(rf"([{CN_NUM}]+万?)(?=[{MEASURE_WORDS}])", text):
        n = cn_number(m.group(1))
        if n is None:
            continue
        values = {Fraction(n)}
        if text[m.end():m.end() + 1] == "成":  # 八成: 80 %
            values |= {Fraction(n, 10), Fraction(n * 10)}
        add(values, m.start(), m.end())
    return sorted(out, key=lambda x: x.start)


def bind(claims: list[tuple[str, Fraction]], phrase: str) -> list[str]:
    """The claims (what, value) that no number of ``phrase`` states, each number serving one
    claim only: a tier "1—5 … 5万元" has a 1, a 5 and a 50000, so a target of 5 is not in it."""
    nums = numbers_in(phrase)
    claims = [(w, _f(v)) for w, v in claims]
    best: list[str] | None = None

    def walk(i, used, missing):
        nonlocal best
        if best is not None and len(missing) >= len(best):
            return
        if i == len(claims):
            best = list(missing)
            return
        what, value = claims[i]
        for k, n in enumerate(nums):
            if k not in used and value in n.values:
                walk(i + 1, used | {k}, missing)
        walk(i + 1, used, missing + [f"{what} = {_show(value)}"])

    walk(0, frozenset(), [])
    return best or []


def _show(v) -> str:
    v = _f(v)
    return str(v.numerator) if v.denominator == 1 else (f"{float(v):g}" if v.denominator in (
        2, 4, 5, 10, 20, 25, 50, 100) else str(v))


# ---- dates as the documents write them --------------------------------------------------------

ERAS = {"十三五": 2020, "十四五": 2025, "十五五": 2030}


def dates_in(text: str) -> list[tuple[int, int | None, int | None]]:
    """(year, month, day) of each date a phrase names, in order; a month without a year takes
    the year before it ("2016年7月1日至9月30日"); "十四五"末 is the end of 2025."""
    out = []
    year = None
    year = month = None
    pattern = (r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?|(?<![\d.])(\d{1,2})月(?:(\d{1,2})日)?"
               r"|(十[三四五]五)|(?<![\d.月])(\d{1,2})日|(\d{4})-(\d{1,2})-(\d{1,2})")
    for m in re.finditer(pattern, text):
        if m.group(8):
            year, month = int(m.group(8)), int(m.group(9))
            out.append((year, month, int(m.group(10))))
        elif m.group(1):
            year = int(m.group(1))
            month = int(m.group(2)) if m.group(2) else None
            out.append((year, month, int(m.group(3)) if m.group(3) else None))
        elif m.group(6):
            year, month = ERAS[m.group(6)], None
            out.append((year, None, None))
        elif m.group(4) and year is not None:
            month = int(m.group(4))
            out.append((year, month, int(m.group(5)) if m.group(5) else None))
        elif m.group(7) and year is not None and month is not None:
            out.append((year, month, int(m.group(7))))
    return out


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def date_problem(day: dt.date, phrase: str, *, end: bool = True) -> str | None:
    """Why ``day`` is not the date ``phrase`` names (its last date for a due, its first for a
    start), or None. No month named: the year's end (or start); a month without a day: the
    month's last (or first) day."""
    found = dates_in(phrase)
    if not found:
        return f"{phrase!r} names no date"
    y, m, d = found[-1] if end else found[0]
    if m is None:
        want = dt.date(y, 12, 31) if end else dt.date(y, 1, 1)
    elif d is None:
        want = dt.date(y, m, _last_day(y, m) if end else 1)
    else:
        want = dt.date(y, m, d)
    if day != want:
        return f"{day.isoformat()} is not what {phrase!r} says ({want.isoformat()})"
    return None


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# ---- requirement sentences (the detector) -----------------------------------------------------

# Lines of a web page around the document (dates of publication, site ids, menus).
BOILERPLATE = re.compile(r"发布时间|浏览次数|标识码|ICP备|公网安备|索引号|发文字号|发布机构|成文日期|"
                         r"发文日期|政务网|扫一扫|^主办|^承办|投搞|打印|收藏|星期|主动公开|微博推荐|"
                         r"^名称:|^主题:|简体\||^\|")
# Words that contain a numeral but state no quantity: names of campaigns and meetings.
NOT_QUANTITIES = re.compile(r"[五三]社|[九十]项行动|十二字|十字工作|一家亲|[一二三四五六七八九十]+次全会|"
                            r"十[一二三四五六七八九]届|[二三四]中全会|三个着力|一级主体|十[三四五]五(?!”?(?:末|期间))|"
                            r"一批|一支|一线|一体|一网通|一老一小|二十大|第[一二三四五六七八九十]+批")
_NUM = rf"(?:\d+(?:\.\d+)?|[{CN_NUM}]+)"
TRIGGERS = [
    # a number with its unit or measure word: 316个, 3.8万人次, 至少一名, 3—5个, 15分钟, 4A级
    ("number", re.compile(rf"{_NUM}(?:[{DASHES}]{_NUM})?(?:余|多)?[万千亿]?(?:余|多)?"
                          rf"(?:人次|场次|分钟|小时|万元|[{MEASURE_WORDS}]|[天周]|A级?|星)")),
    # a rate: 15%, 百分之十, 三分之一
    ("ratio", re.compile(rf"\d+(?:\.\d+)?[%％‰]|百分之[{CN_NUM}\d]+|[{CN_NUM}]+分之[{CN_NUM}]+")),
    # words of a rate: 每万人, 每千名, 覆盖率, 比例
    ("rate", re.compile(r"百分之|每[万千]|[\u4e00-\u9fff]{2}(?<![效频概税汇利])率|比例|占比")),
    # a date: 2023年底, 2024年6月底, 11月底前, “十四五”末
    ("date", re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:底|末|前|以前|内)?|"
                        r"(?<![\d年])\d{1,2}月(?:\d{1,2}日)?(?:底|前)?|十[三四五]五”?(?:末|期间)")),
    # a rhythm: 每年, 年度, 季度, 半年, 年终, 每月
    ("rhythm", re.compile(r"每年|年度|每季度|季度|半年|年终|每月|月探访|年底|年末")),
    # a required step or a bound: 每个, 全覆盖, 必须, 应当, 不少于, 至少, 以上, 建立, 设立 ...
    ("step", re.compile(r"每个|每一|都设有|全覆盖|覆盖|全部|必须|须经|应当|不少于|至少|不低于|"
                        r"不超过|以内|以上|力争|确保每|建立|设立|成立|逐级|程序|阶段|评估|备案|登记|"
                        r"注册|公示|听证|审议|结项(?!目)|重点培育|优先发展|联动模式|约束性|积分|时间银行")),
]
# Triggers that state a value (a number, a rate, a date): each must sit inside a phrase that
# binds it (a ``reads``, ``due_reads``, ``start_reads``, a section's quote, or an
# ``[[encoded]]`` / ``[[not_encoded]]`` quote), not merely inside some indicator's quote; the
# others (rhythms, rate words, required steps) inside any quote.
BINDABLE = ("number", "ratio", "date")
SPLIT = re.compile(r"(?<=[。；;！!？?])|(?=(?<![\d.])\d{1,2}[.．、](?!\d))|"
                   r"(?=[(（][一二三四五六七八九十]+[)）])|(?=(?<![\u4e00-\u9fff])[一二三四五六七八九十]+、)|"
                   r"(?=——)|(?=[一二三]是)|(?=[一二三]要)")
_ONLY_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{8}")


@dataclass
class Sentence:
    """A requirement sentence: its compact text, where it sits in the compact document, and
    its trigger words ((start, end, text, kind) in the compact document)."""
    text: str
    start: int
    end: int
    triggers: list[tuple[int, int, str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset in the compact document, sentence) for each sentence of ``text``, boilerplate
    lines left out."""
    out, offset = [], 0
    for line in text.splitlines():
        c = compact(line)
        if c and not BOILERPLATE.search(c):
            pos = 0
            for part in SPLIT.split(c):
                if part:
                    out.append((offset + pos, part))
                pos += len(part)
        offset += len(c)
    return out


def requirement_sentences(text: str) -> list[Sentence]:
    """The sentences of a document that state a number, a ratio, a deadline, a tier or a
    required step, with the words that make them one (``triggers``)."""
    out = []
    for start, s in _sentences(text):
        if _ONLY_DATE.fullmatch(s.rstrip("。")):
            continue  # the date a document was signed
        masked = NOT_QUANTITIES.sub(lambda m: "\0" * len(m.group()), s)
        spans = []
        for kind, rx in TRIGGERS:
            for m in rx.finditer(masked):
                if "\0" in m.group() or not m.group():
                    continue
                spans.append((start + m.start(), start + m.end(), m.group(), kind))
        if spans:
            spans.sort()
            out.append(Sentence(s, start, start + len(s), spans))
    return out


# ---- where a plan quotes its document ---------------------------------------------------------

def _all_quotes(node, where: str = ""):
    """(where, quote) for every quote in a plan file: ``quote`` and ``*_quote`` keys at any depth."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and (k == "quote" or k.endswith("_quote")):
                yield (f"{where}.{k}" if where else k), v
            elif isinstance(v, list) and (k == "quote" or k.endswith("_quote")) \
                    and all(isinstance(x, str) for x in v):
                for n, x in enumerate(v):
                    yield f"{where}.{k}[{n}]", x
            else:
                yield from _all_quotes(v, f"{where}.{k}" if where else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _all_quotes(v, f"{where}[{i}]")


def _spans(needle: str, hay: str) -> list[tuple[int, int]]:
    out, i = [], hay.find(needle)
    while needle and i >= 0:
        out.append((i, i + len(needle)))
        i = hay.find(needle, i + 1)
    return out


def _undash(t: str) -> str:
    return re.sub(rf"(?<=\d)[{DASHES}](?=\d)", "", t)


def _inside(needle: str, spans: list[tuple[int, int]], doc: str) -> list[tuple[int, int]]:
    """Where ``needle`` (or it without a dash restored between digits) sits in the document
    inside one of ``spans`` (the occurrences of the quote it belongs to)."""
    out = []
    for n in {compact(needle), _undash(compact(needle))}:
        for a, b in spans:
            out += [(a + x, a + y) for x, y in _spans(n, doc[a:b])]
    return out


def _binding_phrases(ind: dict) -> list[str]:
    """The phrases of an indicator that bind a value: reads (all forms), due/start reads."""
    out = []
    reads = ind.get("reads")
    out += list(reads.values()) if isinstance(reads, dict) else [reads]
    spec = ind.get("spec") or {}
    if isinstance(spec.get("reads"), dict):
        out += list(spec["reads"].values())
    out += [t.get("reads") for t in spec.get("tiers") or [] if isinstance(t, dict)]
    out += [m.get("reads") for m in spec.get("milestones") or [] if isinstance(m, dict)]
    out += [ind.get("due_reads"), ind.get("start_reads")]
    return [p for p in out if isinstance(p, str) and p.strip()]


def accounted(plan: dict, doc: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(quoted, bound) spans of the compact document: every quote of the plan; and what binds a
    value — the binding phrases of its indicators inside their quotes, the quotes of
    ``[[encoded]]``, ``[[not_encoded]]`` and of the other sections, the plan's ``start_reads``."""
    quoted, bound = [], []
    for _where, q in _all_quotes(plan):
        quoted += _spans(compact(q), doc)
    for ind in list(plan.get("indicators", [])) + list(plan.get("counters", [])):
        if not isinstance(ind, dict) or not ind.get("quote"):
            continue
        spans = _spans(compact(ind["quote"]), doc)
        for p in _binding_phrases(ind):
            bound += _inside(p, spans, doc)
    others = {k: v for k, v in plan.items() if k not in ("indicators", "counters")}
    for _where, q in _all_quotes(others):
        bound += _spans(compact(q), doc)
    if isinstance(plan.get("start_reads"), str):
        bound += _spans(compact(plan["start_reads"]), doc)
    return quoted, bound


def uncovered(plan: dict, text: str) -> list[Sentence]:
    """The requirement sentences of ``text`` with a trigger the plan does not account for
    (``missing`` names them): a value (number, rate, date) outside every binding phrase, a
    rhythm or step word outside every quote. What the plan neither encodes nor lists as not
    encoded."""
    doc = compact(text)
    quoted, bound = accounted(plan, doc)
    out = []
    for s in requirement_sentences(text):
        missing = [t for a, b, t, kind in s.triggers
                   if not any(qa <= a and b <= qb for qa, qb in (bound if kind in BINDABLE else quoted))]
        if missing:
            s.missing = missing
            out.append(s)
    return out


# ---- places -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
    """Code → name of every place in the shipped place files (any table with a code and a
    name; any table of name = code)."""
    out: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("code"), str) and isinstance(node.get("name"), str):
                out[node["code"]] = node["name"]
            for k, v in node.items():
                if isinstance(v, str) and re.fullmatch(r"\d{2,12}", v) and re.search(
                        r"[\u4e00-\u9fff]", k):
                    out.setdefault(v, k)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted(PLACES_DIR.glob("*.toml")):
        walk(tomllib.loads(path.read_text("utf-8")))
    return {_short_code(k): v for k, v in out.items()}


def _short_code(code: str) -> str:
    """The short form of a statistical code: 510000000000 → 51, 511802001000 → 511802001."""
    if len(code) == 12:
        for n in (2, 4, 6, 9):
            if set(code[n:]) <= {"0"}:
                return code[:n]
    return code


SUFFIXES = ("特别行政区", "自治州", "自治县", "自治旗", "街道", "新区", "地区", "市", "省", "区", "县",
            "镇", "乡", "盟", "旗")
WHOLE_SCOPE = ("全市", "全省", "全区", "全县", "全国", "全域")


def short_name(name: str) -> str:
    """雨城区 → 雨城, 天津市 → 天津, 甘肃省 → 甘肃 (the name a sentence may use)."""
    for s in SUFFIXES:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[:-len(s)]
    return name


def names_place(phrase: str, name: str) -> bool:
    return name in phrase or short_name(name) in phrase


# ---- the binding rules ------------------------------------------------------------------------

MIN_WORDS = re.compile(r"不少于|不低于|以上|至少|达到|达|力争|≥|拥有|每.{0,6}有|(?<!不)超过|突破|"
                       r"(?<!不)高于|多于|全覆盖|覆盖|全部|建成|完成")
MAX_WORDS = re.compile(r"以内|不超过|不得超过|不高于|以下|(?<!不)低于|控制在|至多|最多|≤")
STRICT_WORDS = re.compile(r"(?<!不)(?<!不得)超过|突破|(?<!不)高于|多于")
YEARLY = re.compile(r"每年|年度|每季度|每半年|每月|全年|年均|当年")
PER_WORDS = {100: re.compile(r"%|％|百分之|[一二三四五六七八九十]成"),
             1000: re.compile(r"每千|千人|千名|‰"),
             10000: re.compile(r"每万|万人")}
PER_UNIT = re.compile(r"每个|每一|每[\u4e00-\u9fff]{0,4}(?:站|县|区|社区|街道|乡镇|街镇|项目|村)|各县|各区|各街|"
                      r"各乡|各社区|各[\u4e00-\u9fff]{0,3}(?:站|县|区)")
WHOLE = {Fraction(1)}


def _clause(quote: str, phrase: str) -> str:
    """The part of the quote (between commas/semicolons) that holds the phrase."""
    i = quote.find(phrase)
    if i < 0:
        return phrase
    a = max(quote.rfind(c, 0, i) for c in ",，;；。") + 1
    ends = [j for j in (quote.find(c, i + len(phrase)) for c in ",，;；。") if j >= 0]
    return quote[a:min(ends) if ends else len(quote)]


@dataclass
class _Ctx:
    plan: dict
    doc: str                  # compact document
    places: dict[str, str]
    out: list[str]

    def say(self, where: str, what: str):
        self.out.append(f"{where}: {what}")


def _phrase_ok(ctx: _Ctx, where: str, phrase, quotes: list[str]) -> str | None:
    """The compact phrase when it is a non-empty string inside one of ``quotes``, else None
    (and the problem said)."""
    if not isinstance(phrase, str) or not compact(phrase):
        ctx.say(where, "reads must be a non-empty phrase of the quote")
        return None
    p = compact(phrase)
    if not any(p in compact(q) for q in quotes if q):
        ctx.say(where, f"{phrase!r} is not in the quote")
        return None
    return p


def _check_direction(ctx: _Ctx, where: str, ind: dict, phrase: str, quote: str):
    direction = ind.get("direction", "min")
    strict = ind.get("strict", False)
    if direction not in ("min", "max"):
        ctx.say(where, f"direction must be min or max, not {direction!r}")
        return
    around = _clause(compact(quote), phrase)
    if direction == "max" and not MAX_WORDS.search(around):
        ctx.say(where, f"direction = max, but {around!r} says no 以内/不超过/以下/低于/控制在")
    if direction == "min" and MAX_WORDS.search(around) and not MIN_WORDS.search(
            MAX_WORDS.sub("", around)):
        ctx.say(where, f"{around!r} states a maximum: direction = \"max\"")
    if strict and not STRICT_WORDS.search(around):
        ctx.say(where, f"strict = true, but {around!r} says no 超过/突破/高于/多于")
    if not strict and STRICT_WORDS.search(around):
        ctx.say(where, f"{around!r} says {STRICT_WORDS.search(around).group()}: strict = true")


def _check_per(ctx: _Ctx, where: str, per, phrase: str, quote: str):
    if per in (None, 1):
        return
    rx = PER_WORDS.get(int(per)) if _f(per).denominator == 1 else None
    if rx is None:
        ctx.say(where, f"per = {per}: the documents state rates per 100, 1000 or 10000")
    elif not rx.search(phrase):
        ctx.say(where, f"per = {per}, but {phrase!r} does not state a rate per {per}")


def _check_target_place(ctx: _Ctx, where: str, code: str, phrase: str):
    scope = ctx.plan.get("scope")
    name = ctx.places.get(code)
    others = [n for c, n in ctx.places.items() if c != code]
    if code == scope:
        if name and names_place(phrase, name):
            return
        if any(w in phrase for w in WHOLE_SCOPE):
            return
        named = [n for n in others if names_place(phrase, n)]
        if named:
            ctx.say(where, f"the target sits on the plan's scope {code}, but {phrase!r} names {named[0]}")
        return
    if name is None:
        if scope in ctx.places:
            ctx.say(where, f"no place has the code {code} in the place files")
        return
    if not names_place(phrase, name):
        ctx.say(where, f"{phrase!r} does not name {name} (the place of code {code})")


def _check_due(ctx: _Ctx, where: str, node: dict, quote: str, due_key="due",
               reads_key="due_reads", assumed_key="assumed", end=True):
    day = _as_date(node.get(due_key))
    phrase, assumed = node.get(reads_key), node.get(assumed_key)
    if day is None:
        if phrase:
            ctx.say(where, f"{reads_key} given but no {due_key}")
        return
    if phrase is not None:
        p = _phrase_ok(ctx, f"{where}.{reads_key}", phrase, [quote])
        if p is not None:
            why = date_problem(day, p, end=end)
            if why:
                ctx.say(where, f"{due_key} {why}")
    elif not (isinstance(assumed, str) and re.search(r"[\u4e00-\u9fff]", assumed)):
        ctx.say(where, f"{due_key} {day.isoformat()}: bind it ({reads_key} = a phrase of the quote "
                       f"naming the date) or say why it is assumed ({assumed_key} = \"…\" in Chinese)")


def _targets_reads(ind: dict) -> dict:
    reads = ind.get("reads")
    targets = ind.get("targets") or {}
    if isinstance(reads, dict):
        return reads
    if isinstance(reads, str) and len(targets) == 1:
        return {next(iter(targets)): reads}
    return {}


def check_indicator(ctx: _Ctx, ind: dict, *, counter: bool = False):
    code = ind.get("code", "?")
    quote = ind.get("quote")
    spec = ind.get("spec") or {}
    if not quote:
        if not counter:
            ctx.say(code, "cites no sentence (quote)")
        return
    cq = compact(quote)
    if cq not in ctx.doc:
        ctx.say(code, "quote is not verbatim in the document")
    quotes = [quote]
    if ind.get("quote_reads"):
        undash = lambda t: re.sub(rf"(?<=\d)[{DASHES}](?=\d)", "", compact(t))  # noqa: E731
        if undash(ind["quote_reads"]) != undash(quote):
            ctx.say(code, "quote_reads differs from the quote by more than a dash between digits")
        else:
            quotes.append(ind["quote_reads"])
    full = " ".join(quotes)

    def phrase(where, p):
        return _phrase_ok(ctx, f"{code}.{where}", p, quotes)

    # explicit targets: one phrase per code, with the number and the place's name
    targets = ind.get("targets") or {}
    reads = _targets_reads(ind)
    for place, value in targets.items():
        p = phrase(f"reads[{place}]", reads.get(place)) if place in reads else None
        if place not in reads:
            ctx.say(code, f"target {value} of {place}: no reads phrase binds it")
            continue
        if p is None:
            continue
        for miss in bind([(f"target of {place}", value)], p):
            ctx.say(code, f"{miss} is not in {p!r}")
        _check_target_place(ctx, f"{code}.reads[{place}]", place, p)
        _check_direction(ctx, f"{code}.reads[{place}]", ind, p, full)
    if isinstance(ind.get("reads"), dict):
        for place in ind["reads"]:
            if place not in targets and place != "per_unit_target":
                ctx.say(code, f"reads names {place}, which has no target")
    # a per-unit / uniform target
    put = ind.get("per_unit_target")
    if put is not None:
        r = ind.get("reads")
        if isinstance(r, dict):
            r = r.get("per_unit_target")
        if r is None:
            ctx.say(code, f"per_unit_target {put}: no reads phrase binds it")
        else:
            p = phrase("reads", r)
            if p is not None:
                for miss in bind([("per_unit_target", put)], p):
                    ctx.say(code, f"{miss} is not in {p!r}")
                _check_direction(ctx, f"{code}.reads", ind, p, full)
                _check_per(ctx, f"{code}.reads", spec.get("per"), p, full)
                basis = ind.get("target_basis")
                if basis in ("per_station", "per_county") and not PER_UNIT.search(p):
                    ctx.say(code, f"target_basis = {basis}, but {p!r} says no 每个…/各…")
    elif spec.get("per") not in (None, 1):
        r = (spec.get("reads") or {}).get("per") if isinstance(spec.get("reads"), dict) else None
        if r is None:
            ctx.say(code, f"per = {spec['per']}: no reads phrase binds it (spec.reads.per)")
        else:
            p = phrase("spec.reads.per", r)
            if p is not None:
                _check_per(ctx, f"{code}.spec.reads.per", spec.get("per"), p, full)
    # spec numbers: min, max, share
    sreads = spec.get("reads") if isinstance(spec.get("reads"), dict) else {}
    for key in ("min", "max", "share"):
        if key not in spec:
            continue
        value = _f(spec[key]) if not isinstance(spec[key], str) else Fraction(spec[key])
        if key == "share" and value == 1 and key not in sreads:
            continue
        if key not in sreads:
            ctx.say(code, f"spec.{key} = {spec[key]}: no reads phrase binds it (spec.reads.{key})")
            continue
        p = phrase(f"spec.reads.{key}", sreads[key])
        if p is None:
            continue
        if key == "share" and value == 1 and re.search(r"全部|全覆盖|所有|均|每个|100%", p):
            continue
        for miss in bind([(f"spec.{key}", value)], p):
            ctx.say(code, f"{miss} is not in {p!r}")
    if "min" in spec and "max" in spec and _f(spec["min"]) > _f(spec["max"]):
        ctx.say(code, f"spec.min {spec['min']} is above spec.max {spec['max']}")
    # tiers: each bound, from/to/target each its own number of the phrase
    for n, t in enumerate(spec.get("tiers") or []):
        if not t.get("reads"):
            ctx.say(code, f"tier {n + 1}: no reads phrase binds it")
            continue
        p = phrase(f"tiers[{n}].reads", t["reads"])
        if p is None:
            continue
        for miss in bind([("tier from", t.get("from")), ("tier to", t.get("to")),
                          ("tier target", t.get("target"))], p):
            ctx.say(code, f"tier {n + 1}: {miss} is not in {p!r}")
        _check_direction(ctx, f"{code}.tiers[{n}]", ind, p, full)
        if _f(t.get("from", 0)) > _f(t.get("to", 0)):
            ctx.say(code, f"tier {n + 1}: from {t.get('from')} is above to {t.get('to')}")
    # milestones: share and date
    for n, m in enumerate(spec.get("milestones") or []):
        if not m.get("reads"):
            ctx.say(code, f"milestone {n + 1}: no reads phrase binds it")
            continue
        p = phrase(f"milestones[{n}].reads", m["reads"])
        if p is None:
            continue
        share = Fraction(m["share"]) if isinstance(m.get("share"), str) else _f(m.get("share"))
        if not (share == 1 and re.search(r"全部|全面|所有|100%", p)):
            for miss in bind([("milestone share", share)], p):
                ctx.say(code, f"milestone {n + 1}: {miss} is not in {p!r}")
        day = _as_date(m.get("by"))
        why = date_problem(day, p) if day else "by is not a date"
        if why:
            ctx.say(code, f"milestone {n + 1}: by {why}")
    # period and due
    period = ind.get("period", "year")
    if period == "year":
        if not YEARLY.search(cq) and not ind.get("assumed") and not counter \
                and (targets or put is not None or ind.get("measure") in ("presence", "tier", "ratio")):
            ctx.say(code, "period = year, but the quote says no 每年/年度/每季度…: bind a due date "
                          "(period plan/standing + due_reads) or say why (assumed)")
    elif period in ("plan", "standing"):
        if ind.get("due") is None:
            ctx.say(code, f"period = {period} needs a due date")
        else:
            _check_due(ctx, code, ind, full)
    else:
        ctx.say(code, f"period must be year, plan or standing, not {period!r}")
    if ind.get("start_date") is not None:
        _check_due(ctx, code, ind, full, due_key="start_date", reads_key="start_reads",
                   assumed_key="start_assumed", end=False)


# ---- [[encoded]] references -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _kinds() -> dict[str, set[str]]:
    data = tomllib.loads(KINDS_FILE.read_text("utf-8"))
    return {k["code"]: {f["name"] for f in k.get("fields", [])} for k in data.get("kinds", [])}


def _plan_kinds(plan: dict) -> dict[str, set[str]]:
    out = {k: set(v) for k, v in _kinds().items()}
    for k in plan.get("kinds", []) if isinstance(plan.get("kinds"), list) else []:
        if isinstance(k, dict) and k.get("code"):
            out.setdefault(k["code"], set()).update(f.get("name") for f in k.get("fields", []))
    return out


def _has_step(node, code: str) -> bool:
    if isinstance(node, dict):
        if code in node:
            return True
        if any(node.get(k) == code for k in ("code", "level", "step", "name", "short")):
            return True
        return any(_has_step(v, code) for v in node.values())
    if isinstance(node, list):
        return any(_has_step(v, code) for v in node)
    return False


def _indicator_codes(plan: dict) -> set[str]:
    out = {i.get("code") for i in plan.get("indicators", [])}
    for c in plan.get("counters", []):
        out.add(c.get("code"))
        if c.get("per_line"):
            out |= {f"{c.get('code')}_{line.get('code')}" for line in plan.get("action_lines", [])}
    return out


def _attr_names(node) -> set[str]:
    """Attribute and column names a plan's specs use (attr = .., where = {name = ..})."""
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("attr", "sum", "distinct") and isinstance(v, str):
                out.add(v)
            if k in ("where", "among") and isinstance(v, dict):
                out |= set(v)
            out |= _attr_names(v)
    elif isinstance(node, list):
        for v in node:
            out |= _attr_names(v)
    return out


def reference_problem(plan: dict, ref) -> str | None:
    """Why a ``by`` reference of ``[[encoded]]`` names nothing real, or None."""
    if not isinstance(ref, str) or ":" not in ref:
        return f"{ref!r} is not kind:/field:/indicator:/step:/registry: + a name"
    what, name = ref.split(":", 1)
    if what == "kind":
        return None if name in _plan_kinds(plan) else f"no report kind {name!r}"
    if what == "field":
        kind, _, fname = name.partition(".")
        kinds = _plan_kinds(plan)
        if kind not in kinds:
            return f"no report kind {kind!r}"
        return None if fname in kinds[kind] else f"report kind {kind!r} has no field {fname!r}"
    if what == "indicator":
        return None if name in _indicator_codes(plan) else f"no indicator {name!r} in this plan"
    if what == "step":
        section, _, code = name.partition(".")
        if section not in plan or section in ("indicators", "counters", "encoded", "not_encoded"):
            return f"no section [{section}] in this plan file"
        return None if code and _has_step(plan[section], code) else f"[{section}] has no step {code!r}"
    if what == "registry":
        from models.plans.measures import REGISTRY_EXTRA_FILTERS, REGISTRY_MODELS, REGISTRY_SOURCES
        source, _, column = name.partition(".")
        if source not in REGISTRY_SOURCES:
            return f"no registry source {source!r}"
        if source == "units":
            from models.core.schema import OrgUnit
            known = set(OrgUnit._meta.fields) | _attr_names(plan)
        else:
            known = set(REGISTRY_MODELS[source]._meta.fields) | REGISTRY_EXTRA_FILTERS.get(source, set())
        return None if column in known else f"registry {source} has no column {column!r}"
    return f"{ref!r}: unknown reference kind {what!r}"


def _check_manifest(ctx: _Ctx):
    for n, e in enumerate(ctx.plan.get("encoded", []) or []):
        where = f"encoded[{n}]"
        q = e.get("quote")
        if not q:
            ctx.say(where, "has no quote")
        elif compact(q) not in ctx.doc:
            ctx.say(where, "quote is not verbatim in the document")
        by = e.get("by")
        if isinstance(by, str):
            by = [by]
        if not by:
            ctx.say(where, "says by what it is encoded (by = [...])")
        for ref in by or []:
            why = reference_problem(ctx.plan, ref)
            if why:
                ctx.say(where, why)
    for n, e in enumerate(ctx.plan.get("not_encoded", []) or []):
        where = f"not_encoded[{n}]"
        q = e.get("quote")
        if not q:
            ctx.say(where, "has no quote")
        elif compact(q) not in ctx.doc:
            ctx.say(where, "quote is not verbatim in the document")
        if not (isinstance(e.get("reason"), str) and re.search(r"[\u4e00-\u9fff]", e["reason"])):
            ctx.say(where, "says why it is not encoded (reason, in Chinese)")


def _check_chains(ctx: _Ctx):
    """An approval chain (a section with ``levels`` that have a ``step``) is the document's
    whole chain, in order: the steps joined by — are the quote's chain, nothing before or after."""
    for name, section in ctx.plan.items():
        if not isinstance(section, dict) or not isinstance(section.get("levels"), list):
            continue
        levels = section["levels"]
        if not any(isinstance(lv, dict) and "step" in lv for lv in levels):
            continue
        q = compact(section.get("quote") or "")
        if not q:
            ctx.say(name, "the chain quotes no sentence")
            continue
        steps = [compact(lv.get("step", "")) for lv in levels]
        if not all(steps):
            ctx.say(name, "every level names its step in the document's words (step)")
            continue
        chain = "—".join(steps)
        i = q.find(chain)
        if i < 0:
            ctx.say(name, f"the steps {chain!r} are not the chain of its quote")
        elif q[i - 1:i] in tuple(DASHES) or q[i + len(chain):i + len(chain) + 1] in tuple(DASHES):
            ctx.say(name, f"the quote's chain has a step before or after {chain!r}: a level is missing")
        for lv in levels:
            for key in ("opinion_row",):
                if lv.get(key) and compact(lv[key]) not in ctx.doc:
                    ctx.say(name, f"{key} {lv[key]!r} is not in the document")


def problems(plan: dict, text: str, places: dict[str, str] | None = None) -> list[str]:
    """Every binding rule ``plan`` breaks against the document ``text`` (see module doc);
    ``places`` (code → name) defaults to the shipped place files."""
    ctx = _Ctx(plan, compact(text), place_names() if places is None else places, [])
    if plan.get("source_title") and compact(plan["source_title"]) not in ctx.doc:
        ctx.say("source_title", "is not in the document")
    for where, q in _all_quotes({k: v for k, v in plan.items()
                                 if k not in ("indicators", "counters", "encoded", "not_encoded")}):
        if compact(q) not in ctx.doc:
            ctx.say(where, "quote is not verbatim in the document")
    # the plan's start
    if plan.get("start_date") is not None:
        if plan.get("start_reads"):
            p = compact(plan["start_reads"])
            if p not in ctx.doc:
                ctx.say("start_reads", f"{plan['start_reads']!r} is not in the document")
            else:
                why = date_problem(_as_date(plan["start_date"]), p, end=False)
                if why:
                    ctx.say("start_date", why)
        elif not any(isinstance(plan.get(k), str) and re.search(r"[\u4e00-\u9fff]", plan[k])
                     for k in ("assumed_start", "start_assumed")):
            ctx.say("start_date", "bind it (start_reads = a phrase of the document) or say why it "
                                  "is assumed (assumed_start = \"…\" in Chinese)")
    for ind in plan.get("indicators", []):
        check_indicator(ctx, ind)
    for c in plan.get("counters", []):
        check_indicator(ctx, c, counter=True)
    _check_manifest(ctx)
    _check_chains(ctx)
    return ctx.out


def check_file(path) -> tuple[list[str], list[Sentence]]:
    """(problems, uncovered sentences) of a plan file, against the document it cites."""
    plan = tomllib.loads(Path(path).read_text("utf-8"))
    text = document(plan["source_file"])
    return problems(plan, text), uncovered(plan, text)


def _mark(s: Sentence) -> str:
    out, last = [], s.start
    for a, b, t, _kind in s.triggers:
        if t in s.missing and a >= last:
            out += [s.text[last - s.start:a - s.start], "【", t, "】"]
            last = b
    out.append(s.text[last - s.start:])
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in ("uncovered", "check", "sentences"):
        print("usage: python -m models.plans.fidelity uncovered|check PLAN_FILE\n"
              "       python -m models.plans.fidelity sentences DOCUMENT_NAME", file=sys.stderr)
        return 2
    what, arg = argv
    if what == "sentences":
        found = requirement_sentences(document(arg))
        for s in found:
            print("- " + s.text)
        print(f"{len(found)} requirement sentences", file=sys.stderr)
        return 0
    found_problems, found_uncovered = check_file(arg)
    if what == "check":
        for p in found_problems:
            print(p)
        return 1 if found_problems else 0
    for s in found_uncovered:
        print(f"- {_mark(s)}")
    return 1 if found_uncovered else 0


if __name__ == "__main__":
    sys.exit(main())

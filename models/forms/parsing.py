"""Turn what people type on a phone into values.

Community workers answer in whatever their keyboard gives them: full-width digits, Chinese
numerals, units ("30人"), hedges ("约50", "50多"), relative dates ("上周六"). These pure
functions accept all of that and either return a clean value or raise
``ValidationError(field, code, **args)``; the edge turns the code into a localized sentence.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from models.core.errors import ValidationError
from models.core.text import clean, meaningful

__all__ = [
    "chinese_to_int",
    "normalize",
    "parse_choice",
    "parse_date",
    "parse_int",
    "parse_money",
    "parse_multi",
    "parse_text",
]

# --------------------------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------------------------

_WHITESPACE_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC-fold, strip and collapse whitespace.

    Phone keyboards switch between half- and full-width input ("３０", "，", "．"); NFKC maps
    them to ASCII so every parser sees one alphabet. Other Unicode decimal digits become ASCII.
    What the door removes from every text (``models.core.text.clean``: control, bidi and
    zero-width characters pasted from chats) is removed first.
    """
    text = unicodedata.normalize("NFKC", clean(text))
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    return _WHITESPACE_RE.sub(" ", text).strip()


# --------------------------------------------------------------------------------------------
# Chinese numerals
# --------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_CN_CHARS = "".join([*_CN_DIGITS, *_CN_SMALL_UNITS, *_CN_BIG_UNITS])


def chinese_to_int(s: str) -> int:
    """Read a Chinese numeral ("一百二十", "两万五", "二〇二六", "叁佰") as an int.

    Accepts the positional form ("一千零五"), the colloquial abbreviation where a trailing
    digit counts in the next lower unit ("一百二" = 120, "两万五" = 25000), a leading bare
    unit ("十二", "百", "万"), and digit-by-digit reading without units ("二〇二六").
    Raises ValueError on anything else, so callers can tell junk from a number.
    """
    if not s:
        raise ValueError("empty numeral")
    for ch in s:
        if ch not in _CN_DIGITS and ch not in _CN_SMALL_UNITS and ch not in _CN_BIG_UNITS:
            raise ValueError(f"not a Chinese numeral: {ch!r}")

    if not any(ch in _CN_SMALL_UNITS or ch in _CN_BIG_UNITS for ch in s):
        # Digit-by-digit ("二〇二六"). "两" is never read that way: "一两" means "one or two".
        if len(s) > 1 and any(ch in "两兩" for ch in s):
            raise ValueError(f"ambiguous numeral: {s!r}")
        n = 0
        for ch in s:
            n = n * 10 + _CN_DIGITS[ch]
        return n

    total = 0  # completed 亿 groups
    wan = 0  # completed 万 group inside the current 亿 group
    section = 0  # value below 万
    digit: int | None = None  # digit waiting for its unit
    last_small = 10**4  # small units must strictly decrease inside a section
    unit_before_digit: int | None = None  # unit right before the pending digit (abbreviation)
    prev_unit: int | None = None  # unit right before the current character, None after 零
    seen_wan = seen_yi = False
    started = False

    for ch in s:
        if ch in _CN_DIGITS:
            value = _CN_DIGITS[ch]
            if digit is not None:
                raise ValueError(f"two digits in a row: {s!r}")
            if value == 0:
                prev_unit = None
                started = True
                continue
            digit = value
            unit_before_digit = prev_unit
            prev_unit = None
        elif ch in _CN_SMALL_UNITS:
            unit = _CN_SMALL_UNITS[ch]
            if unit >= last_small:
                raise ValueError(f"units out of order: {s!r}")
            section += (digit if digit is not None else 1) * unit
            digit = None
            last_small = unit
            prev_unit = unit
        else:
            unit = _CN_BIG_UNITS[ch]
            if digit is not None:
                section += digit
                digit = None
            if unit == 10**4:
                if seen_wan:
                    raise ValueError(f"repeated 万: {s!r}")
                if section == 0:
                    if started:
                        raise ValueError(f"empty group before 万: {s!r}")
                    section = 1
                wan, section, seen_wan = section, 0, True
            else:
                if seen_yi:
                    raise ValueError(f"repeated 亿: {s!r}")
                group = wan * 10**4 + section
                if group == 0:
                    if started:
                        raise ValueError(f"empty group before 亿: {s!r}")
                    group = 1
                total, wan, section = group * 10**8, 0, 0
                seen_yi, seen_wan = True, False
            last_small = 10**4
            prev_unit = unit
        started = True

    if digit is not None:
        # "一百二" = 120, "两万五" = 25000; "二十五" and "一千零五" stay as written.
        section += digit * (unit_before_digit // 10 if unit_before_digit else 1)
    return total + wan * 10**4 + section


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

_APPROX_PREFIXES = (
    "大约", "大概", "约莫", "约为", "约", "将近", "接近", "差不多", "近", "超过", "逾",
    "共计", "总共", "一共", "合计", "总计", "累计", "共", "有",
)
_APPROX_SUFFIXES = ("左右", "上下", "以上", "之多", "余", "多", "来", "几", "许")
_COUNT_UNITS = (
    "个小时", "人次", "小时", "课时", "分钟", "户次", "场次", "人", "次", "名", "个", "位",
    "场", "户", "条", "篇", "天", "日", "期", "份", "件", "家", "所", "处", "组", "支", "队",
    "批", "项", "节", "课", "张", "本", "套", "袋", "箱", "辆", "栋", "幢", "间", "只", "台",
    "盒", "瓶", "斤", "公斤", "次数", "钟头",
)
_CURRENCY_PREFIXES = ("人民币", "rmb", "cny", "¥")
_MONEY_UNITS = ("元人民币", "块钱", "元整", "人民币", "rmb", "cny", "元", "块", "圆", "整")

_INT_PREFIXES = tuple(sorted(_APPROX_PREFIXES, key=len, reverse=True))
_MONEY_PREFIXES = tuple(sorted(_APPROX_PREFIXES + _CURRENCY_PREFIXES, key=len, reverse=True))
_INT_TAILS = tuple(sorted(_APPROX_SUFFIXES + _COUNT_UNITS, key=len, reverse=True))
_MONEY_TAILS = tuple(sorted(_APPROX_SUFFIXES + _MONEY_UNITS, key=len, reverse=True))

_MULTIPLIERS = {
    "十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000,
    "万": 10**4, "萬": 10**4, "w": 10**4, "亿": 10**8, "億": 10**8,
}
_GROUP_SEP_RE = re.compile(r"(?<=[0-9])[, ](?=[0-9]{3}(?![0-9]))")
_LOOSE_SPACE_RE = re.compile(r"(?<![0-9]) | (?![0-9])")
_ARABIC_RE = re.compile(r"([0-9]+)(?:\.([0-9]+))?((?:[十拾百佰千仟万萬亿億kw]){0,3})")
_CHINESE_RE = re.compile(f"[{_CN_CHARS}]+")
_TRAILING_PUNCT = "。.!?~…,;:、"


class _Number:
    """A non-negative amount read from text, before field-specific rules apply."""

    __slots__ = ("value", "negative", "decimals", "multiplied")

    def __init__(self, value: Decimal, negative: bool, decimals: int, multiplied: bool):
        self.value = value
        self.negative = negative
        self.decimals = decimals  # significant decimals as written, before any multiplier
        self.multiplied = multiplied  # scaled by 万/千/...: extra decimals are expected


def _strip_prefixes(s: str, prefixes: tuple[str, ...]) -> str:
    for _ in range(3):
        for prefix in prefixes:
            if s.startswith(prefix) and len(s) > len(prefix):
                s = s[len(prefix):]
                break
        else:
            break
    return s


def _tail_ok(rest: str, words: tuple[str, ...]) -> bool:
    """True if ``rest`` is a run of distinct unit/hedge words ("余人", "个多小时", "元左右")."""
    seen: set[str] = set()
    while rest:
        for word in words:
            if word not in seen and rest.startswith(word):
                seen.add(word)
                rest = rest[len(word):]
                break
        else:
            return False
    return True


def _read_number(text: str, field: str, prefixes: tuple[str, ...], tails: tuple[str, ...]) -> _Number:
    s = normalize(text).lower()
    if not s:
        raise ValidationError(field, "required")
    s = _GROUP_SEP_RE.sub("", s)  # "1,200" / "1 200"
    s = _LOOSE_SPACE_RE.sub("", s)  # "约 50 人"; a space left between digits is not a number
    s = s.rstrip(_TRAILING_PUNCT)
    s = _strip_prefixes(s, prefixes)
    negative = False
    if s[:1] in ("-", "−", "负"):
        negative, s = True, s[1:]
    elif s[:1] in ("+", "正"):
        s = s[1:]
    s = _strip_prefixes(s, prefixes)  # "¥-5", "-¥5"

    with localcontext() as ctx:
        ctx.prec = 60
        m = _ARABIC_RE.match(s)
        if m:
            whole, frac, mult = m.group(1), m.group(2) or "", m.group(3)
            value = Decimal(f"{whole}.{frac}" if frac else whole)
            decimals = len(frac.rstrip("0"))
            for ch in mult:
                value *= _MULTIPLIERS[ch]
            multiplied = bool(mult)
        else:
            m = _CHINESE_RE.match(s)
            if not m:
                raise ValidationError(field, "not_a_number")
            try:
                value = Decimal(chinese_to_int(m.group(0)))
            except ValueError:
                raise ValidationError(field, "not_a_number") from None
            decimals, multiplied = 0, False

    if not _tail_ok(s[m.end():], tails):
        raise ValidationError(field, "not_a_number")
    return _Number(value, negative and value != 0, decimals, multiplied)


def parse_int(text: str, field: str, *, min_value: int = 0, max_value: int | None = None) -> int:
    """Read a count such as "30", "３０", "约50人", "30余人", "1,200", "一百二十", "1.2万".

    Hedges and units are accepted because workers report what they know ("50多人"); the
    stored figure is the number they wrote.
    """
    number = _read_number(text, field, _INT_PREFIXES, _INT_TAILS)
    if number.negative:
        raise ValidationError(field, "negative")
    if number.value != number.value.to_integral_value():
        raise ValidationError(field, "not_integer")
    value = int(number.value)
    if value < min_value:
        raise ValidationError(field, "too_small", min=min_value)
    if max_value is not None and value > max_value:
        raise ValidationError(field, "too_large", max=max_value)
    return value


_CENT = Decimal("0.01")


def parse_money(text: str, field: str, *, max_value: Decimal = Decimal("100000000.00")) -> Decimal:
    """Read a CNY amount ("500元", "￥1,200.50", "1.5万", "两千元") as a Decimal in cents.

    More than two written decimals is refused rather than silently rounded, since it usually
    means a typo; amounts scaled by 万/千 are rounded half-up to the cent.
    """
    number = _read_number(text, field, _MONEY_PREFIXES, _MONEY_TAILS)
    if number.negative:
        raise ValidationError(field, "negative")
    if number.decimals > 2 and not number.multiplied:
        raise ValidationError(field, "too_many_decimals")
    if number.value > max_value:
        raise ValidationError(field, "too_large", max=max_value)
    return number.value.quantize(_CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "今儿": 0, "today": 0,
    "昨天": 1, "昨日": 1, "昨儿": 1, "yesterday": 1,
    "前天": 2, "前日": 2, "前儿": 2,
    "大前天": 3,
    "明天": -1, "明日": -1, "tomorrow": -1, "后天": -2, "大后天": -3,
}
_WEEKDAYS = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
}
_WEEK_OFFSETS = {
    "上上个": -2, "上上": -2, "上个": -1, "上": -1, "本": 0, "这个": 0, "这": 0, "": 0,
    "下个": 1, "下": 1, "下下个": 2, "下下": 2,
}
_CN_NUM = f"[{_CN_CHARS}]"
_DAY = f"(?:[0-9]{{1,2}}|{_CN_NUM}{{1,3}})"
_WEEKDAY_RE = re.compile(
    r"^(上上个|上上|上个|上|本|这个|这|下下个|下下|下个|下|)(?:周|星期|礼拜|週|禮拜)([一二三四五六日天七1-7])$"
)
_AGO_RE = re.compile(f"^([0-9]+|{_CN_NUM}+)个?(天|日|周|星期|礼拜)(?:前|以前|之前)$")
_DATE_PATTERNS = (
    # 2026-11-03, 2026/11/3, 2026.11.3
    re.compile(r"^(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})[日号]?$"),
    # 20261103
    re.compile(r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$"),
    # 2026年11月3日, 二〇二六年十一月三日, 26年11月3号
    re.compile(f"^(?P<y>[0-9]{{4}}|[0-9]{{2}}|{_CN_NUM}{{2,4}})年(?P<m>{_DAY})月(?P<d>{_DAY})[日号]?$"),
    # 11-3, 11/3, 11.3
    re.compile(r"^(?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})$"),
    # 11月3日, 十一月三号
    re.compile(f"^(?P<m>{_DAY})月(?P<d>{_DAY})[日号]?$"),
    # 3号, 3日 (this month)
    re.compile(f"^(?P<d>{_DAY})[日号]$"),
)
_DIGIT_SPACE_RE = re.compile(r"(?<=[0-9]) (?=[0-9])")


def _small_int(token: str) -> int:
    return int(token) if token.isdigit() else chinese_to_int(token)


def _resolve_date(s: str, today: date) -> date | None:
    """The date ``s`` names relative to ``today``; None if it is not a date expression."""
    if s in _RELATIVE_DAYS:
        return today - timedelta(days=_RELATIVE_DAYS[s])

    m = _WEEKDAY_RE.match(s)
    if m:
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(weeks=_WEEK_OFFSETS[m.group(1)], days=_WEEKDAYS[m.group(2)])

    m = _AGO_RE.match(s)
    if m:
        count = _small_int(m.group(1))
        return today - timedelta(days=count * (1 if m.group(2) in ("天", "日") else 7))

    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        parts = m.groupdict()
        year, month = today.year, today.month
        if parts.get("y"):
            year = _small_int(parts["y"])
            if len(parts["y"]) == 2:  # "26年"
                year += 2000
        if parts.get("m"):
            month = _small_int(parts["m"])
        return date(year, month, _small_int(parts["d"]))
    return None


def parse_date(text: str, field: str, *, today: date, earliest: date | None = None) -> date:
    """Read the day an activity happened: "2026-11-03", "11月3日", "昨天", "上周六", "3天前".

    Dates are in the past, so a month-day that has not happened yet this year is reported as
    "future" instead of being moved to last year behind the worker's back.
    """
    s = normalize(text).lower()
    if not s:
        raise ValidationError(field, "required")
    s = _DIGIT_SPACE_RE.sub("-", s).replace(" ", "").rstrip("。!?~…,;")
    try:
        result = _resolve_date(s, today)
    except OverflowError:  # "99999999天前": before any date we can hold
        if earliest is not None:
            raise ValidationError(field, "too_early", earliest=earliest) from None
        raise ValidationError(field, "not_a_date") from None
    except ValueError:  # 2月30日, month 13, junk numerals
        raise ValidationError(field, "not_a_date") from None
    if result is None:
        raise ValidationError(field, "not_a_date")
    if result > today:
        raise ValidationError(field, "future")
    if earliest is not None and result < earliest:
        raise ValidationError(field, "too_early", earliest=earliest)
    return result


# --------------------------------------------------------------------------------------------
# Text and choices
# --------------------------------------------------------------------------------------------

def parse_text(text: str, field: str, *, min_length: int = 1, max_length: int = 500,
               multiline: bool = True) -> str:
    """Clean free text (``models.core.text.clean``: NFKC with Chinese punctuation kept,
    invisible characters removed, collapsed spaces); a multi-line text keeps its line breaks
    (workers write lists) with at most one blank line, a one-line text turns them into
    spaces. A text that says nothing (emoji or punctuation only) is refused. Length is
    counted in characters after cleaning."""
    s = clean(text, multiline=multiline)
    if not s:
        raise ValidationError(field, "required")
    if not meaningful(s):
        raise ValidationError(field, "not_meaningful")
    if len(s) > max_length:
        raise ValidationError(field, "too_long", max=max_length)
    if len(s) < min_length:
        raise ValidationError(field, "too_short", min=min_length)
    return s


def _match_option(value: str, options: Sequence[str]) -> str | None:
    if value in options:
        return value
    cleaned = normalize(value)
    for option in options:
        if normalize(option) == cleaned:
            return option
    folded = [option for option in options if normalize(option).casefold() == cleaned.casefold()]
    return folded[0] if len(folded) == 1 else None


def parse_choice(value: str | None, field: str, options: Sequence[str]) -> str:
    """Check a single choice against ``options`` and return the option as spelled there
    (tolerating width, surrounding spaces and case, since buttons and typing both arrive)."""
    if value is None or not normalize(value):
        raise ValidationError(field, "required")
    option = _match_option(value, options)
    if option is None:
        raise ValidationError(field, "invalid_choice", value=value)
    return option


_LIST_SEP_RE = re.compile(r"[,;、\n]+")


def parse_multi(
    values: Iterable[str] | str | None, field: str, options: Sequence[str], *, min_count: int = 1
) -> list[str]:
    """Check several choices (a list, or one typed string split on , ; 、 or newlines);
    returns distinct options in the order given. Fewer than ``min_count`` is "required"."""
    if values is None:
        items: list[str] = []
    elif isinstance(values, str):
        items = _LIST_SEP_RE.split(unicodedata.normalize("NFKC", clean(values, multiline=True)))
    else:
        items = list(values)
    chosen: list[str] = []
    for item in items:
        if item is None or not normalize(item):
            continue
        option = _match_option(item, options)
        if option is None:
            raise ValidationError(field, "invalid_choice", value=item)
        if option not in chosen:
            chosen.append(option)
    if len(chosen) < min_count:
        raise ValidationError(field, "required", min=min_count)
    return chosen

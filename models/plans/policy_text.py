"""The policy documents as text: where they ship (``models/data/policies/``), and how they
write numbers (3.8万, 三十, 15%, 三分之一) and dates (2023年11月底, “十四五”末) — what
``models.plans.fidelity`` compares a plan file with."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction

from models.core.paths import DATA_DIR

POLICIES_DIR = DATA_DIR / "policies"


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

# Five-year plans: the year each ends (a due “十四五”末) and begins (a start of “十四五”).
ERAS = {"十三五": 2020, "十四五": 2025, "十五五": 2030}
ERA_STARTS = {"十三五": 2016, "十四五": 2021, "十五五": 2026}


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
    era = re.match(r"\D*?(十[三四五]五)", phrase)
    if not end and era and ERAS[era.group(1)] == y and m is None:
        y = ERA_STARTS[era.group(1)]  # a start "of the 14th five-year plan": its first year
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

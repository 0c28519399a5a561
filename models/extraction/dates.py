"""The dates a message names: absolute (11月28日, 2026-11-30, 二〇二六年十二月二日), relative
(昨天, 上周六, 3天前, 本月3号) and English (yesterday, last Saturday, 28 Nov); a day given as a
range (12月3日、4日) is not one date."""
from __future__ import annotations

import datetime as dt
import re

from models.core.errors import ValidationError
from models.forms import parsing

from .found import Found

_CN = "零〇一二两三四五六七八九十"
_DAY = f"(?:[0-9]{{1,2}}|[{_CN}]{{1,3}})"
_WEEKDAY = r"(?:上上个|上上|上个|上|本|这个|这)?(?:周|星期|礼拜)[一二三四五六日天1-7]"
_DATE_RE = re.compile(
    r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}"
    f"|(?:[0-9]{{4}}|[0-9]{{2}}|[{_CN}]{{4}})年{_DAY}月{_DAY}[日号]?"
    r"|(?<![0-9/.])[0-9]{1,2}/[0-9]{1,2}(?![0-9/])"
    # 12.3 and 12-04 only where a date stands (at a clause's start, before 在/上午/日…): not 1.5万, 3.5小时
    r"|(?<![0-9.-])(?:1[0-2]|0?[1-9])[.-](?:[12][0-9]|3[01]|0?[1-9])"
    r"(?=[日号在于,，:：\s(（]|上午|下午|晚|早|中午|$)"
    f"|(?:(?<![0-9年])|(?<=今年)){_DAY}月{_DAY}[日号]"
    f"|(?:本月|这个月|这月|上个月|上月){_DAY}[日号]"
    f"|(?:{_DAY}月|本月|这个月|上个月|上月)(?:最后一天|的最后一天)"
    f"|大前天|前天|昨天|昨日|今天|今日|{_WEEKDAY}|(?:昨|今|前)(?:晚|早|夜|儿)"
    f"|(?:[0-9]+|[{_CN}]+)天前")
#: A weekday in brackets after a date says the same day again: 11月29号（周日）.
_SAME_DAY_RE = re.compile(r"[（(](?:周|星期|礼拜)[一二三四五六日天1-7][)）]")
_SPOKEN_RE = re.compile("^(昨|今|前)(?:晚|早|夜|儿)$")  # 昨晚, 今早: 昨天, 今天
_RANGE_RE = re.compile(f"\\s*(?:、|至|到|-|—|~|～|和|及)\\s*{_DAY}[日号]")
_EN_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_EN_DAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_EN_DATE_RE = re.compile(
    r"\b(yesterday|today|this (?:morning|afternoon|evening)|tonight|last night)\b"
    r"|\b(?:last|on|this past) (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\bthis (monday|tuesday|wednesday|thursday|friday|saturday|sunday) just gone\b"
    # a weekday named alone, capitalised (Tuesday evening): the one just gone, as 周二 is
    r"|(?<![Nn]ext )(?<![Ee]very )(?<![Cc]oming )(?<![Tt]his )\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b([0-9]{1,2})(?:st|nd|rd|th)? (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* ([0-9]{1,2})(?:st|nd|rd|th)?\b",
    re.I)


_BARE_WEEKDAY_RE = re.compile("(?:周|星期|礼拜)[一二三四五六日天1-7]")


def _last_day(expr: str, today: dt.date) -> dt.date:
    """11月最后一天, 上个月最后一天: the month's last day (a month to come is last year's)."""
    first = today.replace(day=1)
    if expr.startswith(("上个月", "上月")):
        return first - dt.timedelta(days=1)
    month = today.month if expr.startswith(("本月", "这个月")) else parsing.parse_int(
        expr.split("月", 1)[0], "date")
    if not 1 <= month <= 12:
        raise ValidationError("date", "not_a_date")
    for year in (today.year, today.year - 1):
        d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        if d <= today:
            return d
    raise ValidationError("date", "future")


#: Words that put a clause in days to come: its date is a plan, not the day of the report
#: (Will go back on Friday; 准备周五再去).
_PLAN_RE = re.compile(r"\b(?:will|going to|plan to|planning to|next (?:time|week|month))\b"
                      r"|下次|准备|打算|计划(?:于|在)|将于|将在|届时|再去", re.I)
_CLAUSE_START_RE = re.compile(r"[，。；;！!？?\n]|[.!?]\s")


#: A time said without its day (上个月, 上周末, 前几天, 这个月): the report's day is asked.
_VAGUE_RE = re.compile(
    f"(?:上个?|这个?|本)月(?!{_DAY}[日号]|最后|的最后|[0-9一二两三四五六七八九十])"
    r"|上(?:个)?(?:周|星期|礼拜)(?![一二三四五六日天1-7])|前几天|前些天|前段时间|\blast (?:week|month)\b")


def _to_come(text: str, at: int) -> bool:
    """Whether the clause a date stands in speaks of days to come, before the date."""
    start = max([m.end() for m in _CLAUSE_START_RE.finditer(text, 0, at)] + [0])
    return bool(_PLAN_RE.search(text, start, at))


def _dates(text: str, today: dt.date, earliest: dt.date | None) -> tuple[list[Found], bool]:
    """Every date the text names (resolved, distinct), and whether one could not be read."""
    found: list[Found] = []
    bad = False
    text = _SAME_DAY_RE.sub("", text)
    for m in _DATE_RE.finditer(text):
        phrase = m.group(0)
        if _to_come(text, m.start()):
            continue
        if _BARE_WEEKDAY_RE.fullmatch(phrase) and re.search("(?:个|每|第|月份?)$", text[:m.start()]):
            bad = True  # 11月份最后一个周六, 每周六: which day? asked
            continue
        if _RANGE_RE.match(text, m.end()):  # "12月3日、4日", "3日至5日": which day?
            bad = True
        expr = _SPOKEN_RE.sub(r"\1天", re.sub("^(?:本月|这个月|这月)", "", phrase))
        if expr.startswith(("上个月", "上月")) and "最后一天" not in expr:  # 上个月28号: that day of the month before
            before = today.replace(day=1) - dt.timedelta(days=1)
            try:
                day = parsing.parse_int(expr.split("月", 1)[1][:-1], "date")
            except ValidationError:
                day = 0
            expr = f"{before.year}-{before.month:02d}-{day:02d}"
        try:
            d = _last_day(expr, today) if "最后一天" in expr else parsing.parse_date(
                expr, "date", today=today, earliest=earliest)
        except ValidationError:
            try:  # 周六 said on a Monday: the Saturday just gone, what a report is about
                if not _BARE_WEEKDAY_RE.fullmatch(expr):
                    raise
                d = parsing.parse_date("上" + expr, "date", today=today, earliest=earliest)
            except ValidationError:
                bad = True
                continue
        found.append(Found(d.isoformat(), phrase))
    for m in _EN_DATE_RE.finditer(text):
        phrase = m.group(0)
        if _to_come(text, m.start()):
            continue
        try:
            if m.group(1):
                d = today - dt.timedelta(days=m.group(1).lower() in ("yesterday", "last night"))
            elif m.group(2) or m.group(3) or m.group(4):
                day_name = (m.group(2) or m.group(3) or m.group(4)).lower()
                back = (today.weekday() - _EN_DAYS[day_name]) % 7 or 7
                d = today - dt.timedelta(days=back)
            else:
                day = int(m.group(5) or m.group(8))
                month = _EN_MONTHS[(m.group(6) or m.group(7)).lower()[:3]]
                d = dt.date(today.year, month, day)
                if d > today:
                    bad = True
                    continue
        except ValueError:
            bad = True
            continue
        found.append(Found(d.isoformat(), phrase))
    for m in _VAGUE_RE.finditer(text):  # 感谢他们上个月捐的2000元: a day left unsaid, asked
        if not _to_come(text, m.start()):
            bad = True
    distinct: dict[str, Found] = {}
    for f in found:
        distinct.setdefault(f.value, f)
    return list(distinct.values()), bad

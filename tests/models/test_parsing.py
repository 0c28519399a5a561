"""Behaviour of the phone-input parsers in models.forms.parsing."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st


from models.core.errors import ValidationError  # noqa: E402
from models.forms.parsing import (  # noqa: E402
    chinese_to_int,
    normalize,
    parse_choice,
    parse_date,
    parse_int,
    parse_money,
    parse_multi,
    parse_text,
)

TODAY = date(2026, 11, 23)  # a Monday
EARLIEST = date(2025, 1, 1)


def raises_code(code: str, fn, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, f"expected {code}, got {info.value.code} {info.value.args_}"
    assert info.value.field == "f"
    return info.value


# --- helpers for property tests ------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CN = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Standard written Chinese numeral for 0 <= n < 10**8 ("一万零一十", "十二")."""

    def below_10000(k: int) -> str:
        out, pending_zero = "", False
        for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = k // unit_value % 10
            if d == 0:
                pending_zero = pending_zero or bool(out)
                continue
            if pending_zero:
                out += "零"
                pending_zero = False
            out += _CN[d] + unit
        return out

    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)
    if high == 0:
        s = below_10000(low)
    else:
        s = below_10000(high) + "万"
        if low:
            s += ("零" if low < 1000 else "") + below_10000(low)
    return s[1:] if s.startswith("一十") else s


def test_the_test_encoder_writes_standard_numerals():
    assert [to_chinese(n) for n in (0, 10, 12, 105, 1005, 1050, 10010, 20300, 99999)] == [
        "零", "十", "十二", "一百零五", "一千零五", "一千零五十", "一万零一十", "二万零三百",
        "九万九千九百九十九",
    ]


# --- normalize -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("３０", "30"),
        ("ＡＢＣ", "ABC"),
        ("1，200．50", "1,200.50"),
        ("  a \t\n b  ", "a b"),
        ("\u3000约\u3000５０人\u3000", "约 50人"),
        ("5\u200b0", "50"),
        ("", ""),
    ],
)
def test_it_normalizes_width_and_whitespace(raw, expected):
    assert normalize(raw) == expected


# --- chinese_to_int ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numeral, expected",
    [
        ("零", 0), ("〇", 0), ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十五", 25),
        ("三十", 30), ("一百", 100), ("百", 100), ("一百零五", 105), ("一百二十", 120),
        ("一百二", 120), ("两百", 200), ("一千零五", 1005), ("一千零五十", 1050),
        ("三千五", 3500), ("一万", 10_000), ("万", 10_000), ("三万", 30_000),
        ("两万五", 25_000), ("一万零一十", 10_010), ("十万", 100_000),
        ("一百二十万", 1_200_000), ("一千万", 10_000_000), ("一亿", 100_000_000),
        ("一亿五千万", 150_000_000), ("一万亿", 10**12), ("二〇二六", 2026),
        ("壹佰贰拾叁", 123), ("叁仟肆佰伍拾陆", 3456), ("玖拾", 90), ("陆万柒仟捌佰", 67_800),
    ],
)
def test_it_reads_chinese_numerals(numeral, expected):
    assert chinese_to_int(numeral) == expected


@pytest.mark.parametrize(
    "junk", ["", "abc", "十十", "百十百", "一二十", "三四十", "一两", "万万", "亿亿", "五零十", "3十"]
)
def test_it_rejects_junk_chinese_numerals_with_value_error(junk):
    with pytest.raises(ValueError):
        chinese_to_int(junk)


@given(st.integers(min_value=0, max_value=99_999))
def test_it_reads_every_standard_chinese_numeral_back(n):
    assert chinese_to_int(to_chinese(n)) == n
    assert parse_int(to_chinese(n), "f") == n


@given(st.text(max_size=12))
def test_chinese_to_int_only_ever_raises_value_error(text):
    try:
        assert chinese_to_int(text) >= 0
    except ValueError:
        pass


# --- parse_int -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("30", 30),
        ("0", 0),
        (" 30 ", 30),
        ("30人", 30),
        ("30 人", 30),
        ("30人次", 30),
        ("12次", 12),
        ("5名", 5),
        ("3个", 3),
        ("8位", 8),
        ("2场", 2),
        ("40户", 40),
        ("6条", 6),
        ("4篇", 4),
        ("3小时", 3),
        ("两个多小时", 2),
        ("约50", 50),
        ("约 50 人", 50),
        ("大约50人", 50),
        ("大概50人", 50),
        ("近100人", 100),
        ("50左右", 50),
        ("50人左右", 50),
        ("50多", 50),
        ("50多人", 50),
        ("30余人", 30),
        ("共计30人", 30),
        ("30人。", 30),
        ("1,200", 1200),
        ("1，200", 1200),
        ("1 200", 1200),
        ("1,200,000", 1_200_000),
        ("2.0", 2),
        ("+7", 7),
        ("三十", 30),
        ("三十人", 30),
        ("一百二十", 120),
        ("两百", 200),
        ("一千零五", 1005),
        ("十二", 12),
        ("二十五", 25),
        ("三万", 30_000),
        ("一百多人", 100),
        ("百余人", 100),
        ("1万", 10_000),
        ("1万人次", 10_000),
        ("1.2万", 12_000),
        ("2.5万人", 25_000),
        ("3千", 3000),
        ("1w", 10_000),
        ("零", 0),
    ],
)
def test_it_reads_counts_as_people_type_them(raw, expected):
    assert parse_int(raw, "f") == expected


@pytest.mark.parametrize("raw, expected", [("３０", 30), ("３０人", 30), ("１，２００", 1200), ("约５０", 50)])
def test_it_reads_full_width_digits(raw, expected):
    assert parse_int(raw, "f") == expected


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", "\n"])
def test_it_requires_a_count(raw):
    raises_code("required", parse_int, raw, "f")


@pytest.mark.parametrize(
    "raw", ["abc", "人", "约", "-", "几十人", "1 2", "1,2", "12,34", "30元", "一两个", "三四十人", "5-6人", "1/2"]
)
def test_it_rejects_text_that_is_not_a_count(raw):
    raises_code("not_a_number", parse_int, raw, "f")


@pytest.mark.parametrize("raw", ["-5", "－5", "−5", "负五", "负5", "-1.5", "约-5人"])
def test_it_rejects_a_negative_count(raw):
    raises_code("negative", parse_int, raw, "f")


@pytest.mark.parametrize("raw", ["-0", "负零"])
def test_it_reads_minus_zero_as_zero(raw):
    assert parse_int(raw, "f") == 0


@pytest.mark.parametrize("raw", ["2.5", "2.5人", "0.5", "1.23456万"])
def test_it_rejects_a_fractional_count(raw):
    raises_code("not_integer", parse_int, raw, "f")


def test_it_rejects_a_count_below_the_minimum():
    error = raises_code("too_small", parse_int, "0", "f", min_value=1)
    assert error.args_ == {"min": 1}


def test_it_rejects_a_count_above_the_maximum():
    error = raises_code("too_large", parse_int, "1.2万", "f", max_value=10_000)
    assert error.args_ == {"max": 10_000}


def test_it_accepts_counts_on_the_bounds():
    assert parse_int("1", "f", min_value=1, max_value=10) == 1
    assert parse_int("十", "f", min_value=1, max_value=10) == 10


@given(st.integers(min_value=0, max_value=100_000))
def test_it_reads_any_count_in_its_common_spellings(n):
    for raw in (str(n), str(n).translate(_FULL_WIDTH), f"{n}人", f"约{n}", f"{n:,}"):
        assert parse_int(raw, "f") == n, raw


# --- parse_money ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("500", "500.00"),
        ("0", "0.00"),
        ("500元", "500.00"),
        ("500 元", "500.00"),
        ("¥500", "500.00"),
        ("￥500", "500.00"),
        ("￥1,200.50", "1200.50"),
        ("1,200.5元", "1200.50"),
        ("１２００．５０", "1200.50"),
        ("12.3", "12.30"),
        ("12.340", "12.34"),
        ("1.5万", "15000.00"),
        ("1.5万元", "15000.00"),
        ("2千", "2000.00"),
        ("两千元", "2000.00"),
        ("两千", "2000.00"),
        ("三百五十元", "350.00"),
        ("500块", "500.00"),
        ("500块钱", "500.00"),
        ("人民币500元", "500.00"),
        ("500rmb", "500.00"),
        ("RMB 500", "500.00"),
        ("共计500元", "500.00"),
        ("1.2345万", "12345.00"),
        ("1.234567万", "12345.67"),
        ("1.2345675万", "12345.68"),
        ("100000000", "100000000.00"),
    ],
)
def test_it_reads_amounts_in_yuan(raw, expected):
    value = parse_money(raw, "f")
    assert value == Decimal(expected)
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", ["", "  "])
def test_it_requires_an_amount(raw):
    raises_code("required", parse_money, raw, "f")


@pytest.mark.parametrize("raw", ["abc", "元", "¥", "500美元", "1,2", "5 00", "500人"])
def test_it_rejects_text_that_is_not_an_amount(raw):
    raises_code("not_a_number", parse_money, raw, "f")


@pytest.mark.parametrize("raw", ["-5", "-5元", "¥-5", "-¥5", "负五百元"])
def test_it_rejects_a_negative_amount(raw):
    raises_code("negative", parse_money, raw, "f")


@pytest.mark.parametrize("raw", ["12.345", "0.001", "¥1,200.505"])
def test_it_rejects_more_than_two_decimals(raw):
    raises_code("too_many_decimals", parse_money, raw, "f")


def test_it_rejects_an_amount_above_the_maximum():
    error = raises_code("too_large", parse_money, "100000000.01", "f")
    assert error.args_ == {"max": Decimal("100000000.00")}
    error = raises_code("too_large", parse_money, "2万", "f", max_value=Decimal("10000"))
    assert error.args_ == {"max": Decimal("10000")}


@given(st.integers(min_value=0, max_value=10_000_000_000))
def test_it_round_trips_any_amount_with_two_decimals(cents):
    amount = Decimal(f"{cents // 100}.{cents % 100:02d}")
    assert parse_money(str(amount), "f") == amount
    assert parse_money(f"¥{amount:,}", "f") == amount
    assert parse_money(f"{amount}元", "f") == amount


# --- parse_date ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026-11-03", date(2026, 11, 3)),
        ("２０２６－１１－０３", date(2026, 11, 3)),
        ("2026/11/3", date(2026, 11, 3)),
        ("2026.11.3", date(2026, 11, 3)),
        ("20261103", date(2026, 11, 3)),
        ("2025-12-31", date(2025, 12, 31)),
        ("11-3", date(2026, 11, 3)),
        ("11/3", date(2026, 11, 3)),
        ("11.3", date(2026, 11, 3)),
        ("11月3日", date(2026, 11, 3)),
        ("11月3号", date(2026, 11, 3)),
        ("11月3", date(2026, 11, 3)),
        ("11 月 3 日", date(2026, 11, 3)),
        ("十一月三日", date(2026, 11, 3)),
        ("2026年11月3日", date(2026, 11, 3)),
        ("二〇二六年十一月三日", date(2026, 11, 3)),
        ("26年11月3日", date(2026, 11, 3)),
        ("3号", date(2026, 11, 3)),
        ("3日", date(2026, 11, 3)),
        ("23号", date(2026, 11, 23)),
        ("今天", TODAY),
        ("今日", TODAY),
        ("today", TODAY),
        ("Today", TODAY),
        ("昨天", date(2026, 11, 22)),
        ("昨日", date(2026, 11, 22)),
        ("yesterday", date(2026, 11, 22)),
        ("前天", date(2026, 11, 21)),
        ("大前天", date(2026, 11, 20)),
        ("上周六", date(2026, 11, 21)),
        ("上星期六", date(2026, 11, 21)),
        ("上礼拜六", date(2026, 11, 21)),
        ("上个星期六", date(2026, 11, 21)),
        ("上周一", date(2026, 11, 16)),
        ("上周日", date(2026, 11, 22)),
        ("上星期天", date(2026, 11, 22)),
        ("上上周六", date(2026, 11, 14)),
        ("周一", TODAY),
        ("星期一", TODAY),
        ("本周一", TODAY),
        ("3天前", date(2026, 11, 20)),
        ("三天前", date(2026, 11, 20)),
        ("0天前", TODAY),
        ("十天前", date(2026, 11, 13)),
        ("1周前", date(2026, 11, 16)),
    ],
)
def test_it_reads_dates_as_people_type_them(raw, expected):
    assert parse_date(raw, "f", today=TODAY) == expected


@pytest.mark.parametrize(
    "raw, today, expected",
    [
        ("周六", date(2026, 11, 28), date(2026, 11, 28)),  # a Saturday: this week's Saturday
        ("星期六", date(2026, 11, 29), date(2026, 11, 28)),  # a Sunday
        ("本周六", date(2026, 11, 29), date(2026, 11, 28)),
        ("周日", date(2026, 11, 29), date(2026, 11, 29)),
        ("星期天", date(2026, 11, 29), date(2026, 11, 29)),
        ("上周六", date(2026, 11, 29), date(2026, 11, 21)),
        ("3号", date(2026, 12, 5), date(2026, 12, 3)),
        ("3月1日", date(2028, 3, 1), date(2028, 3, 1)),
        ("2月29日", date(2028, 3, 1), date(2028, 2, 29)),
        ("昨天", date(2026, 1, 1), date(2025, 12, 31)),
    ],
)
def test_it_resolves_relative_dates_against_today(raw, today, expected):
    assert parse_date(raw, "f", today=today) == expected


@pytest.mark.parametrize("raw", ["", "   "])
def test_it_requires_a_date(raw):
    raises_code("required", parse_date, raw, "f", today=TODAY)


@pytest.mark.parametrize(
    "raw",
    [
        "abc", "2月30日", "2026-02-30", "13月1日", "2026-13-01", "0号", "32号", "31号",
        "11/31", "2026-11", "3/11/2026", "2026-11/03", "20261332", "上周八", "周", "十几天前",
        "sometime", "2月29日", "99999999999天前", "1103",
    ],
)
def test_it_rejects_text_that_is_not_a_date(raw):
    raises_code("not_a_date", parse_date, raw, "f", today=TODAY)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-11-24", "20261124", "2027-01-01", "11月24日", "12月1日", "24号", "30号", "明天",
        "tomorrow", "后天", "周二", "周六", "星期六", "本周六", "周日", "星期天", "下周一",
    ],
)
def test_it_rejects_a_future_date(raw):
    raises_code("future", parse_date, raw, "f", today=TODAY)


def test_it_does_not_move_a_future_month_day_to_last_year():
    raises_code("future", parse_date, "12月25日", "f", today=TODAY)


@pytest.mark.parametrize("raw", ["2024-12-31", "2020年1月1日", "1000天前", "99999999999天前"])
def test_it_rejects_a_date_before_the_earliest(raw):
    error = raises_code("too_early", parse_date, raw, "f", today=TODAY, earliest=EARLIEST)
    assert error.args_ == {"earliest": EARLIEST}


def test_it_accepts_the_earliest_date_itself():
    assert parse_date("2025-01-01", "f", today=TODAY, earliest=EARLIEST) == EARLIEST


@given(st.dates(min_value=EARLIEST, max_value=TODAY))
def test_it_round_trips_any_past_date_in_iso_form(day):
    assert parse_date(day.isoformat(), "f", today=TODAY, earliest=EARLIEST) == day
    assert parse_date(day.strftime("%Y%m%d"), "f", today=TODAY, earliest=EARLIEST) == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日", "f", today=TODAY) == day


@given(st.dates(min_value=date(TODAY.year, 1, 1), max_value=TODAY))
def test_it_round_trips_any_date_this_year_in_month_day_form(day):
    assert parse_date(f"{day.month}月{day.day}日", "f", today=TODAY, earliest=EARLIEST) == day
    assert parse_date(f"{day.month}/{day.day}", "f", today=TODAY) == day


@given(st.integers(min_value=0, max_value=365))
def test_it_counts_days_back_from_today(n):
    assert parse_date(f"{n}天前", "f", today=TODAY) == TODAY - timedelta(days=n)
    assert parse_date(f"{to_chinese(n)}天前", "f", today=TODAY) == TODAY - timedelta(days=n)


@given(st.dates(min_value=date(2000, 1, 3), max_value=date(2099, 12, 31)))
def test_last_week_weekdays_fall_in_the_previous_monday_to_sunday_week(today):
    this_monday = today - timedelta(days=today.weekday())
    for index, name in enumerate("一二三四五六日"):
        day = parse_date(f"上周{name}", "f", today=today)
        assert day == this_monday - timedelta(days=7 - index)
        assert day.weekday() == index


# --- parse_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  hello  ", "hello"),
        ("开展  垃圾分类\t宣传", "开展 垃圾分类 宣传"),
        ("第一行\r\n第二行", "第一行\n第二行"),
        ("\n\n 1. 入户 \n 2. 宣传 \n\n", "1. 入户\n2. 宣传"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("ＡＢＣ１２３", "ABC123"),
    ],
)
def test_it_cleans_free_text_but_keeps_line_breaks(raw, expected):
    assert parse_text(raw, "f") == expected


@pytest.mark.parametrize("raw", ["", "   ", "\n\t\n", "\u3000"])
def test_it_requires_text(raw):
    raises_code("required", parse_text, raw, "f")


def test_it_rejects_text_that_is_too_long():
    error = raises_code("too_long", parse_text, "字" * 11, "f", max_length=10)
    assert error.args_ == {"max": 10}
    assert parse_text("字" * 10, "f", max_length=10) == "字" * 10


def test_it_rejects_text_that_is_too_short():
    error = raises_code("too_short", parse_text, "  好的  ", "f", min_length=5)
    assert error.args_ == {"min": 5}
    assert parse_text("一二三四五", "f", min_length=5) == "一二三四五"


# --- parse_choice / parse_multi ------------------------------------------------------------

OPTIONS = ["环境整治", "敬老助老", "safety"]


@pytest.mark.parametrize(
    "raw, expected",
    [("环境整治", "环境整治"), (" 敬老助老 ", "敬老助老"), ("SAFETY", "safety"), ("ｓａｆｅｔｙ", "safety")],
)
def test_it_accepts_a_listed_choice(raw, expected):
    assert parse_choice(raw, "f", OPTIONS) == expected


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_it_requires_a_choice(raw):
    raises_code("required", parse_choice, raw, "f", OPTIONS)


@pytest.mark.parametrize("raw", ["其他", "环境", "safe"])
def test_it_rejects_an_unlisted_choice(raw):
    raises_code("invalid_choice", parse_choice, raw, "f", OPTIONS)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (["环境整治"], ["环境整治"]),
        (["safety", "环境整治", "safety"], ["safety", "环境整治"]),
        ("环境整治、敬老助老", ["环境整治", "敬老助老"]),
        ("safety，环境整治", ["safety", "环境整治"]),
        ("环境整治\n\n敬老助老\n", ["环境整治", "敬老助老"]),
    ],
)
def test_it_accepts_several_listed_choices_in_order(raw, expected):
    assert parse_multi(raw, "f", OPTIONS) == expected


@pytest.mark.parametrize("raw", [None, [], "", ["", " "], "、、"])
def test_it_requires_at_least_one_choice(raw):
    raises_code("required", parse_multi, raw, "f", OPTIONS)


def test_it_requires_the_minimum_number_of_choices():
    error = raises_code("required", parse_multi, ["safety", "safety"], "f", OPTIONS, min_count=2)
    assert error.args_ == {"min": 2}
    assert parse_multi([], "f", OPTIONS, min_count=0) == []


def test_it_rejects_an_unlisted_choice_among_several():
    raises_code("invalid_choice", parse_multi, ["环境整治", "其他"], "f", OPTIONS)


# --- nothing but ValidationError, whatever is typed ------------------------------------------

PARSERS = {
    "int": lambda s: parse_int(s, "f"),
    "int_bounded": lambda s: parse_int(s, "f", min_value=1, max_value=1000),
    "money": lambda s: parse_money(s, "f"),
    "date": lambda s: parse_date(s, "f", today=TODAY),
    "date_earliest": lambda s: parse_date(s, "f", today=TODAY, earliest=EARLIEST),
    "text": lambda s: parse_text(s, "f", max_length=20),
    "choice": lambda s: parse_choice(s, "f", OPTIONS),
    "multi": lambda s: parse_multi(s, "f", OPTIONS),
}

_TYPED = st.text() | st.text(alphabet="0123456789０１２３-.,/ 年月日号天前周上约人元万千¥负零一二两十百亿多余")


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(text=_TYPED)
def test_arbitrary_text_raises_only_validation_errors(name, text):
    try:
        PARSERS[name](text)
    except ValidationError as error:
        assert error.field == "f"
        assert isinstance(error.code, str)

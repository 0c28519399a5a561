"""Cell parsers and columns more than one entity reads. A parser takes the cell's text and
its column's header and raises ``ValidationError`` as ``models.forms.parsing`` does, so a bad
cell is reported like a bad answer in the bot."""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from models.core.errors import ValidationError
from models.forms import parsing
from models.importing.reader import Column, Row, header_forms, normalize_header

_CODE_RE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
SCIENTIFIC_RE = re.compile(r"^[0-9]+(\.[0-9]+)?e\+?[0-9]+$", re.I)


def _identifier(text: str, column: str) -> str:
    """A code or an id without spaces, refused when Excel turned it into 1.2E+17."""
    s = parsing.normalize(text).replace(" ", "")
    if SCIENTIFIC_RE.match(s):
        raise ValidationError(column, "scientific_notation")
    return s


def parse_code(text: str, column: str) -> str:
    s = _identifier(text, column)
    if not _CODE_RE.match(s):
        raise ValidationError(column, "bad_code")
    return s


def parse_telegram_id(text: str, column: str) -> int:
    s = _identifier(text, column)
    if not s.isdigit() or not 0 < int(s) < 2**63:
        raise ValidationError(column, "bad_telegram_id")
    return int(s)


YES = ("是", "有", "y", "yes", "true", "1", "√", "✓", "✔")
NO = ("否", "无", "没有", "n", "no", "false", "0", "×", "✗")


def parse_yes_no(text: str, column: str) -> bool:
    s = normalize_header(text)
    if s in YES:
        return True
    if s in NO:
        return False
    raise ValidationError(column, "bad_yes_no")


def word_parser(words: dict[str, Any], shown: Iterable[str]) -> Callable[[str, str], Any]:
    """A parser for a closed list written in words ("已备案" → "filed"); ``shown`` are the
    words an error message lists."""
    table = {normalize_header(k): v for k, v in words.items()}
    options = "、".join(shown)

    def parse(text: str, column: str):
        for form in header_forms(text):
            if form in table:
                return table[form]
        raise ValidationError(column, "invalid_choice", options=options)
    return parse



def parse_name(max_length: int) -> Callable[[str, str], str]:
    def parse(text: str, column: str) -> str:
        return parsing.parse_text(text, column, max_length=max_length, multiline=False)
    return parse



ACTIVE_WORDS = {"在册": True, "有效": True, "正常": True, "在岗": True, "活跃": True,
                "active": True, "是": True, "注销": False, "退出": False, "无效": False,
                "停用": False, "不活跃": False, "inactive": False, "否": False}
PARSE_ACTIVE = word_parser(ACTIVE_WORDS, ("在册", "注销"))


def registry_check(row: Row, keys: dict[str, str], clean: Callable[[], dict]) -> dict | None:
    """Run one of the registry's ``clean_*`` checks; its error lands on the column of the
    field it names (``keys``: registry field → column key)."""
    try:
        return clean()
    except ValidationError as e:
        key = keys.get(e.field or "", "name")
        row.fail(key, e.code, value=row.text(key), **e.args_)
        return None



def registry_values(cleaned: dict, raw: dict[str, str], always: Iterable[str]) -> dict:
    """The registry's cleaned values an update compares: a cell left blank keeps what is
    registered, except the fields every row fills in (``always``)."""
    return {k: v for k, v in cleaned.items() if raw.get(k) or k in always}


# Columns several entities read
TOWNSHIP_HINT = Column("township_hint", "乡镇（街道）", ("街道", "乡镇", "所属街道", "所属乡镇",
                       "街道(乡镇)", "乡镇街道", "街道名称", "乡镇名称"),
                       note="可选：所属社区只写名称且重名时，用它区分")
COUNTY_HINT = Column("county_hint", "区县", ("县区", "所属区县", "县(区)", "区(县)", "县(市、区)",
                     "区县名称"), note="可选：同上")
COMMUNITY = ("所属社区", "社区", "社区(村)", "所在社区", "社区代码", "社区名称", "村(社区)",
             "所属社区(村)", "所属村(社区)", "村", "村名", "社区/村", "community")
PHONE = ("手机号", "手机号码", "手机", "联系电话", "电话", "联系方式", "电话号码", "phone")

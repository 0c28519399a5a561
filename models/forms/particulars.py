"""A person's particulars as people type them: a phone number, an ID card number, hours of
service in a day.

They are field types of the form engine (``phone``, ``id_number``, ``hours``) and the
registry's and the importer's checks alike, so they live with the other parsers and raise the
same ``ValidationError(field, code, **args)``; the codes' messages are in
``models.core.messages.REGISTRY``.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from models.core.errors import ValidationError
from models.forms.parsing import chinese_to_int, normalize

#: The ID types of the national volunteer system; the bot takes resident ID cards only.
ID_TYPES = {"resident_id": "居民身份证", "hk_macao_permit": "港澳居民来往内地通行证",
            "taiwan_permit": "台湾居民来往大陆通行证", "passport": "护照",
            "foreign_permanent": "外国人永久居留身份证"}

HOURS_MIN, HOURS_MAX = Decimal("0.5"), Decimal("24")

_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_character(body: str) -> str:
    """The 18th character of a resident ID card number whose first 17 are ``body``."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


def parse_phone(text: str, field: str = "phone") -> str:
    """A mainland mobile (11 digits, "+86" and separators dropped) or a landline with its
    area code ("022-23456789")."""
    s = normalize(text or "").replace(" ", "").replace("－", "-")
    if not s:
        raise ValidationError(field, "required")
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    digits = s.replace("-", "")
    if _MOBILE_RE.fullmatch(digits):
        return digits
    if _LANDLINE_RE.fullmatch(s):
        return s
    raise ValidationError(field, "not_a_phone")


def parse_id_number(text: str, field: str = "id_number", id_type: str = "resident_id") -> str:
    """A resident ID card number (18 characters, checksum and birth date checked); other
    document types only by their shape."""
    s = normalize(text or "").replace(" ", "").upper()
    if not s:
        raise ValidationError(field, "required")
    if id_type not in ID_TYPES:
        raise ValidationError("id_type", "unknown_id_type")
    if id_type != "resident_id":
        if not re.fullmatch(r"[A-Z0-9()（）-]{5,32}", s):
            raise ValidationError(field, "not_an_id_number")
        return s
    if not re.fullmatch(r"\d{17}[\dX]", s):
        raise ValidationError(field, "not_an_id_number")
    try:
        born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValidationError(field, "not_an_id_number") from None
    if s[-1] != id_check_character(s[:17]) or born.year < 1900:
        raise ValidationError(field, "not_an_id_number")
    return s


def mask_id_number(value: str | None) -> str:
    """What displays show of an ID number: its first and last four characters."""
    if not value:
        return ""
    if "*" in value or len(value) <= 8:
        return value
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


_HOUR_WORDS = ("个小时", "小时", "个钟头", "钟头", "hours", "hour", "hrs", "hr", "h")


def parse_hours(text, field: str = "hours", *, low: Decimal = HOURS_MIN,
                high: Decimal = HOURS_MAX) -> str:
    """Hours of service in one day: "2", "1.5", "两小时", "1个半小时", "半小时"; half-hour
    steps between ``low`` and ``high`` (0.5–24). Returned as text ("1.5"), like money."""
    s = normalize(str(text if text is not None else "")).lower().replace(" ", "")
    if not s:
        raise ValidationError(field, "required")
    for word in _HOUR_WORDS:
        if s.endswith(word):
            s = s[: -len(word)]
            break
    half = Decimal(0)
    if s.endswith("半"):
        half, s = Decimal("0.5"), s[:-1].removesuffix("个")
    try:
        whole = Decimal(0) if not s and half else (
            Decimal(s) if re.fullmatch(r"\d+(\.\d+)?", s) else Decimal(chinese_to_int(s)))
    except (ValueError, InvalidOperation):
        raise ValidationError(field, "not_hours") from None
    if half and whole != whole.to_integral_value():
        raise ValidationError(field, "not_hours")
    value = whole + half
    if value * 2 != (value * 2).to_integral_value():
        raise ValidationError(field, "hours_step")
    if not low <= value <= high:
        raise ValidationError(field, "hours_range", min=low, max=int(high))
    return format(value.normalize(), "f")

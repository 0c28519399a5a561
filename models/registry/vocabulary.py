"""The registry's words: categories, statuses and genders as 津民发〔2018〕61号 and the
national volunteer system name them, read from whatever an official or a row spells, and the
checks every registry entry shares."""
from __future__ import annotations

import datetime as dt

from models.core.errors import ValidationError
from models.core.i18n import N_
from models.forms import parsing
from models.forms.particulars import HOURS_MAX, HOURS_MIN, ID_TYPES  # noqa: F401  (re-exported)


class RegistryError(ValidationError):
    """A registry rule refused the change; ``code`` names the rule (see
    ``models.core.messages.REGISTRY``)."""


#: 津民发〔2018〕61号 一 (the four to cultivate first), 四(三) (互助类), and the rest.
CATEGORIES = {
    "elderly_care": N_("Elderly care"),            # 养老服务类
    "community_service": N_("Community service"),  # 社区服务类
    "hardship_relief": N_("Help for people in hardship"),  # 扶危助困类
    "charity_relief": N_("Charitable relief"),     # 慈善救助类
    "mutual_aid": N_("Mutual aid"),                # 互助类
    "other": N_("Other"),                          # 其他
}
CATEGORY_ZH = {"elderly_care": "养老服务类", "community_service": "社区服务类",
               "hardship_relief": "扶危助困类", "charity_relief": "慈善救助类",
               "mutual_aid": "互助类", "other": "其他"}

STATUSES = {
    "pending": N_("Awaiting first review"),    # 待初审
    "reviewed": N_("Awaiting filing"),         # 已初审, 待备案
    "filed": N_("Filed"),                      # 已备案
    "returned": N_("Returned"),                # 已退回
    "deregistered": N_("Deregistered"),        # 已注销
}
STATUS_ZH = {"pending": "待初审", "reviewed": "待备案", "filed": "已备案", "returned": "已退回",
             "deregistered": "已注销"}

#: 三(四): "各街(乡、镇)级枢纽型社区社会组织联合会(服务中心)要配备2-3名社区社会组织专职社工".
HUB_SOCIAL_WORKERS = (2, 3)

GENDERS = {"male": N_("Male"), "female": N_("Female")}
GENDER_ZH = {"male": "男", "female": "女"}


def category_code(value) -> str | None:
    """A category as stored (its code) from a code, its Chinese name ("养老服务类", "养老服务")
    or its English label; None if it is none of them."""
    v = parsing.normalize(str(value or ""))
    for code, label in CATEGORIES.items():
        if v in (code, label, CATEGORY_ZH[code], CATEGORY_ZH[code].removesuffix("类")):
            return code
    return None


def gender_code(value) -> str | None:
    """``male`` / ``female`` from a code, 男/女(性) or the English word; None otherwise."""
    v = parsing.normalize(str(value or "")).lower()
    for code, label in GENDERS.items():
        if v in (code, label.lower(), GENDER_ZH[code], GENDER_ZH[code] + "性"):
            return code
    return None


def id_type_code(value) -> str | None:
    """An ID document type's code from its code or Chinese name (empty: 居民身份证)."""
    v = parsing.normalize(str(value or "")) or "resident_id"
    for code, label in ID_TYPES.items():
        if v in (code, label) or (code == "resident_id" and v in ("身份证", "二代身份证")):
            return code
    return None


def count_of(value, field: str, *, low: int = 0, high: int = 100000) -> int:
    """A count typed or stored (``members``, staff): an int in [low, high]."""
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        n = parsing.parse_int(str(value if value is not None else ""), field, min_value=low,
                              max_value=high)
    if n < low:
        raise ValidationError(field, "too_small", min=low)
    if n > high:
        raise ValidationError(field, "too_large", max=high)
    return n


def date_of(value, field: str, today: dt.date | None) -> dt.date | None:
    """A date given as a date or ISO text; not after ``today`` when given."""
    if value in (None, ""):
        return None
    d = value if isinstance(value, dt.date) else None
    if d is None:
        try:
            d = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(field, "not_a_date") from None
    if today is not None and d > today:
        raise ValidationError(field, "future")
    return d

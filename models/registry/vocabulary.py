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
    # 浙江 001 三(二), the kinds to cultivate first: 社会(志愿)服务类、自治协商类、矛盾纠纷调解类、
    # 应急救援类、环境保护类、困难帮扶(扶危助困类, above)和文体活动类.
    "volunteer_service": N_("Volunteer service"),  # 志愿服务类
    "self_governance": N_("Self-governance and consultation"),  # 自治协商类
    "mediation": N_("Dispute mediation"),          # 矛盾纠纷调解类
    "emergency_rescue": N_("Emergency rescue"),    # 应急救援类
    "environment": N_("Environmental protection"),  # 环境保护类
    "culture_sports": N_("Culture and sports"),    # 文体活动类
    "other": N_("Other"),                          # 其他
}
CATEGORY_ZH = {"elderly_care": "养老服务类", "community_service": "社区服务类",
               "hardship_relief": "扶危助困类", "charity_relief": "慈善救助类",
               "mutual_aid": "互助类", "volunteer_service": "志愿服务类",
               "self_governance": "自治协商类", "mediation": "矛盾纠纷调解类",
               "emergency_rescue": "应急救援类", "environment": "环境保护类",
               "culture_sports": "文体活动类", "other": "其他"}
#: Other names the documents give the same categories (001: 社会(志愿)服务类, 困难帮扶).
CATEGORY_ALIASES = {"社会(志愿)服务类": "volunteer_service", "社会(志愿)服务": "volunteer_service",
                    "困难帮扶类": "hardship_relief", "困难帮扶": "hardship_relief"}

STATUSES = {
    "pending": N_("Awaiting first review"),    # 待初审
    "reviewed": N_("Awaiting filing"),         # 已初审, 待备案
    "filed": N_("Filed"),                      # 已备案
    "returned": N_("Returned"),                # 已退回
    "deregistered": N_("Deregistered"),        # 已注销
    "registered": N_("Registered (legal person)"),  # 已登记
}
STATUS_ZH = {"pending": "待初审", "reviewed": "待备案", "filed": "已备案", "returned": "已退回",
             "deregistered": "已注销", "registered": "已登记"}
#: The statuses in which an organization is in force: what every plan counts.
VALID_STATUSES = ("filed", "registered")

#: 登记 vs 备案 (三(二)–(四)): ``filed`` organizations cannot register and are only filed;
#: ``candidate`` ones are filed and on the district's 拟登记台账 as 培育示范点 (三(三));
#: ``registered`` ones hold a registration (登记) — the only ones rated (等级评估) and the only
#: kind a hub may be (三(四): "注册登记").
REGISTRATIONS = {
    "filed": N_("Filed only"),                          # 备案
    "candidate": N_("Candidate for registration"),      # 拟登记台账 · 培育示范点
    "registered": N_("Registered with the authority"),  # 登记
}
REGISTRATION_ZH = {"filed": "备案", "candidate": "拟登记(培育示范点)", "registered": "登记"}

#: 社会组织等级评估 levels (1A … 5A); 浙江 001 counts 4A and above.
RATINGS = ("1A", "2A", "3A", "4A", "5A")

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
    return CATEGORY_ALIASES.get(v)  # NFKC: full-width brackets are ASCII here


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

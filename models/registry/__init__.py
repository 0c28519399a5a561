"""The registry of community social organizations (社区社会组织) and the volunteers' time bank.

Source: 天津市民政局《关于大力培育发展社区社会组织的指导意见》(津民发〔2018〕61号,
003_e46522dbaec760a4.txt). What it asks of a registry, and where this module does it:

* 三(二): organizations that cannot register with the civil-affairs bureau are *filed* (备案):
  the 居(村)委会 does the first review (初审) and reports up, the 街道(乡、镇) files. Here:
  ``pending`` → ``review_organization`` (by the organization's own community) → ``reviewed``
  → ``file_organization`` (by its street/township) → ``filed``; either level may
  ``return_organization`` with a reason (``returned``; corrected, it is pending again), and
  the street ``deregister_organization`` s a filed one (取缔 / 注销: ``deregistered``).
* 三(四): one hub organization (枢纽型社区社会组织联合会(服务中心)) per street/township, with
  2–3 full-time social workers (the text, as extracted, reads "配备23名"; the source page has
  "2-3"). A hub belongs to its street, not to a community, so it has no 居委会 review: the
  street files it. A second hub in the same street is refused; a hub is filed only with 2–3
  full-time social workers, and ``staffing_issue`` flags a filed hub whose staff later left
  that range.
* 三(三), 三(四): 登记 vs 备案 (``registration``): the district puts large filed organizations
  on its 拟登记台账 as 培育示范点 (``mark_registration_candidate``: ``candidate``) and records
  their registration (``register_organization``: ``filed`` → ``registered``); the hub is to
  be 注册登记, so a plan counts a hub only when registered. Only registered organizations
  carry a 等级评估 rating (``rate_organization``, 1A–5A); plans count rows in force only
  (``VALID_STATUSES``: filed, registered).
* 一 and 四(三): the categories it names — 养老服务类, 社区服务类, 扶危助困类, 慈善救助类
  (the four to cultivate first) and 互助类 — and 其他 for the rest.
* 四(三): volunteers registered in the community, service recorded, time banks (时间银行):
  ``register_volunteer``, ``log_hours``, ``balance`` and ``time_bank``. The bank records
  deposits only (hours served); nothing here spends them, so a balance is hours served.

Reports feed the registry (``feeds``, registered as sinks by ``models.extensions.install``):
the bot's "Volunteer registration" report is the single entry of a volunteer and its
"Volunteer service hours" report the single entry of a service. ID numbers are kept in full
only in the registry (the national export needs them); the report keeps them masked.

The modules: ``vocabulary`` (categories, statuses, shared checks), ``organizations`` (备案),
``volunteers``, ``timebank``, ``feeds`` (reports → registry), ``choosing`` (the bot's choice
of a volunteer), ``sheets`` (the national import and the 备案 register as sheets). This
package re-exports their public names: ``from models import registry as r;
r.create_organization(...)``.

Every change is audited (entity ``social_organization``, ``volunteer``, ``volunteer_hours``).
Refusals are ``RegistryError(field, code, **args)`` (a ``ValidationError``): the bot and the
admin explain them with ``models.core.messages.explain`` like any other (their messages: ``messages.REGISTRY``).
"""
from __future__ import annotations

from models.forms.particulars import (HOURS_MAX, HOURS_MIN, ID_TYPES, mask_id_number,
                                      parse_hours, parse_id_number, parse_phone)
from models.registry.choosing import match_volunteer, volunteer_options
from models.registry.feeds import (hours_from_report, hours_reviewed, volunteer_from_report,
                                   volunteer_reviewed)
from models.registry.organizations import (ORG_FIELDS, allowed_actions, clean_organization,
                                           create_organization, deregister_organization,
                                           file_organization, hub_of, return_organization,
                                           review_organization, set_organization_active,
                                           staffing_issue, update_organization,
                                           mark_registration_candidate, rate_organization,
                                           register_organization)
from models.registry.sheets import (NATIONAL_HOURS_COLUMNS, NATIONAL_VOLUNTEER_COLUMNS,
                                    ORGANIZATION_COLUMNS, national_hours, national_volunteers,
                                    organization_table)
from models.registry.timebank import CommunityBank, balance, balances, log_hours, time_bank
from models.registry.vocabulary import (CATEGORIES, CATEGORY_ZH, GENDER_ZH, GENDERS,
                                        HUB_SOCIAL_WORKERS, STATUS_ZH, STATUSES, RegistryError,
                                        category_code, gender_code, id_type_code)
from models.registry.vocabulary import (RATINGS, REGISTRATION_ZH, REGISTRATIONS,
                                        VALID_STATUSES)
from models.registry.volunteers import (VOLUNTEER_FIELDS, clean_volunteer, register_volunteer,
                                        set_volunteer_active)

__all__ = [
    "CATEGORIES", "CATEGORY_ZH", "GENDERS", "GENDER_ZH", "HOURS_MAX", "HOURS_MIN",
    "HUB_SOCIAL_WORKERS", "ID_TYPES", "NATIONAL_HOURS_COLUMNS", "NATIONAL_VOLUNTEER_COLUMNS",
    "ORGANIZATION_COLUMNS", "ORG_FIELDS", "STATUSES", "STATUS_ZH", "VOLUNTEER_FIELDS",
    "CommunityBank", "RegistryError", "allowed_actions", "balance", "balances",
    "category_code", "clean_organization", "clean_volunteer", "create_organization",
    "deregister_organization", "file_organization", "gender_code", "hours_from_report",
    "hours_reviewed", "hub_of", "id_type_code", "log_hours", "mask_id_number",
    "match_volunteer", "national_hours", "national_volunteers", "organization_table",
    "parse_hours", "parse_id_number", "parse_phone", "register_volunteer",
    "return_organization", "review_organization", "set_organization_active",
    "set_volunteer_active", "staffing_issue", "time_bank", "update_organization",
    "volunteer_from_report", "volunteer_options", "volunteer_reviewed",
    "RATINGS", "REGISTRATIONS", "REGISTRATION_ZH", "VALID_STATUSES",
    "mark_registration_candidate", "rate_organization", "register_organization",
]

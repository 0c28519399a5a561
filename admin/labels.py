"""The admin's one wording for stored codes: pace states, report statuses, place levels,
workers' statuses and roles.

Each table maps a code to its English msgid; the catalogs give the Chinese. Pages show a
table through ``lazy`` (the request's language); exports, which are filed as Chinese
documents whatever the page language, through ``worded`` with the zh_Hans translator. So
"behind" reads the same on the dashboard, in the charts and in the workbook.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from models.core.i18n import N_, Translator
from models.plans.pacing import PACE_LABELS

PACE = PACE_LABELS
PACE_STYLES = {"done": "success", "on_track": "info", "behind": "warning", "at_risk": "danger",
               "missed": "dark", "no_target": "light", "not_measured": "light"}

REPORT_STATUS = {"submitted": N_("Submitted"), "approved": N_("Approved"),
                 "rejected": N_("Rejected")}
REPORT_STATUS_STYLES = {"submitted": "info", "approved": "success", "rejected": "danger"}

PLACE_LEVELS = {"city": N_("City"), "county": N_("County"), "township": N_("Township"),
                "community": N_("Community"), "province": N_("Province")}
BELOW_CITY = ("county", "township", "community")  # the levels an official filters by

WORKER_STATUS = {"pending": N_("Waiting for approval"), "active": N_("Active"),
                 "disabled": N_("Disabled")}
WORKER_STATUS_STYLES = {"pending": "warning", "active": "success", "disabled": "secondary"}
WORKER_ROLES = {"worker": N_("Worker"), "leader": N_("Team leader")}

ACTIVE = {True: N_("Active"), False: N_("Inactive")}  # groups, volunteers, organizations
YES_NO = {True: N_("Yes"), False: N_("No")}
DELIVERY_STATUS = {"queued": N_("Queued"), "sent": N_("Sent"), "failed": N_("Failed")}
DELIVERY_STATUS_STYLES = {"queued": "info", "sent": "success", "failed": "danger"}

# Officials' roles (models.org.access.ROLES), as the accounts page and the audit log name them.
ROLES = {"city_admin": N_("City administrator"), "county_official": N_("County official"),
         "township_officer": N_("Street (township) officer"),
         "province_officer": N_("Provincial department officer"),
         "community_staff": N_("Residents' committee staff"), "viewer": N_("Read-only viewer")}
# What the audit log records about officials' accounts (other actions show their code).
AUDIT_ACTIONS = {"create": N_("Added"), "update": N_("Changed"), "delete": N_("Deleted"),
                 "login": N_("Signed in"), "login_failed": N_("Sign-in failed"),
                 "disable": N_("Disabled"), "enable": N_("Re-enabled"),
                 "reset_password": N_("Password reset"),
                 "change_password": N_("Password changed"),
                 "change_role": N_("Role or place changed"),
                 "login_throttled": N_("Sign-in throttled"), "logout": N_("Signed out"),
                 "load": N_("Loaded from a shipped file")}


def lazy(table: dict, codes=None) -> dict:
    """``table`` (or its ``codes``) translated per request, for pages and forms."""
    return {code: _l(table[code]) for code in (codes or table)}


def worded(table: dict, code, t: Translator) -> str:
    """One code's label in ``t``'s language (the code itself when the table lacks it)."""
    msgid = table.get(code)
    return t.gettext(msgid) if msgid is not None else code


PACE_LABELS = lazy(PACE)
STATUS_LABELS = lazy(REPORT_STATUS)
LEVEL_LABELS = lazy(PLACE_LEVELS)
PLACE_NAMES = lazy(PLACE_LEVELS, BELOW_CITY)
WORKER_STATUS_LABELS = lazy(WORKER_STATUS)
WORKER_ROLE_LABELS = lazy(WORKER_ROLES)
ACTIVE_LABELS = lazy(ACTIVE)
YES_NO_LABELS = lazy(YES_NO)
DELIVERY_STATUS_LABELS = lazy(DELIVERY_STATUS)
ROLE_LABELS = lazy(ROLES)
AUDIT_ACTION_LABELS = lazy(AUDIT_ACTIONS)

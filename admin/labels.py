"""The admin's one wording for stored codes: pace states, report statuses, place levels,
workers' statuses and roles, measure kinds, languages, Telegram's errors, the audit log's
actions, entities and fields, and the names of the people and systems that act.

Each table maps a code to its English msgid; the catalogs give the Chinese. Pages show a
table through ``lazy`` (the request's language); exports, which are filed as Chinese
documents whatever the page language, through ``worded`` with the zh_Hans translator. So
"behind" reads the same on the dashboard, in the charts and in the workbook.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

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
# Every action the audit log records, as a short label (the filter, the action column).
AUDIT_ACTIONS = {"create": N_("Added"), "update": N_("Changed"), "delete": N_("Deleted"),
                 "login": N_("Signed in"), "login_failed": N_("Sign-in failed"),
                 "disable": N_("Disabled"), "enable": N_("Re-enabled"),
                 "reset_password": N_("Password reset"),
                 "change_password": N_("Password changed"),
                 "change_role": N_("Role or place changed"),
                 "login_throttled": N_("Sign-in throttled"), "logout": N_("Signed out"),
                 "load": N_("Loaded from a shipped file"),
                 "approved": N_("Approved"), "rejected": N_("Returned"),
                 "submitted": N_("Back to review"), "submit": N_("Submitted"),
                 "resubmit": N_("Corrected and submitted again"), "pass": N_("Passed on"),
                 "return": N_("Returned for changes"), "reject": N_("Not approved"),
                 "approve": N_("Approved as a pilot project"), "review": N_("First review passed"),
                 "file": N_("Filed"), "deregister": N_("Deregistered"),
                 "register": N_("Registered"), "rebind": N_("Account moved"),
                 "status": N_("Status changed"), "activate": N_("Marked active"),
                 "deactivate": N_("Marked inactive"), "track": N_("Bot added to the group"),
                 "bind": N_("Group bound to a place"), "unbind": N_("Group unbound"),
                 "migrate": N_("Group upgraded by Telegram"), "log": N_("Hours logged"),
                 "remove": N_("Removed"), "import": N_("Imported"), "send": N_("Sent"),
                 "retry": N_("Sent again")}
# The same actions as sentences: who did what to which row (``{what}`` names the row).
AUDIT_SENTENCES = {
    "create": N_("{who} added {what}"), "update": N_("{who} changed {what}"),
    "delete": N_("{who} deleted {what}"), "login": N_("{who} signed in"),
    "login_failed": N_("{who}: sign-in failed"), "logout": N_("{who} signed out"),
    "login_throttled": N_("{who}: further sign-ins held back"),
    "disable": N_("{who} disabled {what}"), "enable": N_("{who} re-enabled {what}"),
    "reset_password": N_("{who} reset the password of {what}"),
    "change_password": N_("{who} changed the password of {what}"),
    "change_role": N_("{who} changed the role or place of {what}"),
    "load": N_("{who} loaded {what}"), "approved": N_("{who} approved {what}"),
    "rejected": N_("{who} returned {what}"), "submitted": N_("{who} put {what} back to review"),
    "submit": N_("{who} submitted {what}"),
    "resubmit": N_("{who} corrected and submitted {what} again"),
    "pass": N_("{who} passed {what} on to the next level"),
    "return": N_("{who} returned {what} for changes"),
    "reject": N_("{who} did not approve {what}"),
    "approve": N_("{who} approved {what} as a pilot project"),
    "review": N_("{who} passed the first review of {what}"), "file": N_("{who} filed {what}"),
    "deregister": N_("{who} deregistered {what}"), "register": N_("{who} registered {what}"),
    "rebind": N_("{who} moved {what} to a new Telegram account"),
    "status": N_("{who} changed the status of {what}"),
    "activate": N_("{who} marked {what} active"),
    "deactivate": N_("{who} marked {what} inactive"),
    "track": N_("{who}: the bot was added to {what}"),
    "bind": N_("{who} bound {what} to a place"), "unbind": N_("{who} unbound {what}"),
    "migrate": N_("{who}: {what} was upgraded to a supergroup"),
    "log": N_("{who} logged {what}"), "remove": N_("{who} removed {what}"),
    "import": N_("{who} imported {what}"), "send": N_("{who} sent {what}"),
    "retry": N_("{who} sent {what} again"),
}
# What an audit row is about (``AuditLog.entity``).
AUDIT_ENTITIES = {"report": N_("Report"), "worker": N_("Worker"), "invite": N_("Invite"),
                  "target": N_("Target"), "org_unit": N_("Place"), "plan": N_("Plan"),
                  "admin_user": N_("Official"),
                  "social_organization": N_("Social organization"),
                  "volunteer": N_("Volunteer"), "volunteer_hours": N_("Service hours"),
                  "group": N_("Group"), "delivery": N_("Delivery"), "digest": N_("Digest"),
                  "application": N_("Pilot application"), "import": N_("Import"),
                  "load": N_("Shipped data file"), "indicator": N_("Indicator"),
                  "station": N_("Service station"), "action_line": N_("Action line")}
# The fields an audit row's before/after holds, as the change table heads them.
AUDIT_FIELDS = {
    "status": N_("Status"), "reject_reason": N_("Reason for the worker"), "level": N_("Level"),
    "opinion": N_("Opinion"), "active": N_("Active"), "title": N_("Name"),
    "language": N_("Language"), "org_unit": N_("Place"), "chat_id": N_("Group number"),
    "username": N_("Username"), "role": N_("Role"), "display_name": N_("Name"),
    "name": N_("Name"), "code": N_("Code"), "value": N_("Target"), "year": N_("Year"),
    "indicator": N_("Indicator"), "category": N_("Category"), "leader": N_("Leader"),
    "leader_phone": N_("Leader's phone"), "members": N_("Members"),
    "founded_on": N_("Founded on"), "is_hub": N_("Hub"), "phone": N_("Phone"),
    "full_time_social_workers": N_("Full-time social workers"), "gender": N_("Gender"),
    "team": N_("Team"), "skills": N_("Skills"), "hours": N_("Hours"), "date": N_("Date"),
    "served_on": N_("Date"), "volunteer": N_("Volunteer"), "note": N_("Note"),
    "disabled": N_("Disabled"), "tg_user_id": N_("Telegram account"),
    "error": N_("Error"), "reason": N_("Reason"), "inactive_reason": N_("Why inactive"),
    "into": N_("New group number"), "created": N_("Created"),
    "rows": N_("Rows"), "entity": N_("What"), "file": N_("File"), "period": N_("Period"),
    "subsidy": N_("Provincial subsidy requested"), "registered_on": N_("Registered on"),
    "rating": N_("Rating"), "weekly": N_("Weekly summary"), "quarterly": N_("Quarterly digest"),
    "half": N_("Half-year digest"), "annual": N_("Annual review"),
    "timezone": N_("Time zone"), "send_hour": N_("Hour of sending"),
    "must_change_password": N_("Must change the password"), "kind": N_("Kind"),
    "uid": N_("Number"), "activity_date": N_("Activity date"), "parent": N_("Above"),
    "id_number": N_("ID number"), "address": N_("Address"), "station": N_("Service station"),
}
# Measure kinds of an indicator (models/plans/measures.py).
MEASURES = {"count": N_("Count of reports"), "sum": N_("Sum of a reported figure"),
            "reference": N_("Reference only"), "presence": N_("Present or not"),
            "ratio": N_("Share of places"), "registry": N_("From the registry"),
            "tier": N_("Grade reached"), "milestone": N_("Milestone"),
            "standing": N_("Standing figure")}
# How an indicator's targets are set (Indicator.target_basis).
TARGET_BASES = {"explicit": N_("Set per place"), "per_county": N_("Per county"),
                "per_station": N_("Per service station"), "units": N_("Per place below"),
                "uniform": N_("The same for every place")}
# The period an indicator's target covers (Indicator.period).
INDICATOR_PERIODS = {"plan": N_("The plan's whole period"), "year": N_("Each year"),
                     "standing": N_("Reached by the deadline, then held")}
# Languages, in their own names (as the groups page shows them).
LANGUAGES = {"zh_Hans": "简体中文", "zh": "简体中文", "en": "English"}
# Telegram's errors as they are stored (the start of the message) → what they mean.
TELEGRAM_ERRORS = {
    "Forbidden: bot was kicked": N_("The bot was removed from this group"),
    "Forbidden: bot was blocked by the user": N_("The person blocked the bot"),
    "Forbidden: bot is not a member": N_("The bot is not a member of this group"),
    "Forbidden: user is deactivated": N_("The Telegram account was deleted"),
    "Forbidden": N_("Telegram refused the message"),
    "Bad Request: chat not found": N_("The group or person was not found"),
    "Bad Request: group chat was upgraded": N_("The group was upgraded; sent to its new number"),
    "Bad Request": N_("Telegram could not deliver the message"),
    "Too Many Requests": N_("Telegram asked to wait (too many messages)"),
    "Timed out": N_("Telegram did not answer in time"),
    "Network": N_("The network failed"),
}
# A place's attributes (OrgUnit.attrs: what no report carries, set by import or the admin).
PLACE_ATTRS = {
    "star_complex": N_("Star-rated community service complex"),
    "community_workers": N_("Full-time community workers"),
    "certified_community_workers": N_("Community workers with a social-work certificate"),
    "certified_social_workers": N_("Certified social workers"),
    "professional_social_workers": N_("Professional social workers"),
    "social_work_room": N_("Social work room"), "volunteer_liaison": N_("Volunteer liaison"),
    "direct_election": N_("Committee directly elected"),
    "demo_covered": N_("Covered by a demonstration site"),
    "csc_registered": N_("Social organization service centre registered"),
    "csc_rated": N_("Social organization service centre graded"),
    "development_foundations": N_("Community development foundations"),
    "incubator": N_("Incubation base"), "demo_site": N_("District creation site"),
    "demo_completed": N_("Creation site completed"), "community_fund": N_("Community fund"),
    "station_social_workers": N_("Social workers of the station"),
    "site_no": N_("Joint site number"), "hub_demo_point": N_("Demonstration hub"),
    "sanshe_pilot": N_("Pilot of the three-society linkage"),
}
# Common reasons a report is returned to its worker (one tap fills the box; editable).
REJECT_REASONS = (
    N_("The photos are unclear; please take them again."),
    N_("The activity date is wrong; please correct it."),
    N_("The number of people is missing or looks wrong; please check it."),
    N_("The place is wrong; please choose the right community."),
    N_("Please describe the activity in more detail."),
    N_("This duplicates a report already filed."),
)

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
MEASURE_LABELS = lazy(MEASURES)
TARGET_BASIS_LABELS = lazy(TARGET_BASES)
INDICATOR_PERIOD_LABELS = lazy(INDICATOR_PERIODS)
AUDIT_ENTITY_LABELS = lazy(AUDIT_ENTITIES)
REJECT_REASON_LABELS = tuple(_l(r) for r in REJECT_REASONS)


def language_name(code: str | None) -> str:
    """A language code as its own name (``zh_Hans`` → 简体中文); empty for none."""
    if not code:
        return ""
    return LANGUAGES.get(code) or LANGUAGES.get(code.split("_")[0], code)


def telegram_error(text: str | None, t: Translator | None = None, *,
                   typed: bool = False) -> str:
    """Telegram's error message as what it means (the first table entry it starts with);
    an unknown one as "Telegram refused…" rather than English. ``typed``: the text may be
    an official's own words (a group's reason for being inactive), kept as written unless
    it is one of Telegram's errors."""
    if not text:
        return ""
    gettext = t.gettext if t is not None else _g
    for start, msgid in TELEGRAM_ERRORS.items():
        if text.startswith(start):
            return gettext(msgid)
    return text if typed else gettext(N_("Telegram refused the message"))


def reason_text(text: str | None) -> str:
    """A reason that is an official's words or one of Telegram's errors (translated)."""
    return telegram_error(text, typed=True)


def _g(msgid: str) -> str:
    from flask_babel import gettext
    return gettext(msgid)


# Actors that are not a person: the bot's own Telegram events, loads, the demo, an import.
SYSTEM_ACTORS = {"telegram": N_("The Telegram platform"), "load": N_("Shipped data file"),
                 "demo": N_("Demo data"), "demo-reviewer": N_("Demo reviewer"),
                 "system": N_("System"), "bot": N_("The bot"), "ip": N_("An unknown visitor"),
                 "test": N_("System"), "cli": N_("The command line")}


def actor_names(actors) -> dict[str, str]:
    """How the audit log and a reviewed report name who acted: an official as "place·name"
    ("东城街道·王某"), a worker likewise, by display name (never "admin:yucheng" or
    "tg:7000000001"); the systems by what they are. Two queries for a whole page."""
    from models.core.schema import AdminUser, OrgUnit, Worker

    actors = {a for a in actors if a}
    usernames = {a.split(":", 1)[1] for a in actors if a.startswith("admin:")}
    tg_ids = {int(a.split(":", 1)[1]) for a in actors
              if a.startswith("tg:") and a.split(":", 1)[1].lstrip("-").isdigit()}
    officials = {u.username: u for u in AdminUser.select(AdminUser, OrgUnit).join(OrgUnit)
                 .where(AdminUser.username.in_(usernames))} if usernames else {}
    workers = {w.tg_user_id: w for w in Worker.select(Worker, OrgUnit).join(OrgUnit)
               .where(Worker.tg_user_id.in_(tg_ids))} if tg_ids else {}
    out = {}
    for a in actors:
        prefix, _sep, rest = a.partition(":")
        if prefix == "admin" and rest in officials:
            u = officials[rest]
            out[a] = _placed(u.org_unit.name, u.display_name or u.username)
        elif prefix == "tg" and rest.lstrip("-").isdigit() and int(rest) in workers:
            w = workers[int(rest)]
            out[a] = _placed(w.org_unit.name, w.display_name)
        elif prefix == "tg":
            out[a] = _g(N_("A worker (no longer registered)"))
        elif prefix == "admin":
            out[a] = _g(N_("An official (account removed)"))
        elif prefix in SYSTEM_ACTORS:
            out[a] = _g(SYSTEM_ACTORS[prefix])
        else:
            out[a] = a
    return out


def _placed(place: str, name: str) -> str:
    """"东城街道·王某"; a name that already says its place ("演示·雨城区") as it is."""
    return name if place in name else f"{place}·{name}"


def reviewer_name(actor: str) -> str:
    """One actor's name (a reviewed report's reviewer)."""
    return actor_names([actor]).get(actor, actor)


def period_label(label: str | None, t: Translator | None = None) -> str:
    """A push's period ('2026-W47', '2026Q3', '2026H1') in words ("2026年第47周")."""
    from models.core.i18n import translator as _translator
    from models.pushes.kinds import KINDS

    if not label:
        return ""
    if t is None:
        from flask_babel import get_locale
        t = _translator(str(get_locale() or "zh_Hans"))
    if "-W" in label and label[:4].isdigit():
        return t.gettext(N_("Week %(week)s of %(year)s")) % {
            "week": label.split("-W")[1].lstrip("0"), "year": label[:4]}
    for kind in KINDS.values():
        try:
            kind.window(label)
        except (ValueError, AttributeError):
            continue
        return kind.period_name(label, t)
    return label


def person(actor: str | None) -> str:
    """A Jinja filter: who acted, by name (``reviewer_name``)."""
    return reviewer_name(actor) if actor else ""


def attrs_table(attrs: dict | None) -> Markup:
    """A place's attributes as labelled rows (yes/no for flags), not a raw dict."""
    from flask_babel import gettext

    if not attrs:
        return Markup("")
    rows = Markup("").join(
        Markup('<tr><th scope="row" class="font-weight-normal">{}</th><td>{}</td></tr>').format(
            gettext(PLACE_ATTRS[k]) if k in PLACE_ATTRS else gettext(N_("Other")),
            gettext(YES_NO[bool(v)]) if isinstance(v, bool) else v)
        for k, v in sorted(attrs.items(), key=lambda kv: str(kv[0])))
    return Markup('<table class="table table-sm table-borderless mb-0 small">{}</table>').format(
        rows)


# Filters the templates use (registered by ``admin.create_app``).
JINJA_FILTERS = {"period": period_label, "telegram_error": telegram_error, "person": person,
                 "reason": reason_text,
                 "language": language_name}

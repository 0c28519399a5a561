"""Pilot-project applications (甘肃《三社联动试点方案》, 002_c1b4c8bc100f7ba9.txt) and their
approval chain 社区申报 → 街道初核 → 县级审核 → 市级复核 → 省厅审批.

A community files its 申报表 in the bot as a report of kind ``pilot_application``
(kinds.toml, ``stores = "application"``): the report is stored once, and the sink below keeps
one ``Application`` in step with it (same uid), waiting for the street's first review. Each
level then acts through ``act``: pass it up, return it to the community (who corrects the
report in the bot and files it again, back to the street), reject it, or — the province
only — approve it. Every act is one transaction: the application's new place, an
``ApplicationStep`` with the opinion (意见), the audit row, and the filing worker's notice in
the Outbox, in the worker's language.

Who acts where: a township officer at 街道初核, a county official at 县级审核, a city admin
at 市级复核, a province officer at 省厅审批 — each only inside their scope
(``models.org.access``), and only on an application waiting at their level. The tree has no
province unit (its root is the city of Ya'an, 5118), so a province officer is scoped to the
tree's root unit: the province approves everything the tree files.

Each level sees what has reached it in its own subtree: what waits for it now, and what it
has acted on before (whatever happened to it later).

The levels (their names in the document, the opinion row each fills) and the form's rows are
data: the ``[approval]`` section of the Gansu plan file, read from ``Plan.spec``; the same
defaults apply when no such plan is loaded. Knows nothing of Telegram or Flask.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from models.applications.defaults import DEFAULT_APPROVAL, FORM_EN
from models.org import access
from models.core.db import database
from models.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from models.forms.kinds import _cached, get_kind, options_for
from models.core.i18n import N_, Translator, translator
from models.core.text import nested_quotes
from models.reports.filing import review
from models.core.schema import (AdminUser, Application, ApplicationStep, OrgUnit, Outbox, Plan, Report,
                                Worker, audit, now)

KIND = "pilot_application"

#: The levels' English names, as msgids (the plan file carries the same words as data).
STEP_EN = (N_("Community filing"), N_("Street first review"), N_("County review"),
           N_("City re-review"), N_("Provincial approval"))

#: Which role acts at which level.
ROLE_LEVEL = {
    access.TOWNSHIP_OFFICER: "township",
    "county_official": "county",
    "city_admin": "city",
    access.PROVINCE_OFFICER: "province",
}

ACTIONS = ("pass", "return", "reject", "approve")
NEEDS_OPINION = ("return", "reject")
OPINION_MAX = 500

ACTION_LABELS = {
    "submit": N_("Filed"),
    "pass": N_("Passed on"),
    "return": N_("Returned for changes"),
    "reject": N_("Not approved"),
    "approve": N_("Approved as a pilot project"),
}

STATUS_LABELS = {
    "draft": N_("Draft"),
    "pending": N_("Under review"),
    "returned": N_("Returned for changes"),
    "approved": N_("Approved by the province"),
    "rejected": N_("Not approved"),
}

# The worker's notices, one per step.
NOTICE_SUBMITTED = N_("Your application “{title}” was filed. It now waits for {step}.")
NOTICE_PASSED = N_("Your application “{title}” passed {step}. It now waits for {next}.")
NOTICE_RETURNED = N_("Your application “{title}” was returned for changes at {step}. Please "
                     "correct it and file it again.")
NOTICE_REJECTED = N_("Your application “{title}” was rejected at {step}.")
NOTICE_APPROVED = N_("Your application “{title}” was approved ({step}).")
NOTICE_OPINION = N_("Opinion: {opinion}")


class ChainError(DomainError):
    """An act the chain does not allow now; ``code`` says why:

    ``not_waiting_here`` — the application is not waiting at the actor's level (another
    level's turn, already acted on, returned or decided); ``approve_at_province`` — only the
    province approves; ``top_of_chain`` — the province has no level above to pass to.
    """

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


# ---------------------------------------------------------------------------------------------
# The chain as data: levels and names
# ---------------------------------------------------------------------------------------------

def pilot_plan() -> Plan | None:
    """The plan whose file carries the approval chain (the Gansu pilot), if it is loaded."""
    def load():
        for plan in Plan.select().order_by(Plan.id):
            if "approval" in (plan.spec or {}):
                return plan
        return None
    return _cached("pilot_plan", load)


def approval() -> dict:
    """The chain and the form: the pilot plan's ``[approval]`` section, or the default."""
    plan = pilot_plan()
    return (plan.spec or {}).get("approval") if plan is not None else DEFAULT_APPROVAL


def chain() -> tuple[str, ...]:
    """The levels, bottom (the filing community) to top (the province)."""
    return tuple(x["level"] for x in approval()["levels"])


def _level(level: str) -> dict:
    return next(x for x in approval()["levels"] if x["level"] == level)


def step_name(level: str, t: Translator) -> str:
    """A step's name: the document's (short) words in Chinese, English otherwise."""
    spec = _level(level)
    return (spec.get("short") or spec["step"]) if t.is_zh else spec["name_en"]


def next_level(level: str) -> str | None:
    levels = chain()
    i = levels.index(level)
    return levels[i + 1] if i + 1 < len(levels) else None


def deciding_level() -> str:
    """The level that approves (省厅审批): the top of the chain."""
    return chain()[-1]


def level_of(user) -> str | None:
    """The chain level an official acts at, or None (a viewer, an inactive account, or an
    account whose place is not at its role's level: a county official's account made at a
    community does not do the county's review)."""
    if not getattr(user, "active", False):
        return None
    role = getattr(user, "role", None)
    level = ROLE_LEVEL.get(role)
    wanted = access.ROLE_UNIT_LEVEL.get(role)
    if level in ("township", "county") and wanted and user.org_unit.level != wanted:
        return None
    return level


# ---------------------------------------------------------------------------------------------
# What an official sees
# ---------------------------------------------------------------------------------------------

def visible(user, *, waiting_only: bool = False):
    """The applications ``user`` may see: in their subtree, and having reached their level —
    waiting there now, or acted on there before. ``waiting_only``: only those waiting for
    them. An official outside the chain (a viewer) sees none."""
    level = level_of(user)
    query = Application.select()
    if level is None:
        return query.where(Application.id.is_null())
    query = access.scoped(query, Application, user)
    waiting = (Application.level == level) & (Application.status == "pending")
    if waiting_only:
        return query.where(waiting)
    acted = Application.id.in_(ApplicationStep.select(ApplicationStep.application)
                               .where(ApplicationStep.level == level))
    return query.where(waiting | acted)


def get_visible(user, pk) -> Application:
    """One application by id if ``user`` may see it, else ``NotFound``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("application") from None
    row = visible(user).where(Application.id == pk).first()
    if row is None:
        raise NotFound("application")
    return row


def actions_for(user, application: Application) -> list[str]:
    """What ``user`` may do to ``application`` now (the buttons to show); [] for none."""
    level = level_of(user)
    if (level is None or application.status != "pending" or application.level != level
            or not access.in_scope(user, application.org_path)):
        return []
    if level == deciding_level():
        return ["approve", "return", "reject"]
    return ["pass", "return", "reject"]


def steps(application: Application) -> list[ApplicationStep]:
    return list(ApplicationStep.select().where(ApplicationStep.application == application)
                .order_by(ApplicationStep.at, ApplicationStep.id))


def actor_names(step_list) -> dict[str, str]:
    """How the actors of some steps are shown: officials and workers by their names."""
    usernames = {s.actor[len("admin:"):] for s in step_list if s.actor.startswith("admin:")}
    tg_ids = {int(s.actor[len("tg:"):]) for s in step_list
              if s.actor.startswith("tg:") and s.actor[len("tg:"):].isdigit()}
    names = {}
    if usernames:
        for u in AdminUser.select().where(AdminUser.username.in_(usernames)):
            names[f"admin:{u.username}"] = u.display_name or u.username
    if tg_ids:
        for w in Worker.select().where(Worker.tg_user_id.in_(tg_ids)):
            names[f"tg:{w.tg_user_id}"] = w.display_name
    return names


def last_steps(application_list) -> dict[int, ApplicationStep]:
    """Each application's latest step, in one query."""
    ids = [a.id for a in application_list]
    if not ids:
        return {}
    out = {}
    for s in (ApplicationStep.select().where(ApplicationStep.application.in_(ids))
              .order_by(ApplicationStep.at, ApplicationStep.id)):
        out[s.application_id] = s
    return out


def for_community(unit: OrgUnit) -> list[Application]:
    """A community's applications, newest first (the bot's /applications)."""
    return list(Application.select().where(Application.org_unit == unit)
                .order_by(Application.created_at.desc(), Application.id.desc()))


# ---------------------------------------------------------------------------------------------
# Acting
# ---------------------------------------------------------------------------------------------

def clean_opinion(opinion: str | None) -> str:
    text = (opinion or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > OPINION_MAX:
        raise ValidationError("opinion", "too_long", max=OPINION_MAX)
    return text


def act(application: Application, *, actor_user, action: str, opinion: str = "") -> ApplicationStep:
    """One level's act on an application: ``pass`` it up, ``return`` it to the community,
    ``reject`` it, or ``approve`` it (the province). Returns the recorded step.

    Refused, with nothing changed: an official outside the chain (``PermissionDenied``), an
    application outside their subtree (``NotFound``, as if absent), one not waiting at their
    level — another level's turn, or acted on already (``ChainError``), approving below the
    province or passing above it (``ChainError``), a return or rejection without an opinion,
    an opinion too long, an unknown action (``ValidationError``).
    """
    level = level_of(actor_user)
    if level is None:
        raise PermissionDenied("not an official of the approval chain")
    if not access.in_scope(actor_user, application.org_path):
        raise NotFound("application")
    if action not in ACTIONS:
        raise ValidationError("action", "invalid_choice")
    if application.status != "pending" or application.level != level:
        raise ChainError("not_waiting_here")
    if action == "approve" and level != deciding_level():
        raise ChainError("approve_at_province")
    if action == "pass" and next_level(level) is None:
        raise ChainError("top_of_chain")
    opinion = clean_opinion(opinion)
    if action in NEEDS_OPINION and not opinion:
        raise ValidationError("opinion", "required")
    return move(application, level, action, actor=f"admin:{actor_user.username}",
                 opinion=opinion)


def move(application: Application, level: str, action: str, *, actor: str, opinion: str,
         at: dt.datetime | None = None, notify: bool = True) -> ApplicationStep:
    """Apply an act already allowed (``act`` checks who may; the demo seeding moves its
    applications through the chain with it, unchecked). The update is conditional on the application still
    waiting at ``level``, so of two officials acting at once (or a double click) one wins
    and the other gets ``ChainError`` with nothing written."""
    at = at or now()
    after = {"level": application.level, "status": "pending"}
    if action == "pass":
        after["level"] = next_level(level)
    elif action == "return":
        after = {"level": chain()[0], "status": "returned"}
    elif action == "reject":
        after["status"] = "rejected"
    elif action == "approve":
        after["status"] = "approved"
    decided = at if after["status"] in ("approved", "rejected") else None
    with database.atomic():
        changed = (Application.update(**after, updated_at=at, decided_at=decided)
                   .where(Application.id == application.id, Application.level == level,
                          Application.status == "pending").execute())
        if changed != 1:
            raise ChainError("not_waiting_here")
        before = {"level": application.level, "status": application.status}
        application.level, application.status = after["level"], after["status"]
        application.updated_at, application.decided_at = at, decided
        step = ApplicationStep.create(application=application, level=level, action=action,
                                      actor=actor, opinion=opinion, at=at)
        audit(actor, action, "application", application.id, before=before,
              after={**after, "opinion": opinion})
        report = Report.get_or_none(Report.uid == application.uid)
        if report is not None and action in ("return", "reject", "approve"):
            # The report follows: returned or rejected → the worker may reopen it ("fix");
            # approved → approved. The reports' counting follows its status.
            review(report, "approved" if action == "approve" else "rejected", actor=actor,
                   reason=opinion if action != "approve" else None)
        if notify:
            _notify(application, step)
    return step


def _notify(application: Application, step: ApplicationStep) -> Outbox | None:
    """Queue the filing worker's notice of one step, in their language."""
    worker = application.submitted_by
    if worker is None:
        return None
    t = translator(worker.language)
    title = nested_quotes(application.title)  # the notices put it in “…”
    args = {"title": title, "step": step_name(step.level, t)}
    if step.action == "submit":
        text = t.gettext(NOTICE_SUBMITTED, title=title,
                         step=step_name(application.level, t))
    elif step.action == "pass":
        text = t.gettext(NOTICE_PASSED, next=step_name(application.level, t), **args)
    elif step.action == "return":
        text = t.gettext(NOTICE_RETURNED, **args)
    elif step.action == "reject":
        text = t.gettext(NOTICE_REJECTED, **args)
    else:
        text = t.gettext(NOTICE_APPROVED, **args)
    if step.opinion:
        text += "\n" + t.gettext(NOTICE_OPINION, opinion=step.opinion)
    payload = {"application_uid": application.uid, "step": step.id}
    if step.action == "return":
        payload.update(report_uid=application.uid, action="fix")  # the bot adds "correct"
    return Outbox.create(key=f"application:{application.uid}:{step.id}",
                         chat_id=worker.tg_user_id, text=text, payload=payload)


# ---------------------------------------------------------------------------------------------
# Filing: the report sink
# ---------------------------------------------------------------------------------------------

def _form_columns(report: Report) -> dict:
    values = report.values or {}
    subsidy = values.get("subsidy")
    return dict(title=str(values.get("project_name") or "")[:200], answers=dict(values),
                subsidy=Decimal(str(subsidy)) if subsidy not in (None, "") else None)


def check_before_filing(values: dict, filed_on: dt.date) -> None:
    """The steps before filing (社区筹划征集、社区居民听证、居民代表会议审议并张榜公示后 …
    逐级申报): each has its date, in the document's order, none after the filing; else
    ``ValidationError`` ``before_filing`` on the first step that is missing or out of order."""
    previous = None
    for spec in approval().get("before_filing", []):
        raw = values.get(spec["field"])
        try:
            day = dt.date.fromisoformat(str(raw)) if raw not in (None, "") else None
        except ValueError:
            day = None
        if day is None or day > filed_on or (previous is not None and day < previous):
            raise ValidationError(spec["field"], "before_filing")
        previous = day


def from_report(report: Report, *, created: bool, at: dt.datetime | None = None,
                notify: bool = True) -> Application:
    """A filed 申报表 (社区申报): create the application, or refile a returned one with the
    corrected answers; either way it waits for 街道初核. Runs inside the report's
    transaction, so a refusal (``ValidationError`` ``before_filing`` for the steps before
    filing not all done in order, ``application_decided``, or ``application_in_review`` for
    one still under review) stores neither."""
    at = at or now()
    community, first = chain()[0], chain()[1]
    check_before_filing(report.values or {}, at.date())
    worker = report.worker
    actor = f"tg:{worker.tg_user_id}" if worker else "system"
    application = Application.get_or_none(Application.uid == report.uid)
    if application is None:
        application = Application.create(
            uid=report.uid, plan=pilot_plan(), org_unit=report.org_unit_id,
            org_path=report.org_path, level=first, status="pending", submitted_by=worker,
            created_at=at, updated_at=at, submitted_at=at, **_form_columns(report))
        before = None
    else:
        # A stale "correct" button (an earlier return's notice), or a report rejected in the
        # reports list while its application is under review: nothing to refile.
        if application.status in ("approved", "rejected"):
            raise ValidationError(None, "application_decided")
        if application.status == "pending":
            raise ValidationError(None, "application_in_review")
        before = {"level": application.level, "status": application.status}
        for k, v in _form_columns(report).items():
            setattr(application, k, v)
        application.level, application.status = first, "pending"
        application.submitted_at = application.updated_at = at
        application.decided_at = None
        if worker is not None:
            application.submitted_by = worker
        application.save()
    step = ApplicationStep.create(application=application, level=community, action="submit",
                                  actor=actor, opinion="", at=at)
    audit(actor, "submit" if before is None else "resubmit", "application", application.id,
          before=before, after={"level": first, "status": "pending",
                                "title": application.title})
    if notify:
        _notify(application, step)
    return application


# ---------------------------------------------------------------------------------------------
# The form as the document lays it out (the detail page and the PDF)
# ---------------------------------------------------------------------------------------------

def _label(zh: str, t: Translator) -> str:
    """The document's words in Chinese; their English otherwise."""
    return zh if t.is_zh else t.gettext(FORM_EN.get(zh, zh))


def _shown(f, value, t: Translator) -> str:
    """An answer of a dated or chosen field in ``t``'s language."""
    def name(v):
        for o in options_for(f, t.locale, value=v):
            if o.value == v:
                return o.label if o.literal else t.gettext(o.label)
        return str(v)
    return f.field_type.display(f, value, t, name)


@dataclass(frozen=True)
class SheetRow:
    key: str
    label: str
    parts: tuple[tuple[str | None, str], ...]  # (sub-label, text): 项目概况 has four
    hint: str | None = None
    opinion: bool = False
    meta: str | None = None  # an opinion's act, who and when


@dataclass(frozen=True)
class Sheet:
    """A filled 申报表, ready to lay out: the title, the 申报单位 line, the rows."""

    title: str
    applicant_label: str
    applicant: tuple[tuple[str, str], ...]  # (place name, the blank's label)
    rows: tuple[SheetRow, ...]
    status: str
    waiting: str | None


def applicant_places(application: Application) -> dict[str, OrgUnit]:
    """申报单位: the filing community and its ancestors by level, from the tree."""
    return {u.level: u for u in application.org_unit.ancestors()}


def latest_opinions(step_list) -> dict[str, ApplicationStep]:
    """The last act of each reviewing level (a level may act again after a refiling)."""
    return {s.level: s for s in step_list if s.action != "submit"}


def sheet(application: Application, t: Translator, *, tz: str = "Asia/Shanghai",
          actor_labels: dict[str, str] | None = None) -> Sheet:
    """The application as the document's table (the plan's ``[approval.form]``), in ``t``'s
    language: the document's own words in Chinese. ``actor_labels``: how the caller names actors
    that are not people (the demo's reviewer), over ``actor_names``."""
    from zoneinfo import ZoneInfo

    spec = approval()
    form = spec["form"]
    values = application.answers or {}
    # Dates and chosen options as the kind shows them (重点领域's labels, 申报前程序's days).
    shown = {f.name: f for f in get_kind(spec["kind"]).fields
             if f.field_type.name in ("date", "choice", "multi")}
    places = applicant_places(application)
    applicant = tuple((places[x["level"]].name if x["level"] in places else "",
                       _label(x["label"], t)) for x in form["applicant_levels"])
    rows = []
    for row in form["rows"]:
        names = row["fields"]
        texts = []
        for name in names:
            value = values.get(name)
            if name == "subsidy" and value not in (None, ""):
                value = t.money(value)
            elif name in shown and value not in (None, "", []):
                value = _shown(shown[name], value, t)
            texts.append(str(value) if value not in (None, "", []) else "")
        labels = row.get("parts") or [None] * len(names)
        rows.append(SheetRow(
            row["key"], _label(row["label"], t),
            tuple((_label(x, t) if x else None, text) for x, text in zip(labels, texts)),
            hint=_label(row["hint"], t) if row.get("hint") else None))
    step_list = steps(application)
    names = {**(actor_labels or {}), **actor_names(step_list)}
    latest = latest_opinions(step_list)
    zone = ZoneInfo(tz)
    for level in (x for x in spec["levels"] if x.get("opinion_row")):
        step = latest.get(level["level"])
        meta = None
        if step is not None:
            when = step.at.replace(tzinfo=dt.timezone.utc).astimezone(zone).date()
            meta = " · ".join([t.gettext(ACTION_LABELS[step.action]),
                               names.get(step.actor, step.actor), t.date(when)])
        rows.append(SheetRow(f"opinion:{level['level']}", _label(level["opinion_row"], t),
                             ((None, step.opinion if step else ""),), opinion=True, meta=meta))
    waiting = step_name(application.level, t) if application.status == "pending" else None
    return Sheet(title=_label(form["title"], t), applicant_label=_label(form["applicant"], t),
                 applicant=applicant, rows=tuple(rows),
                 status=t.gettext(STATUS_LABELS.get(application.status, application.status)),
                 waiting=waiting)

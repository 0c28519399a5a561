"""The audit log, read-only, as sentences: "东城街道·王某 退回了报告 #123：原因…", each with
its field changes as a before → after table (Chinese field labels, labelled values, never raw
JSON), people by display name. Scoped like the rows it is about (sign-ins and plan changes
are the city admin's). The words come from ``admin/labels.py``."""
from __future__ import annotations

import datetime as dt

from flask import g, url_for
from flask_admin.contrib.peewee.filters import DateTimeBetweenFilter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from models import applications as chain
from models import registry
from models.core.i18n import translator
from models.core.schema import (AdminUser, Application, AuditLog, Group, Indicator, OrgUnit,
                                SocialOrganization, Volunteer, Worker)

from admin.base import ScopedModelView
from admin.filters import ChoiceFilter
from admin.i18n import project_locale
from admin.labels import (AUDIT_ACTIONS, AUDIT_ENTITIES, AUDIT_FIELDS, AUDIT_SENTENCES,
                          DELIVERY_STATUS, PLACE_LEVELS, REPORT_STATUS, ROLES, WORKER_ROLES,
                          WORKER_STATUS, YES_NO, actor_names, language_name,
                          period_label, reason_text, telegram_error)

# The values of a field that is a code, per entity where the codes differ ("status").
STATUS_BY_ENTITY = {"report": REPORT_STATUS, "application": chain.STATUS_LABELS,
                    "social_organization": registry.STATUSES, "worker": WORKER_STATUS,
                    "delivery": DELIVERY_STATUS}
CODED = {"role": {**ROLES, **WORKER_ROLES}, "category": registry.CATEGORIES,
         "gender": registry.GENDERS}
BOOLEAN = ("active", "is_hub", "disabled", "must_change_password", "weekly", "quarterly",
           "half", "annual")
REASONS = ("reject_reason", "opinion")  # shown after the sentence: "…：原因"
HIDDEN = ("id_type",)  # internal codes that say nothing to an official


def _names(model, column, values, show) -> dict:
    values = {v for v in values if v}
    if not values:
        return {}
    return {str(getattr(row, column.name)): show(row)
            for row in model.select().where(column.in_(list(values)))}


def _ids(rows, entity) -> set:
    return {r.entity_id for r in rows if r.entity == entity and r.entity_id}


def _int_ids(rows, entity) -> set:
    return {int(i) for i in _ids(rows, entity) if i.lstrip("-").isdigit()}


def row_names(rows) -> dict:
    """(entity, entity_id) → what the row is called, for a page of audit rows, a few queries
    in all."""
    out = {}
    for entity, model, show in (
            ("worker", Worker, lambda w: w.display_name),
            ("social_organization", SocialOrganization, lambda o: o.name),
            ("application", Application, lambda a: a.title),
            ("volunteer", Volunteer, lambda v: v.name),
            ("org_unit", OrgUnit, lambda u: u.name)):
        for key, name in _names(model, model.id, _int_ids(rows, entity), show).items():
            out[(entity, key)] = name
    for key, name in _names(Group, Group.chat_id, _int_ids(rows, "group"),
                            lambda grp: grp.title or "").items():
        out[("group", key)] = name
    officials = _int_ids(rows, "admin_user")
    for key, name in _names(AdminUser, AdminUser.id, officials,
                            lambda u: u.display_name or u.username).items():
        out[("admin_user", key)] = name
    by_username = {i for i in _ids(rows, "admin_user") if not i.isdigit()}
    for key, name in _names(AdminUser, AdminUser.username, by_username,
                            lambda u: u.display_name or u.username).items():
        out[("admin_user", key)] = name
    return out


def what(row: AuditLog, names: dict) -> str:
    """The row an audit entry is about, in words: "报告 #123", "群组“东城街道工作群”"."""
    entity = _(AUDIT_ENTITIES[row.entity]) if row.entity in AUDIT_ENTITIES else _("a record")
    name = names.get((row.entity, row.entity_id))
    if row.entity in ("load", "import"):
        return entity
    if row.entity == "digest" and row.entity_id and ":" in row.entity_id:
        code, period = row.entity_id.split(":", 1)
        unit = OrgUnit.get_or_none(OrgUnit.code == code)
        return f"{entity}（{unit.name if unit else code} · {period_label(period)}）"
    if name:
        return _("{entity} “{name}”").format(entity=entity, name=name)
    if row.entity_id and row.entity_id.lstrip("-").isdigit() and row.entity != "group":
        return f"{entity} #{row.entity_id}"
    return entity


SIGN_INS = ("login", "login_failed", "login_throttled")  # the actor is the visitor's address
LINKED = {"report": "reports.details_view", "application": "applications.details_view",
          "social_organization": "organizations.details_view",
          "worker": "workers.details_view", "volunteer": "volunteers.details_view"}


def sentence(row: AuditLog, names: dict, actors: dict) -> Markup:
    """"东城街道·王某 退回了报告 #123：原因…", the row a link to its page where it has one."""
    if row.action in SIGN_INS and row.entity == "admin_user":
        known = ("admin_user", row.entity_id) in names  # else a username that was typed
        who = actors.get(f"admin:{row.entity_id}") if known else (row.entity_id or "")
    else:
        who = actors.get(row.actor, row.actor)
    template = AUDIT_SENTENCES.get(row.action)
    thing = escape(what(row, names))
    if row.entity in LINKED and row.entity_id and row.entity_id.isdigit():
        thing = Markup('<a href="{}">{}</a>').format(
            url_for(LINKED[row.entity], id=row.entity_id), thing)
    who = escape(who)
    if template is None:
        text = Markup(escape(_("{who}: {action} {what}"))).format(
            who=who, action=_("a change"), what=thing)
    else:
        text = Markup(escape(_(template))).format(who=who, what=thing)
    reason = next((row.after.get(k) for k in REASONS
                   if isinstance(row.after, dict) and row.after.get(k)), None)
    if reason and row.action in ("rejected", "return", "reject", "deregister", "pass",
                                 "approve", "review", "file"):
        text = Markup(escape(_("{sentence}: {reason}"))).format(sentence=text, reason=reason)
    return text


def value_label(entity: str, field: str, value) -> str:
    """One stored value as an official reads it."""
    if value is None or value == "":
        return "—"
    if field == "status":
        tables = [STATUS_BY_ENTITY.get(entity, {}), *STATUS_BY_ENTITY.values()]
        table = next((t for t in tables if value in t), {})
        return _(table[value]) if value in table else str(value)
    if field == "period":
        return period_label(str(value))
    if field == "error":
        return telegram_error(str(value))
    if field in ("reason", "inactive_reason"):
        return reason_text(str(value))
    if field == "created" and isinstance(value, dict):
        # what a load created: how many of each kind of row, not their internal codes
        return "；".join(f"{_(AUDIT_ENTITIES[k]) if k in AUDIT_ENTITIES else _('Other')} "
                        f"{len(v) if isinstance(v, (list, dict)) else v}"
                        for k, v in value.items())
    if field == "level":
        if entity == "application":
            return chain.step_name(value, translator(project_locale()))
        return _(PLACE_LEVELS[value]) if value in PLACE_LEVELS else str(value)
    if field in CODED:
        return _(CODED[field][value]) if value in CODED[field] else str(value)
    if field == "language":
        return language_name(value)
    if field in BOOLEAN or isinstance(value, bool):
        return _(YES_NO[bool(value)])
    if field == "org_unit":
        unit = (OrgUnit.get_or_none(OrgUnit.id == value) if isinstance(value, int)
                else OrgUnit.get_or_none(OrgUnit.code == str(value)))
        return unit.name if unit else str(value)
    if field == "indicator" and isinstance(value, int):
        ind = Indicator.get_or_none(Indicator.id == value)
        return ind.label(project_locale()) if ind else str(value)
    if isinstance(value, list):
        return "、".join(value_label(entity, field, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{field_label(k)}：{value_label(entity, k, v)}"
                        for k, v in value.items())
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def field_label(field: str) -> str:
    return _(AUDIT_FIELDS[field]) if field in AUDIT_FIELDS else _("Other")


def changes(row: AuditLog) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field the entry changed (every field of a creation or
    a deletion); the reasons are in the sentence, internal codes left out."""
    before = row.before if isinstance(row.before, dict) else {}
    after = row.after if isinstance(row.after, dict) else {}
    out = []
    for key in list(before) + [k for k in after if k not in before]:
        if key in HIDDEN or key in REASONS:
            continue
        old, new = before.get(key), after.get(key)
        if before and after and old == new:
            continue
        out.append((field_label(key), value_label(row.entity, key, old) if key in before else "",
                    value_label(row.entity, key, new) if key in after else ""))
    return out


def _sentence_cell(view, context, model, name):
    return sentence(model, g.get("wushe_audit_names", {}), g.get("wushe_audit_actors", {}))


def _changes_cell(view, context, model, name):
    rows = changes(model)
    if not rows:
        return ""
    head = Markup("<tr><th></th><th>{}</th><th>{}</th></tr>").format(_("Before"), _("After"))
    body = Markup("").join(Markup("<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>")
                           .format(f, b, a) for f, b, a in rows)
    return Markup('<table class="table table-sm table-borderless mb-0 small wushe-changes">'
                  "{}{}</table>").format(head, body)


class AuditLogView(ScopedModelView):
    can_view_details = True
    card_fields = ("sentence", "at", "changes")  # a phone's card (the list template's cards)
    column_list = ("at", "sentence", "changes")
    column_details_list = ("at", "sentence", "who", "action", "entity", "changes")
    column_labels = {"at": _l("When"), "sentence": _l("What happened"), "who": _l("Who"),
                     "action": _l("Action"), "entity": _l("What"), "changes": _l("Changes"),
                     "actor": _l("Who")}
    column_sortable_list = ("at",)
    column_default_sort = [("at", True), ("id", True)]
    column_searchable_list = ("actor", "entity_id")
    column_filters = [
        ChoiceFilter(AuditLog.entity, _l("What"),
                     lambda: [(k, _(v)) for k, v in AUDIT_ENTITIES.items()]),
        ChoiceFilter(AuditLog.action, _l("Action"),
                     lambda: [(k, _(v)) for k, v in AUDIT_ACTIONS.items()]),
        DateTimeBetweenFilter(AuditLog.at, _l("When")),
    ]
    column_formatters = {
        "sentence": _sentence_cell, "changes": _changes_cell,
        "who": lambda v, c, m, n: g.get("wushe_audit_actors", {}).get(m.actor, m.actor),
        "entity": lambda v, c, m, n: what(m, g.get("wushe_audit_names", {})),
        "action": lambda v, c, m, n: _(AUDIT_ACTIONS[m.action])
        if m.action in AUDIT_ACTIONS else _("a change"),
    }
    column_formatters_detail = column_formatters

    def search_placeholder(self) -> str | None:
        return _("Search: account name or number")

    def attach(self, rows) -> None:
        g.wushe_audit_actors = actor_names({r.actor for r in rows} | {
            f"admin:{r.entity_id}" for r in rows if r.action in SIGN_INS})
        g.wushe_audit_names = row_names(rows)

    def get_one(self, id):
        row = super().get_one(id)
        self.attach([row])
        return row

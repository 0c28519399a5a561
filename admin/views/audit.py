"""The audit log, read-only: who changed what, when, before → after (scoped like the rows
it is about; sign-ins and plan changes are the city admin's)."""
from __future__ import annotations

import json

from flask_admin.contrib.peewee.filters import DateTimeBetweenFilter, FilterLike
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from models.core.schema import AuditLog

from admin.base import ScopedModelView
from admin.filters import ChoiceFilter
from admin.labels import AUDIT_ACTION_LABELS

ENTITIES = {"report": _l("Report"), "worker": _l("Worker"), "invite": _l("Invite"),
            "target": _l("Target"), "org_unit": _l("Place"), "plan": _l("Plan"),
            "admin_user": _l("Official"), "social_organization": _l("Social organization"),
            "volunteer": _l("Volunteer"), "volunteer_hours": _l("Service hours"),
            "group": _l("Group"), "delivery": _l("Delivery"), "digest": _l("Digest")}


def _json(view, context, model, name):
    value = getattr(model, name)
    if value is None:
        return ""
    return Markup("<code>{}</code>").format(json.dumps(value, ensure_ascii=False, sort_keys=True))


class AuditLogView(ScopedModelView):
    can_view_details = True
    card_fields = ("action", "actor", "at", "entity", "entity_id")
    column_list = ("at", "actor", "action", "entity", "entity_id", "before", "after")
    column_labels = {"at": _l("When"), "actor": _l("Who"), "action": _l("Action"),
                     "entity": _l("What"), "entity_id": _l("Id"), "before": _l("Before"),
                     "after": _l("After")}
    column_sortable_list = ("at", "actor", "action", "entity")
    column_default_sort = [("at", True), ("id", True)]
    column_searchable_list = ("actor", "entity_id")
    column_filters = [
        ChoiceFilter(AuditLog.entity, _l("What"), lambda: list(ENTITIES.items())),
        FilterLike(AuditLog.action, _l("Action")),
        FilterLike(AuditLog.actor, _l("Who")),
        DateTimeBetweenFilter(AuditLog.at, _l("When")),
    ]
    column_formatters = {"before": _json, "after": _json,
                         "entity": lambda v, c, m, n: str(ENTITIES.get(m.entity, m.entity)),
                         "action": lambda v, c, m, n: str(AUDIT_ACTION_LABELS.get(m.action,
                                                                                  m.action))}
    column_formatters_detail = column_formatters

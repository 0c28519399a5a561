"""Workers (approve a pending registration, disable, re-enable) and the invites that bring
them in (a code and a ``t.me/<bot>?start=<code>`` link bound to one community in scope)."""
from __future__ import annotations

from flask import abort, flash, redirect
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, NumberRange

from models.org import access
from models.core.db import database
from models.core.errors import NotFound
from models.core.schema import Invite, OrgUnit, Worker, audit
from models.org.workers import create_invite, invite_link, set_status

from admin.base import (ScopedModelView, SecureForm, actor, badge, current_settings, labelled,
                   post_button)
from admin.filters import ChoiceFilter, place_filters
from admin.formatting import attach_units, unit_label
from admin.labels import PLACE_NAMES, language_name, person
from admin.redirects import referrer_path, safe_target
from admin.labels import WORKER_ROLE_LABELS as WORKER_ROLES
from admin.labels import WORKER_STATUS_LABELS as WORKER_STATUS
from admin.labels import WORKER_STATUS_STYLES as WORKER_COLOURS

# status change -> (allowed from, button label, button style)
CHANGES = {
    "approve": (("pending",), "active", _l("Approve"), "success"),
    "disable": (("pending", "active"), "disabled", _l("Disable"), "outline-danger"),
    "enable": (("disabled",), "active", _l("Re-enable"), "outline-success"),
}


class WorkerView(ScopedModelView):
    extra_write_views = frozenset({"status_view"})
    card_fields = ("display_name", "status", "org_unit", "role")
    column_list = ("display_name", "username", "org_unit", "role", "status", "language",
                   "created_at", "last_report_at", "manage")
    column_labels = {"display_name": _l("Name"), "username": _l("Telegram username"),
                     "org_unit": _l("Community"), "role": _l("Role"), "status": _l("Status"),
                     "language": _l("Language"), "created_at": _l("Registered"),
                     "last_report_at": _l("Last report"), "manage": _l("Manage"),
                     "tg_user_id": _l("Telegram id")}
    column_sortable_list = ("display_name", "status", "created_at", "last_report_at")
    column_default_sort = [("created_at", True)]
    column_searchable_list = ("display_name", "username")
    column_filters = place_filters(Worker.org_unit, PLACE_NAMES) + [
        ChoiceFilter(Worker.status, _l("Status"), lambda: list(WORKER_STATUS.items())),
    ]
    column_formatters = {
        "org_unit": unit_label,
        "role": labelled(WORKER_ROLES),
        "status": badge(WORKER_STATUS, WORKER_COLOURS),
        "language": lambda v, c, m, n: language_name(m.language),
        "manage": lambda v, c, m, n: v.buttons(m),
    }
    column_details_list = ("display_name", "username", "tg_user_id", "org_unit", "role",
                           "status", "language", "created_at", "last_report_at")
    column_formatters_detail = {"org_unit": unit_label, "role": labelled(WORKER_ROLES),
                                "status": badge(WORKER_STATUS, WORKER_COLOURS),
                                "language": lambda v, c, m, n: language_name(m.language)}

    def attach(self, rows) -> None:
        attach_units(rows)

    def buttons(self, worker: Worker):
        if not self.can_write():
            return ""
        return Markup(" ").join(
            post_button(self.get_url(".status_view", id=worker.id, change=change), str(label),
                        style)
            for change, (allowed, _to, label, style) in CHANGES.items() if worker.status in allowed)

    @expose("/status/<int:id>/<change>", methods=("POST",))
    def status_view(self, id: int, change: str):
        worker = self.get_one(id)
        if change not in CHANGES:
            abort(404)
        allowed, to, _label, _style = CHANGES[change]
        if worker.status in allowed:
            with database.atomic():
                set_status(worker, to, actor())
            flash(_("{name} is now: {status}").format(name=worker.display_name,
                                                      status=WORKER_STATUS[to]), "success")
        return redirect(safe_target(referrer_path(), self.get_url(".index_view")))

    def _bulk(self, ids, change: str) -> int:
        allowed, to, _label, _style = CHANGES[change]
        wanted = [int(i) for i in ids if str(i).isdigit()]
        with database.atomic():
            rows = list(self.get_query().where(Worker.id.in_(wanted), Worker.status.in_(allowed)))
            for w in rows:
                set_status(w, to, actor())
        return len(rows)

    @action("approve", _l("Approve"), _l("Approve the selected registrations?"))
    def action_approve(self, ids):
        n = self._bulk(ids, "approve")
        flash(ngettext("%(num)d worker approved.", "%(num)d workers approved.", n), "success")

    @action("disable", _l("Disable"),
            _l("Disable the selected workers? They can no longer report."))
    def action_disable(self, ids):
        n = self._bulk(ids, "disable")
        flash(ngettext("%(num)d worker disabled.", "%(num)d workers disabled.", n), "success")

    @action("enable", _l("Re-enable"), _l("Re-enable the selected workers?"))
    def action_enable(self, ids):
        n = self._bulk(ids, "enable")
        flash(ngettext("%(num)d worker re-enabled.", "%(num)d workers re-enabled.", n), "success")


class InviteForm(SecureForm):
    community = SelectField(_l("Community"), validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=[SelectChoice(k, v) for k, v in WORKER_ROLES.items()],
                       default="worker")
    max_uses = IntegerField(_l("How many people may use it"), default=1,
                            validators=[DataRequired(), NumberRange(min=1, max=500)])
    days = IntegerField(_l("Valid for (days)"), default=30,
                        validators=[DataRequired(), NumberRange(min=1, max=365)])
    requires_approval = BooleanField(_l("New workers wait for approval"))


def community_choices() -> list[SelectChoice]:
    """Communities in scope, grouped by township."""
    units = list(access.units_in_scope(current_user).where(OrgUnit.level == "community")
                 .order_by(OrgUnit.code))
    parents = {p.id: p.name for p in OrgUnit.select().where(
        OrgUnit.id.in_({u.parent_id for u in units}))} if units else {}
    return [SelectChoice(u.code, f"{u.name} ({u.code})", optgroup=parents.get(u.parent_id))
            for u in units]


class InviteView(ScopedModelView):
    creatable = True
    extra_write_views = frozenset({"disable_view"})
    card_fields = ("code", "org_unit", "uses", "expires_at")
    column_list = ("code", "org_unit", "link", "uses", "max_uses", "expires_at",
                   "requires_approval", "disabled", "created_by", "created_at")
    column_labels = {"code": _l("Invite code"), "org_unit": _l("Community"), "link": _l("Link"),
                     "uses": _l("Used"), "max_uses": _l("Uses allowed"),
                     "expires_at": _l("Expires"), "requires_approval": _l("Needs approval"),
                     "disabled": _l("Withdrawn"), "created_by": _l("Created by"),
                     "created_at": _l("Created"), "role": _l("Role")}
    column_default_sort = [("created_at", True)]
    column_searchable_list = ("code",)
    column_filters = place_filters(Invite.org_unit, PLACE_NAMES)
    column_formatters = {"org_unit": unit_label,
                         "link": lambda v, c, m, n: v.link_cell(m)}
    column_details_list = ("code", "link", "org_unit", "role", "uses", "max_uses",
                           "expires_at", "requires_approval", "disabled", "created_by",
                           "created_at")
    column_formatters_detail = {"org_unit": unit_label, "role": labelled(WORKER_ROLES),
                                "link": lambda v, c, m, n: v.link_cell(m, withdraw=True),
                                "created_by": lambda v, c, m, n: person(m.created_by)}

    def attach(self, rows) -> None:
        attach_units(rows)

    def link_cell(self, invite: Invite, withdraw: bool = False):
        link = invite_link(invite, current_settings().bot_username)
        cell = Markup('<a href="{0}" target="_blank" rel="noopener"><code>{0}</code></a>'
                      ).format(link)
        if withdraw and self.can_write() and not invite.disabled:
            cell += Markup(" ") + post_button(self.get_url(".disable_view", id=invite.id),
                                              _("Withdraw"), "outline-danger")
        return cell

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        form = InviteForm()
        form.community.choices = community_choices()
        if form.validate_on_submit():
            unit = OrgUnit.get(OrgUnit.code == form.community.data)
            try:
                access.require_in_scope(current_user, unit)
            except NotFound:
                abort(404)
            with database.atomic():
                invite = create_invite(unit, role=form.role.data, max_uses=form.max_uses.data,
                                       days=form.days.data,
                                       requires_approval=form.requires_approval.data,
                                       created_by=actor())
            flash(_("Invite created. Send the link to the worker."), "success")
            return redirect(self.get_url(".details_view", id=invite.id))
        return self.render("wushe/invite_form.html", form=form,
                           return_url=self.get_url(".index_view"))

    @expose("/disable/<int:id>", methods=("POST",))
    def disable_view(self, id: int):
        invite = self.get_one(id)
        if not invite.disabled:
            with database.atomic():
                invite.disabled = True
                invite.save()
                audit(actor(), "disable", "invite", invite.id, before={"disabled": False},
                      after={"disabled": True})
            flash(_("Invite withdrawn: its link no longer works."), "success")
        return redirect(self.get_url(".details_view", id=invite.id))

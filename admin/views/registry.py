"""The registry pages: community social organizations (备案: first review by the 居(村)委会,
filing by the 街道) and volunteers with their time bank, and the national volunteer export.

Everything about the workflow — which level may act, which status may follow which — is
``models.registry``; these views show, route and translate its refusals. The level an
official acts at is their own org unit: a 居委会 account (an account created at a community)
does first reviews, a street account (created at a township) files and deregisters; a county
or city official sees everything in their area and acts at no level of this workflow.
Township officers (the approval chain's street accounts) may act here too.

ID numbers are shown masked everywhere but in the national export, which the import into the
national system needs whole; so that export is for officials who may write.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Response, abort, flash, g, redirect, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import (BooleanField, DateField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models.org import access
from models import registry
from models.core.errors import ValidationError
from models.core.i18n import translator
from models.core.messages import explain
from models.core.schema import AuditLog, OrgUnit, SocialOrganization, Volunteer, VolunteerHours

from admin.base import ScopedModelView, SecureForm, actor, badge, labelled, today, yes_no
from admin.downloads import table_download
from admin.filters import ChoiceFilter, place_filters
from admin.forms import CleanForm
from admin.i18n import project_locale
from admin.formatting import attach_units, unit_label
from admin.labels import ACTIVE_LABELS, PLACE_NAMES

STATUS_COLOURS = {"pending": "info", "reviewed": "primary", "filed": "success",
                  "returned": "warning", "deregistered": "secondary"}
ACTIONS = {  # action -> (button label, style, needs a reason)
    "review": (_l("Pass the first review"), "primary", False),
    "file": (_l("File (备案)"), "success", False),
    "return": (_l("Return with a reason"), "outline-warning", True),
    "deregister": (_l("Deregister"), "outline-danger", True),
}
WRITE_ROLES = access.EDITOR_ROLES + (access.TOWNSHIP_OFFICER,)


def _labels(table: dict) -> dict:
    return {k: _l(v) for k, v in table.items()}


def _can_write() -> bool:
    return bool(current_user.is_authenticated and current_user.active
                and current_user.role in WRITE_ROLES)


def _explain(error: ValidationError) -> str:
    return explain(error, translator(project_locale()))


def _download(table, fmt: str, name: str) -> Response:
    return table_download([table], f"{name}_{today():%Y%m%d}", fmt)


# ---------------------------------------------------------------------------------------------
# Organizations
# ---------------------------------------------------------------------------------------------

class OrganizationForm(SecureForm):
    place = SelectField(_l("Community (a hub: its street)"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    leader = StringField(_l("Leader"), validators=[DataRequired(), Length(max=100)])
    leader_phone = StringField(_l("Leader's phone"), validators=[Optional(), Length(max=32)])
    members = IntegerField(_l("Members"), default=0,
                           validators=[Optional(), NumberRange(min=0, max=100000)])
    founded_on = DateField(_l("Founded on"), validators=[Optional()])
    is_hub = BooleanField(_l("Hub organization of its street (枢纽型社区社会组织联合会)"))
    full_time_social_workers = IntegerField(_l("Full-time social workers (a hub: 2–3)"),
                                            default=0,
                                            validators=[Optional(), NumberRange(min=0, max=100)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


class ActForm(CleanForm):
    reason = TextAreaField(_l("Opinion or reason"), validators=[Length(max=500)])


def _place_choices() -> list[SelectChoice]:
    """Communities in scope grouped by street, and the streets themselves (for hubs)."""
    units = list(access.units_in_scope(current_user)
                 .where(OrgUnit.level.in_(("township", "community"))).order_by(OrgUnit.path))
    names = {u.id: u.name for u in units}
    out = []
    for u in units:
        if u.level == "township":
            out.append(SelectChoice(u.code, f"{u.name} ({_('street')})", optgroup=u.name))
        else:
            group = names.get(u.parent_id, "")
            out.append(SelectChoice(u.code, f"{u.name} ({u.code})", optgroup=group))
    return out


def _category_choices():
    return [(code, _(label)) for code, label in registry.CATEGORIES.items()]


def _category_is(code):
    """Stored codes, and the Chinese names an import may have kept."""
    names = [code, registry.CATEGORY_ZH.get(code, code)]
    return SocialOrganization.category.in_(names)


def _category_label(value) -> str:
    code = registry.category_code(value)
    return _(registry.CATEGORIES[code]) if code else str(value or "")


def _hub_cell(view, context, model, name):
    if not model.is_hub:
        return ""
    cell = Markup('<span class="badge badge-dark" title="{}">{}</span>').format(
        _("Hub organization of its street"), _("Hub"))
    return cell


def _staff_cell(view, context, model, name):
    if not model.is_hub:
        return ""
    issue = registry.staffing_issue(model)
    n = model.full_time_social_workers or 0
    if issue is None:
        return str(n)
    low, high = registry.HUB_SOCIAL_WORKERS
    return Markup('{} <span class="badge badge-warning" title="{}">⚠</span>').format(
        n, _("The document asks for %(min)d–%(max)d full-time social workers.", min=low,
             max=high))


class RegistryView(ScopedModelView):
    """What the register's views share: who may write, and the places behind each row."""

    def can_write(self) -> bool:
        return _can_write()

    def attach(self, rows) -> None:
        attach_units(rows)
        self.decorate(rows)

    @expose("/active/<int:id>/<int:on>", methods=("POST",))
    def active_view(self, id: int, on: int):
        row = self.get_one(id)
        try:
            self.set_active(row, bool(on))
        except ValidationError as e:
            flash(_explain(e), "error")
        else:
            self.say_active(row, bool(on))
        return redirect(self.get_url(".details_view", id=row.id))

    def set_active(self, row, on: bool) -> None:
        """The register's rule for this view's record (organizations and volunteers differ)."""
        raise NotImplementedError

    def say_active(self, row, on: bool) -> None:
        """What to tell the official once the record changed (nothing by default)."""

    def decorate(self, rows) -> None:
        """Per-page figures a column needs (none by default)."""


class OrganizationView(RegistryView):
    """The 备案 register of the official's area, its filters, and the workflow's acts."""

    creatable = True
    editable = True
    extra_write_views = frozenset({"act_view", "active_view"})
    card_fields = ("name", "status", "category", "org_unit")
    column_list = ("name", "category", "org_unit", "leader", "members", "founded_on", "status",
                   "is_hub", "full_time_social_workers", "active")
    column_labels = {"name": _l("Name"), "category": _l("Category"), "org_unit": _l("Place"),
                     "leader": _l("Leader"), "members": _l("Members"),
                     "founded_on": _l("Founded on"), "status": _l("Status"), "is_hub": _l("Hub"),
                     "full_time_social_workers": _l("Full-time social workers"),
                     "active": _l("Active")}
    column_sortable_list = ("name", "status", "founded_on", "members")
    column_default_sort = [("id", True)]
    column_searchable_list = ("name", "leader")
    column_filters = place_filters(SocialOrganization.org_path, PLACE_NAMES) + [
        ChoiceFilter(SocialOrganization.category, _l("Category"), _category_choices,
                     apply=_category_is),
        ChoiceFilter(SocialOrganization.status, _l("Status"),
                     lambda: [(k, _(v)) for k, v in registry.STATUSES.items()]),
        ChoiceFilter(SocialOrganization.is_hub, _l("Hub"),
                     lambda: [("1", _("Hub organizations")), ("0", _("Other organizations"))],
                     apply=lambda v: SocialOrganization.is_hub == (v == "1")),
    ]
    column_formatters = {
        "category": lambda v, c, m, n: _category_label(m.category),
        "org_unit": unit_label,
        "status": lambda v, c, m, n: badge(_labels(registry.STATUSES), STATUS_COLOURS)(v, c, m, n),
        "is_hub": _hub_cell,
        "full_time_social_workers": _staff_cell,
        "active": yes_no,
    }
    can_export = True
    export_types = ["csv", "xlsx"]

    # -- one organization ---------------------------------------------------------------

    @expose("/details/")
    def details_view(self):
        org = self.get_one(request.args.get("id"))
        unit = current_user.org_unit
        history = list(AuditLog.select().where(AuditLog.entity == "social_organization",
                                               AuditLog.entity_id == str(org.id))
                       .order_by(AuditLog.at, AuditLog.id))
        street = org.org_unit if org.is_hub else org.org_unit.parent
        actions = registry.allowed_actions(org, unit) if self.can_write() else []
        return self.render(
            "wushe/organization_details.html", org=org, street=street,
            category=_category_label(org.category),
            status_label=_(registry.STATUSES.get(org.status, org.status)),
            status_colour=STATUS_COLOURS.get(org.status, "secondary"),
            staffing=registry.staffing_issue(org), hub_range=registry.HUB_SOCIAL_WORKERS,
            history=history, actions=[(a, *ACTIONS[a]) for a in actions], form=ActForm(),
            can_edit=self.can_write() and org.status != "deregistered",
            action_names={"create": _("Registered"), "update": _("Corrected"),
                          "resubmit": _("Corrected and submitted again"),
                          "review": _("First review passed"), "file": _("Filed"),
                          "return": _("Returned"), "deregister": _("Deregistered"),
                          "activate": _("Marked active"), "deactivate": _("Marked inactive")},
            return_url=self.get_url(".index_view"))

    @expose("/act/<int:id>/<act>", methods=("POST",))
    def act_view(self, id: int, act: str):
        org = self.get_one(id)
        if act not in ACTIONS:
            abort(404)
        form = ActForm()
        reason = (form.reason.data or "").strip() if form.validate_on_submit() else None
        if reason is None:
            flash(_("The opinion is too long: at most 500 characters."), "error")
            return redirect(self.get_url(".details_view", id=org.id))
        unit = current_user.org_unit
        try:
            if act == "review":
                registry.review_organization(org, unit=unit, actor=actor(), opinion=reason)
            elif act == "file":
                registry.file_organization(org, unit=unit, actor=actor(), opinion=reason)
            elif act == "return":
                registry.return_organization(org, unit=unit, actor=actor(), reason=reason)
            else:
                registry.deregister_organization(org, unit=unit, actor=actor(), reason=reason)
        except ValidationError as e:
            flash(_explain(e), "error")
        else:
            flash(_("%(name)s: %(status)s", name=org.name,
                    status=_(registry.STATUSES[org.status])), "success")
        return redirect(self.get_url(".details_view", id=org.id))

    def set_active(self, row, on: bool) -> None:
        registry.set_organization_active(row, on, actor=actor())

    # -- register and correct -------------------------------------------------------------

    def _form_values(self, form: OrganizationForm) -> dict:
        return {"name": form.name.data, "category": form.category.data,
                "leader": form.leader.data, "leader_phone": form.leader_phone.data,
                "members": form.members.data or 0, "founded_on": form.founded_on.data,
                "full_time_social_workers": form.full_time_social_workers.data or 0,
                "note": form.note.data}

    def _saved(self, form: OrganizationForm, save, done: str):
        """Run ``save`` (the register's write, returning the organization): its page once
        saved, else None, the form's field holding the register's refusal."""
        try:
            org = save()
        except ValidationError as e:
            self._form_error(form, e)
            return None
        flash(done, "success")
        return redirect(self.get_url(".details_view", id=org.id))

    def _form_error(self, form: OrganizationForm, e: ValidationError) -> None:
        field = getattr(form, e.field, None) if e.field else None
        if e.field == "org_unit":
            field = form.place
        message = _explain(e)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
        flash(message, "error")

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        form = OrganizationForm()
        form.place.choices = _place_choices()
        form.category.choices = _category_choices()
        if form.validate_on_submit():
            unit = OrgUnit.get_or_none(OrgUnit.code == form.place.data)
            if unit is None or not access.in_scope(current_user, unit):
                abort(404)
            saved = self._saved(form, lambda: registry.create_organization(
                unit, self._form_values(form), actor=actor(), is_hub=form.is_hub.data,
                today=today()), _("Registered: it waits for its first review."))
            if saved:
                return saved
        return self.render("wushe/invite_form.html", form=form,
                           return_url=self.get_url(".index_view"))

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        org = self.get_one(request.args.get("id"))
        if org.status == "deregistered":
            abort(404)
        form = OrganizationForm(obj=None if request.method == "POST" else org)
        del form.place, form.is_hub
        form.category.choices = _category_choices()
        if request.method == "GET":
            form.category.data = registry.category_code(org.category)
        if form.validate_on_submit():
            saved = self._saved(form, lambda: registry.update_organization(
                org, self._form_values(form), actor=actor(), today=today()), _("Saved."))
            if saved:
                return saved
        return self.render("wushe/invite_form.html", form=form,
                           return_url=self.get_url(".details_view", id=org.id))

    # -- export ---------------------------------------------------------------------------

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        if export_type not in self.export_types:
            abort(404)
        _count, orgs = self._export_data()
        return _download(registry.organization_table(orgs), export_type, "社区社会组织备案名录")


# ---------------------------------------------------------------------------------------------
# Volunteers and the time bank
# ---------------------------------------------------------------------------------------------

SOURCES = {"bot": _l("Bot"), "import": _l("Import"), "admin": _l("Admin")}


class VolunteerView(RegistryView):
    """Volunteers of the area with their hours; the time bank per community; the exports."""

    extra_write_views = frozenset({"active_view", "national_view"})
    card_fields = ("name", "org_unit", "team", "phone")
    column_list = ("name", "gender", "phone", "id_number", "org_unit", "team", "skills",
                   "registered_on", "source", "active", "hours")
    column_labels = {"name": _l("Name"), "gender": _l("Gender"), "phone": _l("Phone"),
                     "id_number": _l("ID number"), "org_unit": _l("Community"),
                     "team": _l("Team"), "skills": _l("Skills"),
                     "registered_on": _l("Registered on"), "source": _l("Source"),
                     "active": _l("Active"), "hours": _l("Hours (time bank)")}
    column_sortable_list = ("name", "registered_on", "team")
    column_default_sort = [("registered_on", True), ("id", True)]
    column_searchable_list = ("name", "phone", "team", "skills")
    column_filters = place_filters(Volunteer.org_path, PLACE_NAMES) + [
        ChoiceFilter(Volunteer.active, _l("Active"),
                     lambda: [("1", ACTIVE_LABELS[True]), ("0", ACTIVE_LABELS[False])],
                     apply=lambda v: Volunteer.active == (v == "1")),
        ChoiceFilter(Volunteer.source, _l("Source"), lambda: list(SOURCES.items())),
    ]
    column_formatters = {
        "gender": lambda v, c, m, n: _(registry.GENDERS[registry.gender_code(m.gender)])
        if registry.gender_code(m.gender) else "",
        "id_number": lambda v, c, m, n: registry.mask_id_number(m.id_number),
        "org_unit": unit_label,
        "source": labelled(SOURCES),
        "active": yes_no,
        "hours": lambda v, c, m, n: _hours(g.get("wushe_balances", {}).get(m.id)),
    }

    def decorate(self, rows) -> None:
        g.wushe_balances = registry.balances(v.id for v in rows)

    @expose("/details/")
    def details_view(self):
        v = self.get_one(request.args.get("id"))
        entries = list(VolunteerHours.select().where(VolunteerHours.volunteer == v)
                       .order_by(VolunteerHours.date.desc(), VolunteerHours.id.desc()))
        code = registry.gender_code(v.gender)
        return self.render(
            "wushe/volunteer_details.html", v=v, place=unit_label(None, None, v, "org_unit"),
            gender=_(registry.GENDERS[code]) if code else "—",
            id_number=registry.mask_id_number(v.id_number) or "—",
            entries=[(h.date, _hours(h.hours), h.activity) for h in entries],
            balance=_hours(registry.balance(v)), can_write=self.can_write(),
            return_url=self.get_url(".index_view"))

    def set_active(self, row, on: bool) -> None:
        registry.set_volunteer_active(row, on, actor=actor())

    def say_active(self, row, on: bool) -> None:
        flash(_("%(name)s is active again.", name=row.name) if on else
              _("%(name)s is no longer active; their hours stay in the bank.", name=row.name),
              "success")

    @expose("/timebank/")
    def timebank_view(self):
        year = request.args.get("year", type=int) or today().year
        root = access.scope_root(current_user)
        code = request.args.get("place")
        if code:
            unit = OrgUnit.get_or_none(OrgUnit.code == code)
            if unit is None or not access.in_scope(current_user, unit):
                abort(404)
            root = unit
        rows = registry.time_bank(root, year)
        parent_ids = {r.community.parent_id for r in rows}
        parents = {p.id: p.name for p in OrgUnit.select().where(OrgUnit.id.in_(parent_ids))} \
            if parent_ids else {}
        total = registry.CommunityBank(root, sum(r.registered for r in rows),
                                       sum(r.with_hours for r in rows),
                                       sum((r.hours for r in rows), start=Decimal(0)),
                                       sum((r.balance for r in rows), start=Decimal(0)))
        population = sum(r.community.population or 0 for r in rows)
        return self.render("wushe/timebank.html", rows=rows, total=total, year=year, root=root,
                           population=population, parents=parents, fmt=_hours, pct=_pct,
                           can_export=self.can_write(),
                           return_url=self.get_url(".index_view"))

    @expose("/national/<what>.<fmt>")
    def national_view(self, what: str, fmt: str):
        """The files for the national volunteer-service information system (full ID numbers:
        for officials who may write)."""
        root = access.scope_root(current_user)
        if what == "volunteers":
            table, name = registry.national_volunteers(root), "志愿者_全国志愿服务信息系统"
        elif what == "hours":
            year = request.args.get("year", type=int)
            start, end = (dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else (None, None)
            table, name = registry.national_hours(root, start=start, end=end), \
                "志愿服务时长_全国志愿服务信息系统"
        else:
            abort(404)
        return _download(table, fmt, name)


def _hours(value) -> str:
    if value is None:
        return "0"
    return format(Decimal(str(value)).normalize(), "f")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"

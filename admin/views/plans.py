"""Plans (which statuses count toward targets), their indicators, and the targets officials set
for places in their scope; the progress table as XLSX.

Progress comes from ``models.plans.progress.plan_progress`` and ``breakdown`` only: the admin never
counts anything itself.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectMultipleField, widgets
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from models.org import access
from models.plans.progress import breakdown, plan_progress
from models.core.schema import Indicator, OrgUnit, Plan, ReportKind, Target

from admin.base import ScopedModelView, labelled, today, unit_in_scope, yes_no
from admin.downloads import download, to_xlsx
from admin.exports import progress_tables
from admin.filters import ChoiceFilter, place_filters
from admin.formatting import due_text
from admin.i18n import project_locale
from admin.labels import (INDICATOR_PERIOD_LABELS, MEASURE_LABELS, PLACE_NAMES, STATUS_LABELS,
                          TARGET_BASIS_LABELS)

COUNTABLE = ("submitted", "approved")  # a rejected report never counts


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _statuses(view, context, model, name):
    return "、".join(str(STATUS_LABELS.get(s, s)) for s in model.counted_statuses or [])


class PlanView(ScopedModelView):
    editable = True
    audit_entity = "plan"
    audit_fields = ("counted_statuses",)
    owned_fields = ("counted_statuses",)
    column_list = ("name", "issuer", "issued_on", "start_date", "counted_statuses",
                   "is_default", "progress")
    column_labels = {"code": _l("Code"), "name": _l("Plan"), "name_en": _l("English name"),
                     "source_file": _l("Source file"), "source_title": _l("Source document"),
                     "issuer": _l("Issued by"), "issued_on": _l("Issued on"),
                     "start_date": _l("Starts"), "counted_statuses": _l("Counted toward targets"),
                     "is_default": _l("Default plan"), "loaded_at": _l("Loaded"),
                     "progress": _l("Progress")}
    column_formatters = {"counted_statuses": _statuses, "is_default": yes_no,
                         "progress": lambda v, c, m, n: v.progress_links(m)}
    # the English name, the source file, the parsed spec and its owners are internal
    column_details_list = ("name", "source_title", "issuer", "issued_on", "start_date",
                           "counted_statuses", "is_default", "loaded_at")
    column_formatters_detail = {"counted_statuses": _statuses, "is_default": yes_no}
    form_columns = ("counted_statuses",)
    form_overrides = {"counted_statuses": MultiCheckboxField}
    form_args = {"counted_statuses": {
        "label": _l("Counted toward targets"),
        "choices": [SelectChoice(s, STATUS_LABELS[s]) for s in COUNTABLE],
        "validators": [DataRequired(message=_l("Choose at least one status."))],
    }}

    def can_write(self) -> bool:
        return access.is_city_admin(current_user)

    def on_model_change(self, form, model, is_created):
        if not model.counted_statuses or set(model.counted_statuses) - set(COUNTABLE):
            raise ValidationError(_("Only submitted and approved reports can count."))
        model.counted_statuses = [s for s in COUNTABLE if s in model.counted_statuses]

    def progress_links(self, plan: Plan):
        year = today().year
        url = self.get_url(".progress_view", plan=plan.id, year=year)
        return Markup('<a class="btn btn-sm btn-outline-secondary" href="{}">{}</a>').format(
            url, _("{year} progress (XLSX)").format(year=year))

    @expose("/progress.xlsx")
    def progress_view(self):
        """The plan's progress for the official's scope (or a place inside it) in a year."""
        plan = Plan.get_or_none(Plan.id == request.args.get("plan", type=int))
        if plan is None:
            abort(404)
        year = request.args.get("year", default=today().year, type=int)
        if not 2000 <= year <= 2100:
            abort(404)
        scope = unit_in_scope(request.args.get("unit")) or access.scope_root(current_user)
        as_of = min(today(), dt.date(year, 12, 31))
        overall = plan_progress(plan, scope, year, as_of)
        parts = list(breakdown(plan, scope, year, as_of).values())
        body = to_xlsx(progress_tables(overall, parts))
        return download(body, f"{plan.name}_{scope.name}_{year}年进度.xlsx")


def _plan_choices():
    return [(str(p.id), p.name) for p in Plan.select().order_by(Plan.id)]


def _indicator_label(locale: str):
    def label(ind: Indicator) -> str:
        return ind.label(locale)  # the code is internal
    return label


def _report_kind(code: str | None) -> str:
    kind = ReportKind.get_or_none(ReportKind.code == code) if code else None
    return _(kind.name) if kind else ""


class IndicatorView(ScopedModelView):
    card_fields = ("name", "unit", "measure", "period")
    column_list = ("plan", "action_line", "name", "unit", "measure", "report_kind",
                   "period", "target_basis", "per_unit_target")
    # the code, the English names, the report field and filters, the spec are internal
    column_details_list = ("plan", "action_line", "name", "unit", "measure", "report_kind",
                           "period", "due", "target_basis", "per_unit_target", "source_quote")
    column_labels = {"plan": _l("Plan"), "action_line": _l("Action line"), "code": _l("Code"),
                     "name": _l("Indicator"), "unit": _l("Unit"), "measure": _l("Measure"),
                     "report_kind": _l("Report kind"), "period": _l("Period"),
                     "target_basis": _l("Target basis"), "per_unit_target": _l("Target per unit"),
                     "source_quote": _l("Source text"), "due": _l("Due")}
    column_default_sort = [("order", False)]
    column_searchable_list = ("name", "name_en", "code")
    column_filters = [ChoiceFilter(Indicator.plan, _l("Plan"), _plan_choices, coerce=int),
                      ChoiceFilter(Indicator.measure, _l("Measure"),
                                   lambda: list(MEASURE_LABELS.items()))]
    column_formatters = {
        "plan": lambda v, c, m, n: m.plan.name,
        "unit": lambda v, c, m, n: m.unit if project_locale().startswith("zh")
        else (m.unit_en or m.unit),
        "measure": labelled(MEASURE_LABELS),
        "target_basis": labelled(TARGET_BASIS_LABELS),
        "report_kind": lambda v, c, m, n: _report_kind(m.report_kind),
        "period": labelled(INDICATOR_PERIOD_LABELS),
        "action_line": lambda v, c, m, n: (m.action_line.label(project_locale())
                                           if m.action_line_id else ""),
        "name": lambda v, c, m, n: m.label(project_locale()),
        "due": lambda v, c, m, n: due_text(m) or (m.due or ""),
    }
    column_formatters_detail = column_formatters


def _indicator_choices():
    locale = project_locale()
    return [(str(i.id), _indicator_label(locale)(i)) for i in targetable_indicators()]


def targetable_indicators():
    """Indicators whose targets are set per place (the others are per station or county)."""
    return (Indicator.select().where(Indicator.target_basis == "explicit",
                                     Indicator.measure != "reference")
            .order_by(Indicator.plan, Indicator.order))


class TargetView(ScopedModelView):
    creatable = editable = deletable = True
    audit_entity = "target"
    audit_fields = ("indicator", "org_unit", "year", "value")
    owned_fields = ("value",)
    card_fields = ("indicator", "org_unit", "year", "value")
    column_list = ("indicator", "org_unit", "year", "value")
    column_labels = {"indicator": _l("Indicator"), "org_unit": _l("Place"),
                     "year": _l("Year"), "value": _l("Target")}
    column_details_list = ("indicator", "org_unit", "year", "value")  # not who set it
    column_sortable_list = ("year", "value")
    column_filters = place_filters(Target.org_unit, PLACE_NAMES) + [
        ChoiceFilter(Target.indicator, _l("Indicator"), _indicator_choices, coerce=int),
    ]
    column_formatters = {
        "indicator": lambda v, c, m, n: m.indicator.label(project_locale()),
        "org_unit": lambda v, c, m, n: m.org_unit.name,
        "year": lambda v, c, m, n: m.year if m.year is not None else _("whole plan period"),
    }
    form_columns = ("indicator", "org_unit", "year", "value")
    form_args = {
        "indicator": {"label": _l("Indicator")},
        "org_unit": {"label": _l("Place")},
        "year": {"label": _l("Year"), "validators": [Optional(), NumberRange(min=2000, max=2100)],
                 "description": _l("Leave empty for the indicator's whole period.")},
        "value": {"label": _l("Target"), "validators": [InputRequired(), NumberRange(min=0)]},
    }

    def claimed_fields(self, before, after):
        """A target an official creates, or changes in any way, is theirs: a reloaded plan
        file keeps it."""
        return ["value"] if before is None or before != after else []

    def get_query(self):
        query = (Target.select(Target, Indicator, OrgUnit)
                 .join(Indicator).switch(Target).join(OrgUnit))
        return access.scoped(query, Target, current_user)

    def _narrow(self, form):
        """Offer only targetable indicators and places in scope; anything else posted fails
        validation as "not a valid choice"."""
        form.indicator.query = targetable_indicators()
        form.indicator.get_label = _indicator_label(project_locale())
        form.org_unit.query = access.units_in_scope(current_user).order_by(OrgUnit.path)
        form.org_unit.get_label = lambda u: f"{u.code} {u.name}"
        return form

    def create_form(self, obj=None):
        return self._narrow(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._narrow(super().edit_form(obj))

    def on_model_change(self, form, model, is_created):
        if model.value is None or model.value < 0:
            raise ValidationError(_("A target cannot be negative."))
        if not access.in_scope(current_user, model.org_unit):
            raise ValidationError(_("That place is outside your area."))
        clash = Target.select().where(Target.indicator == model.indicator,
                                      Target.org_unit == model.org_unit,
                                      Target.year.is_null() if model.year is None
                                      else Target.year == model.year)
        if not is_created:
            clash = clash.where(Target.id != model.id)
        if clash.exists():
            raise ValidationError(_("This place already has a target for that indicator and year."))

"""Telegram groups bound to places, and the deliveries of pushes to them.

A group is in an official's scope when the place it is bound to is; a group nobody has bound
yet (the bot was just added to it) belongs to the city admin, who binds it. Every change
(bind, language, the push kinds it takes, deactivate, reactivate) goes through
``models.pushes.deliveries`` and is written to the audit log in the same transaction.

Deliveries are the exactly-once log, one row per (group, kind, period): a county official
sees here which groups did not get their summary and why, and can send a failed one again
(its failed Outbox messages go back to pending and the delivery is settled anew).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from peewee import fn
from wtforms import SelectField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from models.org import access
from models.pushes import deliveries as pushes
from models.pushes.kinds import KINDS
from models.core.db import database
from models.core.i18n import LANGUAGE_NAMES
from models.core.schema import Delivery, Group, OrgUnit, Outbox, Plan, audit

from admin.base import ScopedModelView, SecureForm, actor, badge, post_button
from admin.filters import ChoiceFilter, PlaceFilter, place_filters
from admin.labels import period_label, person, reason_text, telegram_error
from admin.labels import (ACTIVE_LABELS, DELIVERY_STATUS_LABELS, DELIVERY_STATUS_STYLES,
                          PLACE_NAMES, YES_NO_LABELS)
from admin.redirects import referrer_path, safe_target
from admin.scoping import LEVEL_DEPTH

DELIVERY_STATUS = DELIVERY_STATUS_LABELS
DELIVERY_COLOURS = DELIVERY_STATUS_STYLES
DELIVERY_KINDS = {code: _l(kind.label) for code, kind in KINDS.items()}
GROUP_STATE = ACTIVE_LABELS
GROUP_STATE_COLOURS = {True: "success", False: "secondary"}
FAILED_NAMED = 20  # groups named in the failures banner; the count says how many in all
FLAGS = DELIVERY_KINDS  # the push kinds a group subscribes to, each turned on and off


# ---- scope ---------------------------------------------------------------------------------

def scoped_groups(query, user):
    return access.scoped(query, Group, user)


def scoped_deliveries(query, user):
    return access.scoped(query, Delivery, user)


def unit_choices(user) -> list[SelectChoice]:
    """Every place in the official's scope in tree order, indented by level."""
    units = access.units_in_scope(user).order_by(OrgUnit.path)
    top = LEVEL_DEPTH.get(access.scope_root(user).level, 0)
    return [SelectChoice(u.code, "\u3000" * (LEVEL_DEPTH.get(u.level, 0) - top) + u.name)
            for u in units]


def plan_choices() -> list[SelectChoice]:
    plans = Plan.select().order_by(Plan.is_default.desc(), Plan.code)
    return [SelectChoice("", _("Default plan"))] + [SelectChoice(p.code, p.name) for p in plans]


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


# ---- changes -------------------------------------------------------------------------------

def change_group(group: Group, action: str, **changes) -> bool:
    """An official's change to a group, through the domain (audited with their name)."""
    return pushes.change_group(group.chat_id, actor=actor(), action=action, **changes)


# ---- forms ---------------------------------------------------------------------------------

class BindForm(SecureForm):
    place = SelectField(_l("Place"), validators=[DataRequired()])
    plan = SelectField(_l("Plan"), default="")


class LanguageForm(SecureForm):
    language = SelectField(_l("Language"), validators=[DataRequired()])


class DeactivateForm(SecureForm):
    reason = TextAreaField(_l("Why this group gets no more pushes"),
                           validators=[DataRequired(), Length(max=500)])


def bind_form(group: Group | None = None) -> BindForm:
    form = BindForm(prefix="bind")
    form.place.choices = unit_choices(current_user)
    form.plan.choices = plan_choices()
    if group is not None and request.method == "GET":
        if group.org_unit_id:
            form.place.data = group.org_unit.code
        form.plan.data = group.plan.code if group.plan_id else ""
    return form


def language_form(group: Group | None = None) -> LanguageForm:
    form = LanguageForm(prefix="lang")
    form.language.choices = language_choices()
    if group is not None and request.method == "GET":
        form.language.data = group.language
    return form


# ---- list helpers ------------------------------------------------------------------------

def latest_deliveries(group_ids) -> dict[int, Delivery]:
    """Each group's most recent delivery, in two queries whatever the number of groups."""
    ids = list(group_ids)
    if not ids:
        return {}
    latest = (Delivery.select(fn.MAX(Delivery.id)).where(Delivery.group.in_(ids))
              .group_by(Delivery.group))
    return {d.group_id: d for d in Delivery.select().where(Delivery.id.in_(latest))}


def _place_labels(units) -> dict[int, str]:
    """'县 · 乡镇 · 社区' below the city, for the given units, from one query."""
    codes = {c for u in units for c in u.path.strip("/").split("/")[1:]}
    names = ({o.code: o.name for o in OrgUnit.select(OrgUnit.code, OrgUnit.name)
              .where(OrgUnit.code.in_(list(codes)))} if codes else {})
    return {u.id: " · ".join(names[c] for c in u.path.strip("/").split("/")[1:] if c in names)
            or u.name for u in units}


def attach_places(groups) -> None:
    ids = {gr.org_unit_id for gr in groups if gr.org_unit_id}
    units = list(OrgUnit.select().where(OrgUnit.id.in_(list(ids)))) if ids else []
    g.wushe_group_places = _place_labels(units)
    by_id = {u.id: u for u in units}
    for gr in groups:
        if gr.org_unit_id:
            gr.org_unit = by_id[gr.org_unit_id]


def place_cell(group: Group):
    if not group.org_unit_id:
        return Markup('<span class="badge badge-warning">{}</span>').format(_("Not bound"))
    labels = g.get("wushe_group_places") or _place_labels([group.org_unit])
    return labels.get(group.org_unit_id, group.org_unit.name)


def delivery_cell(delivery: Delivery | None):
    if delivery is None:
        return ""
    return Markup('{} · {} <span class="badge badge-{}">{}</span>').format(
        DELIVERY_KINDS.get(delivery.kind, delivery.kind), period_label(delivery.period),
        DELIVERY_COLOURS.get(delivery.status, "secondary"),
        DELIVERY_STATUS.get(delivery.status, delivery.status))


def _state(view, context, model, name):
    return Markup('<span class="badge badge-{}">{}</span>').format(
        GROUP_STATE_COLOURS[bool(model.active)], GROUP_STATE[bool(model.active)])


def _subscribed(view, context, model, name):
    return YES_NO_LABELS[name in g.wushe_subscriptions.get(model.id, ())]


def _plan_name(view, context, model, name):
    return model.plan.name if model.plan_id else _("Default plan")


def _language(view, context, model, name):
    return LANGUAGE_NAMES.get(model.language, model.language)


def _binding_is(value):
    return Group.org_unit.is_null(value == "unbound")


def _active_is(value):
    return Group.active == (value == "active")


def _back(view, group: Group):
    return redirect(view.get_url(".details_view", id=group.id))


class GroupView(ScopedModelView):
    """The groups the bot is in; managed one by one on the details page."""

    extra_write_views = frozenset({"bind_view", "language_view", "flag_view",
                                   "deactivate_view", "reactivate_view"})
    card_fields = ("title", "org_unit", "plan", "language")
    column_list = ("title", "chat_id", "org_unit", "language", "plan", *KINDS,
                   "active", "inactive_reason", "last_delivery")
    column_labels = {"title": _l("Group"), "chat_id": _l("Chat id"), "org_unit": _l("Place"),
                     "language": _l("Language"), "plan": _l("Plan"), **DELIVERY_KINDS,
                     "active": _l("State"), "inactive_reason": _l("Why inactive"),
                     "last_delivery": _l("Last delivery"), "bound_by": _l("Bound by"),
                     "bound_at": _l("Bound at"), "created_at": _l("Bot added")}
    column_sortable_list = ("title", "chat_id", "active")
    column_default_sort = [("active", True), ("title", False)]
    column_searchable_list = ("title",)
    column_filters = place_filters(Group.org_unit, PLACE_NAMES) + [
        ChoiceFilter(Group.active, _l("State"),
                     lambda: [("active", GROUP_STATE[True]), ("inactive", GROUP_STATE[False])],
                     apply=_active_is),
        ChoiceFilter(Group.org_unit, _l("Binding"),
                     lambda: [("bound", _l("Bound")), ("unbound", _l("Not bound"))],
                     apply=_binding_is),
    ]
    column_formatters = {
        "title": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            v.get_url(".details_view", id=m.id), m.title or m.chat_id),
        "org_unit": lambda v, c, m, n: place_cell(m),
        "language": _language,
        "inactive_reason": lambda v, c, m, n: reason_text(m.inactive_reason),
        "plan": _plan_name,
        **{code: _subscribed for code in KINDS},
        "active": _state,
        "last_delivery": lambda v, c, m, n: delivery_cell(g.wushe_latest.get(m.id)),
    }

    def get_query(self):
        return scoped_groups(Group.select(), current_user)

    def get_one(self, id):
        return self.one_in_query(id)

    def attach(self, rows) -> None:
        attach_places(rows)
        g.wushe_latest = latest_deliveries(gr.id for gr in rows)
        g.wushe_subscriptions = pushes.subscriptions_of(gr.id for gr in rows)

    # -- one group -------------------------------------------------------------------------

    @expose("/details/")
    def details_view(self):
        group = self.get_one(request.args.get("id"))
        return self._details(group)

    def _details(self, group: Group, **forms):
        deliveries = list(Delivery.select().where(Delivery.group == group)
                          .order_by(Delivery.id.desc()).limit(10))
        writable = self.can_write()
        subscribed = pushes.subscriptions(group)
        return self.render(
            "wushe/group_details.html", group=group, place=place_cell(group),
            plan_name=group.plan.name if group.plan_id else _("Default plan"),
            language=LANGUAGE_NAMES.get(group.language, group.language),
            state=_state(self, None, group, "active"), deliveries=deliveries,
            delivery_status=DELIVERY_STATUS, delivery_colours=DELIVERY_COLOURS,
            delivery_kinds=DELIVERY_KINDS, flags=FLAGS, subscribed=subscribed,
            can_write=writable,
            bind_form=forms.get("bind_form") or (bind_form(group) if writable else None),
            language_form=forms.get("language_form") or (language_form(group)
                                                         if writable else None),
            deactivate_form=forms.get("deactivate_form") or DeactivateForm(prefix="off"),
            flag_button=lambda flag: post_button(
                self.get_url(".flag_view", id=group.id, flag=flag),
                _("Turn off") if flag in subscribed else _("Turn on"),
                "outline-secondary"),
            reactivate_button=post_button(self.get_url(".reactivate_view", id=group.id),
                                          _("Reactivate"), "outline-success"),
            deliveries_url=deliveries_url(group=group.id),
            return_url=self.get_url(".index_view"))

    def _refused(self, group: Group, message: str, **forms):
        """The group's page again (400) with the form that did not validate and why."""
        flash(message, "error")
        return self._details(group, **forms), 400

    @expose("/bind/<int:id>", methods=("POST",))
    def bind_view(self, id: int):
        group = self.get_one(id)
        form = bind_form(group)
        if not form.validate_on_submit():
            return self._refused(group, _("Choose a place in your area."), bind_form=form)
        unit = OrgUnit.get(OrgUnit.code == form.place.data)
        if not access.in_scope(current_user, unit):
            abort(404)
        plan = Plan.get_or_none(Plan.code == form.plan.data) if form.plan.data else None
        with database.atomic():
            pushes.bind_group(group.chat_id, unit, actor=actor(), plan=plan)
            if plan is None:  # "the default plan": bind_group keeps a plan it is not given
                change_group(group, "update", plan=None)
        flash(_("{group} is bound to {place}: it gets that area's summaries.").format(
            group=group.title or group.chat_id, place=unit.name), "success")
        return _back(self, group)

    @expose("/language/<int:id>", methods=("POST",))
    def language_view(self, id: int):
        group = self.get_one(id)
        form = language_form(group)
        if not form.validate_on_submit():
            return self._refused(group, _("Choose a language."), language_form=form)
        change_group(group, "language", language=form.language.data)
        flash(_("The group's summaries are now in {language}.").format(
            language=LANGUAGE_NAMES[form.language.data]), "success")
        return _back(self, group)

    @expose("/flag/<int:id>/<flag>", methods=("POST",))
    def flag_view(self, id: int, flag: str):
        group = self.get_one(id)
        if flag not in FLAGS:
            abort(404)
        on = flag not in pushes.subscriptions(group)
        change_group(group, "update", **{flag: on})
        message = (_("{what} turned on for this group.") if on
                   else _("{what} turned off for this group."))
        flash(message.format(what=FLAGS[flag]), "success")
        return _back(self, group)

    @expose("/deactivate/<int:id>", methods=("POST",))
    def deactivate_view(self, id: int):
        group = self.get_one(id)
        form = DeactivateForm(prefix="off")
        if not form.validate_on_submit():
            return self._refused(group, _("Please give a reason."), deactivate_form=form)
        if change_group(group, "deactivate", active=False,
                        inactive_reason=form.reason.data.strip()):
            flash(_("The group no longer receives pushes."), "success")
        return _back(self, group)

    @expose("/reactivate/<int:id>", methods=("POST",))
    def reactivate_view(self, id: int):
        group = self.get_one(id)
        if change_group(group, "activate", active=True, inactive_reason=None):
            flash(_("The group receives pushes again."), "success")
        return _back(self, group)


# ---- deliveries ----------------------------------------------------------------------------

class GroupPlaceFilter(PlaceFilter):
    """Deliveries to the groups bound inside one county, township or community."""

    def __init__(self, name, level: str):
        super().__init__(Group.org_unit, name, level)

    def apply(self, query, value):
        groups = super().apply(Group.select(Group.id), value)
        return query.where(Delivery.group.in_(groups))


DELIVERY_FILTERS = ("status", "kind", "group")  # the first of DeliveryView.column_filters


def deliveries_url(**filters) -> str:
    """The deliveries list filtered, e.g. ``deliveries_url(group=3, status="failed")``
    (Flask-Admin names a filter in the URL by its index: ``flt<n>_<index>=<value>``)."""
    args = {f"flt{n}_{DELIVERY_FILTERS.index(name)}": value
            for n, (name, value) in enumerate(filters.items())}
    return url_for("deliveries.index_view", **args)


def _group_is(value):
    return Delivery.group == int(value) if str(value).isdigit() else Delivery.id.is_null()


def _group_choices():
    return [(str(gr.id), gr.title or str(gr.chat_id)) for gr in
            scoped_groups(Group.select(Group.id, Group.title, Group.chat_id), current_user)
            .order_by(Group.title)]


def message_stats(delivery_ids) -> dict[int, dict]:
    """Per delivery: its Outbox messages by status, their attempts and their last errors."""
    ids = list(delivery_ids)
    out = {i: {"pending": 0, "sent": 0, "failed": 0, "attempts": 0, "errors": []} for i in ids}
    if not ids:
        return out
    rows = (Outbox.select(Outbox.delivery, Outbox.status, Outbox.attempts, Outbox.last_error)
            .where(Outbox.delivery.in_(ids)).order_by(Outbox.delivery, Outbox.seq, Outbox.id))
    for row in rows:
        s = out[row.delivery_id]
        s[row.status] = s.get(row.status, 0) + 1
        s["attempts"] += row.attempts
        if row.last_error and row.status != "sent" and row.last_error not in s["errors"]:
            s["errors"].append(row.last_error)
    return out


def _messages_cell(view, context, model, name):
    s = g.wushe_messages.get(model.id) or {}
    total = s.get("pending", 0) + s.get("sent", 0) + s.get("failed", 0)
    if not total:
        return ""
    return _("{sent} of {total} sent, {failed} failed · {attempts} attempts").format(
        sent=s["sent"], total=total, failed=s["failed"], attempts=s["attempts"])


def _error_cell(view, context, model, name):
    s = g.wushe_messages.get(model.id) or {}
    errors = ([model.error] if model.error else []) + [e for e in s.get("errors", [])
                                                       if e != model.error]
    if not errors:
        return ""
    return Markup('<span class="text-danger" title="{}">{}</span>').format(
        "; ".join(errors), "；".join(dict.fromkeys(telegram_error(e) for e in errors)))


def failed_messages(delivery: Delivery):
    return Outbox.select().where(Outbox.delivery == delivery, Outbox.status == "failed")


def retry(delivery: Delivery) -> bool:
    """Send a failed delivery again: its failed messages back to pending with no attempts
    counted, the delivery settled anew, audited; all in one transaction. False when it is
    not failed, or its group no longer receives pushes (reactivate the group first)."""
    with database.atomic():
        delivery = Delivery.select().where(Delivery.id == delivery.id).first()
        if delivery is None or delivery.status != "failed" or not delivery.group.active:
            return False
        before = {"status": delivery.status, "error": delivery.error,
                  "failed_messages": failed_messages(delivery).count()}
        (Outbox.update(status="pending", attempts=0, last_error=None, not_before=None)
         .where(Outbox.delivery == delivery, Outbox.status == "failed").execute())
        pushes.settle(delivery.id)
        delivery = Delivery.get_by_id(delivery.id)
        audit(actor(), "retry", "delivery", delivery.id, before=before,
              after={"status": delivery.status, "error": delivery.error})
    return True


class DeliveryView(ScopedModelView):
    """Who got which push: failures first in mind (a red row, the error, a retry)."""

    list_template = "wushe/deliveries_list.html"
    extra_write_views = frozenset({"retry_view"})
    card_fields = ("group", "status", "kind", "period", "error")
    column_list = ("group", "place", "kind", "period", "status", "error", "messages",
                   "created_at", "sent_at", "requested_by", "manage")
    column_labels = {"group": _l("Group"), "place": _l("Place"), "kind": _l("Kind"),
                     "period": _l("Period"), "status": _l("Status"), "error": _l("Error"),
                     "messages": _l("Messages"), "created_at": _l("Queued at"),
                     "sent_at": _l("Sent at"), "requested_by": _l("Requested by"),
                     "manage": _l("Manage")}
    column_sortable_list = ("period", "status", "created_at", "sent_at")
    column_default_sort = [("created_at", True), ("id", True)]
    column_filters = [
        ChoiceFilter(Delivery.status, _l("Status"), lambda: list(DELIVERY_STATUS.items())),
        ChoiceFilter(Delivery.kind, _l("Kind"), lambda: list(DELIVERY_KINDS.items())),
        ChoiceFilter(Delivery.group, _l("Group"), _group_choices, apply=_group_is),
    ] + [GroupPlaceFilter(PLACE_NAMES[level], level)
         for level in ("county", "township", "community")]
    column_searchable_list = ("period",)
    column_formatters = {
        "group": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            url_for("groups.details_view", id=m.group_id), m.group.title or m.group.chat_id),
        "place": lambda v, c, m, n: place_cell(m.group),
        "kind": lambda v, c, m, n: DELIVERY_KINDS.get(m.kind, m.kind),
        "status": badge(DELIVERY_STATUS, DELIVERY_COLOURS),
        "error": _error_cell,
        "messages": _messages_cell,
        "requested_by": lambda v, c, m, n: person(m.requested_by) or _("Schedule"),
        "period": lambda v, c, m, n: period_label(m.period),
        "manage": lambda v, c, m, n: v.retry_button(m),
    }
    column_details_list = ("group", "place", "kind", "period", "status", "error", "messages",
                           "created_at", "sent_at", "requested_by")
    column_formatters_detail = column_formatters

    def get_query(self):
        return scoped_deliveries(Delivery.select(), current_user)

    def get_one(self, id):
        delivery = self.one_in_query(id)
        self.attach([delivery])
        return delivery

    def attach(self, deliveries) -> None:
        ids = {d.group_id for d in deliveries}
        groups = {gr.id: gr for gr in Group.select().where(Group.id.in_(list(ids)))} if ids \
            else {}
        attach_places(list(groups.values()))
        for d in deliveries:
            d.group = groups[d.group_id]
        g.wushe_messages = message_stats(d.id for d in deliveries)

    def render(self, template, **kwargs):
        if template == self.list_template:
            failed = self.get_query().where(Delivery.status == "failed")
            kwargs["failed_count"] = failed.count()
            kwargs["failed_groups"] = list(
                scoped_groups(Group.select(), current_user)
                .where(Group.id.in_(failed.select(Delivery.group)))
                .order_by(Group.title).limit(FAILED_NAMED))
            kwargs["failed_group_count"] = (Group.select()
                                            .where(Group.id.in_(failed.select(Delivery.group)))
                                            .count())
            kwargs["failed_url"] = deliveries_url(status="failed")
        return super().render(template, **kwargs)

    def retry_button(self, delivery: Delivery):
        if delivery.status != "failed" or not self.can_write():
            return ""
        if not delivery.group.active:
            return Markup('<span class="text-muted small">{}</span>').format(
                _("Group inactive"))
        return post_button(self.get_url(".retry_view", id=delivery.id), _("Retry"),
                           "outline-danger")

    @expose("/retry/<int:id>", methods=("POST",))
    def retry_view(self, id: int):
        delivery = self.get_one(id)
        if retry(delivery):
            flash(_("The delivery is queued again."), "success")
        elif not delivery.group.active:
            flash(_("This group no longer receives pushes; reactivate it first."), "error")
        else:
            flash(_("Only a failed delivery can be retried."), "info")
        return redirect(safe_target(referrer_path(), self.get_url(".index_view")))

    @action("retry", _l("Retry"), _l("Send the selected failed deliveries again?"))
    def action_retry(self, ids):
        wanted = [int(i) for i in ids if str(i).isdigit()]
        rows = list(self.get_query().where(Delivery.id.in_(wanted),
                                           Delivery.status == "failed"))
        n = sum(1 for d in rows if retry(d))
        flash(ngettext("%(num)d delivery queued again.", "%(num)d deliveries queued again.", n),
              "success")

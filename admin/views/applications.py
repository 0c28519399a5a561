"""Pilot applications (甘肃 三社联动 申报表): each level's queue, the form as the document lays
it out, the history of opinions, the level's act, and the filled form as a PDF.

Everything about the chain — who may see an application, who may act on it and how — is
``models.applications``; this view shows and routes. An official outside the chain (a
viewer) does not see the view. An application outside the official's subtree, or one that
has not reached their level, is a 404 like a row that does not exist.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from models import applications as chain
from models.core.errors import NotFound, PermissionDenied, ValidationError
from models.core.i18n import translator
from models.core.schema import Application

from admin.answers import places_of
from admin.base import ScopedModelView, badge, current_settings
from admin.filters import place_filters
from admin.forms import CleanForm
from admin.i18n import project_locale
from admin.application_pdf import render_pdf
from admin.downloads import download
from admin.labels import PLACE_NAMES, actor_names

STATUS_COLOURS = {"pending": "info", "returned": "warning", "approved": "success",
                  "rejected": "danger", "draft": "secondary"}
ACTION_STYLES = {"pass": "primary", "approve": "success", "return": "outline-warning",
                 "reject": "outline-danger"}
ACTION_BUTTONS = {"pass": _l("Pass on to the next level"),
                  "approve": _l("Approve as a pilot project"),
                  "return": _l("Return to the community"), "reject": _l("Reject")}
CHAIN_MESSAGES = {
    "not_waiting_here": _l("This application is not waiting for your level (it may have "
                           "been acted on already). Nothing was changed."),
    "approve_at_province": _l("Only the provincial department approves; pass it on instead."),
    "top_of_chain": _l("There is no level above the province: approve or reject it."),
}
VALIDATION_MESSAGES = {
    ("opinion", "required"): _l("Please write your opinion: returning or rejecting needs one."),
    ("opinion", "too_long"): _l("The opinion is too long: at most 500 characters."),
}


class ActForm(CleanForm):
    """The act: ``action`` is the value of the button pressed (pass, return, ...)."""

    action = StringField()
    opinion = TextAreaField(_l("Opinion"), validators=[Length(max=chain.OPINION_MAX)])


def _status_labels() -> dict:
    return {k: _(v) for k, v in chain.STATUS_LABELS.items()}


def _stage(view, context, model, name) -> str:
    """Where the application stands: the step it waits for, or its outcome."""
    t = translator(project_locale())
    if model.status == "pending":
        return _("Waiting for %(step)s", step=chain.step_name(model.level, t))
    if model.status == "rejected":
        return _("Rejected at %(step)s", step=chain.step_name(model.level, t))
    return ""


def _place(view, context, model, name) -> str:
    places = g.get("wushe_places", {}).get(model.org_path, {})
    return " · ".join(places[level].name for level in ("county", "township", "community")
                      if level in places)


def _title(view, context, model, name):
    return Markup('<a href="{}">{}</a>').format(
        view.get_url(".details_view", id=model.id), model.title)


class ApplicationView(ScopedModelView):
    """The queue of the signed-in official's level: waiting for them (the default), or all
    that has reached them (``?show=all``)."""

    extra_write_views = frozenset({"act_view"})
    list_template = "wushe/application_list.html"
    card_fields = ("title", "status", "stage", "place", "submitted_at")
    column_list = ("submitted_at", "title", "place", "subsidy", "stage", "status")
    column_sortable_list = ("submitted_at", "title", "subsidy", "status")
    column_default_sort = [("submitted_at", True), ("id", True)]
    column_labels = {"submitted_at": _l("Filed on"), "title": _l("Project name"),
                     "place": _l("Place"), "subsidy": _l("Provincial subsidy requested"),
                     "stage": _l("Stage"), "status": _l("Status")}
    column_searchable_list = ("title",)
    column_filters = place_filters(Application.org_path, PLACE_NAMES)
    column_formatters = {
        "title": _title, "place": _place, "stage": _stage,
        "subsidy": lambda v, c, m, n: translator(project_locale()).money(m.subsidy)
        if m.subsidy is not None else "",
        "status": lambda v, c, m, n: badge(_status_labels(), STATUS_COLOURS)(v, c, m, n),
    }
    column_display_actions = False

    def is_accessible(self) -> bool:
        return super().is_accessible() and chain.level_of(current_user) is not None

    def can_write(self) -> bool:
        return chain.level_of(current_user) is not None

    def showing_all(self) -> bool:
        return request.args.get("show") == "all"

    def get_query(self):
        return chain.visible(current_user, waiting_only=not self.showing_all())

    def get_one(self, id):
        try:
            return chain.get_visible(current_user, id)
        except NotFound:
            abort(404)

    def attach(self, rows) -> None:
        g.wushe_places = places_of({a.org_path for a in rows})

    def render(self, template, **kwargs):
        if template == self.list_template:
            t = translator(project_locale())
            level = chain.level_of(current_user)
            kwargs.update(showing_all=self.showing_all(), level_step=chain.step_name(level, t),
                          waiting=chain.visible(current_user, waiting_only=True).count())
        return super().render(template, **kwargs)

    # -- one application -------------------------------------------------------------------

    @expose("/details/")
    def details_view(self):
        application = self.get_one(request.args.get("id"))
        t = translator(project_locale())
        step_list = chain.steps(application)
        names = {**actor_names({s.actor for s in step_list}), **chain.actor_names(step_list)}
        history = [{"step": chain.step_name(s.level, t), "action": t.gettext(
            chain.ACTION_LABELS[s.action]), "actor": names.get(s.actor, s.actor), "at": s.at,
            "opinion": s.opinion, "kind": s.action} for s in step_list]
        actions = chain.actions_for(current_user, application)
        return self.render(
            "wushe/application_details.html", application=application,
            sheet=chain.sheet(application, t, tz=current_settings().timezone,
                              actor_labels=names),
            history=history, actions=[(a, ACTION_BUTTONS[a], ACTION_STYLES[a]) for a in actions],
            form=ActForm(), level_step=chain.step_name(chain.level_of(current_user), t),
            status_colour=STATUS_COLOURS.get(application.status, "secondary"),
            return_url=self.get_url(".index_view"))

    @expose("/act/<int:id>", methods=("POST",))
    def act_view(self, id: int):
        application = self.get_one(id)
        form = ActForm()
        back = redirect(self.get_url(".details_view", id=application.id))
        if not form.validate_on_submit():
            flash(VALIDATION_MESSAGES[("opinion", "too_long")]
                  if form.opinion.errors else _("The form could not be read. Please try again."),
                  "error")
            return back
        try:
            step = chain.act(application, actor_user=current_user.row, action=form.action.data,
                             opinion=form.opinion.data)
        except chain.ChainError as e:
            flash(CHAIN_MESSAGES.get(e.code, CHAIN_MESSAGES["not_waiting_here"]), "error")
            return back
        except ValidationError as e:
            flash(VALIDATION_MESSAGES.get((e.field, e.code),
                                          _("That action is not possible here.")), "error")
            return back
        except (NotFound, PermissionDenied):
            abort(404)
        t = translator(project_locale())
        flash(_("%(action)s: %(project)s", action=t.gettext(chain.ACTION_LABELS[step.action]),
                project=application.title), "success")
        return back

    @expose("/pdf/<int:id>")
    def pdf_view(self, id: int):
        """The filled 申报表 as a PDF laid out like the document's table (in Chinese, the
        document's language, whatever the page's)."""
        application = self.get_one(id)
        sheet = chain.sheet(application, translator("zh_Hans"), tz=current_settings().timezone)
        body = render_pdf(sheet)
        return download(body, f"申报表_{application.org_unit.name}_{application.id}.pdf",
                        inline=True)


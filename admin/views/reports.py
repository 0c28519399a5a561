"""Reports: the filtered list, the detail page (answers, photos, location, the plans it counts
in), review, exports.

Review goes through ``models.reports.filing``: ``review`` to approve, ``reject`` to reject, which
queues the worker's notice in the Outbox in the same transaction. Photos are served from the
stored files through a route on this view, so they are scoped like the reports they belong to.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import (DateBetweenFilter, DateGreaterFilter,
                                               DateSmallerFilter)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from models.org import access
from models.core.db import database
from models.core.errors import NotFound, ValidationError
from models.forms.kinds import default_plan
from models.core.i18n import translator
from models.reports import queue
from models.reports.filing import reject, review
from models.reports.photos import media_type
from models.core.schema import (ActionLine, Application, Contribution, Indicator, Photo, Plan, Report,
                           ReportKind, Worker)

from admin.answers import action_line_labels, answer_rows, kind_defs, places_of, summary
from admin.base import ScopedModelView, actor, badge, current_settings, today
from admin.downloads import table_download
from admin.exports import report_records, report_table
from admin.filters import ChoiceFilter, TextSearch, place_filters
from admin.forms import CleanForm
from admin.i18n import project_locale
from admin.labels import PLACE_NAMES, REJECT_REASON_LABELS, STATUS_LABELS, reviewer_name
from admin.labels import REPORT_STATUS_STYLES as STATUS_COLOURS


class RejectForm(CleanForm):
    reason = TextAreaField(_l("Reason for the worker"), validators=[
        DataRequired(message=_l("Please give a reason: the worker reads it to correct the "
                                "report.")),
        Length(max=500, message=_l("The reason is too long: at most 500 characters."))])


def _from_queue() -> bool:
    """Whether the reviewer came from the queue (then a decision goes on to the next item)."""
    return (request.values.get("queue") or request.args.get("queue")) == "1"


def _kind_choices():
    return [(k.code, _(k.name)) for k in ReportKind.select().order_by(ReportKind.order)]


def _line_choices():
    plan = default_plan()
    if plan is None:
        return []
    locale = project_locale()
    return [(l.code, l.label(locale)) for l in
            ActionLine.select().where(ActionLine.plan == plan).order_by(ActionLine.number)]


def _status_choices():
    return list(STATUS_LABELS.items())


def _kind_is(code):
    return Report.kind.in_(ReportKind.select(ReportKind.id).where(ReportKind.code == code))


def by_chain(report: Report) -> bool:
    """Reports that stand for an application are decided by the approval chain."""
    return report.kind.stores == "application"


def application_url(report: Report) -> str | None:
    application = Application.get_or_none(Application.uid == report.uid)
    return url_for("applications.details_view", id=application.id) if application else None


class ReportView(ScopedModelView):
    extra_write_views = frozenset({"approve_view", "reject_view"})

    card_fields = ("kind", "summary", "status", "place", "activity_date")
    column_list = ("activity_date", "kind", "summary", "action_line", "place", "worker",
                   "status", "created_at")
    column_sortable_list = ("activity_date", "status", "created_at")
    column_default_sort = [("activity_date", True), ("id", True)]
    column_labels = {"activity_date": _l("Activity date"), "kind": _l("Kind"),
                     "summary": _l("Summary"), "action_line": _l("Action line"),
                     "place": _l("Place"), "worker": _l("Reported by"), "status": _l("Status"),
                     "created_at": _l("Received"), "values": _l("Answers")}
    column_searchable_list = ("values",)
    column_filters = place_filters(Report.org_path, PLACE_NAMES) + [
        ChoiceFilter(Report.kind, _l("Kind"), _kind_choices, apply=_kind_is),
        ChoiceFilter(Report.action_line, _l("Action line"), _line_choices),
        DateBetweenFilter(Report.activity_date, _l("Activity date")),
        DateGreaterFilter(Report.activity_date, _l("Activity date")),
        DateSmallerFilter(Report.activity_date, _l("Activity date")),
        ChoiceFilter(Report.status, _l("Status"), _status_choices),
    ]
    column_formatters = {
        "kind": lambda v, c, m, n: _(m.kind.name),
        "summary": lambda v, c, m, n: summary(g.wushe_kinds[m.kind_id], m.values),
        "action_line": lambda v, c, m, n: g.wushe_lines.get(m.action_line, m.action_line or ""),
        "place": lambda v, c, m, n: place_label(m),
        "worker": lambda v, c, m, n: m.worker.display_name if m.worker else "",
        "status": badge(STATUS_LABELS, STATUS_COLOURS),
    }
    can_export = True
    export_types = ["csv", "xlsx"]

    # -- the list ------------------------------------------------------------------------

    def init_search(self) -> bool:
        self._search_fields = [TextSearch(Report.values)]
        return True

    def attach(self, reports: list[Report]) -> None:
        """Load the rows' kinds, workers and places in a few queries, not a few per row
        (kept on ``g``: a view object is shared by every request)."""
        g.wushe_kinds = kind_defs()
        g.wushe_lines = action_line_labels(project_locale())
        g.wushe_places = places_of({r.org_path for r in reports})
        kinds = {k.id: k for k in ReportKind.select()}
        worker_ids = {r.worker_id for r in reports if r.worker_id}
        workers = ({w.id: w for w in Worker.select().where(Worker.id.in_(worker_ids))}
                   if worker_ids else {})
        for r in reports:
            r.kind = kinds[r.kind_id]
            if r.worker_id:
                r.worker = workers[r.worker_id]

    # -- one report ------------------------------------------------------------------------

    @expose("/details/")
    def details_view(self):
        report = self.get_one(request.args.get("id"))
        t = translator(project_locale())
        kinds = kind_defs()
        kind = kinds[report.kind_id]
        chain = places_of([report.org_path])[report.org_path]
        places = [chain[level] for level in ("city", "county", "township", "community")
                  if level in chain]
        photos = list(Photo.select().where(Photo.report == report).order_by(Photo.id))
        return self.render(
            "wushe/report_details.html", report=report, kind_name=t.gettext(kind.name),
            answers=answer_rows(kind, report.values, t), photos=photos, places=places,
            action_line=action_line_labels(t.locale).get(report.action_line, report.action_line),
            status_label=STATUS_LABELS.get(report.status, report.status),
            status_colour=STATUS_COLOURS.get(report.status, "secondary"),
            counted_in=counted_in(report),
            can_review=self.can_write() and not by_chain(report)
            and report.status == "submitted",
            reviewer=reviewer_name(report.reviewed_by) if report.reviewed_by else "",
            application_url=application_url(report), reject_form=RejectForm(),
            reasons=[str(r) for r in REJECT_REASON_LABELS], from_queue=_from_queue(),
            return_url=url_for("queue.index") if _from_queue() else self._return_url())

    def _return_url(self) -> str:
        url = request.args.get("url", "")
        if url.startswith("/") and not url.startswith("//"):
            return url
        return self.get_url(".index_view")

    def _refuse_chain(self, report: Report):
        """An application is decided level by level on its own page, never here."""
        flash(_("This is a pilot-project application: each level decides it on its "
                "application page."), "warning")
        return redirect(application_url(report) or self.get_url(".details_view", id=report.id))

    @expose("/approve/<int:id>", methods=("POST",))
    def approve_view(self, id: int):
        report = self.get_one(id)
        if by_chain(report):
            return self._refuse_chain(report)
        if report.status != "submitted":
            self._say_decided(report)
            return redirect(self.get_url(".details_view", id=report.id))
        review(report, "approved", actor=actor())
        flash(_("Report approved."), "success")
        return self._after_decision(report)

    @expose("/reject/<int:id>", methods=("GET", "POST"))
    def reject_view(self, id: int):
        report = self.get_one(id)
        if by_chain(report):
            return self._refuse_chain(report)
        form = RejectForm()
        if request.method == "POST" and report.status != "submitted":
            self._say_decided(report)
            return redirect(self.get_url(".details_view", id=report.id))
        if form.validate_on_submit():
            try:
                reject(report, actor=actor(), reason=form.reason.data)
            except ValidationError:
                flash(_("Please give a reason."), "error")
                return redirect(self.get_url(".details_view", id=report.id))
            flash(_("Report returned to the worker with your reason."), "success")
            return self._after_decision(report)
        return self.render("wushe/reject.html", report=report, form=form,
                           reasons=[str(r) for r in REJECT_REASON_LABELS],
                           from_queue=_from_queue(),
                           return_url=self.get_url(".details_view", id=report.id))

    @staticmethod
    def _say_decided(report: Report) -> None:
        """A decision on a report that is no longer waiting changes nothing, and says so."""
        if report.status == "approved":
            flash(_("This report was already approved."), "info")
        else:
            flash(_("This report was already returned to the worker."), "info")

    def _after_decision(self, report: Report):
        """From the queue, on to the next report waiting (or back to the queue when none is
        left); otherwise back to this report's page."""
        if not _from_queue():
            return redirect(self.get_url(".details_view", id=report.id))
        following = queue.next_report(current_user, after=report)
        if following is None:
            flash(_("No more reports wait for your review."), "info")
            return redirect(url_for("queue.index"))
        return redirect(self.get_url(".details_view", id=following.id, queue=1))

    @action("approve", _l("Approve"), _l("Approve the selected reports?"))
    def action_approve(self, ids):
        wanted = [int(i) for i in ids if str(i).isdigit()]
        with database.atomic():
            # applications are decided by their chain, not here
            chain_kinds = ReportKind.select(ReportKind.id).where(ReportKind.stores == "application")
            reports = list(self.get_query().where(Report.id.in_(wanted),
                                                  Report.status == "submitted",
                                                  Report.kind.not_in(chain_kinds)))
            for report in reports:
                review(report, "approved", actor=actor())
        flash(ngettext("%(num)d report approved.", "%(num)d reports approved.", len(reports)),
              "success")

    @expose("/photo/<int:photo_id>")
    def photo_view(self, photo_id: int):
        try:
            photo = access.get_scoped(Photo, current_user, photo_id)
        except NotFound:
            abort(404)
        media = Path(current_settings().media_dir).resolve()
        path = Path(photo.path).resolve()
        if not path.is_relative_to(media) or not path.is_file():
            abort(404)
        mimetype = media_type(path)
        legacy = mimetype != "image/jpeg"  # stored before photos were checked: downloaded
        response = send_file(path, mimetype=mimetype, max_age=3600, etag=photo.sha256,
                             as_attachment=legacy,
                             download_name=f"photo-{photo.id}.{'bin' if legacy else 'jpg'}")
        # the browser shows what the type says, never what it guesses from the bytes
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    # -- exports -----------------------------------------------------------------------------

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        if export_type not in self.export_types:
            abort(404)
        table = report_table(report_records(self._export_query()), kind_defs(),
                             translator("zh_Hans"), current_settings().timezone)
        return table_download([table], f"报告_{today():%Y%m%d}", export_type)

    def _export_query(self):
        """The list's query as filtered, searched and sorted on the page, every row (what
        Flask-Admin's ``_export_data`` fetches, left unexecuted)."""
        args = self._get_list_extra_args()
        sort = self._get_column_by_idx(args.sort)
        _count, query = self.get_list(0, sort[0] if sort else None, args.sort_desc,
                                      args.search, args.filters, execute=False, page_size=0)
        return query


def counted_in(report: Report) -> list[dict]:
    """The plans the report counts in and, per plan, its indicators and what it adds to each,
    from its Contribution rows: a report entered once shows every plan it belongs to.
    ``counted`` is False where the plan does not count the report's status (a rejected one)."""
    rows = (Contribution.select(Contribution.value, Indicator, Plan)
            .join(Indicator).join(Plan)
            .where(Contribution.report == report)
            .order_by(Plan.is_default.desc(), Plan.code, Indicator.order))
    locale = project_locale()
    plans: dict[int, dict] = {}
    for c in rows:
        ind = c.indicator
        plan = plans.setdefault(ind.plan_id, {
            "plan": ind.plan, "indicators": [],
            "counted": report.status in (ind.plan.counted_statuses or [])})
        plan["indicators"].append({"code": ind.code, "label": ind.label(locale), "value": c.value,
                                   "shown": f"{Decimal(c.value).normalize():f}",
                                   "unit": ind.unit if locale.startswith("zh") else ind.unit_en})
    return list(plans.values())


def place_label(report: Report) -> str:
    chain = g.wushe_places.get(report.org_path, {})
    return " · ".join(chain[level].name for level in ("county", "township", "community")
                      if level in chain)

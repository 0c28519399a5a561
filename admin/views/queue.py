"""The review queue: a reviewer's landing page. What waits for this account in its scope
(reports, pilot applications, organizations' filings), oldest first, with a bulk approve for
reports; the menu entry carries the count. Which items wait is ``models.reports.queue``; an
account without review rights has no queue (the menu hides it, the page is a 403)."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup, escape

from models.core.db import database
from models.core.i18n import translator
from models.core.schema import Report
from models.org import access
from models.reports import queue
from models.reports.filing import review

from admin.answers import kind_defs, places_of, summary
from admin.base import Secured, actor
from admin.chart_cache import SharedPages, data_version
from admin.i18n import project_locale

SHOWN = 50  # items of each kind on the page (the count says how many wait in all)


COUNTS_TTL = 60  # seconds the counts are reused while the data version stays the same


def waiting_counts() -> dict[str, int]:
    """The signed-in account's counts, once per request (the menu and the page share them),
    and kept across requests while the data stay the same (``data_version``: a review, a
    new report, an application's or a filing's step each move it): counting a city's
    170,000 waiting reports on every page of a million-report database took seconds."""
    if "wushe_queue_counts" not in g:
        ok = current_user.is_authenticated and queue.is_reviewer(current_user)
        if not ok:
            g.wushe_queue_counts = {}
        else:
            # kept for every worker process (SharedPages), as the dashboard's pages are
            cache = current_app.extensions.setdefault("wushe_queue_counts", SharedPages())
            # what the counts depend on: the account's role, place and state (officials of
            # one county share them)
            key = (current_user.role, current_user.org_unit_id, current_user.active,
                   data_version())
            g.wushe_queue_counts = cache.get_or_render(
                key, current_app.config.get("QUEUE_COUNTS_TTL", COUNTS_TTL),
                lambda: queue.counts(current_user))
    return g.wushe_queue_counts


class MenuName:
    """The menu entry's label: the page's name, and in the menu (rendered as HTML) a badge
    with how many items wait. ``str()`` is the plain name (titles, breadcrumbs)."""

    def __init__(self, name):
        self.name = name

    def __str__(self) -> str:
        return str(self.name)

    def __html__(self) -> str:
        total = sum(waiting_counts().values()) if current_user.is_authenticated else 0
        if not total:
            return str(escape(str(self.name)))
        return str(Markup('{} <span class="badge badge-pill badge-danger" id="queue-count">{}'
                          '</span>').format(str(self.name), total))


def _place(places: dict, path: str, below: str) -> str:
    """The place's names under the account's own (a county official reads 街道 · 社区)."""
    chain = places.get(path, {})
    levels = access.LEVELS[access.LEVELS.index(below) + 1:] if below in access.LEVELS \
        else access.LEVELS[1:]
    return " · ".join(chain[level].name for level in levels if level in chain)


class QueueView(Secured, BaseView):
    extra_write_views = frozenset({"approve_view"})

    def __init__(self, *args, name=None, **kwargs):
        super().__init__(*args, name=MenuName(name), **kwargs)

    def is_accessible(self) -> bool:
        return super().is_accessible() and queue.is_reviewer(current_user)

    def is_visible(self) -> bool:
        return current_user.is_authenticated and queue.is_reviewer(current_user)

    def can_write(self) -> bool:
        return queue.reviews_reports(current_user)

    @expose("/")
    def index(self):
        counts = waiting_counts()
        t = translator(project_locale())
        reports = queue.items(current_user, queue.REPORT, limit=SHOWN)
        applications = queue.items(current_user, queue.APPLICATION, limit=SHOWN)
        organizations = queue.items(current_user, queue.ORGANIZATION, limit=SHOWN)
        paths = {w.row.org_path for w in reports + applications + organizations}
        places = places_of(paths)
        below = access.scope_root(current_user).level
        kinds = kind_defs()
        report_rows = [{
            "id": w.id, "since": w.since, "kind": t.gettext(kinds[w.row.kind_id].name),
            "summary": summary(kinds[w.row.kind_id], w.row.values),
            "date": w.row.activity_date, "place": _place(places, w.row.org_path, below),
            "worker": w.row.worker.display_name if w.row.worker else "",
            "url": url_for("reports.details_view", id=w.id, queue=1)} for w in reports]
        application_rows = [{
            "id": w.id, "since": w.since, "title": w.row.title,
            "place": _place(places, w.row.org_path, below),
            "url": url_for("applications.details_view", id=w.id)} for w in applications]
        organization_rows = [{
            "id": w.id, "since": w.since, "name": w.row.name,
            "step": _("Filing") if w.row.status == "reviewed" or w.row.is_hub
            else _("First review"),
            "place": _place(places, w.row.org_path, below),
            "url": url_for("organizations.details_view", id=w.id)} for w in organizations]
        return self.render("wushe/queue.html", counts=counts, total=sum(counts.values()),
                           reports=report_rows, applications=application_rows,
                           organizations=organization_rows, shown=SHOWN,
                           can_approve=self.can_write())

    @expose("/approve", methods=("POST",))
    def approve_view(self):
        """Bulk approve: only reports waiting in this account's queue (its scope, submitted,
        not an application's), each reviewed and audited on its own."""
        wanted = [int(i) for i in request.form.getlist("ids") if str(i).isdigit()]
        if not wanted:
            flash(_("Select the reports to approve first."), "warning")
            return redirect(self.get_url(".index"))
        with database.atomic():
            reports = list(queue.reports(current_user).where(Report.id.in_(wanted)))
            for report in reports:
                review(report, "approved", actor=actor())
        skipped = len(set(wanted)) - len(reports)
        flash(ngettext("%(num)d report approved.", "%(num)d reports approved.", len(reports)),
              "success")
        if skipped:
            flash(ngettext("%(num)d selected report was no longer waiting and was left as it is.",
                           "%(num)d selected reports were no longer waiting and were left as "
                           "they are.", skipped), "info")
        return redirect(self.get_url(".index"))


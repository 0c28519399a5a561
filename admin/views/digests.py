"""Quarterly and half-year digests on demand: see the pages, download the PDF, send them.

The official picks a place in their scope, a plan and a quarter or half-year from a list: the
finished ones (the last finished quarter by default) and the current ones, marked 进行中 and
read as of today (they cannot be sent: a push covers a period that is over). The digest is computed by
``models.pushes.summaries.digest`` and drawn by ``charts.digest`` — the same ones the scheduled
pushes use — and the rendered pages are kept a short while, so the page and its images render
once. "Send to groups" queues the digest for the active groups bound inside the place through
``models.pushes.deliveries.enqueue``, which is idempotent: a second click queues nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from charts.digest import digest_pages, digest_pdf
from models.org import access
from models.pushes import deliveries as pushes, kinds, summaries
from models.forms.kinds import default_plan
from models.core.i18n import N_, translator
from models.plans.progress import Window
from models.core.schema import Delivery, Group, OrgUnit, Plan, audit

from admin.base import Secured, actor, current_settings, today, unit_in_scope
from admin.chart_cache import ChartCache
from admin.downloads import download, image
from admin.i18n import project_locale
from admin.scoping import LEVEL_DEPTH

SCOPE_LEVELS = ("city", "county", "township")
PAGES_TTL = 300  # seconds rendered pages are reused for the same digest
SHOWN_PERIODS = 8  # past quarters offered in the list (any other can be typed)

page_cache = ChartCache(size=32)


def last_finished_quarter(day: dt.date) -> str:
    return next(kinds.KINDS["quarterly"].ended(day)).label


def recent_periods(day: dt.date, since: dt.date | None) -> list[str]:
    """The last finished quarters, newest first, each followed by the other digests that end
    with it (2026H1 after 2026Q2), not before the plan starts."""
    quarters = kinds.KINDS["quarterly"]
    others = [k for k in kinds.KINDS.values() if k.digest and k is not quarters]
    out = []
    for window in quarters.ended(day):
        if len(out) >= SHOWN_PERIODS or (since and window.end.replace(day=1)
                                         < since.replace(day=1)):
            break
        out.append(window.label)
        out += [w.label for w in (next(k.ended(window.end + dt.timedelta(days=1)))
                                  for k in others) if w.end == window.end]
    return out


def current_periods(day: dt.date) -> list[str]:
    """The quarter and the half-year ``day`` is in (进行中): shown as of today."""
    return [_containing(k, day).label for k in kinds.KINDS.values() if k.digest]


def _containing(push, day: dt.date) -> Window:
    return next(w for w in (push.make(day.year, n) for n in range(1, push.per_year + 1))
                if w.start <= day <= w.end)


NOT_A_DIGEST_PERIOD = N_("“{period}” is not a quarter or half-year: pick one from the list.")


def parse_period(text: str | None, day: dt.date) -> tuple[str, str, Window]:
    """``(kind, period, window)`` for "2026Q3" / "2026H1"; ``PeriodError`` (its message in
    the reader's language) for anything else, or for a period that has not ended by ``day``
    and is not the current one."""
    period = (text or "").strip().upper()
    push = kinds.shaped(period)
    if push is None or not push.digest:
        raise pushes.PeriodError(NOT_A_DIGEST_PERIOD, period=(text or "").strip()[:20])
    kind = push.code
    window, _as_of = pushes.period_window(kind, period)
    if window.end >= day and not window.start <= day:
        raise pushes.PeriodError(pushes.NOT_ENDED, period=period)
    return kind, period, window


@dataclass(frozen=True)
class Choice:
    """What the request asks for, checked against the official's scope."""

    scope: OrgUnit
    root: OrgUnit
    plan: Plan
    kind: str
    period: str
    window: Window
    as_of: dt.date

    def params(self) -> dict:
        out = {"scope": self.scope.code, "plan": self.plan.code, "period": self.period}
        if self.scope.id == self.root.id:
            out.pop("scope")
        if self.plan.is_default:
            out.pop("plan")
        return out

    @property
    def running(self) -> bool:
        """Still going on (进行中): read as of today, not sendable."""
        return self.as_of < self.window.end

    def key(self, locale: str) -> tuple:
        return (self.scope.id, self.plan.id, self.period, self.as_of, locale)


def _scope_and_plan(args) -> tuple[OrgUnit, OrgUnit, Plan]:
    root = access.scope_root(current_user)
    scope = unit_in_scope(args.get("scope")) or root
    code = args.get("plan")
    plan = Plan.get_or_none(Plan.code == code) if code else default_plan()
    if plan is None:
        abort(404)
    return root, scope, plan


def choice(args) -> Choice:
    """The digest the arguments ask for; ``PeriodError`` for a bad period, 404 for a place
    outside the scope or an unknown plan."""
    root, scope, plan = _scope_and_plan(args)
    day = today()
    kind, period, window = parse_period(args.get("period") or last_finished_quarter(day), day)
    return Choice(scope=scope, root=root, plan=plan, kind=kind, period=period, window=window,
                  as_of=min(window.end, day))


def compute(c: Choice):
    return summaries.digest(c.scope, c.plan, c.window, c.as_of)


def pages(c: Choice) -> list[bytes]:
    locale = project_locale()
    ttl = current_app.config.get("DIGEST_PAGES_TTL", PAGES_TTL)
    return page_cache.get_or_render(("pages", *c.key(locale)), ttl,
                                    lambda: digest_pages(compute(c), locale))


def groups_in(scope: OrgUnit, kind: str):
    """The groups a digest of ``scope`` goes to: active, bound inside it, taking ``kind``."""
    units = OrgUnit.select(OrgUnit.id).where(OrgUnit.path.startswith(scope.path))
    return (Group.select().where(Group.active == True,  # noqa: E712
                                 Group.id.in_(pushes.subscribers(kind)),
                                 Group.org_unit.in_(units)).order_by(Group.id))


def period_text(period: str) -> str:
    """'2026, quarter 3' for '2026Q3', as the period's push kind names it."""
    return kinds.period_name(period, translator(project_locale()))


def groups_note(count: int, queued: int) -> str:
    if not count:
        return _("No active group taking digests is bound inside this place.")
    return " ".join((
        ngettext("%(num)d active group taking digests is bound inside this place.",
                 "%(num)d active groups taking digests are bound inside this place.", count),
        ngettext("The digest is already queued for %(num)d of them.",
                 "The digest is already queued for %(num)d of them.", queued)
        if queued else _("The digest has not been sent to them yet.")))


class DigestView(Secured, BaseView):
    """The digest page, its images and PDF, and "Send to groups"."""

    extra_write_views = frozenset({"send_view"})

    def _form_data(self, root: OrgUnit, scope: OrgUnit, plan: Plan, period: str):
        top = LEVEL_DEPTH.get(root.level, 0)
        places = [(u, "\u3000" * (LEVEL_DEPTH.get(u.level, 0) - top) + u.name)
                  for u in access.units_in_scope(current_user)
                  .where(OrgUnit.level.in_(SCOPE_LEVELS)).order_by(OrgUnit.path)]
        day = today()
        running = current_periods(day)
        periods = [(p, _("{period} (in progress)").format(period=period_text(p)))
                   for p in running]
        periods += [(p, period_text(p)) for p in recent_periods(day, plan.start_date)]
        if period and period not in dict(periods) and kinds.shaped(period):
            periods.append((period, period_text(period)))  # an older one asked for by URL
        return {"places": places, "scope": scope, "root": root, "plan": plan,
                "plans": list(Plan.select().order_by(Plan.is_default.desc(), Plan.code)),
                "period": period, "periods": periods, "can_send": self.can_write()}

    @expose("/")
    def index(self):
        root, scope, plan = _scope_and_plan(request.args)
        asked = (request.args.get("period") or last_finished_quarter(today())).strip().upper()
        try:
            c = choice(request.args)
        except pushes.PeriodError as e:
            flash(e.message(translator(project_locale())), "error")
            return self.render("wushe/digest.html", c=None,
                               **self._form_data(root, scope, plan, asked))
        n = len(pages(c))
        groups = groups_in(c.scope, c.kind)
        queued = (Delivery.select().where(Delivery.kind == c.kind, Delivery.period == c.period,
                                          Delivery.group.in_(groups.select(Group.id))).count())
        return self.render(
            "wushe/digest.html", c=c, page_urls=[
                url_for(".page_view", n=i + 1, **c.params()) for i in range(n)],
            pdf_url=url_for(".pdf_view", **c.params()), title=period_text(c.period),
            group_count=groups.count(), groups_note=groups_note(groups.count(), queued),
            **self._form_data(root, scope, plan, c.period))

    def _choice_or_404(self) -> Choice:
        try:
            return choice(request.args)
        except pushes.PeriodError:
            abort(404)

    @expose("/page/<int:n>.png")
    def page_view(self, n: int):
        c = self._choice_or_404()
        rendered = pages(c)
        if not 1 <= n <= len(rendered):
            abort(404)
        return image(rendered[n - 1], max_age=300)

    @expose("/digest.pdf")
    def pdf_view(self):
        c = self._choice_or_404()
        body = digest_pdf(compute(c), project_locale())
        return download(body, f"{c.scope.name}_{c.period}_digest.pdf")

    @expose("/send", methods=("POST",))
    def send_view(self):
        try:
            c = choice(request.form)
        except pushes.PeriodError as e:
            flash(e.message(translator(project_locale())), "error")
            return redirect(url_for(".index", **{k: v for k, v in request.form.items()
                                                 if k in ("scope", "plan")}))
        back = redirect(url_for(".index", **c.params()))
        groups = list(groups_in(c.scope, c.kind))
        if not groups:
            flash(_("No active group is bound to a place in {place}.").format(
                place=c.scope.name), "info")
            return back
        try:
            created = pushes.enqueue(c.kind, c.period, groups=groups, requested_by=actor(),
                                     timezone=current_settings().timezone)
        except pushes.PeriodError as e:  # checked above; the domain has the last word
            flash(e.message(translator(project_locale())), "error")
            return back
        added = len(created)
        if added:
            audit(actor(), "send", "digest", f"{c.scope.code}:{c.period}",
                  after={"scope": c.scope.code, "kind": c.kind, "period": c.period,
                         "deliveries": [d.id for d in created]})
            flash(ngettext("The digest is queued for %(num)d group.",
                           "The digest is queued for %(num)d groups.", added), "success")
        else:
            flash(_("This digest is already queued for these groups: nothing new was sent."),
                  "info")
        return back

"""Every page of the admin, in the order of its menu, and the one place that registers them.

A new page is one ``Page`` in ``PAGES`` (its view class lives in ``admin/views/``); the
dashboard is the index (``/admin``, the page after sign-in). Each page is registered with
Flask-Admin's ``add_view``; a ``Link`` only adds a menu entry to a route of a page above it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_admin import Admin, BaseView
from flask_admin.menu import MenuLink
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from models.core.schema import (Application, AuditLog, Delivery, Group, Indicator, Invite,
                                OrgUnit, Plan, Report, SocialOrganization, Target, Volunteer,
                                Worker)

from .base import csrf
from .security import csp_nonce
from .views.accounts import AccountView, PasswordView
from .views.applications import ApplicationView
from .views.audit import AuditLogView
from .views.dashboard import DashboardView
from .views.digests import DigestView
from .views.groups import DeliveryView, GroupView
from .views.imports import ImportView
from .views.linkage import LinkageView
from .views.places import OrgUnitView
from .views.plans import IndicatorView, PlanView, TargetView
from .views.queue import QueueView
from .views.registry import OrganizationView, VolunteerView
from .views.reports import ReportView
from .views.workers import InviteView, WorkerView


@dataclass(frozen=True)
class Page:
    """One view: its class, its menu label, its endpoint (the URL prefix ``/admin/<endpoint>``),
    the model it lists (None for a page of its own) and the menu group it sits in."""

    view: type[BaseView]
    name: object
    endpoint: str
    model: type | None = None
    category: object = None

    def add_to(self, admin_ext: Admin) -> None:
        args = (self.model,) if self.model is not None else ()
        view = self.view(*args, name=self.name, endpoint=self.endpoint, category=self.category)
        for method in getattr(view, "csrf_exempt", ()):
            csrf.exempt(f"{self.view.__module__}.{method}")
        admin_ext.add_view(view)


@dataclass(frozen=True)
class Link:
    """A menu entry for another route of a page listed before it."""

    name: object
    endpoint: str
    category: object = None

    def add_to(self, admin_ext: Admin) -> None:
        admin_ext.add_link(MenuLink(name=self.name, endpoint=self.endpoint,
                                    category=self.category))


PLANS = _l("Plans and targets")
REGISTRY = _l("Registry")
PUSHES = _l("Pushes")

INDEX = Page(DashboardView, _l("Dashboard"), "admin")
PAGES = (
    Page(QueueView, _l("Review queue"), "queue"),  # a reviewer's landing page
    Page(ReportView, _l("Reports"), "reports", Report),
    Page(WorkerView, _l("Workers"), "workers", Worker),
    Page(InviteView, _l("Invites"), "invites", Invite),
    Page(OrgUnitView, _l("Places"), "places", OrgUnit),
    Page(PlanView, _l("Plans"), "plans", Plan, PLANS),
    Page(IndicatorView, _l("Indicators"), "indicators", Indicator, PLANS),
    Page(TargetView, _l("Targets"), "targets", Target, PLANS),
    Page(AuditLogView, _l("Audit log"), "audit", AuditLog),
    Page(ApplicationView, _l("Pilot applications"), "applications", Application),
    Page(LinkageView, _l("Linkage index"), "linkage"),
    Page(OrganizationView, _l("Social organizations"), "organizations", SocialOrganization,
         REGISTRY),
    Page(VolunteerView, _l("Volunteers"), "volunteers", Volunteer, REGISTRY),
    Link(_l("Time bank"), "volunteers.timebank_view", REGISTRY),
    Page(ImportView, _l("Import"), "imports"),
    Page(GroupView, _l("Groups"), "groups", Group, PUSHES),
    Page(DeliveryView, _l("Deliveries"), "deliveries", Delivery, PUSHES),
    Page(DigestView, _l("Digests"), "digests", category=PUSHES),
    Page(AccountView, _l("Accounts"), "accounts"),  # its rows: AccountView.model
    Page(PasswordView, _l("Change password"), "password"),
)


def build_admin() -> Admin:
    """Flask-Admin with the dashboard as its index and every page of ``PAGES`` in order
    (``Admin.init_app`` in ``create_app`` then registers their routes with Flask)."""
    index = INDEX.view(name=INDEX.name, endpoint=INDEX.endpoint, url="/admin")
    admin_ext = Admin(name=_l("Wushe"), index_view=index, csp_nonce_generator=csp_nonce,
                      theme=Bootstrap4Theme(base_template="wushe/base.html", fluid=True))
    for page in PAGES:
        page.add_to(admin_ext)
    return admin_ext

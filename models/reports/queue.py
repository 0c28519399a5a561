"""A reviewer's queue: what waits for one official's decision, oldest first.

Three things wait for officials: reports (submitted, not yet approved or returned; an editor
reviews those of its subtree), pilot applications (the Gansu chain: those waiting at the
official's level, ``models.applications.visible(waiting_only=True)``) and organizations' 备案
(初审 by the 居(村)委会 of the organization's community, 备案 by its street; the same rule as
``models.registry.allowed_actions``). A *reviewer* is an account for which one of the three can
ever hold something; other accounts (a viewer) have no queue. Knows nothing of Flask.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models import applications as chain
from models.core.schema import Application, OrgUnit, Report, ReportKind, SocialOrganization
from models.org import access

REPORT, APPLICATION, ORGANIZATION = "report", "application", "organization"
KINDS = (REPORT, APPLICATION, ORGANIZATION)
# Who may act on organizations' filings (the registry's writers; the place decides the step).
REGISTRY_ROLES = access.EDITOR_ROLES + (access.TOWNSHIP_OFFICER,)


@dataclass(frozen=True)
class Waiting:
    """One item of the queue: what it is, its row, and since when it waits."""

    kind: str
    row: object
    since: dt.datetime | None

    @property
    def id(self) -> int:
        return self.row.id


def reviews_reports(user) -> bool:
    return access.can_edit(user)


def reviews_applications(user) -> bool:
    return chain.level_of(user) is not None


def reviews_organizations(user) -> bool:
    return bool(getattr(user, "active", False)) and getattr(user, "role", None) in REGISTRY_ROLES


def is_reviewer(user) -> bool:
    """Whether ``user`` has a queue at all (its landing page is then the queue)."""
    return reviews_reports(user) or reviews_applications(user) or reviews_organizations(user)


def _chain_kinds():
    return ReportKind.select(ReportKind.id).where(ReportKind.stores == "application")


def reports(user):
    """Submitted reports of ``user``'s subtree that an editor decides here (an application's
    report is decided by its chain), oldest first."""
    query = Report.select()
    if not reviews_reports(user):
        return query.where(Report.id.is_null())
    query = access.scoped(query, Report, user)
    return (query.where(Report.status == "submitted", Report.kind.not_in(_chain_kinds()))
            .order_by(Report.created_at, Report.id))


def applications(user):
    """Applications waiting at ``user``'s level of the chain, oldest first."""
    if not reviews_applications(user):
        return Application.select().where(Application.id.is_null())
    return (chain.visible(user, waiting_only=True)
            .order_by(Application.submitted_at, Application.id))


def organizations(user):
    """Filings waiting for ``user``'s place: 初审 of a pending organization of its community,
    备案 of a reviewed one of its street's communities or of its street's pending hub."""
    query = SocialOrganization.select()
    if not reviews_organizations(user):
        return query.where(SocialOrganization.id.is_null())
    unit = user.org_unit
    children = OrgUnit.select(OrgUnit.id).where(OrgUnit.parent == unit)
    first = ((SocialOrganization.org_unit == unit) & (SocialOrganization.status == "pending")
             & (SocialOrganization.is_hub == False))  # noqa: E712
    hub = ((SocialOrganization.org_unit == unit) & (SocialOrganization.status == "pending")
           & (SocialOrganization.is_hub == True))  # noqa: E712
    filing = ((SocialOrganization.org_unit.in_(children))
              & (SocialOrganization.status == "reviewed")
              & (SocialOrganization.is_hub == False))  # noqa: E712
    query = access.scoped(query, SocialOrganization, user)
    return query.where(first | hub | filing).order_by(SocialOrganization.created_at,
                                                     SocialOrganization.id)


QUERIES = {REPORT: reports, APPLICATION: applications, ORGANIZATION: organizations}


def counts(user) -> dict[str, int]:
    """How many items of each kind wait for ``user`` (the menu's badge sums them)."""
    return {kind: QUERIES[kind](user).count() for kind in KINDS}


def _since(kind: str, row) -> dt.datetime | None:
    if kind == REPORT:
        return row.created_at
    if kind == APPLICATION:
        return row.submitted_at or row.created_at
    return row.reviewed_at if row.status == "reviewed" else row.created_at


def items(user, kind: str, *, limit: int = 50) -> list[Waiting]:
    """The oldest ``limit`` items of one kind waiting for ``user``."""
    return [Waiting(kind, row, _since(kind, row)) for row in QUERIES[kind](user).limit(limit)]


def next_report(user, after: Report | None = None) -> Report | None:
    """The oldest report still waiting for ``user`` (other than ``after``): where "approve and
    go to the next" goes."""
    query = reports(user)
    if after is not None:
        query = query.where(Report.id != after.id)
    return query.first()

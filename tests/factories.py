"""Factories for test data: personas ailin, bowen, chunhua are workers in different places."""
from __future__ import annotations

import datetime as dt
import itertools

from models.forms.kinds import get_kind
from models.plans.loading import count_report
from models.core.schema import (AdminUser, Application, ApplicationStep, AuditLog, OrgUnit, Outbox,
                                Report, ReportKind, Worker)
from models.reports.filing import save_draft, start_draft, submit_draft
from models.org.workers import create_invite

_ids = itertools.count(10_000)


def county(code: str = "511802") -> OrgUnit:
    return OrgUnit.get(OrgUnit.code == code)


def community(county_code: str = "511802", index: int = 0) -> OrgUnit:
    return (OrgUnit.select().where(OrgUnit.level == "community",
                                   OrgUnit.path.startswith(county(county_code).path))
            .order_by(OrgUnit.code).offset(index).first())


def worker(name: str = "ailin", *, tg_user_id: int | None = None, place: OrgUnit | None = None,
           status: str = "active", role: str = "worker") -> Worker:
    return Worker.create(tg_user_id=tg_user_id or next(_ids), display_name=name.title(),
                         org_unit=place or community(), status=status, role=role)


def invite(place: OrgUnit | None = None, **kw):
    return create_invite(place or community(), **kw)


ANSWERS = {
    "activity": {"action_line": "children", "activity_type": "service", "title": "四点半课堂",
                 "date": "2026-11-20", "place": "社区活动室", "participants": 30, "minors": 20,
                 "parties": ["community", "volunteer"], "volunteers": 5},
    "xinfeng": {"event_type": "frugal_funeral", "date": "2026-11-20", "place": "村委会",
                "participants": 40},
    "placename": {"setting": "school", "date": "2026-11-20", "place_names": "上里古镇",
                  "stories": 3, "audience": 60, "elderly": 10, "children": 40},
    "donation": {"donor_type": "enterprise", "form": "money", "amount": "5000.00",
                 "fund": "和平社区慈善基金", "date": "2026-11-20"},
    "milestone": {"milestone_type": "minors_protection_point", "name": "和平社区未成年人保护点",
                  "count": 1, "date": "2026-11-20"},
}


def report(kind: str = "activity", *, by: Worker | None = None, status: str = "submitted",
           date: dt.date | None = None, **answers) -> Report:
    """A stored report with its contributions, as the bot would leave it."""
    w = by or worker()
    values = {**ANSWERS[kind], **answers}
    if date:
        values["date"] = date.isoformat()
    k = get_kind(kind)
    r = Report.create(kind=ReportKind.get(ReportKind.code == kind), worker=w, org_unit=w.org_unit,
                      org_path=w.org_unit.path, action_line=k.action_line_of(values),
                      activity_date=dt.date.fromisoformat(values["date"]), values=values,
                      status=status)
    count_report(r)
    return r


# ---- the Gansu pilot's 申报表 (applications) ------------------------------------------------

APPLICATION_ANSWERS = {
    "project_name": "“四点半课堂”困境儿童课后服务",
    "community_profile": "社区共有居民2400户，老旧小区较多。",
    "needs": "放学后无人看护的儿童较多。",
    "beneficiaries": "困境和留守儿童约50人",
    "service_methods": "社工带领志愿者开展课业辅导和安全教育小组",
    "period": "2026年12月至2027年6月",
    "funding": "总需求8万元：申请省级补助5万元，街道配套3万元。",
    "subsidy": "50000.00",
    "outcomes": "儿童课后安全得到保障，培育社区社会组织1个。",
    "service_areas": ["disability_schooling", "left_behind"],
    "implementer": "阳光社工服务中心承接，社工李娜主导实施",
    "needs_collected_on": "2026-10-08",
    "hearing_on": "2026-10-20",
    "review_on": "2026-10-27",
    "notice_on": "2026-11-02",
}


def official(username: str, role: str, code: str, *, active: bool = True) -> AdminUser:
    return AdminUser.create(username=username, display_name=username.title(), role=role,
                            password_hash="x", org_unit=OrgUnit.get(OrgUnit.code == code),
                            active=active)


def application(worker: Worker, **answers) -> Application:
    """File a 申报表 as the bot does: a draft of kind pilot_application, submitted."""
    draft = start_draft(worker, "pilot_application")
    draft.answers = {**APPLICATION_ANSWERS, **answers}
    draft.step = None
    save_draft(draft)
    report, created = submit_draft(draft, today=dt.date(2026, 11, 23))
    assert created
    return Application.get(Application.uid == report.uid)


def application_state(application: Application) -> tuple:
    """Everything an act may change, to prove a refused one changed nothing."""
    row = Application.get_by_id(application.id)
    report = Report.get(Report.uid == application.uid)
    return (row.level, row.status, row.updated_at, row.decided_at, report.status,
            ApplicationStep.select().where(ApplicationStep.application == row).count(),
            AuditLog.select().count(), Outbox.select().count())

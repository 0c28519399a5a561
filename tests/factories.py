"""Factories for test data: personas alice, bob, charlie are workers in different places."""
from __future__ import annotations

import datetime as dt
import itertools

from models.forms.kinds import get_kind
from models.plans.loading import count_report
from models.core.schema import OrgUnit, Report, ReportKind, Worker
from models.org.workers import create_invite

_ids = itertools.count(10_000)


def county(code: str = "511802") -> OrgUnit:
    return OrgUnit.get(OrgUnit.code == code)


def community(county_code: str = "511802", index: int = 0) -> OrgUnit:
    return (OrgUnit.select().where(OrgUnit.level == "community",
                                   OrgUnit.path.startswith(county(county_code).path))
            .order_by(OrgUnit.code).offset(index).first())


def worker(name: str = "alice", *, tg_user_id: int | None = None, place: OrgUnit | None = None,
           status: str = "active", role: str = "worker") -> Worker:
    return Worker.create(tg_user_id=tg_user_id or next(_ids), display_name=name.title(),
                         org_unit=place or community(), status=status, role=role)


def invite(place: OrgUnit | None = None, **kw):
    return create_invite(place or community(), **kw)


ANSWERS = {
    "activity": {"action_line": "children", "activity_type": "service", "title": "四点半课堂",
                 "date": "2026-11-20", "place": "社区活动室", "participants": 30,
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

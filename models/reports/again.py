""""Same as last time": a recurring activity (the weekly 四点半课堂, the monthly visit) is the
worker's last report of its kind again, on another day. Its answers are copied with the date set
to today; photos and a shared location are not copied (they show one day), and the worker sees
the whole report on the card before anything is stored.
"""
from __future__ import annotations

import datetime as dt

from models.core.schema import Report, ReportKind, Worker
from models.forms.kinds import KindDef

__all__ = ["copied_answers", "last_reports"]


def last_reports(worker: Worker, *, limit: int = 3) -> list[Report]:
    """The worker's latest report of each kind that can be repeated (not a registry entry or
    an application), newest first, at most ``limit``."""
    out: list[Report] = []
    seen: set[int] = set()
    rows = (Report.select(Report, ReportKind).join(ReportKind)
            .where(Report.worker == worker, ReportKind.active == True,  # noqa: E712
                   ReportKind.stores.is_null())
            .order_by(Report.created_at.desc(), Report.id.desc()).limit(50))
    for report in rows:
        if report.kind_id in seen:
            continue
        seen.add(report.kind_id)
        out.append(report)
        if len(out) == limit:
            break
    return out


def copied_answers(kind: KindDef, report: Report, today: dt.date) -> dict:
    """The report's answers for a new draft of its kind: the date today, no photos, no
    location; fields the kind no longer has are dropped, new ones left to be asked."""
    answers = {}
    for f in kind.fields:
        if f.role == "date":
            answers[f.name] = today.isoformat()
        elif f.field_type.prompt == "photos":
            answers[f.name] = 0
        elif f.type == "location":
            answers[f.name] = None
        elif f.name in report.values:
            answers[f.name] = report.values[f.name]
    return answers

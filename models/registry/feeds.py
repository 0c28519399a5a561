"""Reports feed the registry (``models.reports.sinks``): the bot's "Volunteer registration"
report is the single entry of a volunteer and its "Volunteer service hours" report the single
entry of a service. The registry row follows its report: created with it (same uid), updated
when a returned report is corrected and resubmitted; when the report is rejected the volunteer
is deactivated and the hours leave the bank, and they come back if it is accepted again.

Plain functions: ``models.extensions.install()`` registers them as the sinks ``volunteer``
and ``volunteer_hours``."""
from __future__ import annotations

from models.core.schema import Report, Volunteer, VolunteerHours, audit
from models.forms.particulars import mask_id_number
from models.registry.timebank import log_hours
from models.registry.vocabulary import RegistryError
from models.registry.volunteers import (check_unique_person, clean_volunteer,
                                        set_volunteer_active, volunteer_snapshot)


def _actor(report: Report) -> str:
    return f"tg:{report.worker.tg_user_id}" if report.worker_id else "system"


def volunteer_from_report(report: Report, *, created: bool) -> Volunteer:
    """A "Volunteer registration" report made (or corrected): the volunteer, same uid.
    The report keeps the ID number masked; the registry keeps it whole."""
    values = dict(report.values)
    v = Volunteer.get_or_none(Volunteer.uid == report.uid)
    cleaned = clean_volunteer(values, keep_id=v.id_number if v else None)
    cleaned.pop("registered_on", None)
    unit = report.org_unit
    if unit.level != "community":
        raise RegistryError("org_unit", "needs_community")
    check_unique_person(unit, cleaned, exclude=v.id if v else None)
    if v is None:
        v = Volunteer.create(uid=report.uid, org_unit=unit, org_path=report.org_path,
                             registered_on=report.activity_date, registered_by=report.worker,
                             source="bot", active=report.status != "rejected", **cleaned)
        audit(_actor(report), "register", "volunteer", v.id, after=volunteer_snapshot(v))
    else:
        before = volunteer_snapshot(v)
        for k, val in cleaned.items():
            setattr(v, k, val)
        v.registered_on = report.activity_date
        v.active = report.status != "rejected"
        v.save()
        audit(_actor(report), "update", "volunteer", v.id, before=before, after=volunteer_snapshot(v))
    if cleaned.get("id_number") and values.get("id_number") != mask_id_number(cleaned["id_number"]):
        values["id_number"] = mask_id_number(cleaned["id_number"])
        report.values = values
        Report.update(values=values).where(Report.id == report.id).execute()
    return v


def hours_from_report(report: Report, *, created: bool) -> VolunteerHours | None:
    """A "Volunteer service hours" report made (or corrected): its time-bank entry, same uid.
    Only a volunteer of the reporting worker's own community can be credited."""
    values = report.values
    v = Volunteer.get_or_none(Volunteer.uid == (values.get("volunteer") or ""))
    if v is None or v.org_unit_id != report.org_unit_id:
        raise RegistryError("volunteer", "not_your_volunteer")
    if report.status == "rejected":
        return None
    return log_hours(v, date=report.activity_date, hours=values.get("hours"),
                     activity=values.get("activity") or "", actor=_actor(report),
                     logged_by=report.worker, report=report, uid=report.uid)


def volunteer_reviewed(report: Report, *, before: str) -> None:
    """A rejected registration takes the volunteer out of the registry's active count; if the
    report is accepted again, they are back."""
    v = Volunteer.get_or_none(Volunteer.uid == report.uid)
    if v is None:
        return
    if report.status == "rejected":
        set_volunteer_active(v, False, actor=report.reviewed_by or "system",
                             reason=report.reject_reason)
    elif before == "rejected":
        set_volunteer_active(v, True, actor=report.reviewed_by or "system")


def hours_reviewed(report: Report, *, before: str) -> None:
    """Rejected hours leave the bank; accepted again, they return (as they were, without the
    day check they passed when first stored)."""
    row = VolunteerHours.get_or_none(VolunteerHours.uid == report.uid)
    actor = report.reviewed_by or "system"
    if report.status == "rejected":
        if row is not None:
            audit(actor, "remove", "volunteer_hours", row.id,
                  before={"volunteer": row.volunteer.uid, "date": row.date, "hours": row.hours,
                          "activity": row.activity}, after={"reason": report.reject_reason})
            row.delete_instance()
    elif before == "rejected" and row is None:
        v = Volunteer.get_or_none(Volunteer.uid == (report.values.get("volunteer") or ""))
        if v is not None and v.active and v.org_unit_id == report.org_unit_id:
            log_hours(v, date=report.activity_date, hours=report.values.get("hours"),
                      activity=report.values.get("activity") or "", actor=actor,
                      logged_by=report.worker, report=report, uid=report.uid, check_day=False)

"""The time bank (时间银行, 津民发〔2018〕61号 四(三)): service hours deposited per volunteer,
and each community's figures as the plans measure them. The bank records deposits only
(hours served); nothing here spends them, so a balance is hours served."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import peewee as pw

from models.core.db import database
from models.core.schema import OrgUnit, Report, Volunteer, VolunteerHours, Worker, audit
from models.forms import parsing
from models.forms.particulars import HOURS_MAX, parse_hours
from models.registry.vocabulary import RegistryError


def _day_total(v: Volunteer, day: dt.date, exclude_uid: str | None) -> Decimal:
    q = VolunteerHours.select(pw.fn.SUM(VolunteerHours.hours)).where(
        VolunteerHours.volunteer == v, VolunteerHours.date == day)
    if exclude_uid:
        q = q.where(VolunteerHours.uid != exclude_uid)
    return Decimal(str(q.scalar() or 0))


def log_hours(v: Volunteer, *, date: dt.date, hours, activity: str, actor: str,
              logged_by: Worker | None = None, report: Report | None = None,
              uid: str | None = None, check_day: bool = True) -> VolunteerHours:
    """Deposit service hours in the time bank: 0.5–24 per entry in half hours, and a
    volunteer's entries for one day never above 24. ``uid`` makes it idempotent: the same
    uid updates its entry instead of adding one."""
    value = Decimal(parse_hours(hours))
    activity = parsing.parse_text(activity or "", "activity", max_length=200, multiline=False)
    if not v.active:
        raise RegistryError("volunteer", "volunteer_inactive")
    with database.atomic():
        if check_day:
            logged = _day_total(v, date, uid)
            if logged + value > HOURS_MAX:
                raise RegistryError("hours", "day_over_24", logged=format(logged.normalize(), "f"),
                                    max=int(HOURS_MAX))
        row = VolunteerHours.get_or_none(VolunteerHours.uid == uid) if uid else None
        after = {"volunteer": v.uid, "date": date, "hours": value, "activity": activity}
        if row is None:
            extra = {"uid": uid} if uid else {}
            row = VolunteerHours.create(volunteer=v, date=date, hours=value, activity=activity,
                                        report=report, logged_by=logged_by, **extra)
            audit(actor, "log", "volunteer_hours", row.id, after=after)
        else:
            before = {"volunteer": row.volunteer.uid, "date": row.date, "hours": row.hours,
                      "activity": row.activity}
            row.volunteer, row.date, row.hours, row.activity = v, date, value, activity
            row.save()
            audit(actor, "update", "volunteer_hours", row.id, before=before, after=after)
    return row


def balance(v: Volunteer) -> Decimal:
    """A volunteer's time-bank balance: every hour served (nothing spends them here)."""
    total = (VolunteerHours.select(pw.fn.SUM(VolunteerHours.hours))
             .where(VolunteerHours.volunteer == v).scalar())
    return Decimal(str(total or 0))


def balances(volunteer_ids) -> dict[int, Decimal]:
    """Balances of many volunteers in one query (a list page)."""
    ids = list(volunteer_ids)
    if not ids:
        return {}
    rows = (VolunteerHours.select(VolunteerHours.volunteer, pw.fn.SUM(VolunteerHours.hours))
            .where(VolunteerHours.volunteer.in_(ids)).group_by(VolunteerHours.volunteer).tuples())
    return {vid: Decimal(str(total or 0)) for vid, total in rows}


@dataclass(frozen=True)
class CommunityBank:
    """One community's volunteers and time bank, as the plans measure them (000: registered
    ≥15 % of residents, ≥40 % of them with recorded hours in the year; 002: ≥10 %)."""

    community: OrgUnit
    registered: int        # active volunteers
    with_hours: int        # of them, with hours recorded in the year
    hours: Decimal         # hours recorded in the year
    balance: Decimal       # hours ever recorded (the bank's balance)

    @property
    def share_of_residents(self) -> float | None:
        pop = self.community.population
        return 100.0 * self.registered / pop if pop else None

    @property
    def share_with_hours(self) -> float | None:
        return 100.0 * self.with_hours / self.registered if self.registered else None


def time_bank(root: OrgUnit, year: int) -> list[CommunityBank]:
    """Per community under ``root`` (the community itself if it is one): volunteers, those
    with hours in ``year``, the year's hours and the balance. Four grouped queries."""
    communities = list(OrgUnit.select().where(OrgUnit.path.startswith(root.path),
                                              OrgUnit.level == "community")
                       .order_by(OrgUnit.path))
    inside = Volunteer.org_path.startswith(root.path)
    active = Volunteer.active == True  # noqa: E712
    registered = dict(Volunteer.select(Volunteer.org_unit, pw.fn.COUNT(Volunteer.id))
                      .where(inside, active).group_by(Volunteer.org_unit).tuples())
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = (VolunteerHours.select(Volunteer.org_unit, pw.fn.SUM(VolunteerHours.hours),
                                     pw.fn.COUNT(pw.fn.DISTINCT(VolunteerHours.volunteer)))
               .join(Volunteer).where(inside, VolunteerHours.date.between(start, end))
               .group_by(Volunteer.org_unit).tuples())
    year_hours = {u: Decimal(str(h or 0)) for u, h, _ in in_year}
    with_hours = dict(VolunteerHours.select(Volunteer.org_unit,
                                            pw.fn.COUNT(pw.fn.DISTINCT(VolunteerHours.volunteer)))
                      .join(Volunteer).where(inside, active,
                                             VolunteerHours.date.between(start, end))
                      .group_by(Volunteer.org_unit).tuples())
    ever = {u: Decimal(str(h or 0)) for u, h in
            VolunteerHours.select(Volunteer.org_unit, pw.fn.SUM(VolunteerHours.hours))
            .join(Volunteer).where(inside).group_by(Volunteer.org_unit).tuples()}
    return [CommunityBank(c, registered.get(c.id, 0), with_hours.get(c.id, 0),
                          year_hours.get(c.id, Decimal(0)), ever.get(c.id, Decimal(0)))
            for c in communities]

"""What a load of a plan or places file did: its changes (each audited as it is made), the
conflicts between the file and values officials or imports set (kept unless overwritten),
and officials' rows the file does not list (kept). The command line prints ``lines``."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import peewee as pw

from models.core import owners
from models.core.i18n import N_, Translator
from models.core.schema import audit

FIELD_LABELS = {"name": N_("Name"), "name_en": N_("English name"), "is_rural": N_("Rural"),
                "population": N_("Population"), "households": N_("Households"),
                "counted_statuses": N_("Counted toward targets"), "parent": N_("Belongs to"),
                "level": N_("Level"), "value": N_("Target"), "code": N_("Statistical code")}
STATUS_LABELS = {"submitted": N_("Submitted"), "approved": N_("Approved")}


@dataclass
class Subject:
    """What a line is about: a target (indicator, place, year), a place's field, a plan's."""

    indicator: str | None = None
    place: str | None = None  # "name (code)"
    year: int | None = None
    field: str | None = None
    plan: str | None = None

    def text(self, t: Translator) -> str:
        parts = [p for p in (self.plan, self.indicator, self.place) if p]
        if self.indicator and self.place:
            parts.append(str(self.year) if self.year is not None
                         else t.gettext(N_("whole plan period")))
        if self.field and self.field != "value":
            parts.append(t.gettext(FIELD_LABELS.get(self.field, self.field)))
        return " · ".join(parts)


@dataclass
class Conflict:
    """The file says ``file_value``; the database holds ``db_value`` set by ``by`` at ``at``
    (``deleted``: the official deleted the row the file lists). ``overwritten``: the file
    won (``overwrite=True``), else the database's value was kept."""

    subject: Subject
    file_value: Any
    db_value: Any
    by: str | None
    at: str | None
    deleted: bool = False
    overwritten: bool = False
    held_by: str | None = None  # a place's code: the place ("name (code)") that holds it


@dataclass
class Kept:
    """An official's row the file does not list: a target (``value``) or an indicator
    dropped from the file that holds ``count`` officials' targets (deleted if overwritten)."""

    subject: Subject
    value: Any = None
    by: str | None = None
    at: str | None = None
    count: int | None = None
    overwritten: bool = False


@dataclass
class Change:
    entity: str
    entity_id: Any
    action: str  # create | update | delete
    before: dict | None = None
    after: dict | None = None


@dataclass
class LoadResult:
    """``plan`` for a plan load, ``units`` (org units in the database) for a places load."""

    source: str  # the file's name
    plan: Any = None
    units: int = 0
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    created: dict[str, list[str]] = field(default_factory=dict)

    @property
    def actor(self) -> str:
        return f"load:{self.source}"

    def change(self, entity: str, entity_id, action: str, before=None, after=None) -> None:
        """Record one update or deletion of an existing row, audited now (in the load's
        transaction)."""
        audit(self.actor, action, entity, entity_id, before=before, after=after)
        self.changes.append(Change(entity, entity_id, action, before, after))

    def create(self, entity: str, entity_id, key: str) -> None:
        """Record a row the load created; ``finish`` audits them in one entry."""
        self.created.setdefault(entity, []).append(key)
        self.changes.append(Change(entity, entity_id, "create", after={"key": key}))

    def finish(self) -> "LoadResult":
        if self.created:
            audit(self.actor, "load", "load", self.source, after={"created": self.created})
        return self

    def lines(self, t: Translator) -> list[str]:
        """One line per conflict and kept row, then the totals, in ``t``'s language."""
        out = []
        for c in self.conflicts:
            msgid = (_code_message(c) if c.subject.field == "code" else
                     N_("Overwritten: {what}: the file's {file} restores what {by} deleted "
                        "at {at}.") if c.deleted and c.overwritten else
                     N_("Conflict: {what}: the file says {file}, but {by} deleted it at {at}; "
                        "left deleted.") if c.deleted else
                     N_("Conflict: {what}: the file says {file}, the database holds {value}; "
                        "a load never moves a place.") if c.by is None else
                     N_("Overwritten: {what}: the file's {file} replaces {value} set by {by} "
                        "at {at}.") if c.overwritten else
                     N_("Conflict: {what}: the file says {file}, the database holds {value} "
                        "set by {by} at {at}; kept {value}."))
            out.append(t.gettext(msgid, what=c.subject.text(t), file=_shown(c.file_value, t),
                                 value=_shown(c.db_value, t), by=c.by or "?", at=_at(c.at),
                                 held=c.held_by or "?"))
        for k in self.kept:
            if k.count is not None:
                msgid = (N_("Deleted: indicator {what}, no longer in the file, with {count} "
                            "targets set by officials.") if k.overwritten else
                         N_("Kept: indicator {what} is no longer in the file but holds {count} "
                            "targets set by officials."))
                out.append(t.gettext(msgid, what=k.subject.text(t), count=k.count))
            else:
                out.append(t.gettext(N_("Kept: {what} = {value}, set by {by} at {at}, is not "
                                        "in the file."), what=k.subject.text(t),
                                     value=_shown(k.value, t), by=k.by or "?", at=_at(k.at)))
        out.append(t.gettext(N_("Loaded {file}: {changes} changes, {conflicts} conflicts, "
                                "{kept} kept."), file=self.source, changes=len(self.changes),
                             conflicts=len(self.conflicts), kept=len(self.kept)))
        return out


def _code_message(c: Conflict) -> str:
    """A place whose code is not the file's (models.org.places): kept, taken, or blocked."""
    if c.db_value is None:
        return N_("Conflict: {what}: not created, its code is held by {held}.")
    if c.held_by:
        return N_("Conflict: {what}: the file says {file}, which {held} holds; kept {value}.")
    if c.overwritten:
        return N_("Overwritten: {what}: the file's {file} replaces {value}; the places, "
                  "stations, reports and registries under it follow.")
    return N_("Conflict: {what}: the file says {file}, the database holds {value}; kept "
              "{value} (a load with --overwrite takes the file's code).")


def _shown(value, t: Translator) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t.gettext(N_("Yes") if value else N_("No"))
    if isinstance(value, (int, float, Decimal)):
        return t.number(Decimal(str(value)).normalize() if isinstance(value, Decimal) else value)
    if isinstance(value, (list, tuple)):
        return "、".join(t.gettext(STATUS_LABELS[v]) if v in STATUS_LABELS else str(v)
                        for v in value)
    return str(value)


def _at(at: str | None) -> str:
    return (at or "?").replace("T", " ")[:16]


def same(a, b) -> bool:
    """Whether a stored value and a file's value are the same (2 == 2.00; a date and its
    ISO text; a row and its id)."""
    a, b = _key(a), _key(b)
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


def _key(value):
    if hasattr(value, "_meta") and hasattr(value, "id"):
        return value.id
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def plain(value):
    """A value as the audit log stores it (a row as its id)."""
    return _key(value) if hasattr(value, "_meta") else value


def sync(result: LoadResult, entity: str, row, values: dict) -> bool:
    """Set the file's ``values`` on an existing row the file owns, auditing the fields that
    differ in one entry; whether anything did."""
    before, after = {}, {}
    for name, value in values.items():
        current = getattr(row, name)
        if name in row._meta.fields and isinstance(row._meta.fields[name], pw.ForeignKeyField):
            current = row.__data__.get(name)
        if not same(current, value):
            before[name], after[name] = plain(current), plain(value)
            setattr(row, name, value)
    if after:
        row.save(only=[row._meta.fields[n] for n in after])
        result.change(entity, row.id, "update", before=before, after=after)
    return bool(after)


def settle(result: LoadResult, entity: str, row, name: str, value, subject: Subject,
           overwrite: bool) -> None:
    """The file's ``value`` for a field officials or imports may set: applied (and audited)
    when the file owns the field; else kept and reported as a conflict, unless
    ``overwrite``, which applies it, reports it and gives the field back to the file."""
    current = getattr(row, name)
    if value is None or same(current, value):
        return
    who = owners.owner(row, name)
    if who is not None:
        result.conflicts.append(Conflict(subject, value, current, who.get("by"), who.get("at"),
                                         overwritten=overwrite))
        if not overwrite:
            return
    before = {name: plain(current)}
    if who is not None:
        before["owner"] = who
    setattr(row, name, value)
    row.owners = owners.released(row.owners, [name])
    row.save(only=[row._meta.fields[name], row._meta.fields["owners"]])
    result.change(entity, row.id, "update", before=before, after={name: plain(value)})

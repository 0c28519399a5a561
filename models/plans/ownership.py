"""Owners for a database from before ``owners`` existed (run once by its migration): the
values whose last recorded change was an official's or an import's are marked as theirs,
so the next load of a plan or places file keeps them (models/core/owners.py)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from models.core import owners
from models.core.loads import same
from models.core.schema import AuditLog, OrgUnit, Plan, Target
from models.org.places import DEFAULT_PLACES, shipped_units

# What the admin's views audit and officials may set: entity → (table, owned fields).
AUDITED = {"target": (Target, ("value",)), "org_unit": (OrgUnit, ("population", "households")),
           "plan": (Plan, ("counted_statuses",))}
IMPORTED = ("name", "name_en", "is_rural", "population", "households")


def backfill(places_path: Path = DEFAULT_PLACES) -> dict[str, int]:
    """Mark what officials and imports set; the number of rows marked per table.

    From the audit log: the last create or update of a target, a place's population or
    households, or a plan's counted statuses by anyone but a load, when the row still holds
    the value it set. From the imports of places (one audit entry per file, no rows): once
    any was made, a place fact that differs from what ``places_path`` would load (or of a
    place the file does not describe) is the last import's."""
    marked = {name: 0 for name in AUDITED}
    last: dict[tuple, tuple[AuditLog, object]] = {}
    query = (AuditLog.select().where(AuditLog.entity.in_(list(AUDITED)),
                                     AuditLog.action.in_(("create", "update")))
             .order_by(AuditLog.id))
    for entry in query:
        after, before = entry.after or {}, entry.before or {}
        for name in AUDITED[entry.entity][1]:
            changed = (entry.action == "create" or before != after if entry.entity == "target"
                       else name in after and before.get(name) != after.get(name))
            if changed:
                last[(entry.entity, entry.entity_id, name)] = (entry, after.get(name))
    for (entity, entity_id, name), (entry, value) in last.items():
        if entry.actor.startswith("load:"):
            continue
        model = AUDITED[entity][0]
        row = model.get_or_none(model.id == int(entity_id))
        if row is None or owners.owner(row, name) is not None or not same(getattr(row, name),
                                                                          _number(value)):
            continue
        owners.claim(row, [name], entry.actor, owners.ADMIN, at=entry.at)
        marked[entity] += 1
    marked["org_unit"] += _imported(places_path)
    return marked


def _number(value):
    """An audited value as stored (the log keeps a Decimal as text)."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _imported(places_path: Path) -> int:
    entry = (AuditLog.select().where(AuditLog.entity == "import", AuditLog.action == "import",
                                     AuditLog.entity_id == "org_units")
             .order_by(AuditLog.id.desc()).first())
    if entry is None:
        return 0
    shipped = {u["code"]: u for u in shipped_units(places_path)} if places_path else {}
    count = 0
    for unit in OrgUnit.select():
        file = shipped.get(unit.code, {})
        fields = [f for f in IMPORTED
                  if getattr(unit, f) is not None and owners.owner(unit, f) is None
                  and (f not in file or not same(getattr(unit, f), file[f]))
                  and not (f == "is_rural" and f not in file and unit.code in shipped)]
        if fields:
            owners.claim(unit, fields, entry.actor, owners.IMPORT, at=entry.at)
            count += 1
    return count

"""Who owns a value: the shipped file that loaded it, or the official or import that set it.

A row's ``owners`` column (OrgUnit, Plan, Target) names the fields an official or an import
set: ``{field: {"by": actor, "via": "admin" | "import", "at": ISO time}}``. A field it does
not name is the file's, and the next load of that file may change it; a field it names is
kept by a load that says otherwise (the load reports the conflict) unless the load is told
to overwrite, which gives the field back to the file. Every write path that lets a person
change such a value claims it here: the admin's views (``admin.base``) and the importer
(``models.importing.org_units``).
"""
from __future__ import annotations

from typing import Iterable

from models.core.schema import now

ADMIN = "admin"
IMPORT = "import"


def record(actor: str, via: str, at=None) -> dict:
    return {"by": actor, "via": via, "at": (at or now()).isoformat(timespec="seconds")}


def claimed(owners: dict | None, fields: Iterable[str], actor: str, via: str, at=None) -> dict:
    """``owners`` with ``fields`` set by ``actor`` (a new dict)."""
    out = dict(owners or {})
    mark = record(actor, via, at)
    for field in fields:
        out[field] = mark
    return out


def released(owners: dict | None, fields: Iterable[str]) -> dict:
    """``owners`` without ``fields``: they follow the file again (a new dict)."""
    drop = set(fields)
    return {k: v for k, v in (owners or {}).items() if k not in drop}


def claim(row, fields: Iterable[str], actor: str, via: str, at=None) -> None:
    """Mark ``fields`` of a saved row as set by ``actor``: one UPDATE of its owners."""
    fields = list(fields)
    if not fields:
        return
    model = type(row)
    row.owners = claimed(row.owners, fields, actor, via, at)
    model.update(owners=row.owners).where(model.id == row.id).execute()


def owner(row, field: str) -> dict | None:
    """Who set ``field`` of ``row`` if not its file, else None."""
    return (row.owners or {}).get(field)

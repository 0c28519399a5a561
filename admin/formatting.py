"""How places are named in the admin's lists and pages: "县 · 乡镇" for a community, the
parent's name before a community's, each loaded in a query or two for a whole page of rows.
"""
from __future__ import annotations

from flask import g

from models.core.schema import OrgUnit


def place_names(units: list[OrgUnit]) -> dict[int, str]:
    """'县 · 乡镇' for each community, from one query over all their ancestors."""
    codes = {c for u in units for c in u.path.strip("/").split("/")[1:-1]}
    name = (dict(OrgUnit.select(OrgUnit.code, OrgUnit.name)
                 .where(OrgUnit.code.in_(list(codes))).tuples()) if codes else {})
    return {u.id: " · ".join(name[c] for c in u.path.strip("/").split("/")[1:-1] if c in name)
            for u in units}


def attach_units(rows: list) -> None:
    """Load the rows' org units and their parents in two queries (for "township · community")."""
    ids = {r.org_unit_id for r in rows}
    units = {u.id: u for u in OrgUnit.select().where(OrgUnit.id.in_(ids))} if ids else {}
    parent_ids = {u.parent_id for u in units.values() if u.parent_id}
    parents = ({p.id: p for p in OrgUnit.select().where(OrgUnit.id.in_(parent_ids))}
               if parent_ids else {})
    g.wushe_parents = parents
    for r in rows:
        r.org_unit = units[r.org_unit_id]


def unit_label(view, context, model, name) -> str:
    unit = model.org_unit
    parents = g.get("wushe_parents")
    parent = parents.get(unit.parent_id) if parents is not None else unit.parent
    return f"{parent.name} · {unit.name}" if parent and unit.level == "community" else unit.name


def due_text(indicator) -> str:
    """An indicator's due date as the dashboard shows it ("截止 2025-12-31"), saying so when the
    document gives none and the plan file assumed it (``assumed``: the plan's reason)."""
    from flask_babel import gettext as _
    if indicator.due is None or indicator.period not in ("plan", "standing"):
        return ""
    date = indicator.due.isoformat() if hasattr(indicator.due, "isoformat") else indicator.due
    reason = (indicator.spec or {}).get("assumed")
    if reason:
        return _("Due {date} (deadline assumed by this system: {reason})").format(date=date, reason=reason)
    return _("Due {date}").format(date=date)

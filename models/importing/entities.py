"""The one table of what can be imported: an entity's code → the class that owns it (its
columns, label, checks and writes). A new entity is one module and one entry here."""
from __future__ import annotations

import datetime as dt

from models.core.schema import OrgUnit
from models.importing.entity import EntityImporter
from models.importing.org_units import OrgUnitImporter
from models.importing.organizations import OrganizationImporter
from models.importing.reports import ReportImporter
from models.importing.volunteers import VolunteerImporter
from models.importing.workers import WorkerImporter

IMPORTERS: dict[str, type[EntityImporter]] = {
    "org_units": OrgUnitImporter,
    "workers": WorkerImporter,
    "volunteers": VolunteerImporter,
    "organizations": OrganizationImporter,
    "reports": ReportImporter,
}
ENTITIES = tuple(IMPORTERS)
ENTITY_LABELS = {code: cls.label for code, cls in IMPORTERS.items()}


def importer_for(entity: str, scope: OrgUnit | None, today: dt.date | None) -> EntityImporter:
    """A fresh importer of ``entity`` for one file; ValueError for an unknown code."""
    try:
        cls = IMPORTERS[entity]
    except KeyError:
        raise ValueError(f"unknown entity {entity!r}; one of {', '.join(ENTITIES)}") from None
    return cls(scope, today or dt.date.today())

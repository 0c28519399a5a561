"""Reference data from the spreadsheets offices already keep: places with population and
households, workers, volunteers, community social organizations, and past reports.

Files are CSV (UTF-8 with or without BOM, or GBK as Excel in China saves it) or XLSX, with
Chinese headers in any of their usual wordings. Every import is checked in full before
anything is written: ``dry_run`` lists every bad row with the line Excel shows (the header is
line 1) and a reason (a msgid and its values); ``run`` repeats the check inside one
transaction and writes only if no row is bad — all or nothing — with one audit entry.

Values go through the parsers the bot uses (``models.forms.parsing``, ``models.forms.kinds``), so an
imported report is validated exactly as a reported one, and it is counted by every plan
through the same contribution rows as ``plans.count_report``. Re-importing a file updates
what it imported before (natural keys: a place's code, a worker's Telegram id, a volunteer's
ID number, an organization's name in its community, a report's content) instead of adding
it twice.

The package, by seam: ``reader`` (files, headers, rows and their Excel lines), ``cells``
(parsers and columns entities share), ``entity`` (the base every entity subclasses),
``writes`` (batched writes), one module per entity (``org_units``, ``workers``,
``volunteers``, ``organizations``, ``reports``) registered in ``entities``, ``runs`` (dry run
and run), ``templates`` and ``results``. This module is the API the admin, the command line,
the tests and the bench use.
"""
from __future__ import annotations

from models.importing.cells import parse_code, parse_telegram_id, parse_yes_no, word_parser
from models.importing.entities import ENTITIES, ENTITY_LABELS, IMPORTERS, importer_for
from models.importing.entity import EntityImporter
from models.importing.org_units import OrgUnitImporter
from models.importing.organizations import OrganizationImporter
from models.importing.reader import (MAX_FILE_BYTES, MAX_ROWS, Column, cell_text,
                                     header_forms, normalize_header, open_rows, sheet_rows)
from models.importing.reports import ReportImporter
from models.importing.results import MESSAGES, FileProblem, ImportResult, RowError, RowRefused
from models.importing.runs import dry_run, run
from models.importing.templates import template_tables, template_xlsx
from models.importing.volunteers import VolunteerImporter
from models.importing.workers import WorkerImporter

__all__ = [
    "ENTITIES", "ENTITY_LABELS", "IMPORTERS", "MAX_FILE_BYTES", "MAX_ROWS", "MESSAGES", "Column", "EntityImporter",
    "FileProblem", "ImportResult", "OrgUnitImporter", "OrganizationImporter", "ReportImporter",
    "RowError", "RowRefused", "VolunteerImporter", "WorkerImporter", "cell_text", "dry_run",
    "header_forms", "importer_for", "normalize_header", "open_rows", "parse_code", "parse_telegram_id",
    "parse_yes_no", "run", "sheet_rows", "template_tables", "template_xlsx", "word_parser",
]

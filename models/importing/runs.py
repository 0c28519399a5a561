"""The two entry points. ``dry_run`` checks a file without writing and lists every bad row;
``run`` repeats the check inside one transaction and writes only if no row is bad — all or
nothing — with one audit entry."""
from __future__ import annotations

import datetime as dt
import time
from typing import Iterable

import peewee as pw

from models.core.db import database
from models.core.schema import OrgUnit, audit
from models.importing.entities import importer_for
from models.importing.entity import EntityImporter
from models.importing.reader import open_rows, read_table
from models.importing.results import FileProblem, ImportResult, RowError, RowRefused
from models.importing.writes import Op

COUNTERS = {"create": "created", "update": "updated", "unchanged": "unchanged"}


def check(importer: EntityImporter, table_rows: Iterable[list], result: ImportResult) -> list[Op]:
    """Every row checked (the problems land in ``result``); the ops of the good rows."""
    table = read_table(table_rows, importer.header_key, importer.required_columns(),
                       importer.canonical)
    result.rows = len(table.rows)
    importer.prepare(table.rows)
    ops = []
    for row in table.rows:
        op = importer.check(row)
        result.errors.extend(row.errors)
        if op is not None and not row.errors:
            ops.append(op)
    importer.finish(ops)
    result.ignored_columns = table.ignored + importer.ignored(table.headers)
    for op in ops:
        name = COUNTERS[op.action]
        setattr(result, name, getattr(result, name) + 1)
    return ops


def _file_error(result: ImportResult, e: FileProblem) -> ImportResult:
    params = {"column": e.column, **e.params} if e.column else dict(e.params)
    result.errors.append(RowError(e.line, e.column, e.code, params, whole_file=True))
    return result


def dry_run(entity: str, source, *, filename: str | None = None, sheet: str | None = None,
            scope: OrgUnit | None = None, today: dt.date | None = None) -> ImportResult:
    """Check a file without writing: every bad row, and what would be created or updated.

    ``source`` is a path, bytes or a binary file; ``scope`` an org unit whose subtree the
    rows must stay in (None: anywhere, for the command line)."""
    started = time.perf_counter()
    importer = importer_for(entity, scope, today)
    result = ImportResult(entity=entity)
    try:
        with open_rows(source, filename=filename, sheet=sheet) as (rows, result.filename):
            check(importer, rows, result)
    except FileProblem as e:
        _file_error(result, e)
    result.seconds = time.perf_counter() - started
    return result


def run(entity: str, source, *, actor: str, filename: str | None = None,
        sheet: str | None = None, scope: OrgUnit | None = None,
        today: dt.date | None = None) -> ImportResult:
    """Check and import in one transaction: any bad row and nothing is written (the result
    lists them as ``dry_run`` does); otherwise every row is, with one audit entry."""
    started = time.perf_counter()
    importer = importer_for(entity, scope, today)
    result = ImportResult(entity=entity, mode="run")
    try:
        # The file is read inside the transaction (row by row, as it is checked); a file that
        # cannot be read ends it before anything is written.
        with open_rows(source, filename=filename, sheet=sheet) as (rows, result.filename), \
                database.atomic() as txn:
            ops = check(importer, rows, result)
            if not result.ok:
                txn.rollback()
            else:
                importer.write(ops, actor)
                audit(actor, "import", "import", entity,
                      after={"file": result.filename, **result.counts()})
                result.written = True
    except FileProblem as e:
        _file_error(result, e)
    except RowRefused as e:
        result.written = False
        result.errors.append(e.error)
    except pw.IntegrityError:
        result.written = False
        result.errors.append(RowError(None, None, "conflict", {}, whole_file=True))
    result.seconds = time.perf_counter() - started
    return result

"""The writes of an import, planned per row by an entity's check (``Op``) and carried out in
batches: one prepared INSERT for the new rows, one UPDATE per changed row, and lookups of
existing rows ``BATCH`` keys at a time."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

import peewee as pw

from models.core.db import database

BATCH = 500  # rows per INSERT and per IN (...) lookup


@dataclass
class Op:
    """What the check decided for one row, which ``write`` carries out."""

    action: str  # create | update | unchanged
    line: int
    values: dict
    target: Any = None  # the existing row for an update
    extra: dict = field(default_factory=dict)


def update_op(line: int, target: Any, changes: dict) -> Op:
    """An update of ``target``, or "unchanged" when no value differs."""
    return Op("update" if changes else "unchanged", line, changes, target=target)


def changed(target: Any, values: dict) -> dict:
    """The values that differ from ``target``'s (a None value is a blank cell: no change)."""
    return {k: v for k, v in values.items() if v is not None and getattr(target, k) != v}


def chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def where_in(query: pw.ModelSelect, field_: pw.Field, values: list) -> Iterator:
    """The rows of ``query`` whose ``field_`` is one of ``values``, asked ``BATCH`` at a time
    (SQLite caps the parameters of one statement)."""
    for chunk in chunks(values):
        yield from query.where(field_.in_(chunk))


def insert_rows(model: type[pw.Model], rows: list[dict]) -> None:
    """Rows (dicts with the same keys) through one prepared INSERT: each value converted by
    its field as ``insert_many`` would, without building the SQL again for every row (which
    costs more than the database's own work here)."""
    if not rows:
        return
    # the fields a row leaves out get their default, as insert_many gives them (a column
    # added later with a default, e.g. part_time_social_workers, is NOT NULL in the table)
    missing = {name: f.default for name, f in model._meta.fields.items()
               if name not in rows[0] and f.default is not None and not f.primary_key}
    if missing:
        rows = [{**{k: (d() if callable(d) else d) for k, d in missing.items()}, **row}
                for row in rows]
    fields = [model._meta.fields[name] for name in rows[0]]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)  # "values" is a keyword
    table = f'"{model._meta.table_name}"'
    cursor = database.cursor()
    if isinstance(database.obj, pw.PostgresqlDatabase):
        from psycopg2.extras import execute_values

        execute_values(cursor, f"INSERT INTO {table} ({columns}) VALUES %s",
                       [tuple(f.db_value(row[f.name]) for f in fields) for row in rows],
                       page_size=BATCH)
        return
    params = ", ".join([database.param] * len(fields))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({params})",
                       [tuple(_sqlite_value(f.db_value(row[f.name])) for f in fields)
                        for row in rows])


def _sqlite_value(value):
    """What peewee hands SQLite for a date, a time or a decimal (text, as it stores them)."""
    if isinstance(value, dt.datetime):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def apply_updates(model: type[pw.Model], ops: list[Op]) -> None:
    for op in ops:
        if op.action == "update" and op.values:
            model.update(**op.values).where(model.id == op.target.id).execute()

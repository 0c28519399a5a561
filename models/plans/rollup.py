"""Monthly totals of contributions for every place at every level, kept by database triggers.

A city dashboard over a year of a million reports would otherwise sum a few million
``Contribution`` rows on every page view. ``ContributionMonth`` holds, per (indicator, place,
month, status), the sum and count of the contributions inside that place — for the city, each
county, each township and each community alike — so a year, a half or a quarter is a handful
of rows per place. ``models.plans.progress`` reads it whenever a window is whole months (years,
halves, quarters and plan periods all are) and the raw contributions otherwise; both give the
same numbers.

Triggers on ``contribution`` keep it in step with every insert, delete and status change, so
``count_report``, ``review``, ``recount`` and any future writer need no extra call. Bulk
loaders wrap their inserts in ``suspended()`` (triggers off, one grouped rebuild at the end).
A place's ancestors are read from the contribution's own ``org_path``, exactly as the raw
``org_path LIKE scope%`` sums do.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from typing import Iterable, Iterator

import peewee as pw

from models.core.db import BaseModel, database

MAX_DEPTH = 6  # city / county / township / community today; room for two more levels
TABLE = "contribution_month"
TRIGGERS = ("contribution_month_ins", "contribution_month_del", "contribution_month_upd")


class ContributionMonth(BaseModel):
    """Sum (``total``) and count (``n``) of the contributions to ``indicator_id`` dated in
    ``month`` (its first day) with ``status``, inside the place whose path is ``org_path``."""

    indicator_id = pw.IntegerField()
    org_path = pw.CharField(max_length=255)
    parent_path = pw.CharField(max_length=255)  # '' for the root
    month = pw.DateField()
    status = pw.CharField(max_length=16)
    total = pw.DecimalField(max_digits=18, decimal_places=2)
    n = pw.IntegerField()

    class Meta:
        table_name = TABLE
        indexes = (
            (("indicator_id", "org_path", "month", "status"), True),
            (("parent_path", "indicator_id", "month"), False),
        )


def _is_pg() -> bool:
    return isinstance(database.obj, pw.PostgresqlDatabase)


# ---- SQL for "the prefix of a path at depth k", per dialect ---------------------------------

def _sqlite_pos(col: str, k: int) -> str:
    """Position of the '/' closing the k-th segment of ``col`` ('/a/b/' → k=1: 3)."""
    expr = "1"
    for _ in range(k):
        expr = f"({expr} + instr(substr({col}, {expr} + 1), '/'))"
    return expr


def _prefix(col: str, k: int) -> str:
    if k == 0:
        return "''"
    if _is_pg():
        return (f"('/' || array_to_string((string_to_array(trim(both '/' from {col}), '/'))"
                f"[1:{k}], '/') || '/')")
    return f"substr({col}, 1, {_sqlite_pos(col, k)})"


def _depth(col: str) -> str:
    return f"(length({col}) - length(replace({col}, '/', '')) - 1)"


def _month(col: str) -> str:
    if _is_pg():
        return f"CAST(date_trunc('month', {col}) AS date)"
    return f"(substr({col}, 1, 7) || '-01')"


# ---- triggers ----------------------------------------------------------------------------------

def _sqlite_add(row: str) -> str:
    parts = " UNION ALL ".join(
        f"SELECT {k} AS k, {_prefix(f'{row}.org_path', k)} AS p, "
        f"{_prefix(f'{row}.org_path', k - 1)} AS pp" for k in range(1, MAX_DEPTH + 1))
    return (f"INSERT INTO {TABLE} (indicator_id, org_path, parent_path, month, status, total, n) "
            f"SELECT {row}.indicator_id, e.p, e.pp, {_month(f'{row}.activity_date')}, "
            f"{row}.status, {row}.value, 1 FROM ({parts}) AS e "
            f"WHERE e.k <= {_depth(f'{row}.org_path')} "
            f"ON CONFLICT (indicator_id, org_path, month, status) DO UPDATE "
            f"SET total = total + excluded.total, n = n + 1;")


def _sqlite_sub(row: str) -> str:
    where = (f"indicator_id = {row}.indicator_id AND month = {_month(f'{row}.activity_date')} "
             f"AND status = {row}.status")
    prefixes = ", ".join(_prefix(f"{row}.org_path", k) for k in range(1, MAX_DEPTH + 1))
    return (f"UPDATE {TABLE} SET total = total - {row}.value, n = n - 1 "
            f"WHERE {where} AND org_path IN ({prefixes}); "
            f"DELETE FROM {TABLE} WHERE {where} AND n <= 0;")


_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION contribution_month_sync() RETURNS trigger AS $$
DECLARE
  parts text[];
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    parts := string_to_array(trim(both '/' from OLD.org_path), '/');
    UPDATE {TABLE} SET total = total - OLD.value, n = n - 1
     WHERE indicator_id = OLD.indicator_id
       AND month = CAST(date_trunc('month', OLD.activity_date) AS date)
       AND status = OLD.status
       AND org_path IN (SELECT '/' || array_to_string(parts[1:k], '/') || '/'
                          FROM generate_series(1, coalesce(array_length(parts, 1), 0)) AS k);
    DELETE FROM {TABLE}
     WHERE indicator_id = OLD.indicator_id
       AND month = CAST(date_trunc('month', OLD.activity_date) AS date)
       AND status = OLD.status AND n <= 0;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    parts := string_to_array(trim(both '/' from NEW.org_path), '/');
    INSERT INTO {TABLE} (indicator_id, org_path, parent_path, month, status, total, n)
    SELECT NEW.indicator_id, '/' || array_to_string(parts[1:k], '/') || '/',
           CASE WHEN k = 1 THEN '' ELSE '/' || array_to_string(parts[1:k - 1], '/') || '/' END,
           CAST(date_trunc('month', NEW.activity_date) AS date), NEW.status, NEW.value, 1
      FROM generate_series(1, coalesce(array_length(parts, 1), 0)) AS k
    ON CONFLICT (indicator_id, org_path, month, status)
    DO UPDATE SET total = {TABLE}.total + EXCLUDED.total, n = {TABLE}.n + 1;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

_WATCHED = "indicator_id, org_path, activity_date, status, value"


def install_triggers() -> None:
    """(Re)create the triggers that keep the rollup in step with ``contribution``."""
    drop_triggers()
    if _is_pg():
        database.execute_sql(_PG_FUNCTIONS)
        database.execute_sql(
            f"CREATE TRIGGER contribution_month_sync AFTER INSERT OR DELETE OR UPDATE OF "
            f"{_WATCHED} ON contribution FOR EACH ROW EXECUTE FUNCTION contribution_month_sync()")
        return
    database.execute_sql(f"CREATE TRIGGER contribution_month_ins AFTER INSERT ON contribution "
                         f"BEGIN {_sqlite_add('NEW')} END")
    database.execute_sql(f"CREATE TRIGGER contribution_month_del AFTER DELETE ON contribution "
                         f"BEGIN {_sqlite_sub('OLD')} END")
    database.execute_sql(f"CREATE TRIGGER contribution_month_upd AFTER UPDATE OF {_WATCHED} "
                         f"ON contribution BEGIN {_sqlite_sub('OLD')} {_sqlite_add('NEW')} END")


def drop_triggers() -> None:
    if _is_pg():
        database.execute_sql("DROP TRIGGER IF EXISTS contribution_month_sync ON contribution")
        return
    for name in TRIGGERS:
        database.execute_sql(f"DROP TRIGGER IF EXISTS {name}")


def install() -> None:
    """Create the table and its triggers (safe on an existing database); rebuild the rows
    when the table is new, so an existing database gets its rollup on upgrade."""
    new = not ContributionMonth.table_exists()
    ContributionMonth.create_table(safe=True)
    install_triggers()
    if new:
        rebuild()


def rebuild() -> int:
    """Recompute every row from ``contribution`` with grouped queries; returns the row count.

    The contributions are grouped once per (indicator, place, month, status) into a
    temporary table, and each level of the tree is summed from that."""
    with database.atomic():
        ContributionMonth.delete().execute()
        database.execute_sql("DROP TABLE IF EXISTS contribution_month_base")
        database.execute_sql(
            f"CREATE TEMPORARY TABLE contribution_month_base AS "
            f"SELECT indicator_id, org_path, {_month('activity_date')} AS month, status, "
            f"SUM(value) AS total, COUNT(*) AS n FROM contribution "
            f"GROUP BY indicator_id, org_path, {_month('activity_date')}, status")
        levels = " UNION ALL ".join(
            f"SELECT indicator_id, {_prefix('c.org_path', k)} AS org_path, "
            f"{_prefix('c.org_path', k - 1)} AS parent_path, month, status, total, n "
            f"FROM contribution_month_base AS c WHERE {_depth('c.org_path')} >= {k}"
            for k in range(1, MAX_DEPTH + 1))
        database.execute_sql(
            f"INSERT INTO {TABLE} (indicator_id, org_path, parent_path, month, status, total, n) "
            f"SELECT indicator_id, org_path, parent_path, month, status, SUM(total), SUM(n) "
            f"FROM ({levels}) AS x GROUP BY indicator_id, org_path, parent_path, month, status")
        database.execute_sql("DROP TABLE contribution_month_base")
    return ContributionMonth.select().count()


@contextmanager
def suspended():
    """Bulk writes to ``contribution`` without per-row trigger work; one rebuild at the end."""
    drop_triggers()
    try:
        yield
    finally:
        install_triggers()
        rebuild()


# ---- reading -----------------------------------------------------------------------------------

def covers(start: dt.date, end: dt.date) -> bool:
    """Whether the window is whole months, so the rollup answers it exactly."""
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start <= end


def as_decimal(value) -> Decimal:
    """A SUM from either database as a Decimal in cents (SQLite sums decimals as floats)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(round(value, 2)))
    return Decimal(value)


def totals(indicator_ids: Iterable[int], start: dt.date, end: dt.date, statuses: Iterable[str],
           *, path: str | None = None, parent_path: str | None = None
           ) -> Iterator[tuple[int, str, Decimal]]:
    """(indicator, place path, total) for the place ``path``, or for each child of the place
    ``parent_path``, over the whole months from ``start`` to ``end``."""
    cm = ContributionMonth
    q = (cm.select(cm.indicator_id, cm.org_path, pw.fn.SUM(cm.total).alias("total"))
         .where(cm.indicator_id.in_(list(indicator_ids)), cm.month.between(start, end),
                cm.status.in_(list(statuses)))
         .group_by(cm.indicator_id, cm.org_path))
    if path is not None:
        q = q.where(cm.org_path == path)
    if parent_path is not None:
        q = q.where(cm.parent_path == parent_path)
    for ind, org_path, total in q.tuples():
        yield ind, org_path, as_decimal(total)

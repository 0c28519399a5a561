"""Sums of contributions and counts of reports for every place at every level, kept by
database triggers.

A city dashboard over a year of a million reports would otherwise sum a few million
``Contribution`` rows on every page view. ``ContributionMonth`` holds, per (indicator, place,
month, status), the sum and count of the contributions inside that place — for the city, each
county, each township and each community alike — so a year, a half or a quarter is a handful
of rows per place. ``models.plans.progress`` reads it whenever a window is whole months (years,
halves, quarters and plan periods all are) and the raw contributions otherwise; both give the
same numbers. The weekly trend reads ``ContributionWeek`` and ``ReportWeek`` the same way:
a year is 53 weeks per place whatever the number of reports. A week is Monday to Sunday,
cut at New Year (``week_of``), so a year is always whole weeks.

Triggers on ``contribution`` and ``report`` keep them in step with every insert, delete and
status change, so ``count_report``, ``review``, ``recount`` and any future writer need no
extra call. Bulk loaders wrap their inserts in ``suspended()`` (triggers off, one grouped
rebuild at the end). A place's ancestors are read from the row's own ``org_path``, exactly as
the raw ``org_path LIKE scope%`` sums do.
"""
from __future__ import annotations

import datetime as dt
import operator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Iterable, Iterator

import peewee as pw

from models.core.db import BaseModel, database, run_prepared

MAX_DEPTH = 6  # city / county / township / community today; room for two more levels


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
        table_name = "contribution_month"
        indexes = (
            (("indicator_id", "org_path", "month", "status"), True),
            (("parent_path", "indicator_id", "month"), False),
        )


class ContributionWeek(BaseModel):
    """The same per ``week`` (``week_of`` the activity date): the weekly trend's running
    totals."""

    indicator_id = pw.IntegerField()
    org_path = pw.CharField(max_length=255)
    week = pw.DateField()
    status = pw.CharField(max_length=16)
    total = pw.DecimalField(max_digits=18, decimal_places=2)
    n = pw.IntegerField()

    class Meta:
        table_name = "contribution_week"
        indexes = ((("org_path", "week", "indicator_id", "status"), True),)


class ReportWeek(BaseModel):
    """How many reports (``n``) dated in ``week`` with ``status`` lie inside ``org_path``."""

    org_path = pw.CharField(max_length=255)
    week = pw.DateField()
    status = pw.CharField(max_length=16)
    n = pw.IntegerField()

    class Meta:
        table_name = "report_week"
        indexes = ((("org_path", "week", "status"), True),)


@dataclass(frozen=True)
class Sums:
    """One rolled-up table: the rows of ``source`` summed per (``keys``, place at every
    level, ``bucket`` of the activity date, status)."""

    model: type
    source: str
    keys: tuple[str, ...]
    bucket: str            # "month" or "week": the column, and how a date falls into it
    value: str | None      # the column summed into ``total``; None: a count only
    parent: bool = False   # keeps ``parent_path``, to read a place's children in one query

    @property
    def table(self) -> str:
        return self.model._meta.table_name

    @property
    def columns(self) -> list[str]:
        return [*self.keys, "org_path", *(["parent_path"] if self.parent else []), self.bucket,
                "status", *(["total"] if self.value else []), "n"]

    @property
    def unique(self) -> str:
        return ", ".join([*self.keys, "org_path", self.bucket, "status"])

    @property
    def watched(self) -> str:
        return ", ".join([*self.keys, "org_path", "activity_date", "status",
                          *([self.value] if self.value else [])])


MONTH = Sums(ContributionMonth, "contribution", ("indicator_id",), "month", "value", parent=True)
CONTRIBUTION_WEEK = Sums(ContributionWeek, "contribution", ("indicator_id",), "week", "value")
REPORT_WEEK = Sums(ReportWeek, "report", (), "week", None)
SUMS = (MONTH, CONTRIBUTION_WEEK, REPORT_WEEK)
MODELS = [s.model for s in SUMS]


def _is_pg() -> bool:
    return isinstance(database.obj, pw.PostgresqlDatabase)


# ---- SQL for "the prefix of a path at depth k" and a date's bucket, per dialect -------------

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


def _week(col: str) -> str:
    """``week_of`` in SQL: the Monday on or before the date, or New Year's Day if later."""
    if _is_pg():
        return (f"GREATEST(CAST(date_trunc('week', {col}) AS date), "
                f"CAST(date_trunc('year', {col}) AS date))")
    return f"max(date({col}, '-6 days', 'weekday 1'), substr({col}, 1, 4) || '-01-01')"


def _bucket(spec: Sums, col: str) -> str:
    return _month(col) if spec.bucket == "month" else _week(col)


def week_of(day: dt.date) -> dt.date:
    """The first day of ``day``'s week: its Monday, unless that falls in the year before."""
    return max(day - dt.timedelta(days=day.weekday()), dt.date(day.year, 1, 1))


# ---- triggers ----------------------------------------------------------------------------------

def _values(spec: Sums, row: str, path: str, parent: str) -> str:
    return ", ".join([*(f"{row}.{k}" for k in spec.keys), path, *([parent] if spec.parent else []),
                      _bucket(spec, f"{row}.activity_date"), f"{row}.status",
                      *([f"{row}.{spec.value}"] if spec.value else []), "1"])


def _row_of(spec: Sums, row: str) -> str:
    """The rollup rows a source row counts in, but for the place."""
    return " AND ".join([*(f"{k} = {row}.{k}" for k in spec.keys),
                         f"{spec.bucket} = {_bucket(spec, f'{row}.activity_date')}",
                         f"status = {row}.status"])


def _minus(spec: Sums, row: str) -> str:
    return ", ".join([*([f"total = total - {row}.{spec.value}"] if spec.value else []),
                      "n = n - 1"])


def _plus(spec: Sums, table: str = "") -> str:
    t = f"{table}." if table else ""
    return ", ".join([*([f"total = {t}total + excluded.total"] if spec.value else []),
                      f"n = {t}n + 1"])


def _sqlite_add(spec: Sums, row: str) -> str:
    parts = " UNION ALL ".join(
        f"SELECT {k} AS k, {_prefix(f'{row}.org_path', k)} AS p, "
        f"{_prefix(f'{row}.org_path', k - 1)} AS pp" for k in range(1, MAX_DEPTH + 1))
    return (f"INSERT INTO {spec.table} ({', '.join(spec.columns)}) "
            f"SELECT {_values(spec, row, 'e.p', 'e.pp')} FROM ({parts}) AS e "
            f"WHERE e.k <= {_depth(f'{row}.org_path')} "
            f"ON CONFLICT ({spec.unique}) DO UPDATE SET {_plus(spec)};")


def _sqlite_sub(spec: Sums, row: str) -> str:
    where = _row_of(spec, row)
    prefixes = ", ".join(_prefix(f"{row}.org_path", k) for k in range(1, MAX_DEPTH + 1))
    return (f"UPDATE {spec.table} SET {_minus(spec, row)} "
            f"WHERE {where} AND org_path IN ({prefixes}); "
            f"DELETE FROM {spec.table} WHERE {where} AND n <= 0;")


def _pg_function(spec: Sums) -> str:
    levels = "generate_series(1, coalesce(array_length(parts, 1), 0)) AS k"
    path = "'/' || array_to_string(parts[1:k], '/') || '/'"
    parent = "CASE WHEN k = 1 THEN '' ELSE '/' || array_to_string(parts[1:k - 1], '/') || '/' END"
    return f"""
CREATE OR REPLACE FUNCTION {spec.table}_sync() RETURNS trigger AS $$
DECLARE
  parts text[];
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    parts := string_to_array(trim(both '/' from OLD.org_path), '/');
    UPDATE {spec.table} SET {_minus(spec, 'OLD')}
     WHERE {_row_of(spec, 'OLD')} AND org_path IN (SELECT {path} FROM {levels});
    DELETE FROM {spec.table} WHERE {_row_of(spec, 'OLD')} AND n <= 0;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    parts := string_to_array(trim(both '/' from NEW.org_path), '/');
    INSERT INTO {spec.table} ({', '.join(spec.columns)})
    SELECT {_values(spec, 'NEW', path, parent)} FROM {levels}
    ON CONFLICT ({spec.unique}) DO UPDATE SET {_plus(spec, spec.table)};
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def install_triggers(specs: Iterable[Sums] = SUMS) -> None:
    """(Re)create the triggers that keep the rollups in step with their sources."""
    for spec in specs:
        drop_triggers([spec])
        if _is_pg():
            database.execute_sql(_pg_function(spec))
            database.execute_sql(
                f"CREATE TRIGGER {spec.table}_sync AFTER INSERT OR DELETE OR UPDATE OF "
                f"{spec.watched} ON {spec.source} FOR EACH ROW "
                f"EXECUTE FUNCTION {spec.table}_sync()")
            continue
        t, s = spec.table, spec.source
        database.execute_sql(f"CREATE TRIGGER {t}_ins AFTER INSERT ON {s} "
                             f"BEGIN {_sqlite_add(spec, 'NEW')} END")
        database.execute_sql(f"CREATE TRIGGER {t}_del AFTER DELETE ON {s} "
                             f"BEGIN {_sqlite_sub(spec, 'OLD')} END")
        database.execute_sql(f"CREATE TRIGGER {t}_upd AFTER UPDATE OF {spec.watched} ON {s} "
                             f"BEGIN {_sqlite_sub(spec, 'OLD')} {_sqlite_add(spec, 'NEW')} END")


def drop_triggers(specs: Iterable[Sums] = SUMS) -> None:
    for spec in specs:
        if _is_pg():
            database.execute_sql(f"DROP TRIGGER IF EXISTS {spec.table}_sync ON {spec.source}")
            continue
        for suffix in ("ins", "del", "upd"):
            database.execute_sql(f"DROP TRIGGER IF EXISTS {spec.table}_{suffix}")


def install() -> None:
    """Create the tables and their triggers (safe on an existing database); rebuild the rows
    of a table that is new, so an existing database gets its rollup on upgrade."""
    new = [s for s in SUMS if not s.model.table_exists()]
    database.create_tables(MODELS, safe=True)
    install_triggers()
    if new:
        rebuild(new)


def rebuild(specs: Iterable[Sums] = SUMS) -> int:
    """Recompute every row from the sources with grouped queries; returns the row count.

    The source rows are grouped once per (keys, place, bucket, status) into a temporary
    table, and each level of the tree is summed from that."""
    rows = 0
    with database.atomic():
        for spec in specs:
            rows += _rebuild(spec)
    return rows


def _level(spec: Sums, k: int, base: str) -> str:
    """The grouped rows of ``base`` as rows of their places at depth ``k``."""
    parent = f"{_prefix('c.org_path', k - 1)} AS parent_path, " if spec.parent else ""
    return (f"SELECT {''.join(f'{key}, ' for key in spec.keys)}{_prefix('c.org_path', k)} "
            f"AS org_path, {parent}b, status, {'total, ' if spec.value else ''}n "
            f"FROM {base} AS c WHERE {_depth('c.org_path')} >= {k}")


def _rebuild(spec: Sums) -> int:
    base, keys = f"{spec.table}_base", "".join(f"{k}, " for k in spec.keys)
    bucket = _bucket(spec, "activity_date")
    total = f"SUM({spec.value}) AS total, " if spec.value else ""
    spec.model.delete().execute()
    database.execute_sql(f"DROP TABLE IF EXISTS {base}")
    database.execute_sql(
        f"CREATE TEMPORARY TABLE {base} AS SELECT {keys}org_path, {bucket} AS b, status, "
        f"{total}COUNT(*) AS n FROM {spec.source} GROUP BY {keys}org_path, {bucket}, status")
    parent = ["parent_path"] if spec.parent else []
    levels = " UNION ALL ".join(_level(spec, k, base) for k in range(1, MAX_DEPTH + 1))
    group = ", ".join([*spec.keys, "org_path", *parent, "b", "status"])
    sums = ", ".join([group, *(["SUM(total)"] if spec.value else []), "SUM(n)"])
    database.execute_sql(
        f"INSERT INTO {spec.table} ({', '.join(spec.columns)}) "
        f"SELECT {sums} FROM ({levels}) AS x GROUP BY {group}")
    database.execute_sql(f"DROP TABLE {base}")
    return spec.model.select().count()


@contextmanager
def suspended():
    """Bulk writes to ``contribution`` and ``report`` without per-row trigger work; one
    rebuild at the end."""
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


def _date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def totals(windows: dict[tuple[dt.date, dt.date], list[int]], statuses: Iterable[str],
           *, path: str | None = None, parent_path: str | None = None
           ) -> Iterator[tuple[int, str, Decimal]]:
    """(indicator, place path, total) for the place ``path``, or for each child of the place
    ``parent_path``: each indicator of ``windows`` ((start, end) → indicator ids, every
    window whole months) over its own window, all in one query (its SQL written once per
    shape: a dashboard asks it on every page)."""
    windows = {w: list(ids) for w, ids in windows.items() if ids}
    if not windows:
        return
    statuses = list(statuses)
    by_parent = path is None
    place = parent_path if by_parent else path
    params = [v for (start, end), ids in windows.items() for v in (*ids, start, end)]
    params += [*statuses, place]

    def build():
        cm = ContributionMonth
        return (cm.select(cm.indicator_id, cm.org_path, pw.fn.SUM(cm.total).alias("total"))
                .where(reduce(operator.or_, [cm.indicator_id.in_(ids) & cm.month.between(start, end)
                                             for (start, end), ids in windows.items()]),
                       cm.status.in_(statuses),
                       (cm.parent_path if by_parent else cm.org_path) == place)
                .group_by(cm.indicator_id, cm.org_path))

    shape = ("rollup.totals", by_parent, tuple(len(ids) for ids in windows.values()),
             len(statuses))
    for ind, org_path, total in run_prepared(shape, build, params):
        yield ind, org_path, as_decimal(total)


def weekly_reports(path: str, start: dt.date, end: dt.date, statuses: Iterable[str]
                   ) -> dict[dt.date, int]:
    """Reports inside the place ``path`` per week whose first day is from ``start`` to ``end``."""
    rw = ReportWeek
    q = (rw.select(rw.week, pw.fn.SUM(rw.n))
         .where(rw.org_path == path, rw.week.between(start, end), rw.status.in_(list(statuses)))
         .group_by(rw.week))
    return {_date(week): int(n) for week, n in q.tuples()}


def weekly_totals(indicator_ids: Iterable[int], path: str, start: dt.date, end: dt.date,
                  statuses: Iterable[str]) -> dict[tuple[int, dt.date], Decimal]:
    """(indicator, week) → total inside the place ``path``, weeks as in ``weekly_reports``."""
    cw = ContributionWeek
    q = (cw.select(cw.indicator_id, cw.week, pw.fn.SUM(cw.total))
         .where(cw.org_path == path, cw.week.between(start, end),
                cw.indicator_id.in_(list(indicator_ids)), cw.status.in_(list(statuses)))
         .group_by(cw.indicator_id, cw.week))
    return {(ind, _date(week)): as_decimal(total) for ind, week, total in q.tuples()}

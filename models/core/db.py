"""Database lifecycle: one proxy, initialised from DATABASE_URL, shared by bot and admin.

SQLite gets WAL, foreign keys and a busy timeout so the bot and the admin can share one file;
PostgreSQL is used as is. Callers open and close a connection around each update or request
(the bot's database threads keep theirs checked out of the pool: ``on_kept_connection``).
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path

import peewee
from playhouse.db_url import connect as connect_url
from playhouse.pool import PooledDatabase

database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
    "cache_size": -32000,
}


#: A pooled PostgreSQL connection unused this long is closed rather than handed out again.
POOL_STALE_SECONDS = 300
POOL_MAX_CONNECTIONS = 16


def init_db(url: str, *, pool: bool = False) -> peewee.Database:
    """Bind the proxy to the database named by ``url`` (created on first use for SQLite).

    ``pool`` (the bot: bot/app.py): PostgreSQL connections are kept in a
    ``playhouse.pool`` pool, so closing one after each update hands it back instead of paying
    a new connection (a TCP handshake and a backend process) on the next update; a connection
    found broken is dropped from the pool, not reused. SQLite needs no pool."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    previous = database.obj
    if previous is not None and hasattr(previous, "close_all"):
        previous.close_all()  # a pool bound before: its idle connections go with it
    if url.startswith("sqlite"):
        db = connect_url(url, pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    elif pool and url.startswith(("postgres://", "postgresql://")):
        scheme, rest = url.split("://", 1)
        db = connect_url(f"{scheme}+pool://{rest}", max_connections=POOL_MAX_CONNECTIONS,
                         stale_timeout=POOL_STALE_SECONDS)
    else:
        db = connect_url(url)
    database.initialize(db)
    return db


@contextmanager
def connection():
    """Open a connection for one unit of work (an update, a request) and close it after."""
    opened = database.connect(reuse_if_open=True)
    try:
        yield database
    finally:
        if opened and not database.is_closed():
            database.close()


def pooled_server() -> bool:
    """Whether the bound database is PostgreSQL behind a pool (the bot's: ``init_db(...,
    pool=True)``): each statement waits for a round trip, and a thread can have a connection
    of its own. Not SQLite: its statements run in this process, and a connection opened on
    another thread pays its pragmas again."""
    return isinstance(database.obj, PooledDatabase) and isinstance(
        database.obj, peewee.PostgresqlDatabase)


#: A database thread's kept connection unused this long goes back to the pool before its next
#: use, which checks it (``SELECT 1``) and retires it when stale: one dropped while the bot
#: was idle (a restart of the server overnight) costs no failed update.
KEEP_IDLE_SECONDS = 60.0
_kept = threading.local()


def on_kept_connection(work: Callable, *args, **kwargs):
    """``work(*args, **kwargs)`` on this thread's own pooled connection, kept checked out for
    the thread's next call (the bot's database threads: bot/updates.py). Handing it back and
    taking it again would cost a round trip each time: the pool checks a connection it hands
    out with a ``SELECT 1``. One the server dropped (psycopg2 knows once a statement failed
    on it) is replaced, one idle for ``KEEP_IDLE_SECONDS`` checked again, and a transaction
    left open rolled back, before ``work`` runs."""
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_UNKNOWN

    db = database.obj
    if not db.is_closed():
        conn = db.connection()
        status = conn.get_transaction_status()
        if conn.closed or status == TRANSACTION_STATUS_UNKNOWN:
            db.manual_close()
        elif time.monotonic() - getattr(_kept, "used", 0.0) > KEEP_IDLE_SECONDS:
            db.close()  # back to the pool (a transaction left open rolled back there)
        elif status != TRANSACTION_STATUS_IDLE:
            conn.rollback()
    db.connect(reuse_if_open=True)
    try:
        return work(*args, **kwargs)
    finally:
        _kept.used = time.monotonic()


#: The rows whose saves wait for the end of the unit of work in progress (None: none is).
_UNIT: ContextVar[dict | None] = ContextVar("unit_of_work", default=None)


@contextmanager
def unit_of_work():
    """Hold back ``save_later``'s saves until its end: the bot's update (bot/context.py)
    writes what it changed together, once its replies are out, in one transaction
    (``write_together``). Yields the held rows, in the order first saved."""
    rows: dict[int, peewee.Model] = {}
    token = _UNIT.set(rows)
    try:
        yield rows
    finally:
        _UNIT.reset(token)


def save_later(row: peewee.Model) -> None:
    """Save ``row`` at the end of the unit of work, or now: outside one, or inside a
    transaction (whose caller wants it written with the rest, a photo and its draft)."""
    rows = _UNIT.get()
    if rows is None or database.in_transaction():
        row.save()
    else:
        rows.setdefault(id(row), row)


#: SQL written once per database kind and shape of query (``prepared``).
_SQL: dict[tuple, object] = {}


def prepared(key, build: Callable[[], peewee.Query]) -> str:
    """The SQL of the query ``build()`` returns, written once per database kind and ``key``:
    peewee writes a query's SQL anew on every execution, about a millisecond for the bot's
    per-update read (issue 15). The caller passes the parameters in that SQL's order."""
    full = (type(database.obj), key)
    sql = _SQL.get(full)
    if sql is None:
        sql = _SQL[full] = build().sql()[0]
    return sql


def run_prepared(key, build: Callable[[], peewee.Query], params: list):
    """A cursor over ``build()``'s query with ``params``, its SQL written once per database
    kind and ``key`` (``prepared``; ``key`` names the query's shape: how many values each
    ``IN`` holds). The first time, ``params`` must be the very values peewee put in that
    SQL, in its order (``build()`` is made with them): a caller listing them otherwise
    fails then, not with wrong rows later."""
    full = (type(database.obj), key)
    sql = _SQL.get(full)
    if sql is None:
        sql, built = build().sql()
        if list(built) != list(params):
            raise ValueError(f"parameters of {key!r} out of the SQL's order: {built!r}")
        _SQL[full] = sql
    return database.execute_sql(sql, params)


def instances(model, fields, rows) -> list:
    """Rows of ``model`` from selected ``fields``' values, as peewee would load them (not
    dirty), without its per-row machinery: a page reads hundreds of places this way."""
    out = []
    for values in rows:
        obj = model(__no_default__=True)
        obj.__data__.update((f.name, f.python_value(v)) for f, v in zip(fields, values))
        out.append(obj)
    return out


def update_statement(row: peewee.Model) -> tuple[str, list] | None:
    """The UPDATE that stores ``row`` as ``row.save()`` would (the columns it holds), its SQL
    written once per model and set of columns (``prepared``); None for a row not stored yet."""
    meta = row._meta
    pk = row._pk if meta.primary_key is not False and not meta.composite_key else None
    if pk is None:
        return None
    data = {k: v for k, v in row.__data__.items() if k != meta.primary_key.name}
    key = ("update", type(row), tuple(data))
    sql = prepared(key, lambda: type(row).update(**data).where(meta.primary_key == pk))
    order = _SQL.get((type(database.obj), key, "order"))
    if order is None:  # peewee sorts the columns it sets: read their order off the SQL
        quote = database.obj.quote
        order = _SQL[(type(database.obj), key, "order")] = sorted(data, key=lambda name: sql.index(
            f"{quote[0]}{meta.fields[name].column_name}{quote[1]} = "))
    fields = meta.fields
    return sql, [*(fields[name].db_value(data[name]) for name in order),
                 meta.primary_key.db_value(pk)]


def save_row(row: peewee.Model) -> None:
    """``row.save()``, through ``update_statement`` when the row is stored already."""
    statement = update_statement(row)
    if statement is None:
        row.save()
        return
    database.execute_sql(*statement)
    row._dirty.clear()


def write_together(rows, *statements: tuple[str, list]) -> None:
    """Save ``rows`` and run ``statements`` (SQL, parameters) with one commit.

    On PostgreSQL, rows already stored: all of it in one round trip, one transaction (the
    server runs the statements of one simple query as one: one WAL flush, and no BEGIN and
    COMMIT each waiting for the server). Else in a transaction, statement by statement. On
    SQLite each statement commits by itself: a WAL commit there flushes nothing
    (synchronous=normal), and BEGIN would be a statement more."""
    rows = list(rows)
    updates = [update_statement(row) for row in rows]
    sqlite = isinstance(database.obj, peewee.SqliteDatabase)
    batch = [*updates, *statements]
    if not sqlite and len(batch) > 1 and None not in updates:
        mogrify = database.cursor().mogrify
        joined = "; ".join(mogrify(sql, params).decode() for sql, params in batch)
        database.execute_sql(joined.replace("%", "%%"))  # its values are in place already
    else:
        with database.atomic() if len(batch) > 1 and not sqlite else nullcontext():
            for row, update in zip(rows, updates):
                if update is None:
                    row.save()
                else:
                    database.execute_sql(*update)
            for statement in statements:
                database.execute_sql(*statement)
    for row in rows:
        row._dirty.clear()


def _default(o):
    if isinstance(o, Decimal):
        return str(o)
    if hasattr(o, "isoformat"):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


class JSONField(peewee.TextField):
    """JSON stored as text: the same column type on SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, default=_default)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False

    @classmethod
    def upsert(cls, key: dict, values: dict):
        """The row named by ``key`` with ``values`` set: created, or updated in place (so its
        id, and every row pointing at it, stay); for loaders run again on the same file."""
        row = cls.get_or_none(*[getattr(cls, k) == v for k, v in key.items()])
        if row is None:
            return cls.create(**key, **values)
        for name, value in values.items():
            setattr(row, name, value)
        row.save()
        return row

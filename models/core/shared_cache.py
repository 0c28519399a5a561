"""Values one process computed, for every process of the same database (``SharedCache``).

The admin runs as several gunicorn workers; a cache in each worker's memory had each of them
compute each dashboard page once more (issue 15: at a million reports, 20 officials waited on
pages their colleagues' worker had just computed). A row per key holds the value's bytes and
when it expires; what a value is of (and its data version) is in the key, so a row is never
updated to something else, only replaced by a row under another key. Nothing here is a
figure's source: any row may be dropped at any time, and a failed read or write is a miss.

SQLite (the default) and PostgreSQL alike; no other server (no Redis) to run.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging

import peewee

from models.core.db import database
from models.core.schema import SharedCache, now

log = logging.getLogger("wushe.shared_cache")


def digest(key) -> str:
    """The row key of ``key`` (a tuple of plain values, the same ``repr`` in every process)."""
    return hashlib.sha256(repr(key).encode()).hexdigest()


def get(key: str) -> bytes | None:
    """The bytes kept under ``key`` (a ``digest``), None when absent or expired."""
    try:
        row = (SharedCache.select(SharedCache.value)
               .where(SharedCache.key == key, SharedCache.expires_at > now()).tuples().first())
    except peewee.DatabaseError as e:  # a miss: the page is computed as without a cache
        log.warning("shared cache read failed: %s", e)
        if not database.in_transaction():
            database.rollback()  # PostgreSQL: the failed statement's transaction ends here
        return None
    return None if row is None else bytes(row[0])


def put(key: str, value: bytes, seconds: float) -> None:
    """Keep ``value`` under ``key`` for ``seconds``; the expired rows go at the same time."""
    at = now()
    until = at + dt.timedelta(seconds=seconds)
    try:
        with database.atomic():
            SharedCache.delete().where(SharedCache.expires_at <= at).execute()
            (SharedCache.insert(key=key, value=value, expires_at=until)
             .on_conflict(conflict_target=[SharedCache.key],
                          update={SharedCache.value: value, SharedCache.expires_at: until})
             .execute())
    except peewee.DatabaseError as e:  # busy, read-only: the next request computes it again
        log.warning("shared cache write failed: %s", e)


def clear() -> None:
    """Drop every row (tests, and an operator who wants every page computed afresh)."""
    SharedCache.delete().execute()

"""The bot's PostgreSQL connections come from a pool (models.core.db, issue 15): an update's
session hands its connection back instead of closing it, and a connection the server has
dropped is not handed out again."""
from __future__ import annotations

import peewee
import pytest

from bot.context import db_session
from models.core.db import database, init_db
from models.core.schema import Worker


def test_updates_reuse_one_pooled_connection_and_a_dropped_one_is_replaced(db_url):
    if not db_url.startswith("postgres"):
        pytest.skip("SQLite keeps its one connection open (bot/context.py)")
    pool = init_db(db_url, pool=True)
    try:
        backends = []
        for _ in range(3):  # three updates, one after the other
            with db_session():
                backends.append(database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
                Worker.select().count()
        assert len(set(backends)) == 1 and len(pool._connections) == 1  # reused, kept idle

        # The server drops it (a restart, an idle timeout): the next update fails ...
        with db_session():
            with pytest.raises(peewee.DatabaseError):
                database.execute_sql("SELECT pg_terminate_backend(pg_backend_pid())")
        # ... and the one after gets a new connection instead of the dead one.
        with db_session():
            fresh = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        assert fresh != backends[0]
    finally:
        init_db(db_url)  # unpooled again, the pool's connections closed

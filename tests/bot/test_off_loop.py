"""On PostgreSQL an update's database round trips wait on threads of their own, not on the
event loop (bot.updates.off_loop, issue 15): the read that starts an update and the write
that ends it run on a database thread, each thread keeping one pooled connection
(models.core.db.on_kept_connection). On SQLite everything stays on the loop's thread."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import peewee
import pytest

from models.core.db import database, init_db, on_kept_connection

from tests.botkit import ACTIVITY, walk


@pytest.fixture
def threads_of_statements(monkeypatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    execute_sql = peewee.Database.execute_sql

    def recorded(self, sql, params=None, *args, **kwargs):
        seen.append((threading.current_thread().name, sql))
        return execute_sql(self, sql, params, *args, **kwargs)

    monkeypatch.setattr(peewee.Database, "execute_sql", recorded)
    return seen


async def test_an_updates_read_and_write_run_off_the_event_loop_on_postgres(
        bot_app, db_url, threads_of_statements):
    ailin = bot_app.chat("ailin")
    await walk(ailin, ACTIVITY[:6])  # /report, the kind, taps and a typed answer
    assert "Step" in ailin.last
    loop = threading.current_thread().name
    reads = [name for name, sql in threads_of_statements if "EXISTS(SELECT 1 FROM" in sql]
    writes = [name for name, sql in threads_of_statements
              if sql.startswith(("UPDATE \"draft\"", "INSERT INTO \"draft\""))]
    assert len(reads) == 6 and writes
    if db_url.startswith("postgres"):
        assert all(name != loop and name.startswith("db") for name in reads + writes), (
            reads, writes)
    else:
        assert all(name == loop for name, _ in threads_of_statements)


def test_a_kept_connection_the_server_dropped_is_replaced(db_url):
    if not db_url.startswith("postgres"):
        pytest.skip("SQLite: nothing runs off the loop (bot.updates.off_loop)")
    pool = init_db(db_url, pool=True)
    try:
        pid = "SELECT pg_backend_pid()"
        with ThreadPoolExecutor(1) as thread:
            def ask(sql):
                return thread.submit(on_kept_connection, lambda: database.execute_sql(
                    sql).fetchone()[0]).result()

            first = ask(pid)
            assert ask(pid) == first and len(pool._in_use) == 1  # kept, not handed back
            with database.connection_context():
                database.execute_sql("SELECT pg_terminate_backend(%s)", [first])
            with pytest.raises(peewee.DatabaseError):  # the server dropped it: that call fails
                ask(pid)
            assert ask(pid) != first  # ... and the next one gets a new connection
    finally:
        init_db(db_url)  # unpooled again, the pool's connections closed


def test_a_kept_connection_idle_for_long_is_checked_before_use(db_url, monkeypatch):
    """One the server dropped while the bot was idle costs no failed call: after
    ``KEEP_IDLE_SECONDS`` the connection goes back to the pool, which checks it."""
    if not db_url.startswith("postgres"):
        pytest.skip("SQLite: nothing runs off the loop (bot.updates.off_loop)")
    from models.core import db as core_db

    init_db(db_url, pool=True)
    try:
        with ThreadPoolExecutor(1) as thread:
            def ask():
                return thread.submit(on_kept_connection, lambda: database.execute_sql(
                    "SELECT pg_backend_pid()").fetchone()[0]).result()

            first = ask()
            with database.connection_context():
                database.execute_sql("SELECT pg_terminate_backend(%s)", [first])
            monkeypatch.setattr(core_db, "KEEP_IDLE_SECONDS", 0.0)  # as after a quiet night
            assert ask() != first  # no failure: checked, found dropped, replaced
    finally:
        init_db(db_url)

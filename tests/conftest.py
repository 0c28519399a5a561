"""Shared fixtures: a bootstrapped database on SQLite and on PostgreSQL (when reachable).

Bootstrapping (schema, places, kinds, plans) takes ~0.5 s, so it is done once per session into
a template; each test gets a fresh copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
PostgreSQL). In CI PostgreSQL must be reachable: a missing server fails instead of skipping.

The suite is laid out by area (admin, bot, browser, charts, cli, devkit, models, plans,
pushes); each area's conftest.py takes the fixtures it uses from the kits beside this file
(adminkit, botkit, browserkit, plankit), and tests/factories.py makes the rows. No test
module imports another.

Personas: one name, one role, everywhere in the suite.

  officials (admin accounts)
    alice   city admin of 雅安市 (5118)
    bob     county official of 雨城区 (511802)
    carol   viewer of 名山区 (511803)
    tina    township officer (街道), pia province officer (省厅), mia county official of
            名山区, otto township officer of another street, vic viewer of the city
            (the application chain's other levels); juwei community staff (居委会),
            jiedao township officer (registry); dora a viewer made by create_user;
            dave, zhang officials acting in imports and reviews
  workers (Telegram users of the bot)
    ailin, bowen, caixia, chunhua, dawei, duoduo   the bot's users in the tests of the bot,
                                           pushes, plans and the domain (factories.worker's
                                           and botkit's default is ailin)
    wang    a worker of 雨城区; li a worker of 名山区; zhao another worker of 雨城区
"""
from __future__ import annotations

import itertools
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models import bootstrap  # noqa: E402
from models.core.db import database, init_db  # noqa: E402
from models.extensions import install  # noqa: E402
from models.forms.kinds import clear_cache  # noqa: E402

install()  # the sinks and option sources, as every entry point does

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_counter = itertools.count()


def _pg_base() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0]


def _pg_reachable() -> bool:
    try:
        import psycopg2

        psycopg2.connect(PG_ADMIN_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def _pg_exec(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    bootstrap(f"sqlite:///{path}")
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@pytest.fixture(scope="session")
def pg_template():
    if not _pg_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}; CI must test it")
        pytest.skip("PostgreSQL not reachable")
    name = f"wushe_tmpl_{os.getpid()}"
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}"')
    _pg_exec(f'CREATE DATABASE "{name}"')
    bootstrap(f"{_pg_base()}/{name}")
    database.close()
    yield name
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path) -> str:
    """A fresh, bootstrapped database for one test; the proxy is bound to it (the kinds and
    plans a previous test's database left in the per-process cache forgotten)."""
    clear_cache()
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "wushe.sqlite3"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
        init_db(url)
        yield url
        database.close()
    else:
        template = request.getfixturevalue("pg_template")
        name = f"wushe_t_{os.getpid()}_{next(_counter)}"
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = f"{_pg_base()}/{name}"
        init_db(url)
        yield url
        database.close()
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(db_url):
    """The bound database with an open connection (closed after the test)."""
    database.connect(reuse_if_open=True)
    yield database
    if not database.is_closed():
        database.close()

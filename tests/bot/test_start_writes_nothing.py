"""Start-up never writes data: run_bot.py and run_admin.py only read the schema's version.
A database that is missing or not at this code's version is refused with one line naming
the command to run (exit 2), and left exactly as it was; on a current one the bot starts and
what officials set (targets, places, plans, the audit log) is what they set."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

import run_admin
from models.core.db import database
from models.core.migrations import SCHEMA_VERSION
from models.core.schema import AuditLog, OrgUnit, SchemaVersion, Target
from tests.botkit import start_run_bot

OWNED = ("target", "org_unit", "plan", "indicator", "action_line", "report_kind",
         "audit_log", "admin_user", "schema_version")


def dump(tables=None) -> dict[str, list]:
    """Every row of ``tables`` (default: all), as the database returns it."""
    database.connect(reuse_if_open=True)
    try:
        out = {}
        for table in sorted(tables or database.get_tables()):
            cursor = database.execute_sql(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            out[table] = sorted((dict(zip(names, r)) for r in cursor.fetchall()), key=repr)
        return out
    finally:
        database.close()


def make_older(db) -> None:
    """The database as version 3 left it (no admin_user.session_version)."""
    db.execute_sql('ALTER TABLE "admin_user" DROP COLUMN "session_version"')
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=3)
    db.close()


async def run_bot(tmp_path, bot_api, *args, **env) -> tuple[int, list[str]]:
    process = await start_run_bot(tmp_path, *args, api=bot_api, init=False, **env)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:  # it started instead of refusing: stop it
            process.kill()
            await process.wait()
    return process.returncode, stderr.decode().strip().splitlines()


WEBHOOK = dict(WEBHOOK_URL="https://example.org/tg-hook", WEBHOOK_SECRET="s3cret-hook")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_bot_refuses_a_missing_database_file_without_creating_it(bot_api, tmp_path,
                                                                          mode):
    missing = tmp_path / "var" / "wushe.sqlite3"
    code, lines = await run_bot(tmp_path, bot_api, *(["--webhook"] if mode == "webhook" else []),
                                DATABASE_URL=f"sqlite:///{missing}",
                                **(WEBHOOK if mode == "webhook" else {}))
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("run_bot: ") and str(missing) in lines[0]
    assert "`python -m models init`" in lines[0]
    assert not missing.parent.exists()
    assert bot_api.calls == []  # nor did it reach Telegram


async def test_the_bot_refuses_an_older_schema_and_changes_nothing(bot_api, tmp_path, db, db_url):
    make_older(db)
    before = dump()
    code, lines = await run_bot(tmp_path, bot_api, DATABASE_URL=db_url)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("run_bot: ") and "`python -m models upgrade`" in lines[0]
    assert "3" in lines[0] and str(SCHEMA_VERSION) in lines[0]
    assert dump() == before
    assert bot_api.calls == []


async def test_the_bot_starts_on_a_current_database_and_writes_nothing_officials_own(
        bot_api, tmp_path, db, db_url):
    target = Target.select().order_by(Target.id).first()
    target.value = Decimal("150")  # an official's edit in the admin
    target.save()
    place = OrgUnit.get(OrgUnit.level == "community")
    place.households = 4000  # an official's import
    place.save()
    audited = AuditLog.select().count()  # the loads of `init` are on record, nothing since
    db.close()
    before = dump(OWNED)

    process = await start_run_bot(tmp_path, api=bot_api, DATABASE_URL=db_url)
    try:
        user = bot_api.user(6300, "Qian", language_code="en")
        await user.send("/start")
        reply = await user.next_message(timeout=60)
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert "invite" in reply["text"].lower(), stderr.decode()  # it runs

    assert dump(OWNED) == before
    database.connect(reuse_if_open=True)
    assert Target.get_by_id(target.id).value == Decimal("150")
    assert OrgUnit.get_by_id(place.id).households == 4000
    assert AuditLog.select().count() == audited


@pytest.mark.parametrize("argv", [["--port", "0"],
                                  ["--create-user", "dora", "--role", "viewer", "--org", "5118"]])
def test_the_admin_refuses_a_missing_database_file_without_creating_it(argv, tmp_path,
                                                                      monkeypatch, capsys):
    missing = tmp_path / "var" / "wushe.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    monkeypatch.setenv("ADMIN_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("ADMIN_PASSWORD", "a long password")
    assert run_admin.main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("run_admin: ")
    assert "`python -m models init`" in lines[0] and str(missing) in lines[0]
    assert not missing.parent.exists()


@pytest.mark.parametrize("argv", [["--port", "0"],
                                  ["--create-user", "dora", "--role", "viewer", "--org", "5118"]])
def test_the_admin_refuses_an_older_schema_and_changes_nothing(argv, db, db_url, monkeypatch,
                                                               capsys):
    make_older(db)
    before = dump()
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ADMIN_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("ADMIN_PASSWORD", "a long password")
    assert run_admin.main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "`python -m models upgrade`" in lines[0]
    assert dump() == before

"""The maintenance commands: `init` makes an empty database, `upgrade` brings an older one up,
the others check the schema's version first and write nothing when it is not right."""
from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from models.__main__ import build_parser, main
from models.core.db import database, init_db
from models.core.migrations import SCHEMA_VERSION
from models.plans.loading import shipped_plan_files
from models.core.schema import Invite, OrgUnit, Plan, SchemaVersion, Target
from wushe import cli as wushe_cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("DEFAULT_LOCALE", "en")


def dump() -> dict[str, list]:
    """Every row of every table of the bound database."""
    database.connect(reuse_if_open=True)
    out = {}
    for table in sorted(database.get_tables()):
        cursor = database.execute_sql(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cursor.description]
        out[table] = sorted((dict(zip(names, r)) for r in cursor.fetchall()), key=repr)
    database.close()
    return out


def make_older(db) -> None:
    """The database as version 3 left it (no admin_user.session_version)."""
    db.execute_sql('ALTER TABLE "admin_user" DROP COLUMN "session_version"')
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=3)
    db.close()


def test_init_makes_an_empty_database_and_leaves_one_that_has_a_schema(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    assert main(["--database-url", url, "init"]) == 0
    assert f"(version {SCHEMA_VERSION})" in capsys.readouterr().out
    init_db(url)
    with database:
        target = Target.select().order_by(Target.id).first()
        Target.update(value=Decimal("150")).where(Target.id == target.id).execute()
        OrgUnit.update(population=4000).where(OrgUnit.code == "511802").execute()
    before = dump()
    assert main(["--database-url", url, "init"]) == 0
    assert "nothing done" in capsys.readouterr().out
    assert dump() == before


def test_init_points_an_older_database_at_upgrade(db, db_url, capsys):
    make_older(db)
    before = dump()
    assert main(["--database-url", db_url, "init"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "schema version 3" in line and line.endswith("run `python -m models upgrade`")
    assert dump() == before


def test_upgrade_applies_each_pending_migration_once(db, db_url, capsys):
    make_older(db)
    assert main(["--database-url", db_url, "upgrade"]) == 0
    out = capsys.readouterr().out.splitlines()
    applied = [str(v) for v in range(4, SCHEMA_VERSION + 1)]
    assert [line.split(":")[0] for line in out[:-1] if not line.startswith(" ")] == applied
    assert f"schema version {SCHEMA_VERSION} ({len(applied)} migrations applied)" in out[-1]
    once = dump()
    assert main(["--database-url", db_url, "upgrade"]) == 0
    assert "(0 migrations applied)" in capsys.readouterr().out
    assert dump() == once


@pytest.mark.parametrize("command", [["upgrade"], ["recount"], ["load-places"],
                                     ["invite", "--org", "511802001001"]])
def test_no_command_but_init_makes_a_missing_database(command, tmp_path, capsys):
    missing = tmp_path / "var" / "w.sqlite3"
    assert main(["--database-url", f"sqlite:///{missing}", *command]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith("has no Wushe schema: run `python -m models init`")
    assert not missing.parent.exists()


@pytest.mark.parametrize("command", [["recount"], ["load-places"],
                                     ["invite", "--org", "511802001001"],
                                     ["digest", "2026Q3"]])
def test_the_other_commands_refuse_an_older_database(command, db, db_url, capsys):
    make_older(db)
    before = dump()
    assert main(["--database-url", db_url, *command]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith(f"needs {SCHEMA_VERSION}: run `python -m models upgrade`")
    assert dump() == before


def test_load_places_loads_the_shipped_places(db, db_url, capsys):
    db.close()
    assert main(["--database-url", db_url, "load-places"]) == 0
    assert "places in yaan.toml" in capsys.readouterr().out


def test_init_then_invite_prints_a_deep_link(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    assert main(["--database-url", url, "init"]) == 0
    assert main(["--database-url", url, "invite", "--org", "511802001001", "--uses", "3"]) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert link.startswith("https://t.me/") and "?start=" in link
    code = link.split("?start=")[1]
    assert Invite.get(Invite.code == code).max_uses == 3
    assert Plan.select().count() == len(shipped_plan_files())  # loaded once each, side by side


def test_invite_refuses_a_place_that_is_not_a_community(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    main(["--database-url", url, "init"])
    assert main(["--database-url", url, "invite", "--org", "511802"]) == 2
    assert "511802" in capsys.readouterr().err


def test_the_domain_command_line_sends_the_digest_pdf_to_wushe(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    pdf = tmp_path / "q3.pdf"
    assert main(["--database-url", url, "digest", "2026Q3", "--pdf", str(pdf)]) == 2
    assert "wushe digest 2026Q3 --pdf" in capsys.readouterr().err
    assert not pdf.exists()


def test_wushe_offers_every_domain_command_and_runs_them(tmp_path, capsys):
    def commands(parser):
        [sub] = [a for a in parser._actions if a.dest == "command"]
        return set(sub.choices)

    assert commands(wushe_cli.build_parser(prog="wushe")) == commands(build_parser())
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    assert wushe_cli.main(["--database-url", url, "init", "--no-places"]) == 0
    assert f"Created the Wushe schema (version {SCHEMA_VERSION})" in capsys.readouterr().out


def test_wushe_is_a_console_script_and_runs_as_a_module():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"]["wushe"] == "wushe.cli:main"
    assert "wushe*" in project["tool"]["setuptools"]["packages"]["find"]["include"]
    done = subprocess.run([sys.executable, "-m", "wushe", "digest", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--pdf" in done.stdout


def test_the_domain_imports_nothing_above_it():
    above = ("bot", "admin", "charts", "tests", "wushe")
    found = []
    for path in sorted((ROOT / "models").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [(path.name, n) for n in names if n.split(".")[0] in above]
    assert found == []

"""The maintenance commands: one creates or upgrades the schema, one loads a plan."""
from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from models.__main__ import build_parser, main
from models.plans.loading import shipped_plan_files
from models.core.schema import Invite, Plan
from wushe import cli as wushe_cli

ROOT = Path(__file__).resolve().parents[2]


def test_init_is_safe_to_run_twice_and_invite_prints_a_deep_link(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    assert main(["--database-url", url, "init"]) == 0
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
    assert "schema ready" in capsys.readouterr().out


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

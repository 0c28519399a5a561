"""``run_admin.py --create-user``: the role table (every role at every level of place), the
username rule, and a one-line message with exit code 2 (never a traceback) for any bad input."""
from __future__ import annotations

import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import run_admin
from models.core.schema import AdminUser, OrgUnit
from models.org import access, accounts

ROOT = Path(__file__).resolve().parents[2]
LEVELS = ("city", "county", "township", "community")
# The spec, written out rather than read from the code: where each role may sit.
ALLOWED = {"city_admin": {"city"}, "province_officer": {"city"}, "county_official": {"county"},
           "township_officer": {"township"}, "community_staff": {"community"},
           "viewer": set(LEVELS)}


def _code(level: str) -> str:
    return (OrgUnit.select().where(OrgUnit.level == level).order_by(OrgUnit.path).first().code)


def test_the_table_covers_every_role():
    assert set(ALLOWED) == set(access.ROLES) == set(access.ROLE_LEVELS)


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_every_role_at_every_level_through_the_command_line(db_url, monkeypatch, capsys, role):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ADMIN_PASSWORD", "a long enough password")
    for i, level in enumerate(LEVELS):
        username = f"{role[:10]}-{i}"
        code = run_admin.main(["--create-user", username, "--role", role, "--org", _code(level)])
        out = capsys.readouterr()
        made = AdminUser.select().where(AdminUser.username == username).exists()
        if level in ALLOWED[role]:
            assert code == 0 and made, out.err
        else:
            assert code == 2 and not made
            assert out.err.startswith("run_admin: cannot create the account: This role "
                                      "belongs to") and out.err.count("\n") == 1


def test_a_county_official_at_the_city_is_refused(db_url, monkeypatch, capsys):
    """The case of the issue: it would have seen and edited the whole city."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ADMIN_PASSWORD", "a long enough password")
    assert run_admin.main(["--create-user", "wang", "--role", "county_official",
                           "--org", "5118"]) == 2
    assert "county or district" in capsys.readouterr().err
    assert not AdminUser.select().exists()


def test_the_longest_username_is_made_and_signs_in_and_a_longer_one_is_refused(
        db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ADMIN_PASSWORD", "a long enough password")
    longest = "a" * accounts.USERNAME_MAX
    assert run_admin.main(["--create-user", longest, "--role", "viewer", "--org", "5118"]) == 0
    assert run_admin.main(["--create-user", "a" * 100, "--role", "viewer", "--org", "5118"]) == 2
    assert "3–32 characters" in capsys.readouterr().err
    from werkzeug.security import check_password_hash
    user = AdminUser.get(AdminUser.username == longest)
    assert check_password_hash(user.password_hash, "a long enough password")


ALLOWED_CHARS = set(string.ascii_letters + string.digits + "._-")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.text(alphabet=sorted(ALLOWED_CHARS), max_size=40))
def test_the_username_rule(name):
    fits = 3 <= len(name) <= 32 and set(name) <= ALLOWED_CHARS
    try:
        assert accounts.check_username(name) == name
        accepted = True
    except accounts.AccountError as e:
        assert e.code == "username_invalid"
        accepted = False
    assert accepted == fits


# -- no traceback, whatever the input ---------------------------------------------------------

def _run(*args: str, env: dict, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DATABASE_URL", "ADMIN_"))}
    return subprocess.run([sys.executable, str(ROOT / "run_admin.py"), *args], cwd=ROOT,
                          env={**clean, **env}, stdin=stdin, capture_output=True, text=True,
                          timeout=120)


BAD = [
    (("--create-user", "x" * 100, "--role", "viewer", "--org", "5118"), "3–32 characters"),
    (("--create-user", "wang wei", "--role", "viewer", "--org", "5118"), "3–32 characters"),
    (("--create-user", "wang", "--role", "mayor", "--org", "5118"), "unknown role"),
    (("--create-user", "wang", "--role", "viewer", "--org", "999999"), "no place"),
    (("--create-user", "wang", "--role", "county_official", "--org", "5118"), "county"),
    (("--create-user", "wang", "--role", "viewer"), "--role and --org"),
    (("--create-user", "wang", "--role", "viewer", "--org", "5118"), "set ADMIN_PASSWORD"),
]


@pytest.mark.parametrize("args,says", BAD)
def test_a_bad_input_gets_one_line_and_exit_code_2(db_url, args, says):
    done = _run(*args, env={"DATABASE_URL": db_url})  # no terminal, no ADMIN_PASSWORD
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert says in done.stderr
    assert not AdminUser.select().where(AdminUser.username == "wang").exists()


def test_a_short_password_or_a_taken_name_gets_one_line(db_url):
    env = {"DATABASE_URL": db_url, "ADMIN_PASSWORD": "short"}
    done = _run("--create-user", "wang", "--role", "viewer", "--org", "5118", env=env)
    assert done.returncode == 2 and "at least 10 characters" in done.stderr
    env["ADMIN_PASSWORD"] = "long enough now"
    assert _run("--create-user", "wang", "--role", "viewer", "--org", "5118",
                env=env).returncode == 0
    done = _run("--create-user", "wang", "--role", "viewer", "--org", "5118", env=env)
    assert done.returncode == 2 and "taken already" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("url,says", [
    ("sqlite:///{tmp}/missing.sqlite3", "`python -m models init`"),
    ("postgresql://postgres@127.0.0.1:1/wushe", "无法打开 127.0.0.1:1/wushe 处的数据库"),
])
def test_a_missing_database_gets_one_line(tmp_path, url, says):
    env = {"DATABASE_URL": url.format(tmp=tmp_path), "ADMIN_PASSWORD": "long enough now"}
    done = _run("--create-user", "wang", "--role", "viewer", "--org", "5118", env=env)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "missing.sqlite3").exists()


def test_an_empty_database_says_to_run_init(tmp_path):
    (tmp_path / "empty.sqlite3").touch()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
           "ADMIN_PASSWORD": "long enough now"}
    done = _run("--create-user", "wang", "--role", "viewer", "--org", "5118", env=env)
    assert done.returncode == 2 and "models init" in done.stderr

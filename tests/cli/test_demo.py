"""The demo database: deterministic for a seed, every kind of report, some places quiet,
and logins whose passwords are made at build time, never written in code."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
import tomllib
from pathlib import Path

import pytest

from models.plans import progress
from models.core.db import database, init_db
from models.demo import build_demo
from models.forms.kinds import KINDS_FILE, default_plan
from models.org.places import city
from models.core.schema import AdminUser, Contribution, Delivery, Group, Report, ReportKind

TODAY = dt.date(2026, 11, 23)


def _digest(url: str) -> str:
    init_db(url)
    with database.connection_context():
        rows = [(r.uid, r.kind_id, r.org_path, str(r.activity_date), json.dumps(r.values, sort_keys=True),
                 r.status, r.reject_reason, str(r.created_at))
                for r in Report.select().order_by(Report.uid)]
    database.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_it_builds_the_same_database_for_the_same_seed(tmp_path):
    a = build_demo(f"sqlite:///{tmp_path / 'a.sqlite3'}", seed=7, today=TODAY, scale=0.1)
    b = build_demo(f"sqlite:///{tmp_path / 'b.sqlite3'}", seed=7, today=TODAY, scale=0.1)
    c = build_demo(f"sqlite:///{tmp_path / 'c.sqlite3'}", seed=8, today=TODAY, scale=0.1)
    assert {k: v for k, v in a.items() if k != "url"} == {k: v for k, v in b.items() if k != "url"}
    assert _digest(a["url"]) == _digest(b["url"])
    assert _digest(a["url"]) != _digest(c["url"])


def test_it_builds_a_full_demo_with_every_kind_and_every_line(tmp_path):
    # How fast it builds is measured in bench/demo_bench.py, not asserted here.
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    info = build_demo(url, today=TODAY)
    everyday = {"activity", "xinfeng", "placename", "donation", "milestone"}
    assert everyday <= set(info["kinds"])  # the registry's kinds: the registry demo's rows
    assert all(info["kinds"][k] > 0 for k in everyday)
    assert info["registry"]["volunteers"] > 0 and info["registry"]["hours_entries"] > 0
    assert info["statuses"]["approved"] > info["statuses"]["rejected"] > 0
    assert info["statuses"]["submitted"] > 0
    init_db(url)
    with database.connection_context():
        lines = {line for (line,) in Report.select(Report.action_line).distinct().tuples()}
        assert {"assistance", "elderly", "children", "mental", "neighbours", "rural", "ethnic",
                "xinfeng", "placename"} <= lines
        assert Report.select().where(Report.activity_date < dt.date(2025, 1, 1)).count() == 0
        assert Report.select().where(Report.activity_date > TODAY).count() == 0
        rejected = Report.select().where(Report.status == "rejected")
        assert all(r.reject_reason for r in rejected)
        assert Contribution.select().count() == info["contributions"] > info["reports"]
        # heavier recently: the last quarter holds more than the first one
        recent = Report.select().where(Report.activity_date > TODAY - dt.timedelta(days=90)).count()
        early = Report.select().where(Report.activity_date < dt.date(2025, 4, 1)).count()
        assert recent > early
        plan = default_plan()
        silent = {u.code for u, _ in progress.silent_communities(city(), TODAY)}
        assert silent == set(info["silent"]) | {info["never_reported"]}
        ranked = progress.ranking(plan, city(), TODAY.year, TODAY)
        completions = [c for _, c in ranked]
        assert max(completions) - min(completions) > 30, "counties differ: leaders and laggards"
        paces = {r.pace for pp in progress.breakdown(plan, city(), TODAY.year, TODAY).values()
                 for r in pp.targeted}
        assert "at_risk" in paces and {"on_track", "done"} & paces
        # work groups: bound ones got last week's summary, the kicked one shows the failure
        deliveries = {d.group.title: (d.status, d.period) for d in Delivery.select()}
        assert deliveries["雅安市五社联动工作群"] == ("sent", "2026-W47")
        assert deliveries["荥经县五社联动"][0] == "failed"
        assert Group.select().where(Group.org_unit.is_null()).count() == 1  # waits for /bind
    database.close()


def test_it_makes_logins_with_passwords_generated_at_build_time(tmp_path):
    made = []

    def create_user(username, password, **kw):
        made.append((username, password, kw))
        return AdminUser.create(username=username, password_hash="x", role=kw["role"],
                                org_unit=1)

    one = build_demo(f"sqlite:///{tmp_path / 'a.sqlite3'}", today=TODAY, scale=0.05,
                     create_user=create_user)
    two = build_demo(f"sqlite:///{tmp_path / 'b.sqlite3'}", today=TODAY, scale=0.05,
                     create_user=create_user)
    roles = {x["username"]: x["role"] for x in one["logins"]}
    assert {"demo": "city_admin", "yucheng": "county_official"}.items() <= roles.items()
    assert roles["juwei"] == "community_staff"  # a 居委会 account: the registry's first review
    assert [x["password"] for x in one["logins"]] != [x["password"] for x in two["logins"]]
    assert all(len(x["password"]) >= 12 for x in one["logins"])
    source = Path(build_demo.__code__.co_filename).read_text("utf-8")
    assert all(x["password"] not in source for x in one["logins"] + two["logins"])
    assert {"5118", "511802"} <= {kw["org_code"] for _, _, kw in made}


def test_it_builds_on_postgresql_too(db_url):
    if db_url.startswith("sqlite"):
        pytest.skip("the SQLite build is covered above")
    info = build_demo(db_url, today=TODAY, scale=0.05)
    init_db(db_url)
    with database.connection_context():
        assert Report.select().count() == info["reports"]
        assert ReportKind.select().count() == len(tomllib.loads(KINDS_FILE.read_text("utf-8"))["kinds"])
    database.close()


def test_run_admin_demo_builds_the_demo_prints_the_login_and_serves(tmp_path, monkeypatch, capsys):
    import functools

    from flask import Flask
    from werkzeug.security import check_password_hash

    import run_admin
    from models import demo

    served = {}
    monkeypatch.setattr(demo, "DEMO_PATH", tmp_path / "var" / "demo.sqlite3")
    monkeypatch.setattr(demo, "build_demo", functools.partial(demo.build_demo, scale=0.05))
    from gunicorn.app.base import BaseApplication

    def run(server):  # served by gunicorn, as make demo serves it
        served.update(bind=server.cfg.bind, workers=server.cfg.workers,
                      threads=server.cfg.threads, app=isinstance(server.load(), Flask))
    monkeypatch.setattr(BaseApplication, "run", run)
    monkeypatch.delenv("ADMIN_SECRET_KEY", raising=False)
    monkeypatch.delenv("ADMIN_WORKERS", raising=False)
    monkeypatch.delenv("ADMIN_THREADS", raising=False)
    assert run_admin.main(["--demo", "--port", "5077"]) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:5077/" in out
    assert served == {"bind": ["127.0.0.1:5077"], "workers": 2, "threads": 4, "app": True}
    logins = dict(re.findall(r"^  \w+ \(.+\): (\w+) / (\S+)$", out, re.M))
    assert {"demo", "yucheng"} <= set(logins)
    init_db(f"sqlite:///{tmp_path / 'var' / 'demo.sqlite3'}")
    with database.connection_context():
        user = AdminUser.get(AdminUser.username == "demo")
        assert user.role == "city_admin"
        assert check_password_hash(user.password_hash, logins["demo"])
    database.close()

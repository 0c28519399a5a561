"""A demo database: the Ya'an places, all five plans side by side (Ya'an the default),
workers with Chinese names, and a plausible stretch of reports of every kind from 2025-01-01
to today; the places carry the facts the other plans test (``place_attrs``: sites and
tiers, funds, certified workers, ...), the communities their population and households.

Deterministic for a seed and a ``today``: the same call builds the same rows (uids included),
so screenshots and tests can rely on them. All demo seeding lives in this package, none in
the domain modules: ``reports`` (workers and their reports), ``places`` (the places' facts),
``applications`` (pilot applications along the approval chain), ``registry`` (organizations,
volunteers, hours) and ``groups`` (bound Telegram groups and their pushes).

No account is created here with a password written in code: when the caller passes
``create_user`` (the admin's ``admin.auth.create_user``), logins get passwords generated at
build time and returned, for the demo command to print.
"""
from __future__ import annotations

import datetime as dt
import random
import secrets
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from models import bootstrap
from models.plans import rollup
from models.demo.applications import demo_applications
from models.demo.groups import demo_groups
from models.core.db import database, init_db
from models.demo.places import place_attrs
from models.demo.reports import populate
from models.org.places import city
from models.demo.registry import demo_registry
from models.core.schema import TABLES, OrgUnit
from models.core.settings import ROOT, Settings

DEMO_PATH = ROOT / "var" / "demo.sqlite3"
DEMO_MEDIA = Path(Settings.media_dir)  # where the admin looks for photos unless told


def shanghai_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _fresh(url: str) -> None:
    """Start from an empty database: remove a SQLite file, or drop the tables elsewhere."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if url.startswith("sqlite"):
        return
    init_db(url)
    with database.connection_context():
        database.drop_tables(TABLES + [rollup.ContributionMonth], safe=True, cascade=True)


def build_demo(url: str | None = None, *, seed: int = 5118, today: dt.date | None = None,
               create_user: Callable[..., object] | None = None, scale: float = 1.0,
               media_dir: str | Path | None = DEMO_MEDIA) -> dict:
    """Build a fresh demo database at ``url`` (default ``var/demo.sqlite3``); returns what
    was made and, with ``create_user``, the demo logins with their generated passwords.
    ``scale`` multiplies the everyday activity (tests use a small one). Photos are stored
    in ``media_dir`` (the admin's default ``var/media``; None: no photos, no locations)."""
    url = url or f"sqlite:///{DEMO_PATH}"
    today = today or shanghai_today()
    rng = random.Random(seed)
    _fresh(url)
    bootstrap(url)
    with database.connection_context():
        info = populate(rng, today, scale, str(media_dir) if media_dir is not None else None)
        info["places"] = place_attrs(seed)
        logins = []
        if create_user is not None:
            county_unit = OrgUnit.get(OrgUnit.code == "511802")
            for username, role, unit, name in (
                    ("demo", "city_admin", city(), "演示·市级管理员"),
                    ("yucheng", "county_official", county_unit, "演示·雨城区")):
                password = secrets.token_urlsafe(12)
                create_user(username, password, role=role, org_code=unit.code,
                            display_name=name, actor="demo")
                logins.append({"username": username, "password": password, "role": role,
                               "scope": unit.name})
        info["registry"] = demo_registry(seed, today, scale=scale, create_user=create_user,
                                         logins=logins)
        info["applications"] = demo_applications(rng, today, create_user=create_user, logins=logins)
        info["reports"] += sum(info["applications"].values())  # each filed as a report
        info["pushes"] = demo_groups(today)
    database.close()
    return {"url": url, "today": today, "seed": seed, "logins": logins, **info}

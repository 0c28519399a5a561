"""A demo database: one plan's own places (Ya'an by default; ``plan`` picks another of the
five, on its province's or city's real places), all five plans side by side (the chosen one
the default),
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

import tomllib

from models import bootstrap
from models.core.errors import DomainError
from models.plans import rollup
from models.demo.applications import demo_applications
from models.demo.groups import demo_groups
from models.core.db import database, init_db
from models.demo.places import place_attrs
from models.demo.reports import populate
from models.org.places import city, load_places, place_file
from models.plans.loading import load_plan, shipped_plan_files
from models.demo.registry import demo_registry
from models.core.schema import TABLES, OrgUnit, Plan
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
        database.drop_tables(TABLES + rollup.MODELS, safe=True, cascade=True)


DEFAULT_PLAN = "yaan-jiuxiang"
# Townships given demo communities on another plan's ground: about as many as Ya'an has
# (96), a few in each county — every county of a province, at least one township each.
DEMO_TOWNSHIPS = 96


def demo_plans() -> dict[str, str]:
    """The shipped plans the demo can build: plan code → its scope (root place code)."""
    out = {}
    for path in shipped_plan_files():
        spec = tomllib.loads(path.read_text("utf-8"))
        if spec.get("scope") and place_file(spec["scope"]) is not None:
            out[spec["code"]] = spec["scope"]
    return out


class UnknownPlan(DomainError):
    """``build_demo(plan=...)`` names no shipped plan with places."""


def _ground(url: str, plan: str, seed: int) -> None:
    """The schema, kinds and plans, on the places of ``plan``'s scope: Ya'an as the tests'
    bootstrap loads it; another plan's province or city with demo communities under a
    sample of its real townships (places first, so the plans' targets find them)."""
    scope = demo_plans()[plan]
    if scope == "5118":
        bootstrap(url)
        return
    bootstrap(url, places=False, plans=False)
    with database.connection_context():
        path = place_file(scope)
        counties = sum(1 for line in path.read_text("utf-8").splitlines()
                       if line == "[[counties]]")
        load_places(path, 3, seed, demo_townships=max(1, round(DEMO_TOWNSHIPS / counties)))
        for plan_file in shipped_plan_files():
            load_plan(plan_file)
    database.close()


def build_demo(url: str | None = None, *, seed: int = 5118, today: dt.date | None = None,
               create_user: Callable[..., object] | None = None, scale: float = 1.0,
               plan: str | None = None, media_dir: str | Path | None = DEMO_MEDIA) -> dict:
    """Build a fresh demo database at ``url`` (default ``var/demo.sqlite3``); returns what
    was made and, with ``create_user``, the demo logins with their generated passwords.
    ``scale`` multiplies the everyday activity (tests use a small one). ``plan`` (a code of
    ``demo_plans``; default Ya'an's) picks the plan whose own places the demo stands on; it
    is the demo's default plan. Photos are stored in ``media_dir`` (the admin's default
    ``var/media``; None: no photos, no locations)."""
    plan = plan or DEFAULT_PLAN
    if plan not in demo_plans():
        raise UnknownPlan(plan)
    url = url or f"sqlite:///{DEMO_PATH}"
    today = today or shanghai_today()
    rng = random.Random(seed)
    _fresh(url)
    _ground(url, plan, seed)
    with database.connection_context():
        info = populate(rng, today, scale, str(media_dir) if media_dir is not None else None)
        info["places"] = place_attrs(seed)
        Plan.update(is_default=(Plan.code == plan)).execute()
        logins = []
        if create_user is not None:
            root = city()
            county_unit = (OrgUnit.select().where(OrgUnit.level == "county",
                                                  OrgUnit.code == "511802").first()
                           or _a_county_with_communities())
            for username, role, unit, name in (
                    ("demo", "city_admin", root, f"演示·{root.name}管理员"),
                    ("yucheng" if county_unit.code == "511802" else "county",
                     "county_official", county_unit, f"演示·{county_unit.name}")):
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
    return {"url": url, "today": today, "seed": seed, "logins": logins, "plan": plan, **info}


def _a_county_with_communities() -> OrgUnit:
    first = (OrgUnit.select().where(OrgUnit.level == "community").order_by(OrgUnit.code)
             .first())
    return first.ancestor_at("county")

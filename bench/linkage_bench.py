"""The 联动指数 at city scale: ~1,000 communities with their attributes and organizations.

    python bench/linkage_bench.py                  # SQLite, 1,000 communities
    python bench/linkage_bench.py --communities 2000 --runs 10

Builds a SQLite file (var/bench/linkage.sqlite3) with the shipped places grown to about
``--communities`` communities (bench/dashboard_bench.py's ``grow_places``), each with the
attributes the 浙江 plan reads (community workers and how many are certified, certified social
workers) and 0–11 community social organizations, then measures with the Zhejiang plan:

* the index page, GET /admin/linkage/ through the Flask test client as a city admin (the
  counties) and as a county official (every community of the county), radar excluded;
* ``index_by_child`` alone for the same two scopes;
* the plan's workbook, GET /admin/export.xlsx (every level down to the communities);
* the ceiling, in the same run: one ``progress.breakdown`` of each scope, the least any
  per-place table needs (the index of the city's counties is exactly that; a county's
  communities need one per township).

A benchmark, not a test: it prints its figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard_bench import grow_places, log  # noqa: E402
from models import bootstrap  # noqa: E402
from models.plans import linkage, progress
from models.core.db import database  # noqa: E402
from models.core.schema import AdminUser, OrgUnit, Plan, SocialOrganization  # noqa: E402

OUT = ROOT / "var" / "bench"
YEAR = 2025
AS_OF = dt.date(2025, 11, 23)


def build(path: Path, communities: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    bootstrap(f"sqlite:///{path}")
    database.connect(reuse_if_open=True)
    grow_places(communities)
    rng = random.Random(5118)
    units = list(OrgUnit.select().where(OrgUnit.level == "community").order_by(OrgUnit.code))
    orgs = []
    with database.atomic():
        for u in units:
            workers = rng.randrange(3, 9)
            OrgUnit.update(attrs={"community_workers": workers,
                                  "certified_community_workers": rng.randrange(0, workers + 1),
                                  "certified_social_workers": rng.randrange(0, 25)}
                           ).where(OrgUnit.id == u.id).execute()
            for k in range(rng.randrange(0, 12)):
                orgs.append(dict(name=f"{u.code}-{k}", org_unit=u.id, org_path=u.path,
                                 leader="负责人", founded_on=dt.date(2024, 3, 1),
                                 category=rng.choice(["volunteer", "culture", "sports", "charity"]),
                                 status=rng.choice(["filed", "filed", "filed", "pending"]),
                                 active=rng.random() < 0.7))
        for i in range(0, len(orgs), 500):
            SocialOrganization.insert_many(orgs[i:i + 500]).execute()
        city = OrgUnit.get(OrgUnit.level == "city")
        county = OrgUnit.get(OrgUnit.code == "511802")
        for name, role, unit in (("bench_city", "city_admin", city),
                                 ("bench_county", "county_official", county)):
            AdminUser.create(username=name, role=role, org_unit=unit, password_hash="!")
    database.execute_sql("ANALYZE")
    log(f"{len(units)} communities, {len(orgs)} organizations")


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def client(app, username: str):
    from admin.auth import session_entries

    c = app.test_client()
    with c.session_transaction() as s:
        s.update(session_entries(AdminUser.get(AdminUser.username == username)))
    return c


def measure(path: Path, runs: int) -> dict:
    import admin.views.dashboard
    import admin.views.linkage
    from admin import create_app
    from models.core.settings import Settings

    admin.views.dashboard.today = admin.views.linkage.today = lambda: AS_OF
    app = create_app(Settings(database_url=f"sqlite:///{path}", admin_secret_key="b" * 40),
                     {"TESTING": True})
    database.connect(reuse_if_open=True)
    plan = Plan.get(Plan.code == "zhejiang-2025")
    city = OrgUnit.get(OrgUnit.level == "city")
    county = OrgUnit.get(OrgUnit.code == "511802")
    out = {"communities": {s.code: len(linkage.index_by_child(plan, s, YEAR, AS_OF))
                           for s in (city, county)}}
    for who, scope in (("bench_city", city), ("bench_county", county)):
        c = client(app, who)
        url = f"/admin/linkage/?plan={plan.code}&year={YEAR}"
        for _ in range(2):
            assert c.get(url).status_code == 200
        out[f"page {scope.name}"] = timed(lambda: c.get(url), runs)
        out[f"index_by_child {scope.name}"] = timed(
            lambda: linkage.index_by_child(plan, scope, YEAR, AS_OF), runs)
        out[f"ceiling: one breakdown of {scope.name}"] = timed(
            lambda: progress.breakdown(plan, scope, YEAR, AS_OF), runs)
    c = client(app, "bench_city")
    out["workbook (city, every level)"] = timed(
        lambda: c.get(f"/admin/export.xlsx?plan={plan.code}&year={YEAR}"), max(3, runs // 5))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="measure the file a previous run left")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "linkage.sqlite3"
    if not args.reuse:
        build(path, args.communities)
        database.close()
    results = measure(path, args.runs)
    print(f"\nSQLite, Zhejiang 联动指数, {YEAR}, places listed: {results.pop('communities')}")
    for name, (p50, p95) in results.items():
        print(f"  {name:<40} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Downloads an official waits for: the report list as CSV and XLSX, the city's national
volunteer file, a pilot application's PDF and the dashboard's workbook.

    python bench/exports_bench.py                 # build the demo, grow it to 50,000 reports
    python bench/exports_bench.py --reuse         # measure the file a previous run left
    python bench/exports_bench.py --reports 20000 --runs 3

Builds the default demo (``models.demo.build_demo``) into var/bench/exports.sqlite3, then
copies its reports (new uids, same places, kinds and answers) until there are ``--reports``
of them, and measures through the Flask test client signed in as the city admin, each
response read to its last byte (a streamed body is only done when the client has it all):

* GET /admin/reports/export/csv/ and /xlsx/ — every report in the city;
* GET /admin/volunteers/national/volunteers.xlsx — the city's national volunteer file;
* GET /admin/applications/pdf/<id> — one pilot application's form;
* GET /admin/export.xlsx — the dashboard's workbook (the default plan, the city).

Each figure is printed beside its aim (issue 14). A benchmark, not a test: it prints and
asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import datetime as dt
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.core.db import database  # noqa: E402
from models.core.schema import AdminUser, Application, Report  # noqa: E402

OUT = ROOT / "var" / "bench"
TODAY = dt.date(2026, 11, 23)
AIMS_S = {"reports CSV": 2.0, "reports XLSX": 2.0, "national volunteers XLSX (city)": 2.0,
          "application PDF": 0.5, "dashboard XLSX (city)": None}


def build(path: Path, reports: int) -> None:
    from models.demo import build_demo
    from admin.auth import create_user

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    build_demo(f"sqlite:///{path}", today=TODAY, create_user=create_user)
    database.connect(reuse_if_open=True)
    columns = [f for f in Report._meta.sorted_field_names if f not in ("id", "uid")]
    source = list(Report.select().dicts())
    n = Report.select().count()
    with database.atomic():
        batch = []
        while n < reports:
            row = dict(source[n % len(source)])
            row.pop("id")
            row["uid"] = uuid.uuid4().hex
            batch.append({c: row[c] for c in columns} | {"uid": row["uid"]})
            n += 1
            if len(batch) == 500:
                Report.insert_many(batch).execute()
                batch = []
        if batch:
            Report.insert_many(batch).execute()
    database.execute_sql("ANALYZE")
    database.close()


def timed(fn, runs: int) -> tuple[float, float, float]:
    """Median and worst wall-clock seconds, and the median CPU seconds of this process (the
    app runs in it): on a shared machine the CPU figure is what the code costs, the wall
    figure what an official waited."""
    samples, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        samples.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(samples), max(samples), statistics.median(cpu)


def fetch(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(response.get_data())  # the whole body, streamed or not


def measure(path: Path, runs: int) -> list[tuple[str, int, float, float, float]]:
    from admin import create_app
    from admin.auth import session_entries
    from models.core.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{path}", admin_secret_key="b" * 40,
                              media_dir=str(OUT / "media")), {"TESTING": True})
    database.connect(reuse_if_open=True)
    client = app.test_client()
    with client.session_transaction() as s:
        s.update(session_entries(AdminUser.get(AdminUser.role == "city_admin")))
    application = next(a for a in Application.select().order_by(Application.id)
                       if client.get(f"/admin/applications/pdf/{a.id}").status_code == 200)
    urls = {"reports CSV": "/admin/reports/export/csv/",
            "reports XLSX": "/admin/reports/export/xlsx/",
            "national volunteers XLSX (city)": "/admin/volunteers/national/volunteers.xlsx",
            "application PDF": f"/admin/applications/pdf/{application.id}",
            "dashboard XLSX (city)": "/admin/export.xlsx"}
    out = []
    for name, url in urls.items():
        size = fetch(client, url)  # warm-up: templates, fonts, catalogs
        out.append((name, size, *timed(lambda: fetch(client, url), runs)))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="measure the file a previous run left")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "exports.sqlite3"
    if not args.reuse:
        build(path, args.reports)
    results = measure(path, args.runs)
    reports = Report.select().count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nSQLite, demo grown to {reports:,} reports, city admin, {args.runs} runs each, "
          f"load average {load:.1f} on {os.cpu_count()} cores")
    for name, size, p50, worst, cpu in results:
        aim = AIMS_S[name]
        aim_text = f"aim ≤ {aim:.1f} s" if aim else "aim: as fast as the page (no figure set)"
        print(f"  {name:<34} {size / 1024:7.0f} KiB   median {p50:6.2f} s   "
              f"worst {worst:6.2f} s   CPU {cpu:6.2f} s   {aim_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

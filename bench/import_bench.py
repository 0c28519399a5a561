"""Reference-data import at office scale: 10,000-row files of each entity, dry run and import.

    python bench/import_bench.py                  # SQLite and PostgreSQL, 10,000 rows
    python bench/import_bench.py --rows 2000 --db sqlite

Per database (a fresh bootstrapped SQLite file under var/bench/, and the PostgreSQL database
``wushe_import_bench`` on the server of TEST_POSTGRES_URL), for each entity: generate a CSV
of --rows rows with Chinese headers, then time ``importer.dry_run``, ``importer.run`` (every
row created), and ``importer.run`` again (the same file: every row unchanged). Beside them,
the ceiling measured in the same run: the same number of rows written with one bare
``insert_many`` per 500 rows (no parsing, no checks, no contributions). A benchmark, not a
test: it prints its figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import bootstrap, importing as importer  # noqa: E402
from models.core.db import database  # noqa: E402
from models.core.schema import OrgUnit, Report, ReportKind  # noqa: E402

OUT = ROOT / "var" / "bench"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = "wushe_import_bench"
TODAY = dt.date(2025, 12, 1)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _csv(headers: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def _id_number(rng: random.Random, i: int) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=2 * i)  # one birthday each: no twins
    base = f"511802{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return base + "10X98765432"[sum(int(c) * w for c, w in zip(base, ID_WEIGHTS)) % 11]


def files(n: int, communities: list[str]) -> dict[str, bytes]:
    rng = random.Random(5118)
    townships = max(1, n // 100)
    units = [["511899", "压测区", "区", "5118", "", ""]]
    for t in range(townships):
        tc = f"511899{t:03d}"
        units.append([tc, f"压测街道{t}", "街道", "511899", "", ""])
    while len(units) < n:
        t = (len(units) - townships - 1) % townships
        c = (len(units) - townships - 1) // townships
        pop = rng.randrange(800, 9000)
        units.append([f"511899{t:03d}{c:03d}", f"压测社区{t}-{c}", "社区", f"511899{t:03d}",
                      pop, pop // 3])
    out = {"org_units": _csv(["区划代码", "名称", "层级", "上级代码", "常住人口", "户数"], units)}
    out["workers"] = _csv(["姓名", "Telegram用户ID", "所属社区", "角色"], [
        [f"工作人员{i}", 800_000_000 + i, rng.choice(communities), rng.choice(["社区工作者", "负责人"])]
        for i in range(n)])
    out["volunteers"] = _csv(["姓名", "性别", "证件号码", "手机号码", "所属社区", "注册日期"], [
        [f"志愿者{i}", rng.choice("男女"), _id_number(rng, i), f"139{i:08d}", rng.choice(communities),
         f"2025-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}"] for i in range(n)])
    out["organizations"] = _csv(["组织名称", "类别", "所属社区", "负责人", "成员人数", "成立日期", "备案状态"], [
        [f"社区社会组织{i}", rng.choice(["养老服务类", "社区服务类", "扶危助困类", "互助类"]),
         rng.choice(communities), f"负责人{i}", rng.randrange(3, 60),
         f"20{rng.randrange(10, 25)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}",
         rng.choice(["待初审", "已初审", "已备案"])] for i in range(n)])
    out["reports"] = _csv(["类型", "社区", "日期", "状态", "行动", "活动类型", "活动名称", "地点",
                           "参与人数", "参与力量", "志愿者"], [
        ["开展活动", rng.choice(communities),
         f"2025-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}",
         rng.choice(["已提交", "已通过"]), rng.choice(["花朵呵护", "银发暖心", "情暖万家", "友邻互助"]),
         rng.choice(["服务", "培训", "宣传"]), f"活动{i}", "社区活动室", rng.randrange(5, 200),
         "社区、志愿者", rng.randrange(0, 20)] for i in range(n)])
    return out


def ceiling(n: int) -> float:
    """The same number of report rows through bare insert_many, rolled back."""
    kind = ReportKind.get(ReportKind.code == "activity")
    unit = OrgUnit.select().where(OrgUnit.level == "community").first()
    rows = [dict(uid=str(uuid.uuid4()), kind=kind.id, org_unit=unit.id, org_path=unit.path,
                 action_line="children", activity_date=dt.date(2025, 3, 1),
                 values={"title": f"x{i}", "participants": 10}, status="submitted")
            for i in range(n)]
    started = time.perf_counter()
    with database.atomic() as txn:
        for i in range(0, n, 500):
            Report.insert_many(rows[i:i + 500]).execute()
        seconds = time.perf_counter() - started
        txn.rollback()
    return seconds


def bench(url: str, n: int) -> None:
    bootstrap(url)
    communities = [u.code for u in OrgUnit.select().where(OrgUnit.level == "community")]
    data = files(n, communities)
    print(f"\n{url.split('@')[-1]} — {n:,} rows per file")
    print(f"  ceiling: bare insert_many of {n:,} report rows  {ceiling(n):6.2f} s")
    for entity, content in data.items():
        name = f"{entity}.csv"
        dry = importer.dry_run(entity, content, filename=name, today=TODAY)
        first = importer.run(entity, content, filename=name, actor="bench", today=TODAY)
        again = importer.run(entity, content, filename=name, actor="bench", today=TODAY)
        problems = f"  ({len(first.errors)} errors!)" if first.errors else ""
        print(f"  {entity:14s} dry run {dry.seconds:6.2f} s   import {first.seconds:6.2f} s "
              f"({first.created:,} new)   again {again.seconds:6.2f} s "
              f"({again.unchanged:,} unchanged){problems}")
    database.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.db in ("sqlite", "both"):
        path = OUT / "import_bench.sqlite3"
        for p in OUT.glob("import_bench.sqlite3*"):
            p.unlink()
        bench(f"sqlite:///{path}", args.rows)
    if args.db in ("postgres", "both"):
        import psycopg2

        conn = psycopg2.connect(PG_ADMIN_URL)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{PG_DB}"')
        bench(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{PG_DB}", args.rows)
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.close()


if __name__ == "__main__":
    main()

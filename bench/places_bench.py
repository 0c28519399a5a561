"""Loading the shipped places files: each of them into a fresh database, then again.

    python bench/places_bench.py                  # SQLite and PostgreSQL
    python bench/places_bench.py --db sqlite

Per database (a fresh SQLite file under var/bench/, and the PostgreSQL database
``wushe_places_bench`` on the server of TEST_POSTGRES_URL): the schema, then each places file
(``load_places``, no demo communities) timed, then all of them again (every place unchanged:
matched, compared, nothing written). The aim: a province (浙江省, 1,461 places and 1,359
stations) in under 2 s, as `python -m models load-places 33` would take it. A benchmark, not
a test: it prints its figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import bootstrap  # noqa: E402
from models.core.db import database  # noqa: E402
from models.org.places import PLACE_FILES, load_places  # noqa: E402

OUT = ROOT / "var" / "bench"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = "wushe_places_bench"
AIM = 2.0


def _fresh(kind: str) -> str:
    if kind == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "places.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        cur.execute(f'CREATE DATABASE "{PG_DB}"')
    conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"


def run(kind: str) -> None:
    url = _fresh(kind)
    bootstrap(url, places=False, plans=False)
    print(f"\n{kind}: aim, a province in < {AIM:.0f} s")
    with database.connection_context():
        for again in (False, True):
            for path in PLACE_FILES.values():
                started = time.perf_counter()
                result = load_places(path, 0)
                took = time.perf_counter() - started
                made = len(result.created.get("org_unit", []))
                stations = len(result.created.get("station", []))
                print(f"  {'again' if again else 'load '} {path.name:14s} {took:6.2f} s  "
                      f"{made:5d} places and {stations:5d} stations created, "
                      f"{result.units:5d} places in the database")
    database.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    for kind in ("sqlite", "postgres"):
        if args.db in (kind, "both"):
            run(kind)


if __name__ == "__main__":
    main()

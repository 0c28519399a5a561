"""The demo build as `make demo` runs it: the full default demo into a fresh SQLite file.

    python bench/demo_bench.py            # 3 builds
    python bench/demo_bench.py --runs 5

Each run calls ``models.demo.build_demo`` with its defaults (seed, scale, every registry and
push seeding) into a new file under var/bench/, the same call run_admin.py --demo makes.
Beside the figures it prints the ceiling the build is held to: the 10 s a user waits at most
for the admin to come up after `make demo`. A benchmark, not a test: it prints and asserts
nothing (a timed assertion in the suite failed on a loaded machine).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.demo import build_demo  # noqa: E402

OUT = ROOT / "var" / "bench"
CEILING_S = 10.0
TODAY = dt.date(2026, 11, 23)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    times, reports = [], 0
    for i in range(args.runs):
        path = OUT / f"demo_{i}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        info = build_demo(f"sqlite:///{path}", today=TODAY)
        times.append(time.perf_counter() - started)
        reports = sum(info["kinds"].values())
    print(f"demo build ({reports:,} reports), {args.runs} runs: "
          f"median {statistics.median(times):.2f} s, best {min(times):.2f} s, "
          f"worst {max(times):.2f} s; ceiling {CEILING_S:.0f} s")


if __name__ == "__main__":
    main()

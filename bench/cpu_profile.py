"""Where a process's CPU goes, by package: a cProfile dump grouped as peewee, PTB, HTTP,
asyncio, Wushe's bot/ and models/, Babel, JSON... (bench/bot_burst.py --profile).

A C function (``str.join``, ``isinstance``) counts for the package that called it, except
those that are a package of their own (the sqlite3 and psycopg2 drivers, the JSON codec).
The event loop's wait for I/O (``epoll.poll``) is idle time, not CPU: it is left out. The
profiler's clock is the wall clock (a CPU clock costs 7× more per call here), so time this
process spent preempted by others counts too (in proportion, on average): the shares are
what to read. Given the process's CPU seconds, ms per update is each share of those.

    python bench/cpu_profile.py FILE [--updates N]
"""
from __future__ import annotations

import argparse
import pstats
import sysconfig
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STDLIB = sysconfig.get_paths()["stdlib"]
IDLE = "idle (epoll wait)"

#: (substring of a file path, group), first match wins; site-packages paths are matched by
#: the package's directory or module.
PACKAGES = (
    ("/peewee.py", "peewee"), ("/playhouse/", "peewee"),
    ("/telegram/", "telegram (PTB)"),
    ("/aiohttp/", "http (aiohttp/httpx)"), ("/httpx/", "http (aiohttp/httpx)"),
    ("/httpcore/", "http (aiohttp/httpx)"), ("/anyio/", "http (aiohttp/httpx)"),
    ("/h11/", "http (aiohttp/httpx)"), ("/yarl/", "http (aiohttp/httpx)"),
    ("/multidict/", "http (aiohttp/httpx)"), ("/aiosignal/", "http (aiohttp/httpx)"),
    ("/frozenlist/", "http (aiohttp/httpx)"), ("/sniffio/", "http (aiohttp/httpx)"),
    ("/psycopg2/", "psycopg2"),
    ("/babel/", "babel"),
    (f"{ROOT}/bot/", "wushe bot/"), (f"{ROOT}/models/", "wushe models/"),
    (f"{STDLIB}/asyncio/", "asyncio"), (f"{STDLIB}/selectors.py", "asyncio"),
    (f"{STDLIB}/json/", "json"), (f"{STDLIB}/logging/", "logging"),
    (f"{STDLIB}/", "stdlib (other)"),
)
#: C functions that are a group of their own, by a substring of their name.
BUILTINS = (("epoll", IDLE), ("sqlite3", "sqlite3 (C)"), ("psycopg2", "psycopg2"),
            ("_json", "json"), ("_asyncio", "asyncio"))


def group_of(key: tuple) -> str | None:
    """The group of a profiled function, None for a C function that counts for its caller."""
    filename, _, name = key
    if filename == "~":
        return next((g for s, g in BUILTINS if s in name), None)
    return next((g for s, g in PACKAGES if s in filename), "other")


def grouped(stats: pstats.Stats) -> tuple[dict[str, float], list[tuple[float, str, tuple]]]:
    """Seconds of own time per group, and every function's (own time, group, key)."""
    own: dict[str, float] = defaultdict(float)
    functions = []
    for key, (_, _, tt, _, callers) in stats.stats.items():
        group = group_of(key)
        if group is not None:
            own[group] += tt
            functions.append((tt, group, key))
            continue
        for caller, edge in callers.items():  # a C function: each caller's share of its time
            caller_group = group_of(caller) or "builtins"
            own[caller_group] += edge[2]
            functions.append((edge[2], caller_group, key))
    return own, functions


def report(path: str | Path, updates: int, cpu_seconds: float | None = None, top: int = 12,
           title: str = "") -> str:
    """The grouped profile as text: share of the profiled time and ms per update (of
    ``cpu_seconds`` if given, else of the profiled time)."""
    stats = pstats.Stats(str(path))
    own, functions = grouped(stats)
    idle = own.pop(IDLE, 0.0)
    total = sum(own.values())
    per_update = (cpu_seconds or total) / updates * 1000
    lines = [f"profile {title}{path}: {total:.2f} s profiled (idle {idle:.1f} s left out) over "
             f"{updates} updates; ms/upd below are shares of "
             + (f"the process's CPU under the profiler, {per_update:.2f} ms/update"
                if cpu_seconds else f"the profiled time, {per_update:.2f} ms/update")]
    lines.append(f"  {'group':26}{'share':>7}{'ms/upd':>8}")
    for group, seconds in sorted(own.items(), key=lambda kv: -kv[1]):
        if seconds / total >= 0.001:
            lines.append(f"  {group:26}{seconds / total:>7.1%}"
                         f"{seconds / total * per_update:>8.3f}")
    lines.append(f"  top {top} functions by own time:")
    merged: dict[tuple, list] = {}
    for seconds, group, key in functions:
        if group == IDLE:
            continue
        entry = merged.setdefault((group, key), [0.0])
        entry[0] += seconds
    for (group, (filename, line, name)), (seconds,) in sorted(
            merged.items(), key=lambda kv: -kv[1][0])[:top]:
        where = name if filename == "~" else f"{_short(filename)}:{line} {name}"
        lines.append(f"  {seconds / total:>6.1%} {seconds / total * per_update:>7.3f}  "
                     f"[{group}] {where}")
    return "\n".join(lines)


def _short(filename: str) -> str:
    for prefix in (f"{ROOT}/", "site-packages/", f"{STDLIB}/"):
        if prefix in filename:
            return filename.split(prefix, 1)[1]
    return filename


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--updates", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(report(args.file, args.updates, top=args.top))

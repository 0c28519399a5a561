"""Twenty officials at once against the admin: the production server against Flask's.

    python bench/admin_load.py                  # 20 officials, 30 s per server
    python bench/admin_load.py --seconds 10 --officials 20
    python bench/admin_load.py --url sqlite:///var/bench/bench.sqlite3 --server gunicorn
                                   # against dashboard_bench's 1M-report database instead
    python bench/admin_load.py --url ... --review-every 5   # a report reviewed every 5 s

Builds the demo database (``models.demo.build_demo``, as ``make demo`` does) under
var/bench/, adds the officials (2 city admins and 18 county officials, 2 or 3 per county,
with the real password hash), then, in the same run, serves it twice on free ports:

* (a) ``run_admin.py`` as shipped: gunicorn, ADMIN_WORKERS x ADMIN_THREADS (2 x 4);
* (b) ``run_admin.py --dev``: Flask's development server (threaded).

Against each, every official signs in through the sign-in form (CSRF token, real session
cookie, one HTTP client each, keep-alive) and then, for --seconds, loads the dashboard and
the reports list in turn, as fast as the answers come. Printed per server: requests/s,
p50 and p99 of the page times, errors; and what it is read against: issue 12's aim, "a page
in <= 150 ms p50"; the floor measured in the same run (one official alone, one page at a time,
on the same server); and the ceiling that floor gives (the cores the server can use, all for
gunicorn's processes, one for Flask's single process, divided by the page time). Two passes:
officials clicking without pause (the server saturated) and reading each page ~2 s. A benchmark, not a test: it prints and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.demo import build_demo  # noqa: E402

OUT = ROOT / "var" / "bench"
AIM_P50_MS = 150.0
PAGES = ("/admin/", "/admin/reports/")
PASSWORD = "bench-password-123"
COUNTIES = ("511802", "511803", "511822", "511823", "511824", "511825", "511826", "511827")


def build(path: Path, officials: int) -> str:
    url = f"sqlite:///{path}"
    print(f"building the demo database {path} ...", flush=True)
    build_demo(url)
    add_officials(url, officials)
    return url


def add_officials(url: str, officials: int) -> None:
    """The officials of ``usernames``, where the database lacks them."""
    from admin.auth import create_user
    from models.core.db import connection, init_db
    from models.core.schema import AdminUser

    init_db(url)
    with connection():
        for i in range(officials):
            if AdminUser.select().where(AdminUser.username == usernames(i + 1)[i]).exists():
                continue
            if i < 2:
                create_user(f"city{i}", PASSWORD, role="city_admin", org_code="5118")
            else:
                create_user(f"county{i}", PASSWORD, role="county_official",
                            org_code=COUNTIES[i % len(COUNTIES)])


def usernames(officials: int) -> list[str]:
    return [f"city{i}" if i < 2 else f"county{i}" for i in range(officials)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(url: str, dev: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "ADMIN_SECRET_KEY": "b" * 64}
    args = [sys.executable, str(ROOT / "run_admin.py"), "--port", str(port)]
    proc = subprocess.Popen(args + (["--dev"] if dev else []), env=env, cwd=OUT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server ({'--dev' if dev else 'gunicorn'}) did not come up")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": token})
    if r.status_code != 302:
        raise SystemExit(f"{username} could not sign in: {r.status_code}")
    return client


def floor(base: str, username: str, runs: int = 20) -> float:
    """One official alone, one page at a time: the p50 of the same pages on an idle server."""
    client = signed_in(base, username)
    times = []
    for i in range(runs + 2):
        t = time.perf_counter()
        client.get(PAGES[i % len(PAGES)])
        if i >= 2:
            times.append((time.perf_counter() - t) * 1000)
    client.close()
    return statistics.median(times)


class Reviewer(threading.Thread):
    """An official approving the oldest waiting report every ``every`` seconds while a pass
    runs, straight through the domain (``review``, audited like the queue's button): each
    review moves the data version, so every cached page and count is computed again — what
    the dashboard meets while a city's reports are being reviewed."""

    def __init__(self, url: str, every: float):
        super().__init__(daemon=True)
        self.url, self.every, self.done = url, every, 0
        self.stop = threading.Event()

    def run(self) -> None:
        from models.core.db import connection, init_db
        from models.core.schema import Report
        from models.reports.filing import review

        init_db(self.url)
        while not self.stop.wait(self.every):
            with connection():
                report = (Report.select().where(Report.status == "submitted")
                          .order_by(Report.id).first())
                if report is not None:
                    review(report, "approved", actor="admin:bench")
                    self.done += 1


def load(base: str, names: list[str], seconds: float, think: float = 0.0,
         url: str | None = None, review_every: float = 0.0) -> dict:
    clients = [signed_in(base, name) for name in names]
    for client in clients:  # every worker's templates and caches warm before the clock
        for page in PAGES:
            client.get(page)
    times: list[float] = []
    errors = [0]
    kinds: dict[str, int] = {}  # what the failures were: a status code or an exception
    lock = threading.Lock()
    go = threading.Event()
    deadline = [0.0]

    def official(client: httpx.Client, offset: int) -> None:
        go.wait()
        mine, bad, i = [], 0, offset
        pause = random.Random(offset)
        while time.perf_counter() < deadline[0]:
            if think:  # an official reads the page before the next click
                time.sleep(think * pause.uniform(0.5, 1.5))
            t = time.perf_counter()
            try:
                try:
                    status = client.get(PAGES[i % len(PAGES)]).status_code
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    # a kept-alive connection the server closed as the request left: a
                    # browser sends a GET again on a new connection, and so does this
                    status = client.get(PAGES[i % len(PAGES)]).status_code
            except httpx.HTTPError as e:
                status = type(e).__name__
            ok = status == 200
            if not ok:
                with lock:
                    kinds[str(status)] = kinds.get(str(status), 0) + 1
            if ok:
                mine.append((time.perf_counter() - t) * 1000)
            else:
                bad += 1
            i += 1
        with lock:
            times.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=official, args=(c, n)) for n, c in enumerate(clients)]
    for th in threads:
        th.start()
    reviewer = Reviewer(url, review_every) if review_every and url else None
    began = time.perf_counter()
    deadline[0] = began + seconds
    go.set()
    if reviewer:
        reviewer.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - began
    if reviewer:
        reviewer.stop.set()
        reviewer.join()
        print(f"  {reviewer.done} reports reviewed during the pass", flush=True)
    for c in clients:
        c.close()
    times.sort()
    if kinds:
        print(f"  failures: {kinds}", flush=True)
    return {"requests": len(times), "rps": len(times) / elapsed, "errors": errors[0],
            "p50": statistics.median(times) if times else float("nan"),
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))] if times else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officials", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean seconds an official reads a page before the next click, "
                             "for the second pass (the first clicks without pause)")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    parser.add_argument("--url", help="serve this database (officials added) instead of the demo")
    parser.add_argument("--server", choices=("gunicorn", "dev", "both"), default="both")
    parser.add_argument("--pages", nargs="+", default=["/admin/", "/admin/reports/"])
    parser.add_argument("--review-every", type=float, default=0.0, metavar="SECONDS",
                        help="approve the oldest waiting report every SECONDS during each "
                             "pass (the data version moves: every cached page is stale)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "admin_load.sqlite3"
    if args.url:
        url = args.url
        add_officials(url, args.officials)
    elif args.reuse and path.exists():
        url = f"sqlite:///{path}"
    else:
        url = build(path, args.officials)
    global PAGES
    PAGES = tuple(args.pages)
    names = usernames(args.officials)
    results = {}
    passes = (("no pause", 0.0), (f"{args.think:g} s reading", args.think))
    servers = [(label, dev) for label, dev in (("gunicorn (run_admin.py)", False),
                                               ("Flask dev (--dev)", True))
               if args.server == "both" or dev == (args.server == "dev")]
    for label, dev in servers:
        proc, base = start(url, dev)
        try:
            for how, think in passes:
                print(f"{label}, {how}: {args.officials} officials for {args.seconds:.0f} s ...",
                      flush=True)
                results[(label, how)] = load(base, names, args.seconds, think, url,
                                             args.review_every)
            results[(label, "alone")] = floor(base, names[0])
        finally:
            stop(proc)
    print(f"\n{args.officials} officials signed in, each loading {' and '.join(PAGES)} in turn "
          f"for {args.seconds:.0f} s; load average {os.getloadavg()[0]:.1f}"
          + (f"; a report reviewed every {args.review_every:g} s" if args.review_every else ""))
    print(f"{'server':26} {'officials':18} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for label, _ in servers:
        for how, _ in passes:
            r = results[(label, how)]
            print(f"{label:26} {how:18} {r['rps']:7.1f} {r['p50']:8.0f} {r['p99']:8.0f} "
                  f"{r['errors']:6d}")
        alone = results[(label, "alone")]
        cores = 1 if "dev" in label else os.cpu_count()  # Flask's server: one process, one GIL
        print(f"{label:26} {'one alone (floor)':18} {'':>7} {alone:8.0f}")
        print(f"{label:26} {f'ceiling, {cores} core(s)':18} {cores * 1000 / alone:7.1f}")
    print(f"aim (issue 12): a page in <= {AIM_P50_MS:.0f} ms p50. Floor: one official alone on "
          "the same server; ceiling: the cores it can use / that page time. With no pause, "
          "p50 >= officials / req/s whatever the server.")


if __name__ == "__main__":
    main()

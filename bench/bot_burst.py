"""A burst of simulated workers, each filing a full activity report through run_bot.py.

The bot is run_bot.py as a user runs it — its own process, its settings from the environment,
the shipped flood limiter (bot/flood.py) — against the local Bot API server of devkit/botapi;
the server and the simulated workers run in a second process. The one addition is a counter
of SQL statements (peewee's ``execute_sql`` plus the pragmas of each new SQLite connection),
read through SIGUSR1 before and after the burst. In the same run the same burst goes through
a minimal python-telegram-bot echo bot on the same server: the ceiling of Python + PTB + HTTP
on this machine. Bot API calls per update are counted by the server (getUpdates excluded);
CPU per update is each bot process's CPU time (user + system) over the burst.

``--profile FILE`` runs both bots under cProfile during the burst only (run_bot.py through
this file's launcher: the shipped code is not touched), writes FILE.<database>.<mode> for
each run of run_bot.py and FILE.echo, and prints where the CPU goes, by package
(bench/cpu_profile.py). The profiler slows the bots: read its shares, not its rates.

``--mode webhook`` runs run_bot.py --webhook as shipped (WEBHOOK_URL, WEBHOOK_SECRET): the
server posts the updates to it as Telegram does (concurrently up to max_connections, in order
within a chat) and makes the method of each answer (a button's answer rides it: those calls
are counted apart from the bot's own HTTP calls). The echo bot polls in either mode.

By default the burst has no think time: each worker sends its next step the instant the reply
to the last comes, so every worker always has one step waiting and, by Little's law, the mean
step latency is workers ÷ updates/s whatever the bot does (printed as N÷X beside the aim, with
the echo's p99). ``--think A,B`` paces the workers as people: a uniform A to B seconds between
steps, each worker's first step at a uniform moment in the first ``--spread`` seconds (60: the
whole city reports within the same minute); updates/s is then the load they offer.

Each run also prints the latency by step of the walk (the 17 steps of ``_script``): p50/p99
per step, each step's share of the run's latencies above its p99, and in which tenth of the
run those were sent: which steps make the tail, and when.

run_bot.py's log goes to a file, printed in part when it fails (a pipe nobody reads until the
end fills up and stops the bot: ``_spawn_bot``).

    python bench/bot_burst.py [--workers 500] [--database sqlite|postgres|both]
                              [--mode polling|webhook|both] [--profile FILE]
                              [--think A,B [--spread S]]

"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "777:BENCH-token"
FIRST_USER = 900_000
AIM_SHARE_OF_ECHO = 0.5
AIM_P99_MS = 1000
AIM_SQL_PER_STEP = 3  # per update that is not a Submit
AIM_CALLS_PER_UPDATE = 1.5
WEBHOOK_SECRET = "bench-hook-secret"


# --------------------------------------------------------------------------- the workers' side

def _script(kind: str):
    """One worker's steps: (action, argument, what to wait for). Matches the activity form."""
    if kind == "echo":
        return [("send", f"step {i}", "message") if i % 2 == 0 else ("press", "e", "message")
                for i in range(15)]
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()  # run_bot's real "today"
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    return [
        ("send", "/report", "message"),
        ("press", "k:activity", "message"),
        ("press", "a:action_line:2", "message"),  # children: asks the minors reached
        ("press", "a:activity_type:0", "message"),
        ("send", "四点半课堂", "message"),
        ("press", f"d:date:{yesterday}", "message"),
        ("send", "社区活动室", "message"),
        ("send", "30人", "message"),
        ("send", "二十", "message"),  # of them minors
        ("press", "s:groups", "message"),
        ("press", "mt:parties:1", "edit"),
        ("press", "md:parties:1", "message"),
        ("send", "5", "message"),
        ("press", "s:summary", "message"),
        ("press", "s:photos", "message"),
        ("press", "s:location", "message"),
        ("press", "sub:", "message"),
    ]


@dataclass(frozen=True)
class Pace:
    """Think time between a worker's steps: uniform in [think_min, think_max] seconds (reading
    a one-line question and tapping or typing a short answer on a phone), and each worker's
    first step at a uniform moment within the first ``spread`` seconds (everyone at once)."""

    think_min: float
    think_max: float
    spread: float

    @property
    def mean(self) -> float:
        return (self.think_min + self.think_max) / 2


WAIT_FOR = {"message": {"message"}, "edit": {"edit_markup", "edit_text", "edit"}}


async def _worker(api, user_id: int, kind: str, latencies: list[tuple[int, float, float]],
                  pace: Pace | None = None) -> None:
    """One worker's report, step by step: each step sent the instant the previous reply came
    (``pace`` None: the zero-think burst), or after a think time drawn from ``pace``, the first
    step after a start delay within ``pace.spread``. A step's latency is from sending it to its
    reply; think time is not in it. Each latency goes to ``latencies`` as (step, seconds, sent
    at): the step's index in ``_script`` and its clock, so the tail can be told apart by step
    and by moment of the run (``_by_step``)."""
    user = api.user(user_id, f"W{user_id}", language_code="en")
    rng = random.Random(user_id)  # the same draws for the echo and run_bot.py
    if pace is not None:
        await asyncio.sleep(rng.uniform(0, pace.spread))
    for n, (action, arg, wait_for) in enumerate(_script(kind)):
        if pace is not None and n:
            await asyncio.sleep(rng.uniform(pace.think_min, pace.think_max))
        t0 = time.perf_counter()
        if action == "send":
            await user.send(arg)
        else:
            if arg.endswith(":"):  # the Submit button carries the draft id
                buttons = [b.get("callback_data", "") for row in
                           (user.last_message or {}).get("reply_markup", {}).get("inline_keyboard", [])
                           for b in row]
                arg = next(b for b in buttons if b.startswith(arg))
            await user.press(arg)
        # a tap's answer may come as the tapped message edited into the next question
        kinds = WAIT_FOR["edit"] | {"message"} if action == "press" else WAIT_FOR[wait_for]
        await user.next_message(timeout=120, kinds=kinds)
        latencies.append((n, time.perf_counter() - t0, t0))


def _server_process(kind: str, workers: int, conn, webhook: bool = False,
                    pace: Pace | None = None) -> None:
    """Run the Bot API server and the workers; report (updates, seconds, latencies)."""
    sys.path.insert(0, str(ROOT))
    from devkit.botapi import LocalBotAPI

    async def main():
        async with LocalBotAPI(token=TOKEN, push_webhook=webhook) as api:
            conn.send(("ready", api.base_url, api.base_file_url))
            await asyncio.to_thread(conn.recv)  # the bot is started
            while not (api.webhook if webhook else api.calls_for("getUpdates")):
                await asyncio.sleep(0.05)  # ... and polling, or its webhook is set
            latencies: list[tuple[int, float, float]] = []
            for i in range(workers):  # chats exist before the burst starts
                api.user(FIRST_USER + i, f"W{i}", language_code="en")
            calls_before = len(api.calls)
            conn.send(("start",))
            await asyncio.to_thread(conn.recv)  # the SQL counter is read
            t0 = time.perf_counter()
            await asyncio.gather(*(_worker(api, FIRST_USER + i, kind, latencies, pace)
                                   for i in range(workers)))
            elapsed = time.perf_counter() - t0
            await asyncio.sleep(0.5)  # calls that trail the last message (a callback answer)
            methods: dict[tuple[str, str], int] = {}  # (via, method): "http" or "webhook reply"
            for call in api.calls[calls_before:]:
                if call.method != "getUpdates":
                    methods[call.via, call.method] = methods.get((call.via, call.method), 0) + 1
            conn.send(("done", len(api.updates), elapsed, latencies, methods))
            await asyncio.to_thread(conn.recv)

    asyncio.run(main())


# --------------------------------------------------------------------------- the bots' side

def _echo_application(base_url: str, file_url: str):
    """The ceiling: answer every update with one message, nothing else."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("e", callback_data="e")]])

    async def echo(update, context):
        await update.effective_chat.send_message(update.effective_message.text, reply_markup=markup)

    async def pressed(update, context):
        await update.callback_query.answer()
        await update.effective_chat.send_message("pressed", reply_markup=markup)

    from bot.http import AiohttpRequest
    from bot.updates import PerChatUpdateProcessor

    # The same transport and scheduling as the real bot, so the ceiling is the best either
    # can do on this machine and the ratio measures our handlers, not a transport choice.
    app = (ApplicationBuilder().token(TOKEN).base_url(base_url).base_file_url(file_url)
           .request(AiohttpRequest(connection_pool_size=64))
           .concurrent_updates(PerChatUpdateProcessor(64)).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


def _prepare_database(url: str, workers: int) -> None:
    from models import bootstrap
    from models.core.db import database
    from models.core.schema import OrgUnit, Worker

    bootstrap(url)
    with database.connection_context():
        places = list(OrgUnit.select().where(OrgUnit.level == "community").order_by(OrgUnit.code))
        Worker.delete().where(Worker.tg_user_id >= FIRST_USER).execute()
        rows = [dict(tg_user_id=FIRST_USER + i, display_name=f"Worker {i}",
                     org_unit=places[i % len(places)].id, status="active", language="en")
                for i in range(workers)]
        with database.atomic():
            for start in range(0, len(rows), 500):
                Worker.insert_many(rows[start:start + 500]).execute()


# --------------------------------------------------------------------------- run_bot.py, counted

def _counted_run_bot() -> None:
    """run_bot.py as shipped, with a count of SQL statements and the process's CPU seconds
    written to $BENCH_SQL_COUNTS on SIGUSR1 (one line each time). With $BENCH_PROFILE set,
    the first SIGUSR1 starts cProfile and the second stops it and writes the stats there."""
    import cProfile
    import runpy
    import signal

    import peewee

    count = [0]
    execute_sql = peewee.Database.execute_sql

    def counted(self, sql, params=None, *args, **kwargs):
        count[0] += 1
        return execute_sql(self, sql, params, *args, **kwargs)

    peewee.Database.execute_sql = counted
    set_pragmas = peewee.SqliteDatabase._set_pragmas

    def pragmas(self, conn):  # run on each new SQLite connection, outside execute_sql
        count[0] += len(self._pragmas)
        return set_pragmas(self, conn)

    peewee.SqliteDatabase._set_pragmas = pragmas
    path = os.environ["BENCH_SQL_COUNTS"]
    profile_to = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile_to else None
    signals = [0]

    def dump(*_):
        signals[0] += 1
        if profiler is not None and signals[0] == 2:
            profiler.disable()
        with open(path, "a") as f:
            f.write(f"{count[0]} {_cpu()}\n")
        if profiler is not None and signals[0] == 1:
            profiler.enable()
        elif profiler is not None and signals[0] == 2:
            profiler.dump_stats(profile_to)

    signal.signal(signal.SIGUSR1, dump)
    sys.argv = [str(ROOT / "run_bot.py"), *os.environ.get("BENCH_RUN_BOT_ARGS", "").split()]
    runpy.run_path(str(ROOT / "run_bot.py"), run_name="__main__")


def _cpu() -> float:
    """This process's CPU seconds so far, all threads, user and system."""
    times = os.times()
    return times.user + times.system


async def _sql_count(path: Path, n: int) -> tuple[int, float]:
    """The n-th (SQL statements, CPU seconds) the bot wrote."""
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= n:
            sql, cpu = lines[n - 1].split()
            return int(sql), float(cpu)
        await asyncio.sleep(0.02)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _webhook_env() -> dict[str, str]:
    """run_bot.py --webhook's settings, as an operator sets them (plain HTTP on 127.0.0.1)."""
    port = _free_port()
    return dict(BENCH_RUN_BOT_ARGS="--webhook", WEBHOOK_URL=f"http://127.0.0.1:{port}/tg-hook",
                WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET=WEBHOOK_SECRET)


def _spawn_bot(env: dict[str, str], log: Path, command: list[str] | None = None):
    """run_bot.py (through this file's launcher; a test gives another ``command``) in its own
    process, its log (stderr) going to the file ``log``. Not to a pipe read only once the bot
    exits: run_bot.py logs a line per stored report, and 64 KiB of them (about 780 reports)
    fill a pipe; the next write blocks the bot's whole event loop. A 1,000-worker burst stood
    still there until a worker gave up after 120 s: issue 15's "collapse under polling"."""
    import subprocess

    command = command or [sys.executable, __file__, "--as-run-bot"]
    with open(log, "wb") as sink:  # the child keeps its own descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=sink)


def _log_summary(log: Path) -> str:
    """How many lines of the bot's log are warnings or errors, and the last of them."""
    bad = [line for line in log.read_text(errors="replace").splitlines()
           if " WARNING " in line or " ERROR " in line or " CRITICAL " in line]
    return f"{len(bad)} warning/error lines" + (f", last: {bad[-1][:200]}" if bad else "")


async def _drive(kind: str, workers: int, url: str, media: str, mode: str = "polling",
                 profile: str | None = None, pace: Pace | None = None) -> dict:
    import signal
    import subprocess

    webhook = mode == "webhook" and kind != "echo"
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_server_process,
                                           args=(kind, workers, child, webhook, pace))
    proc.start()
    _, base_url, file_url = await asyncio.to_thread(parent.recv)
    counts = Path(media).with_name(f"sql-{Path(media).name}.txt")  # one per database
    bot = None
    if kind == "echo":
        app = _echo_application(base_url, file_url)
        await app.initialize()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
    else:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
                   TELEGRAM_FILE_BASE_URL=file_url, DATABASE_URL=url, MEDIA_DIR=media,
                   BENCH_SQL_COUNTS=str(counts), **(_webhook_env() if webhook else {}))
        if profile:
            env["BENCH_PROFILE"] = profile
        log = Path(media).with_name(f"log-{Path(media).name}.txt")
        bot = _spawn_bot(env, log)
    parent.send("go")
    await asyncio.to_thread(parent.recv)  # polling; the burst starts on our word
    sql = 0
    profiler = None
    if bot is not None:
        bot.send_signal(signal.SIGUSR1)
        sql, cpu = await _sql_count(counts, 1)
        sql, cpu = -sql, -cpu
    else:
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu = -_cpu()
    parent.send("count read")
    _, updates, elapsed, latencies, methods = await asyncio.to_thread(parent.recv)
    if bot is not None:
        bot.send_signal(signal.SIGUSR1)
        sql_after, cpu_after = await _sql_count(counts, 2)
        sql += sql_after
        cpu += cpu_after
        bot.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(bot.wait, timeout=30)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait()
        if bot.returncode not in (0, -signal.SIGINT):
            sys.stderr.write(log.read_text(errors="replace")[-3000:])
    else:
        cpu += _cpu()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    parent.send("bye")
    proc.join(timeout=10)
    steps, tail_when = _by_step(latencies)
    latencies = sorted(seconds for _, seconds, _ in latencies)
    calls = sum(n for (via, _), n in methods.items() if via == "http")
    rate = updates / elapsed
    return {"updates": updates, "seconds": elapsed, "rate": rate,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "mean": statistics.fmean(latencies) * 1000,
            # Little's law for a closed loop of `workers` users and no think time: each always
            # has one step waiting, so workers = rate × mean step latency: the mean latency is
            # workers ÷ rate whatever the bot does (a little less over a whole run: in the
            # tail fewer are waiting). Paced, the workers come and go: no such figure.
            "little": workers / rate * 1000 if pace is None else None,
            "log": _log_summary(log) if bot is not None else "",
            "sql": sql, "calls": calls, "replies": sum(methods.values()) - calls,
            "methods": methods, "cpu": cpu, "profile": profile, "steps": steps,
            "tail_when": tail_when}


def _percentile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted values, nearest rank (as the run's own p99 is taken)."""
    return ordered[max(int(len(ordered) * q) - 1, 0)]


def _by_step(samples: list[tuple[int, float, float]]) -> tuple[list[dict], list[float]]:
    """Latency by step of the walk: for each step (its index in ``_script``) p50, p99 and max
    in ms, and how many of the run's latencies above the run's p99 it holds (``tail``) with
    that count's share of them (``tail_share``): which steps make the tail. Beside it, when:
    the share of those tail latencies sent in each tenth of the run."""
    run_p99 = _percentile(sorted(seconds for _, seconds, _ in samples), 0.99)
    above = sum(seconds > run_p99 for _, seconds, _ in samples)
    start = min(sent for _, _, sent in samples)
    span = max(sent for _, _, sent in samples) - start or 1.0
    when = [0.0] * 10
    for _, seconds, sent in samples:
        if seconds > run_p99:
            when[min(int((sent - start) / span * 10), 9)] += 1 / above
    out = []
    for step in sorted({n for n, _, _ in samples}):
        ordered = sorted(seconds for n, seconds, _ in samples if n == step)
        tail = sum(seconds > run_p99 for seconds in ordered)
        out.append({"step": step, "n": len(ordered), "p50": statistics.median(ordered) * 1000,
                    "p99": _percentile(ordered, 0.99) * 1000, "max": ordered[-1] * 1000,
                    "tail": tail, "tail_share": tail / above if above else 0.0})
    return out, when


def _step_name(step: int) -> str:
    """A step of run_bot.py's walk as the worker makes it: the text sent or the button."""
    action, arg, _ = _script("wushe")[step]
    return arg if action == "send" else f"[{arg.rstrip(':') or arg}]"


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 0)


def _print_steps(rows: list[tuple[str, dict]]) -> None:
    """One line per step of the walk, one column per run of run_bot.py: p50/p99 ms and the
    step's share of the run's latencies above its p99; the echo's steps (a different walk)
    in one line beside them."""
    runs = [(name, r) for name, r in rows if len(r["steps"]) == len(_script("wushe"))]
    if not runs:
        return
    print("latency by step (p50 / p99 ms, share of the run's latencies above its p99):")
    print(f"  {'step':28}" + "".join(f"{name.removeprefix('run_bot.py '):>26}" for name, _ in runs))
    for i in range(len(_script("wushe"))):
        cells = "".join(f"{r['steps'][i]['p50']:>8.0f} /{r['steps'][i]['p99']:>6.0f}"
                        f"{r['steps'][i]['tail_share']:>10.0%}" for _, r in runs)
        print(f"  {i + 1:>2} {_pad(_step_name(i)[:25], 25)}{cells}")
    for name, r in runs:
        top = sorted(r["steps"], key=lambda s: s["p99"], reverse=True)[:3]
        print(f"  {name}: slowest p99: " + ", ".join(
            f"{s['step'] + 1} {_step_name(s['step'])} {s['p99']:.0f} ms "
            f"(max {s['max']:.0f}, {s['tail_share']:.0%} of the tail)" for s in top))
    for name, r in rows:
        print(f"  {name}: its latencies above its p99, by tenth of the run (when sent): "
              + " ".join(f"{share:.0%}" for share in r["tail_when"]))
    for name, r in rows:
        if all(r is not run for _, run in runs):
            p99s = [s["p99"] for s in r["steps"]]
            first = r["steps"][0]
            print(f"  {name}: step p99 {min(p99s):.0f}–{max(p99s):.0f} ms; its first step "
                  f"p50/p99 {first['p50']:.0f}/{first['p99']:.0f} ms, "
                  f"{first['tail_share']:.0%} of its tail")


def _database_url(database: str, tmp: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    url = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/wushe_bench")
    import psycopg2

    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/test")
    admin.autocommit = True
    with admin.cursor() as cur:
        name = url.rsplit("/", 1)[1]
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return url


def _stored(url: str) -> int:
    from models.core.db import database, init_db
    from models.core.schema import Report

    init_db(url)
    with database.connection_context():
        return Report.select().where(Report.worker.is_null(False)).count()


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--profile", metavar="FILE",
                        help="profile both bots during the burst (cProfile) and show where "
                             "the CPU goes; FILE gets run_bot.py's stats, FILE.echo the echo's")
    parser.add_argument("--mode", choices=["polling", "webhook", "both"], default="both",
                        help="how run_bot.py gets its updates (the echo bot always polls)")
    parser.add_argument("--think", metavar="A,B",
                        help="paced, not a burst: each worker waits a uniform A to B seconds "
                             "between steps (reading the question, tapping or typing on a "
                             "phone); without it the next step goes the instant a reply comes")
    parser.add_argument("--spread", type=float, default=60.0, metavar="S",
                        help="with --think: each worker's first step at a uniform moment "
                             "within the first S seconds (default 60: everyone within a minute)")
    parser.add_argument("--as-run-bot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.as_run_bot:
        _counted_run_bot()
        return 0
    pace = None
    if args.think:
        low, high = (float(x) for x in args.think.split(","))
        if not 0 <= low <= high:
            parser.error("--think A,B needs 0 ≤ A ≤ B")
        pace = Pace(low, high, args.spread)

    steps = len(_script("wushe"))
    tmp = Path(tempfile.mkdtemp(prefix="wushe-bench-"))
    print(f"bot burst: {args.workers} workers × {steps} updates (a full activity report), "
          f"{os.cpu_count()} cores, {_load()}")
    if pace:
        print(f"paced: {pace.think_min:g}–{pace.think_max:g} s (uniform) between a worker's "
              f"steps, first steps spread over {pace.spread:g} s; updates/s is the load the "
              f"workers offer, not the bot's ceiling")
    else:
        print("zero think time: each worker sends its next step the instant its reply comes")
    profile = str(Path(args.profile).resolve()) if args.profile else None
    echo = asyncio.run(_drive("echo", args.workers, "", str(tmp / "media"),
                              profile=profile and f"{profile}.echo", pace=pace))
    failed = 0
    rows = [("echo bot (ceiling)", echo)]
    for database in (["sqlite", "postgres"] if args.database == "both" else [args.database]):
        for mode in (["polling", "webhook"] if args.mode == "both" else [args.mode]):
            (tmp / mode).mkdir(exist_ok=True)  # a fresh database: update ids start at 1 again
            url = _database_url(database, tmp / mode)
            _prepare_database(url, args.workers)
            to = profile and f"{profile}.{database}.{mode}"
            result = asyncio.run(_drive("wushe", args.workers, url,
                                        str(tmp / f"media-{database}-{mode}"), mode, to, pace))
            result["stored"] = _stored(url)
            failed += result["stored"] != args.workers
            rows.append((f"run_bot.py {database} {mode}", result))
    print(f"{'':30}{'updates':>8}{'s':>7}{'updates/s':>10}{'× echo':>8}{'p50 ms':>8}"
          f"{'p99 ms':>8}{'mean ms':>8}{'N÷X ms':>8}{'SQL/upd':>8}{'API/upd':>8}{'+reply':>7}"
          f"{'CPU ms/upd':>11}")
    for name, r in rows:
        little = f"{r['little']:>8.0f}" if r["little"] is not None else f"{'—':>8}"
        print(f"{name:30}{r['updates']:>8}{r['seconds']:>7.1f}{r['rate']:>10.1f}"
              f"{r['rate'] / echo['rate']:>8.2f}{r['p50']:>8.0f}{r['p99']:>8.0f}"
              f"{r['mean']:>8.0f}{little}"
              f"{r['sql'] / r['updates']:>8.2f}{r['calls'] / r['updates']:>8.2f}"
              f"{r['replies'] / r['updates']:>7.2f}{r['cpu'] / r['updates'] * 1000:>11.2f}")
    print("  API/upd: the bot's own HTTP calls per update; +reply: calls riding its answers to "
          "webhook posts (made by Telegram, no HTTP call of the bot's)")
    if pace is None:
        print(f"  N÷X: Little's law, {args.workers} workers ÷ updates/s: with no think time "
              f"every worker always has a step waiting, so the mean step latency is this, "
              f"whatever the bot does, unless it handles more updates/s")
    _print_steps(rows)
    if profile:
        from bench.cpu_profile import report

        print("(under the profiler: rates and CPU are the profiled runs', slower than without)")
        for name, r in rows:
            print(report(r["profile"], r["updates"], r["cpu"], title=f"{name}, "))
    for name, r in rows:
        share = ", ".join(f"{m}{' (reply)' if via != 'http' else ''} {n / r['updates']:.2f}"
                          for (via, m), n in sorted(r["methods"].items()))
        extra = (f"; reports stored {r['stored']} of {args.workers}" if "stored" in r else "")
        print(f"  {name}: API calls per update: {share}{extra}")
        if r["log"]:
            print(f"  {name}: its log: {r['log']}")
    print(f"aims at 500 workers: ≥ {AIM_SHARE_OF_ECHO} × echo; p99 ≤ {AIM_P99_MS} ms; "
          f"≤ {AIM_SQL_PER_STEP} SQL per non-Submit update (tests/bot/test_costs.py counts it "
          f"exactly; SQL/upd here includes the Submit); ≤ {AIM_CALLS_PER_UPDATE} API calls/update")
    for name, r in rows[1:]:
        share = r["rate"] / echo["rate"]
        share_says = ("(paced: the rate is the workers', not a ceiling)" if pace else
                      "met" if share >= AIM_SHARE_OF_ECHO else "MISSED")
        print(f"  {name}: {share:.2f} × echo {share_says}; "
              f"p99 {r['p99']:.0f} ms {'met' if r['p99'] <= AIM_P99_MS else 'MISSED'} "
              f"(the echo's p99 {echo['p99']:.0f} ms"
              + (f"; Little's law: mean = {args.workers} ÷ {r['rate']:.0f} updates/s = "
                 f"{r['little']:.0f} ms, measured {r['mean']:.0f}; the echo's "
                 f"{echo['little']:.0f} ms" if pace is None else "")
              + f"); API/update {r['calls'] / r['updates']:.2f} "
              f"{'met' if r['calls'] / r['updates'] <= AIM_CALLS_PER_UPDATE else 'MISSED'}")
    if pace is None:
        print(f"  with zero think time p99 ≤ {AIM_P99_MS} ms at {args.workers} workers needs a "
              f"mean below it, so more than {args.workers * 1000 / AIM_P99_MS:.0f} updates/s "
              f"sustained; the echo bot itself handles {echo['rate']:.0f}. See --think for "
              f"workers who pause between steps as people do.")
    print(f"after: {_load()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""A weekly push to 1,000 groups through the real bot, against Telegram's flood limits.

A database with 1,000 groups, each bound to a community of its own (the places are grown to
~1,056 communities as in the dashboard bench), a report or two per community last week, and
the weekly run of 2026-W47 queued with ``models.pushes.deliveries.enqueue``: per group a text and a
chart, 2,000 messages. A local Bot API server (devkit/botapi) in a second process ENFORCES
30 messages/s overall and 20/min per chat, answering 429 with retry_after beyond them. The
real Application (``bot.build_application``, its flood limiter, its outbox) drains the run;
the charts are drawn while it sends.

Printed: messages, elapsed seconds, the time the limits themselves allow (messages / 30 per
s, and the per-chat bound), their ratio beside the 1.2× ceiling, the 429s answered, chart
drawing p50, and whether every group got its two messages exactly once and in order.

    python bench/push_bench.py [--groups 1000] [--database sqlite|postgres]
                               [--limiter flood|aio] [--reuse]
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import math
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "888:PUSH-BENCH-token"
MONDAY_9 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 in Shanghai
WEEK = "2026-W47"
FIRST_CHAT = -1_001_000_000_000
OVERALL_PER_S = 30
PER_CHAT_PER_MIN = 20
CEILING = 1.2
PG_URL = os.environ.get("BENCH_POSTGRES_URL",
                        "postgresql://postgres@127.0.0.1:5432/wushe_push_bench")
SQLITE_PATH = ROOT / "var" / "bench" / "push.sqlite3"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- the database

def _fresh_postgres(url: str) -> None:
    import psycopg2

    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


#: A children's activity as the bot stores it (the answers of tests' factories, kept here so
#: the bench needs nothing from the tests).
ACTIVITY = {"action_line": "children", "activity_type": "service", "title": "四点半课堂",
            "date": "2026-11-20", "place": "社区活动室", "participants": 30,
            "parties": ["community", "volunteer"], "volunteers": 5}


def prepare(url: str, groups: int) -> int:
    """Places, workers, last week's reports and the bound groups; the run queued. Returns
    the number of messages queued."""
    from bench.dashboard_bench import grow_places
    from models import bootstrap
    from models.pushes import deliveries as pushes
    from models.core.db import database
    from models.plans.loading import count_report
    from models.core.schema import Group, OrgUnit, Outbox, Report, ReportKind, Worker

    bootstrap(url)
    with database.connection_context():
        t0 = time.perf_counter()
        grow_places(groups)
        places = list(OrgUnit.select().where(OrgUnit.level == "community")
                      .order_by(OrgUnit.code).limit(groups))
        if len(places) < groups:
            raise SystemExit(f"only {len(places)} communities for {groups} groups")
        kind = ReportKind.get(ReportKind.code == "activity")
        with database.atomic():
            for i, place in enumerate(places):
                worker = Worker.create(tg_user_id=7_000_000_000 + i, display_name=f"社工{i}",
                                       org_unit=place, status="active")
                for n in range(1 + i % 2):
                    values = {**ACTIVITY, "date": f"2026-11-{17 + n + i % 4:02d}"}
                    report = Report.create(kind=kind, worker=worker, org_unit=place,
                                           org_path=place.path, action_line="children",
                                           activity_date=dt.date.fromisoformat(values["date"]),
                                           values=values, status="approved")
                    count_report(report)
            Group.insert_many([
                dict(chat_id=FIRST_CHAT - i, title=f"{place.name}五社联动群", org_unit=place.id,
                     language="en" if i % 5 == 0 else "zh_Hans", bound_by="bench",
                     bound_at=dt.datetime(2026, 11, 1))
                for i, place in enumerate(places)]).execute()
            for group in Group.select().where(Group.chat_id <= FIRST_CHAT):
                pushes.subscribe(group, pushes.KINDS)  # as track_group subscribes a new group
        log(f"database: {groups} groups bound to {groups} distinct communities, "
            f"{Report.select().count()} reports ({time.perf_counter() - t0:.0f} s)")
        t0 = time.perf_counter()
        deliveries = pushes.enqueue("weekly", WEEK, now=MONDAY_9)
        queued = Outbox.select().where(Outbox.status == "pending").count()
        log(f"queued the {WEEK} run: {len(deliveries)} deliveries, {queued} messages "
            f"({time.perf_counter() - t0:.0f} s to compute the summaries)")
    database.close()
    return queued


# --------------------------------------------------------------------------- the server

def _server_process(chat_ids: list[int], conn) -> None:
    """The Bot API server, enforcing the flood limits; reports what each chat received."""
    sys.path.insert(0, str(ROOT))
    from devkit.botapi import LocalBotAPI

    async def main():
        async with LocalBotAPI(token=TOKEN) as api:
            for chat_id in chat_ids:
                api.group(chat_id, f"group {chat_id}", type="supergroup")
            api.limit(global_per_sec=OVERALL_PER_S, per_chat_per_min=PER_CHAT_PER_MIN)
            conn.send(("ready", api.base_url, api.base_file_url))
            await asyncio.to_thread(conn.recv)  # the run is over
            sends = [c for c in api.calls if c.method in ("sendMessage", "sendPhoto")]
            ok = [c for c in sends if c.ok]
            kinds = {chat_id: [e["kind"] for e in api.sent(chat_id)] for chat_id in chat_ids}
            one_chart = next((e for e in api.sent(chat_ids[0], kinds=["photo"])), None)
            chart = api.file_bytes(one_chart["file_id"]) if one_chart else b""
            conn.send(("stats", {
                "ok": len(ok), "429": sum(c.status == 429 for c in sends),
                "errors": sum(c.status not in (200, 429) for c in sends),
                "uploads": sum(isinstance(c.params.get("photo"), dict) for c in ok),
                "span": (ok[-1].ts - ok[0].ts) if ok else 0.0,
                "kinds": kinds, "chart": chart}))

    asyncio.run(main())


# --------------------------------------------------------------------------- the bot

async def drive(url: str, groups: int, limiter: str) -> dict:
    from telegram.ext import AIORateLimiter

    from bot import outbox
    from bot.app import build_application
    from bot.context import Clock
    from devkit.conversation import running
    from models.core.db import database
    from models.core.schema import Group
    from models.core.settings import load_settings

    with database.connection_context():
        chat_ids = [g.chat_id for g in Group.select(Group.chat_id).order_by(Group.id)]
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_server_process, args=(chat_ids, child))
    proc.start()
    try:
        _, base_url, file_url = await asyncio.to_thread(parent.recv)
        settings = dataclasses.replace(
            load_settings(env={}), database_url=url, telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url, telegram_file_base_url=file_url)
        clock = Clock(settings.timezone)
        clock.set_now(MONDAY_9)
        rate_limiter = (AIORateLimiter(max_retries=2) if limiter == "aio" else None)  # None: bot's
        app = build_application(settings, clock=clock, outbox_interval=None,
                                push_interval=None, rate_limiter=rate_limiter)
        async with running(app):
            t0 = time.perf_counter()
            sent = await outbox.drain(app)
            elapsed = time.perf_counter() - t0
            render_ms = sorted(app.bot_data.get("chart_render_ms", []))
            limiter_retries = getattr(app.bot.rate_limiter, "retries", None)
        parent.send("over")
        _, stats = await asyncio.to_thread(parent.recv)
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.terminate()
    return {"sent": sent, "elapsed": elapsed, "render_ms": render_ms, **stats,
            "limiter_429": limiter_retries}


# --------------------------------------------------------------------------- report

def report(r: dict, groups: int, queued: int, database: str, limiter: str) -> bool:
    messages = r["sent"]
    per_chat = max((len(k) for k in r["kinds"].values()), default=0)
    global_bound = messages / OVERALL_PER_S
    chat_bound = math.floor((per_chat - 1) / PER_CHAT_PER_MIN) * 60.0 if per_chat else 0.0
    bound = max(global_bound, chat_bound)
    ratio = r["elapsed"] / bound if bound else float("nan")
    in_order = all(k == ["message", "photo"] for k in r["kinds"].values())
    ms = r["render_ms"]
    p50 = statistics.median(ms) if ms else float("nan")
    p95 = ms[int(len(ms) * 0.95) - 1] if len(ms) >= 20 else float("nan")
    print()
    print(f"push bench — {groups} groups, weekly {WEEK}, {database}, limiter: {limiter}")
    print(f"  messages sent            {messages:>8}  (queued {queued}; server accepted "
          f"{r['ok']}, {r['uploads']} chart uploads, the rest by file_id)")
    print(f"  elapsed                  {r['elapsed']:>8.1f} s  (first to last accepted "
          f"send {r['span']:.1f} s)")
    print(f"  limit-bound time         {bound:>8.1f} s  = max({messages} / {OVERALL_PER_S} per s "
          f"= {global_bound:.1f} s, per chat {per_chat} msgs at {PER_CHAT_PER_MIN}/min "
          f"= {chat_bound:.1f} s)")
    print(f"  ratio                    {ratio:>8.2f}×  (ceiling {CEILING}×: "
          f"{'met' if ratio <= CEILING else 'NOT met'})")
    print(f"  429 answers              {r['429']:>8}  (other errors {r['errors']}; "
          f"429s seen by the limiter {r['limiter_429']})")
    print(f"  chart drawing p50        {p50:>8.1f} ms (p95 {p95:.1f} ms, {len(ms)} charts, "
          f"{os.environ.get('WUSHE_RENDER_WORKERS') or 'default'} worker processes)")
    print(f"  exactly once, in order   {'yes' if in_order and messages == 2 * groups else 'NO'}"
          f"  (every group: its text, then its chart)")
    return ratio <= CEILING and in_order


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--limiter", choices=["flood", "aio"], default="flood",
                        help="the bot's FloodLimiter (default) or PTB's AIORateLimiter")
    parser.add_argument("--reuse", action="store_true",
                        help="drain the run already queued in the database again "
                             "(its rows are set back to pending)")
    parser.add_argument("--chart", type=Path, default=ROOT / "var" / "bench" / "push_chart.png",
                        help="where to write one of the charts sent, to look at")
    args = parser.parse_args(argv)

    from models.core.db import database, init_db
    from models.core.schema import Delivery, Outbox

    if args.database == "sqlite":
        url = f"sqlite:///{SQLITE_PATH}"
    else:
        url = PG_URL
    if args.reuse:
        init_db(url)
        with database.connection_context():
            Outbox.update(status="pending", sent_at=None, attempts=0, last_error=None,
                          not_before=None).execute()
            Delivery.update(status="queued", sent_at=None, error=None).execute()
            queued = Outbox.select().count()
        database.close()
    else:
        if args.database == "sqlite":
            SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        else:
            _fresh_postgres(url)
        queued = prepare(url, args.groups)
    init_db(url)
    log("draining through the real application …")
    result = asyncio.run(drive(url, args.groups, args.limiter))
    if result["chart"]:
        args.chart.parent.mkdir(parents=True, exist_ok=True)
        args.chart.write_bytes(result["chart"])
    ok = report(result, args.groups, queued, args.database, args.limiter)
    print(f"  one chart as sent        {args.chart}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

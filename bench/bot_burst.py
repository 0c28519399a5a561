"""A burst of simulated workers, each filing a full activity report through the real bot.

The bot (the real Application, over HTTP) runs in this process; the local Bot API server and
the simulated workers run in a second process, so each side has a core of its own. In the
same run the same burst goes through a minimal echo bot on the same server: the ceiling that
Python, python-telegram-bot and HTTP allow on this machine, before any of our work.

Telegram's flood limits are switched off on both bots (the local server does not enforce
them): this measures the bot's own processing capacity, not Telegram's 30 messages/s.

    python bench/bot_burst.py [--workers 500] [--database sqlite|postgres]
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "777:BENCH-token"
TODAY = dt.date(2026, 11, 23)
FIRST_USER = 900_000
AIM_UPDATES_PER_S = 300
AIM_SHARE_OF_ECHO = 0.5


# --------------------------------------------------------------------------- the workers' side

def _script(kind: str):
    """One worker's steps: (action, argument, what to wait for). Matches the activity form."""
    if kind == "echo":
        return [("send", f"step {i}", "message") if i % 2 == 0 else ("press", "e", "message")
                for i in range(15)]
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    return [
        ("send", "/report", "message"),
        ("press", "k:activity", "message"),
        ("press", "a:action_line:2", "message"),
        ("press", "a:activity_type:0", "message"),
        ("send", "四点半课堂", "message"),
        ("press", f"d:date:{yesterday}", "message"),
        ("send", "社区活动室", "message"),
        ("send", "30人", "message"),
        ("press", "mt:parties:1", "edit_markup"),
        ("press", "md:parties:1", "message"),
        ("send", "5", "message"),
        ("press", "s:summary", "message"),
        ("press", "s:photos", "message"),
        ("press", "s:location", "message"),
        ("press", "sub:", "message"),
    ]


async def _worker(api, user_id: int, kind: str, latencies: list[float]) -> None:
    user = api.user(user_id, f"W{user_id}", language_code="en")
    for action, arg, wait_for in _script(kind):
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
        await user.next_message(timeout=60, kinds={wait_for})
        latencies.append(time.perf_counter() - t0)


def _server_process(kind: str, workers: int, conn) -> None:
    """Run the Bot API server and the workers; report (updates, seconds, latencies)."""
    sys.path.insert(0, str(ROOT))
    from devkit.botapi import LocalBotAPI

    async def main():
        async with LocalBotAPI(token=TOKEN) as api:
            conn.send(("ready", api.base_url, api.base_file_url))
            await asyncio.to_thread(conn.recv)  # the bot is polling
            latencies: list[float] = []
            for i in range(workers):  # chats exist before the burst starts
                api.user(FIRST_USER + i, f"W{i}", language_code="en")
            t0 = time.perf_counter()
            await asyncio.gather(*(_worker(api, FIRST_USER + i, kind, latencies)
                                   for i in range(workers)))
            elapsed = time.perf_counter() - t0
            conn.send(("done", len(api.updates), elapsed, latencies))
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


def _wushe_application(base_url: str, file_url: str, url: str, media: str):
    from telegram.ext import BaseRateLimiter

    from bot.app import build_application
    from bot.context import Clock
    from models.core.settings import load_settings

    class NoLimits(BaseRateLimiter):
        async def initialize(self):
            pass

        async def shutdown(self):
            pass

        async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
            return await callback(*args, **kwargs)

    settings = dataclasses.replace(
        load_settings(env={}), database_url=url, telegram_bot_token=TOKEN,
        telegram_api_base_url=base_url, telegram_file_base_url=file_url, media_dir=media)
    return build_application(settings, clock=Clock(settings.timezone, today=TODAY),
                             outbox_interval=None, rate_limiter=NoLimits())


async def _drive(kind: str, workers: int, url: str, media: str) -> dict:
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_server_process, args=(kind, workers, child))
    proc.start()
    _, base_url, file_url = await asyncio.to_thread(parent.recv)
    app = (_echo_application(base_url, file_url) if kind == "echo"
           else _wushe_application(base_url, file_url, url, media))
    if os.environ.get("BENCH_PTB_UPDATER"):  # python-telegram-bot's own polling, to compare
        await app.initialize()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        parent.send("go")
        _, updates, elapsed, latencies = await asyncio.to_thread(parent.recv)
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    else:  # as run_bot.py polls: updates confirmed once handled (bot/polling.py)
        from bot.polling import Poller, started

        poller = Poller(app, timeout=1)
        async with started(app):
            polling = asyncio.create_task(poller.run())
            parent.send("go")
            _, updates, elapsed, latencies = await asyncio.to_thread(parent.recv)
            poller.stop()
            await polling
    parent.send("bye")
    proc.join(timeout=10)
    latencies.sort()
    return {"updates": updates, "seconds": elapsed, "rate": updates / elapsed,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="wushe-bench-"))
    if args.database == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        url = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/wushe_bench")
        import psycopg2

        admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/test")
        admin.autocommit = True
        with admin.cursor() as cur:
            name = url.rsplit("/", 1)[1]
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    _prepare_database(url, args.workers)

    echo = asyncio.run(_drive("echo", args.workers, url, str(tmp / "media")))
    wushe = asyncio.run(_drive("wushe", args.workers, url, str(tmp / "media")))

    from models.core.db import database
    from models.core.schema import Report

    with database.connection_context():
        stored = Report.select().where(Report.worker.is_null(False)).count()

    share = wushe["rate"] / echo["rate"]
    print(f"bot burst: {args.workers} workers × {len(_script('wushe'))} updates, "
          f"database {args.database}, {os.cpu_count()} cores")
    print(f"{'':18}{'updates':>9}{'seconds':>9}{'updates/s':>11}{'p50 ms':>9}{'p99 ms':>9}")
    for name, r in (("echo bot (ceiling)", echo), ("wushe bot", wushe)):
        print(f"{name:18}{r['updates']:>9}{r['seconds']:>9.2f}{r['rate']:>11.1f}"
              f"{r['p50']:>9.1f}{r['p99']:>9.1f}")
    print(f"reports stored: {stored} of {args.workers} (exactly one per worker: "
          f"{'yes' if stored == args.workers else 'NO'})")
    print(f"aim: ≥ {AIM_UPDATES_PER_S} updates/s → {'met' if wushe['rate'] >= AIM_UPDATES_PER_S else 'missed'}; "
          f"≥ {AIM_SHARE_OF_ECHO:.0%} of the echo ceiling → {share:.0%}, "
          f"{'met' if share >= AIM_SHARE_OF_ECHO else 'missed'}")
    return 0 if stored == args.workers else 1


if __name__ == "__main__":
    sys.exit(main())

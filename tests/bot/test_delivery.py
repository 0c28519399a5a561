"""At-least-once delivery plus idempotent handling: every tapped Submit is stored exactly once,
and the worker is told, however the bot dies (issue 11, item 3).

run_bot.py runs as its own process against the fake Bot API, and is killed (SIGKILL) at a
random moment after a Submit tap, then started again: the update must come again (its offset
was not confirmed before it was handled) and be handled once (a report stored by the first
run is found by its draft's uid and announced by its number).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import re
import time
from types import SimpleNamespace

from models.core.schema import Draft, Report
from tests import factories
from tests.botkit import at_card, start_run_bot

SAVED = re.compile(r"saved \(No\. (\d+)\)")
KILL_WITHIN = 0.050  # seconds after the tap
SQLITE_ROUNDS, POSTGRES_ROUNDS = 50, 20


async def _stop(process) -> str:
    if process.returncode is None:
        process.kill()
    _, stderr = await process.communicate()
    return stderr.decode(errors="replace")


async def test_a_submit_survives_a_kill_at_any_moment(bot_api, db_url, tmp_path):
    """Kill the bot 0–50 ms after Submit, 50 times (20 on PostgreSQL), restart it each time:
    each draft becomes exactly one report and the worker is told its number each time."""
    rounds = int(os.environ.get("WUSHE_KILL_ROUNDS") or 0) or (
        SQLITE_ROUNDS if db_url.startswith("sqlite") else POSTGRES_ROUNDS)
    seed = int(os.environ.get("WUSHE_KILL_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    print(f"kill loop: seed {seed} (WUSHE_KILL_SEED={seed} replays it), {rounds} rounds")
    # spread over the window: one delay drawn in each of ``rounds`` equal slices, shuffled
    delays = [KILL_WITHIN * (i + rng.random()) / rounds for i in range(rounds)]
    rng.shuffle(delays)

    user = bot_api.user(7301, "Ailin", language_code="en")
    worker = factories.worker("ailin", tg_user_id=user.id)
    worker.language = "en"
    worker.save()
    chat = SimpleNamespace(user=user)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    lost, doubled, untold, log = [], [], [], ""
    replays = 0  # rounds where the restarted bot announced a report the killed one had stored
    started = time.monotonic()
    process = await start_run_bot(tmp_path, api=bot_api, DATABASE_URL=db_url)
    try:
        for n, delay in enumerate(delays):
            draft = at_card(chat, "activity", date=yesterday)
            await user.send("/report")
            await user.expect("unfinished report", timeout=60)  # the first round waits for start-up
            await user.press("Continue")
            await user.expect("tap Submit", timeout=10)
            await user.press("Submit")
            await asyncio.sleep(delay)
            log = await _stop(process)
            process = await start_run_bot(tmp_path, api=bot_api, DATABASE_URL=db_url)
            try:
                told = await user.expect(SAVED, timeout=30)
            except AssertionError:
                told = None
            await bot_api.wait_delivered(timeout=30)  # the restarted bot confirmed everything
            reports = list(Report.select().where(Report.uid == draft.uid))
            if not reports:
                lost.append((n, delay))
            elif len(reports) > 1:
                doubled.append((n, delay))
            replays += told is not None and "already saved" in told["text"]
            if told is None or not reports or SAVED.search(told["text"])[1] != str(reports[0].id):
                untold.append((n, delay))
            assert Draft.get_or_none(Draft.uid == draft.uid) is None or not reports
    finally:
        log = await _stop(process) or log
    took = time.monotonic() - started
    print(f"kill loop: {rounds} rounds in {took:.1f} s; lost {len(lost)}, stored twice "
          f"{len(doubled)}, worker not told {len(untold)}; {replays} told by the replay")
    assert (lost, doubled, untold) == ([], [], []), f"seed {seed}\n{log[-3000:]}"
    assert Report.select().where(Report.worker == worker).count() == rounds

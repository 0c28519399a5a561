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
import socket
from types import SimpleNamespace

from models.core.schema import Draft, Report
from tests import factories
from tests.botkit import at_card, draft_of, open_at, start_run_bot, unmark

SECRET = "s3cret-hook"
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


async def test_sigterm_finishes_and_confirms_what_is_in_flight(bot_api, db_url, tmp_path):
    """SIGTERM while an update is being handled: the update is answered and confirmed, then
    the bot exits 0 (run as run_polling runs it: jobs stopped, application shut down)."""
    user = bot_api.user(7302, "Ailin", language_code="en")
    worker = factories.worker("ailin", tg_user_id=user.id)
    worker.language = "en"
    worker.save()
    process = await start_run_bot(tmp_path, api=bot_api, DATABASE_URL=db_url)
    try:
        await user.send("/help")
        await user.next_message(timeout=60)  # it runs
        bot_api.latency = 0.3  # each call of the bot now takes a while
        calls = len(bot_api.calls)
        await user.send("/help")
        async with asyncio.timeout(60):
            while not any(c.method == "sendMessage" for c in bot_api.calls[calls:]):
                await asyncio.sleep(0.005)  # being handled
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        bot_api.latency = 0.0
        if process.returncode is None:
            await _stop(process)
    assert process.returncode == 0, stderr.decode()[-3000:]
    await user.next_message()  # the reply went out
    assert bot_api.pending_updates == 0  # and the update was confirmed before the exit


async def test_an_answer_delivered_again_after_it_was_saved_is_not_recorded_twice(bot_app):
    """The bot saved an answer and died before it replied and marked the update handled:
    the redelivered answer asks the next question again instead of answering it too."""
    ailin = bot_app.chat("ailin")
    answers = {k: v for k, v in factories.ANSWERS["activity"].items()
               if k in ("action_line", "activity_type", "title", "date", "place",
                        "participants", "minors", "parties")}
    open_at(ailin, "activity", **answers, groups=None)  # waiting on "volunteers"; "summary" is next
    await ailin.send("12")
    saved = draft_of(ailin)
    assert saved.answers["volunteers"] == 12 and saved.step == "summary"
    unmark(ailin.update_id)
    asked = ailin.last
    await bot_app.api.redeliver(ailin.update_id)
    await ailin.done.until(ailin.update_id, times=2)
    again = draft_of(ailin)
    assert "summary" not in again.answers and again.step == "summary"
    assert ailin.last == asked  # the question the worker may never have seen


# -- webhook mode ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Telegram:
    """What Telegram does with a webhook (the fake Bot API posts, devkit/botapi/webhook.py):
    post each update, and post it again until it is answered 200."""

    def __init__(self, api, port: int):
        self.api = api
        self.hook = f"http://127.0.0.1:{port}/tg-hook"

    async def post(self, update_id: int) -> int | None:
        """The status of one post of the update; None if the connection broke first (or the
        bot has set no webhook yet)."""
        return await self.api.post_update(update_id)

    async def deliver(self, update_id: int) -> int:
        """Post until the server answers (it may still be starting)."""
        for _ in range(600):
            status = await self.post(update_id)
            if status is not None:
                return status
            await asyncio.sleep(0.1)
        raise AssertionError("the webhook never answered")

    async def start_bot(self, tmp_path, db_url):
        return await start_run_bot(tmp_path, "--webhook", api=self.api, DATABASE_URL=db_url,
                                   WEBHOOK_URL=self.hook, WEBHOOK_PORT=self.hook.split(":")[2]
                                   .split("/")[0], WEBHOOK_SECRET=SECRET)


async def _at_card_on_webhook(bot_api, telegram, tmp_path, db_url, user_id):
    user = bot_api.user(user_id, "Ailin", language_code="en")
    worker = factories.worker("ailin", tg_user_id=user.id)
    worker.language = "en"
    worker.save()
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    draft = at_card(SimpleNamespace(user=user), "activity", date=yesterday)
    process = await telegram.start_bot(tmp_path, db_url)
    assert await telegram.deliver(await user.send("/report")) == 200
    await user.expect("unfinished report")
    assert await telegram.deliver(await user.press("Continue")) == 200
    await user.expect("tap Submit")
    return user, draft, process


async def test_a_webhook_post_that_fails_gets_500_and_its_redelivery_stores_once(
        bot_api, db_url, tmp_path):
    """The report is stored but the reply fails: 500, so Telegram posts the update again;
    the second post finds the report, tells the worker its number and gets 200."""
    telegram = Telegram(bot_api, _free_port())
    user, draft, process = await _at_card_on_webhook(bot_api, telegram, tmp_path, db_url, 7401)
    try:
        bot_api.fail_next("editMessageText", 500)  # the card turned into the saved report
        submit = await user.press("Submit")
        assert await telegram.post(submit) == 500
        assert await telegram.post(submit) == 200
        told = await user.expect(SAVED)
    finally:
        log = await _stop(process)
    reports = list(Report.select().where(Report.uid == draft.uid))
    assert len(reports) == 1, log[-3000:]
    assert SAVED.search(told["text"])[1] == str(reports[0].id)


async def test_a_bot_killed_while_handling_a_webhook_post_handles_it_when_posted_again(
        bot_api, db_url, tmp_path):
    """Killed after the report was stored but before the worker was told: the post got no
    200, so Telegram posts it again to the restarted bot, which tells the worker."""
    telegram = Telegram(bot_api, _free_port())
    user, draft, process = await _at_card_on_webhook(bot_api, telegram, tmp_path, db_url, 7402)
    try:
        submit = await user.press("Submit")
        bot_api.latency = 0.5  # every call of the bot now takes half a second
        calls = len(bot_api.calls)
        posted = asyncio.create_task(telegram.post(submit))
        async with asyncio.timeout(60):  # the card closed: the report is stored, the worker
            while not any(c.method.startswith("editMessage") for c in bot_api.calls[calls:]):
                await asyncio.sleep(0.005)  # not told yet (the spinner's answer rides the 200)
        await _stop(process)
        status = await posted
        bot_api.latency = 0.0
        process = await telegram.start_bot(tmp_path, db_url)
        if status != 200:
            status = await telegram.deliver(submit)
        assert status == 200
        told = await user.expect(SAVED, timeout=30)
    finally:
        log = await _stop(process)
    reports = list(Report.select().where(Report.uid == draft.uid))
    assert len(reports) == 1, log[-3000:]
    assert SAVED.search(told["text"])[1] == str(reports[0].id)

"""Start-up outlasts a Bot API hiccup: run_bot.py retries getMe, the menus and the webhook
call with backoff, one log line per retry, instead of exiting on the first 5xx; a bad token
still stops it at once (tests/bot/test_run.py)."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.startup import StartupRetries
from tests.botkit import TEST_TOKEN as token, start_run_bot


async def test_the_bot_starts_through_failing_calls_and_answers(bot_api, tmp_path):
    bot_api.fail_next("getMe", 500, times=2)
    bot_api.fail_next("deleteWebhook", 502, times=2)
    bot_api.fail_next("setMyCommands", 503)
    process = await start_run_bot(tmp_path, api=bot_api)
    user = bot_api.user(6200, "Zhao", language_code="en")
    await user.send("/start")
    reply = asyncio.ensure_future(user.next_message(timeout=60))
    exited = asyncio.ensure_future(process.wait())
    await asyncio.wait([reply, exited], return_when=asyncio.FIRST_COMPLETED)
    gave_up = exited.done()
    try:
        if not gave_up:
            process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert not gave_up, f"run_bot exited ({process.returncode}):\n{log}"
    assert "invite" in (await reply)["text"].lower()  # it runs: a stranger learns how to join
    retries = [line for line in log.splitlines() if "failed at start-up" in line]
    assert [line.split("Bot API ")[1].split(" failed")[0] for line in retries] == [
        "getMe", "getMe", "setMyCommands", "deleteWebhook", "deleteWebhook"], log
    assert "retry 1 in 1 s" in retries[0] and "retry 2 in 2 s" in retries[1]
    assert "Aborting" not in log and token not in log
    statuses = [(c.method, c.status) for c in bot_api.calls
                if c.method in ("getMe", "deleteWebhook")]
    assert statuses[:3] == [("getMe", 500), ("getMe", 500), ("getMe", 200)]
    assert [s for m, s in statuses if m == "deleteWebhook"][:3] == [502, 502, 200]


async def test_a_refused_webhook_stops_start_up_with_a_clear_message(bot_api, tmp_path):
    bot_api.fail_next("setWebhook", 400,
                      description="Bad Request: bad webhook: An HTTPS URL must be provided")
    process = await start_run_bot(tmp_path, "--webhook", api=bot_api,
                                  WEBHOOK_URL="http://127.0.0.1:9/hook", WEBHOOK_SECRET="s3cret")
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:  # it kept running instead of stopping
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 2, log
    assert "run_bot: telegram refused a start-up call: bad webhook: an https url must be " \
        "provided. check webhook_url" in log.lower()
    assert [c.method for c in bot_api.calls].count("setWebhook") == 1  # not retried
    assert "failed at start-up" not in log


def _fails(*errors):
    calls = []

    async def action():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "ok"
    return action, calls


async def test_the_waits_double_up_to_a_cap_and_each_retry_is_logged(caplog):
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    retries = StartupRetries(first=1, cap=4, sleep=sleep)
    with warnings.catch_warnings():  # PTB's own message reads the deprecated int retry_after
        warnings.simplefilter("ignore")
        flood = RetryAfter(dt.timedelta(seconds=7))
    action, calls = _fails(NetworkError("Internal Server Error"), TimedOut(),
                           NetworkError("Bad Gateway"), NetworkError("x"), flood)
    with caplog.at_level(logging.WARNING, "bot.startup"):
        assert await retries.call("getMe", action) == "ok"
    assert waits == [1, 2, 4, 4, 7] and len(calls) == 6
    assert len(caplog.records) == 5
    assert "Bot API getMe failed at start-up (Internal Server Error); retry 1 in 1 s" \
        == caplog.records[0].getMessage()


@pytest.mark.parametrize("refusal", [BadRequest("bad webhook: HTTPS url must be provided"),
                                     Forbidden("Forbidden")])
async def test_a_refusal_is_not_retried(refusal):
    action, calls = _fails(refusal)
    with pytest.raises(type(refusal)):
        await StartupRetries(sleep=lambda s: asyncio.sleep(0)).call("setWebhook", action)
    assert len(calls) == 1


async def test_once_started_nothing_is_retried():
    action, calls = _fails(NetworkError("Internal Server Error"))
    with pytest.raises(NetworkError):
        await StartupRetries(active=False).call("sendMessage", action)
    assert len(calls) == 1

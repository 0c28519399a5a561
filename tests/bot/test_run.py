"""run_bot.py as an operator runs it: clear messages and exit code 2 for a bad token, and a
demo that works without Telegram."""
from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from tests.botkit import RUN_BOT, clean_env, start_run_bot


ROOT = Path(__file__).resolve().parents[2]


def test_it_names_the_missing_token_and_exits_2(tmp_path):
    result = subprocess.run([sys.executable, RUN_BOT], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr


async def test_it_explains_a_rejected_token_without_logging_it(bot_api, tmp_path):
    token = "777:REJECTED-secret-token"
    process = await start_run_bot(tmp_path, api=bot_api, token=token)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    output = (stdout + stderr).decode()
    assert process.returncode == 2, output
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in output
    assert token not in output and "REJECTED-secret" not in output
    assert bot_api.calls and bot_api.calls[0].status == 401  # it did ask


def test_it_runs_the_demo_without_telegram(tmp_path):
    result = subprocess.run([sys.executable, RUN_BOT, "--demo", "--lang", "en", "--var",
                             str(tmp_path)], cwd=ROOT, env=clean_env(), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "👤 /start" in out and "Welcome, 小李!" in out
    assert "Please check your report, then tap Submit." in out
    assert "Your report is saved (No. 1)" in out
    assert "📊 Your reports in" in out and "Activity held: 1" in out
    assert (tmp_path / "demo.sqlite3").exists()


def test_it_names_the_missing_webhook_url(tmp_path):
    result = subprocess.run([sys.executable, RUN_BOT, "--webhook"], cwd=tmp_path,
                            env=clean_env(TELEGRAM_BOT_TOKEN="1:x"), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "WEBHOOK_URL is not set" in result.stderr


async def test_webhook_mode_refuses_to_start_without_a_secret(bot_api, tmp_path):
    """Without WEBHOOK_SECRET anyone who reaches the port could post updates as any worker:
    exit 2 with one line naming the variable, before the Bot API or the database is touched."""
    for secret, says in ((None, "WEBHOOK_SECRET is not set"),
                         ("has spaces and ü", "WEBHOOK_SECRET must be 1-256 characters")):
        process = await start_run_bot(tmp_path, "--webhook", api=bot_api, init=False,
                                      WEBHOOK_URL="http://127.0.0.1:9/tg-hook",
                                      **({} if secret is None else {"WEBHOOK_SECRET": secret}))
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
        finally:
            if process.returncode is None:  # it started instead of refusing: stop it
                process.kill()
                await process.wait()
        assert process.returncode == 2, stderr.decode()
        lines = stderr.decode().strip().splitlines()
        assert len(lines) == 1 and says in lines[0], lines
        assert lines[0].startswith("run_bot: ")
    assert bot_api.calls == []
    assert not (tmp_path / "bot.sqlite3").exists()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_it_serves_a_webhook_that_checks_its_secret(bot_api, tmp_path):
    import aiohttp

    token, port = "4242:botkit-TEST-token", _free_port()
    hook = f"http://127.0.0.1:{port}/tg-hook"
    user = bot_api.user(6100, "Wang", language_code="en")
    process = await start_run_bot(tmp_path, "--webhook", api=bot_api, token=token,
                                  WEBHOOK_URL=hook, WEBHOOK_PORT=str(port),
                                  WEBHOOK_SECRET="s3cret-hook")
    try:
        await bot_api.wait_for_call("setWebhook", timeout=60)
        assert bot_api.webhook["url"] == hook
        assert bot_api.webhook["secret_token"] == "s3cret-hook"  # registered with the secret
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 0, "text": "/help", "from": user.user,
            "chat": {"id": user.chat_id, "type": "private"}, "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # the listener starts just after setWebhook
                try:
                    async with http.post(hook, json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                        refused = r.status
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            assert refused == 403
            async with http.post(hook, json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-hook"}) as r:
                assert r.status == 200
        reply = await user.next_message(timeout=30)
        assert "invite" in reply["text"].lower()  # an unregistered user learns how to join
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert token not in stderr.decode()

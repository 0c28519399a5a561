"""run_bot.py as an operator runs it: clear messages and exit code 2 for a bad token, and a
demo that works without Telegram."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tests.botkit import bot_api  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
RUN_BOT = str(ROOT / "run_bot.py")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    return {**env, **extra}


def test_it_names_the_missing_token_and_exits_2(tmp_path):
    result = subprocess.run([sys.executable, RUN_BOT], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr


async def test_it_explains_a_rejected_token_without_logging_it(bot_api, tmp_path):
    token = "777:REJECTED-secret-token"
    process = await asyncio.create_subprocess_exec(
        sys.executable, RUN_BOT, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=bot_api.base_url,
                      DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}"))
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

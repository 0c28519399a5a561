"""The chart worker processes die with the bot, however it dies: a SIGKILLed bot leaves no
orphan drawing process (each one holds a hundred MB of matplotlib)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A process that starts the chart pool the way the bot's sender does (bot.outbox.Charts, in an
# event loop) and draws one weekly chart with it, then waits to be killed.
BOT_LIKE = """
import asyncio, os, sys
from bot import outbox

SPEC = {"chart": "weekly", "locale": "en", "scope": "5118", "plan": "yaan-jiuxiang",
        "period": "2026-W47", "as_of": "2026-11-22", "place": "Ya'an",
        "lines": [["Elderly care", 3, 40.0, 89.0, "at_risk"]], "overall": [40.0, 89.0, "at_risk"]}

async def main():
    charts = outbox.Charts([])
    async with charts.image(SPEC) as (key, png):
        assert png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    print("drawn", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited (its new parent reaps it)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_killed_bot_leaves_no_chart_worker():
    env = {**os.environ, "WUSHE_RENDER_WORKERS": "2"}
    bot = subprocess.Popen([sys.executable, "-c", BOT_LIKE], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    try:
        line = bot.stdout.readline()
        assert line.strip() == "drawn", bot.stderr.read() if bot.poll() is not None else line
        workers = _descendants(bot.pid)
        assert len(workers) >= 2  # the pool's workers (and multiprocessing's resource tracker)
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=30)
        for _ in range(100):  # bounded wait for them to notice; not a check of speed
            left = {pid for pid in workers if _alive(pid)}
            if not left:
                break
            time.sleep(0.1)
        assert not left, f"orphaned chart workers: {sorted(left)}"
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
        for pid in workers:  # never leave one behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)

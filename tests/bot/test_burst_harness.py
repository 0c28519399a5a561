"""bench/bot_burst.py's launcher of run_bot.py: the bot's log never backs up into the bot.

run_bot.py logs a line per stored report. The bench used to give it a pipe for stderr and
read it only once the bot had exited: 64 KiB (about 780 reports) filled the pipe and the next
log line blocked the bot's event loop, so a 1,000-worker burst stood still (issue 15). Here a
stand-in logs four pipe-fulls with its stderr made non-blocking: on a pipe nobody reads, a
write fails at once (exit 3) instead of hanging, so the check cannot hang either."""
from __future__ import annotations

import os
import sys

import pytest

from bench.bot_burst import _log_summary, _spawn_bot

LINES = 256  # 256 × 1 KiB: four times a pipe's 64 KiB
STAND_IN = f"""
import os, sys
os.set_blocking(2, False)
line = b"2026-12-08 01:26:31,406 WARNING bot.chat: " + b"x" * 982 + b"\\n"
try:
    for _ in range({LINES}):
        os.write(2, line)  # shorter than PIPE_BUF: written whole or not at all
except BlockingIOError:
    sys.exit(3)
"""


def test_the_bots_log_cannot_fill_up_and_stop_it(tmp_path):
    log = tmp_path / "bot.log"
    bot = _spawn_bot(dict(os.environ), log, [sys.executable, "-c", STAND_IN])
    assert bot.wait() == 0, "the bot's stderr filled up: its writes would block"
    assert len(log.read_bytes().splitlines()) == LINES
    assert _log_summary(log).startswith(f"{LINES} warning/error lines")


def test_the_tail_is_told_apart_by_step_and_by_moment():
    """``_by_step``: per step of the walk its p50/p99, and which steps hold the latencies
    above the run's p99 and when they were sent (17 steps of 100 latencies; step 17's last
    30 are slow and sent last, so they are the whole tail and sit in the last tenth)."""
    from bench.bot_burst import _by_step, _script

    samples = []
    for step in range(len(_script("wushe"))):
        for i in range(100):
            slow = step == 16 and i >= 70
            samples.append((step, 2.0 + i / 1000 if slow else 0.1 + i / 1000,
                            100.0 + step + i / 100))
    steps, when = _by_step(samples)
    assert [s["step"] for s in steps] == list(range(17)) and all(s["n"] == 100 for s in steps)
    assert steps[0]["p50"] == pytest.approx(149.5) and steps[0]["p99"] == pytest.approx(198)
    assert steps[16]["p99"] == pytest.approx(2098) and steps[16]["max"] == pytest.approx(2099)
    # the run's p99 is the 1,683rd of 1,700: 17 latencies lie above it, all step 17's
    assert [s["tail"] for s in steps] == [0] * 16 + [17]
    assert steps[16]["tail_share"] == pytest.approx(1)
    assert when[9] == pytest.approx(1) and sum(when[:9]) == 0

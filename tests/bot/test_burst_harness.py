"""bench/bot_burst.py's launcher of run_bot.py: the bot's log never backs up into the bot.

run_bot.py logs a line per stored report. The bench used to give it a pipe for stderr and
read it only once the bot had exited: 64 KiB (about 780 reports) filled the pipe and the next
log line blocked the bot's event loop, so a 1,000-worker burst stood still (issue 15). Here a
stand-in logs four pipe-fulls with its stderr made non-blocking: on a pipe nobody reads, a
write fails at once (exit 3) instead of hanging, so the check cannot hang either."""
from __future__ import annotations

import os
import sys

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

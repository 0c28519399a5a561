"""bench/extract_accuracy.py runs in CI on the spec and on every held-out set: each corpus loads,
every message is scored, and the figures the closing notes quote are printed. No threshold is
asserted on a held-out set (it measures; the spec itself is held by test_extraction.py)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.extract_accuracy import HELD_OUT, ROOT, corpus

FIGURE = re.compile(r"straight to a correct card: (\d+)/(\d+) = ")
KINDS = re.compile(r"kind read right \(or asked with the right candidates\): (\d+)/(\d+) = ")


def test_there_is_a_held_out_set_the_extractor_was_not_tuned_on():
    assert HELD_OUT and all(len(corpus(p)[1]) >= 25 for p in HELD_OUT)


def test_the_script_scores_the_spec_and_every_held_out_set():
    run = subprocess.run([sys.executable, "bench/extract_accuracy.py", "--held-out"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    print(run.stdout)  # the figures, in the CI log
    sections = run.stdout.split("== ")[1:]
    assert [Path(s.split(": ", 1)[1].splitlines()[0]).name for s in sections] == \
        ["messages.toml", *(p.name for p in HELD_OUT)]
    for section, path in zip(sections, [ROOT / "tests/data/messages.toml", *HELD_OUT]):
        messages = corpus(path)[1]
        kinds = KINDS.search(section)
        straight = FIGURE.search(section)
        assert kinds and int(kinds[2]) == len(messages)
        assert straight and int(straight[2]) == sum(bool(m.get("complete")) for m in messages) > 0

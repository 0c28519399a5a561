"""The one entry the bot's sender calls for a push's photo: a chart spec in, PNG bytes out.

A spec is the JSON stored in an outbox row's payload (``{"chart": "weekly", ...data}``,
from ``WeeklySummary.chart_specs`` / ``Digest.chart_specs``); it holds the numbers, so
drawing it needs no database and gives the same picture however late it is sent. The
sender draws some fifteen charts a second during a run, so identical specs (groups of one
place and language) are drawn once and reused.
"""
from __future__ import annotations

import json
import threading
from functools import lru_cache

from . import digest, weekly
from .render import png_bytes

BUILDERS = {"weekly": weekly.weekly_figure, **digest.BUILDERS}
DPI = 100
_lock = threading.Lock()


class UnknownChart(ValueError):
    """A spec names a chart this version does not draw."""


def render(spec: dict) -> bytes:
    """PNG bytes of the chart ``spec`` describes (a pure function of ``spec``)."""
    name = spec.get("chart")
    if name not in BUILDERS:
        raise UnknownChart(f"no chart named {name!r}")
    return _render(json.dumps(spec, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=128)
def _render(key: str) -> bytes:
    spec = json.loads(key)
    return png_bytes(BUILDERS[spec["chart"]](spec), dpi=DPI)

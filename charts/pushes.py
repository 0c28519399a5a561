"""The one entry the bot's sender calls for a push's photo: a chart spec in, PNG bytes out.

A spec is the JSON stored in an outbox row's payload (``{"chart": "weekly", ...data}``,
from ``WeeklySummary.chart_specs`` / ``Digest.chart_specs``); it holds the numbers, so
drawing it needs no database and gives the same picture however late it is sent. The
sender draws some fifteen charts a second during a run, so this is kept fast: the weekly
chart reuses one figure per thread (``charts.weekly.WeeklyCanvas``), the PNG is written
with light compression (the encoder is a fifth of the time at the default level for a
file a few per cent smaller), and identical specs (groups of one place and language) are
drawn once.
"""
from __future__ import annotations

import io
import json
from functools import lru_cache

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from models.core.text import export_safe

from . import digest, weekly

DPI = 100
BUILDERS = {"weekly": lambda spec: weekly.shared_canvas().draw(spec), **digest.BUILDERS}


class UnknownChart(ValueError):
    """A spec names a chart this version does not draw."""


def render(spec: dict) -> bytes:
    """PNG bytes of the chart ``spec`` describes (a pure function of ``spec``)."""
    name = spec.get("chart")
    if name not in BUILDERS:
        raise UnknownChart(f"no chart named {name!r}")
    # a place name stored before the door cleaned text draws no missing glyph
    return _render(json.dumps(export_safe(spec), sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=128)
def _render(key: str) -> bytes:
    spec = json.loads(key)
    return png(BUILDERS[spec["chart"]](spec))


def png(fig: Figure, dpi: int = DPI) -> bytes:
    """Draw ``fig`` with Agg and encode it as PNG (compression level 1)."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    fig.canvas.draw()
    buf = io.BytesIO()
    Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).save(buf, format="png",
                                                                compress_level=1)
    return buf.getvalue()

"""The weekly push's chart: one row per action line, this week's reports on the left and the
year's completion of its targets on the right, coloured by pace, with the pace mark (where
the line would stand today if it were exactly on pace) and the 100 % target line.

Drawn from the plain data of ``WeeklySummary.chart_specs`` (numbers already computed by
``models.plans.progress``), so it is a pure function of its spec. A run draws one for every group
(some fifteen a second while the bot sends), so the figure and its two axes are built once
per thread and only the bars and labels are replaced for each chart: building the axes is
a third of the cost of a fresh figure. Every bar carries its value, so the axes need no
ticks (ticks are most of the drawing time of a chart like this).
"""
from __future__ import annotations

import threading

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from models.core.i18n import translator

from . import fonts, texts
from .style import FIGURE_WIDTH, completion_axis, completion_bar, label_margin

FIGSIZE = (FIGURE_WIDTH, 4.5)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


class WeeklyCanvas:
    """A figure with the chart's fixed parts (two axes, the title, the target line), redrawn
    for each spec. One per thread: a Figure must not be drawn by two threads at once."""

    def __init__(self):
        fonts.register()
        self.fig = fig = Figure(figsize=FIGSIZE)
        FigureCanvasAgg(fig)
        self.left = fig.add_subplot(1, 2, 1)
        self.right = fig.add_subplot(1, 2, 2)
        self.title = fig.suptitle("", fontsize=13, y=0.97)
        self.note = fig.text(0.97, 0.02, "", ha="right", va="bottom", fontsize=8,
                             color="#555555")
        self.target_line = completion_axis(self.right)
        self.right.set_yticks([])
        self.left.set_xticks([])
        self.left.spines[["top", "right", "bottom"]].set_visible(False)
        self.left.tick_params(axis="y", length=0, labelsize=10)
        self._drawn: list = []

    def _add(self, artist):
        self._drawn.append(artist)
        return artist

    def draw(self, spec: dict) -> Figure:
        """The chart of ``spec``: place, period, locale, ``lines`` [[name, reports,
        completion, expected, pace], ...] and ``overall`` [completion, expected, pace]."""
        for artist in self._drawn:
            artist.remove()
        self._drawn.clear()
        t = translator(spec.get("locale"))
        left, right = self.left, self.right
        rows = spec["lines"][::-1]  # the first line at the top
        ys = list(range(len(rows)))
        self.fig.subplots_adjust(left=label_margin([r[0] for r in rows]), right=0.97,
                                 top=0.82, bottom=0.08, wspace=0.08)
        self.title.set_text(t.gettext(texts.WEEKLY_TITLE, place=spec["place"],
                                      period=spec["period"]))

        counts = [r[1] for r in rows]
        top = max(counts + [1])
        self._add(left.barh(ys, counts, height=0.62, color="#6baed6"))
        for y, n in zip(ys, counts):
            self._add(left.text(n + top * 0.02, y, str(n), va="center", ha="left", fontsize=9))
        left.set_xlim(0, top * 1.25)
        left.set_yticks(ys, [r[0] for r in rows])
        left.set_title(t.gettext(texts.WEEKLY_REPORTS), fontsize=10)

        has_targets = any(r[2] is not None for r in rows)
        self.target_line.set_visible(has_targets)  # a lone 100 % line without bars says nothing
        if has_targets:
            for y, (_, _, done, expected, _pace) in zip(ys, rows):
                self._drawn += completion_bar(right, y, done, expected, t)[1]
            done, expected, _ = spec["overall"]
            right.set_title(t.gettext(texts.WEEKLY_OVERALL, percent=_pct(done),
                                      expected=_pct(expected)), fontsize=10)
            self.note.set_text(t.gettext(texts.WEEKLY_PACE_MARK))
        else:
            right.set_title(t.gettext(texts.WEEKLY_COMPLETION), fontsize=10)
            self._add(right.text(57, (len(rows) - 1) / 2, t.gettext(texts.WEEKLY_NO_TARGETS),
                                 ha="center", va="center", fontsize=10, color="#666666"))
            self.note.set_text("")
        for ax in (left, right):
            ax.set_ylim(-0.6, len(rows) - 0.4)
        return self.fig


_local = threading.local()


def shared_canvas() -> WeeklyCanvas:
    """This thread's canvas, built on first use."""
    canvas = getattr(_local, "canvas", None)
    if canvas is None:
        canvas = _local.canvas = WeeklyCanvas()
    return canvas


def weekly_figure(spec: dict) -> Figure:
    """A new Figure of the weekly chart (for callers that keep or save the figure)."""
    return WeeklyCanvas().draw(spec)

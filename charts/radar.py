"""The 联动指数 radar: a place's score on each of the five elements (0–100), optionally over
the average of the places it is compared with. An element not measured at the place is left
out of its shape (the outline joins the measured ones) and its axis label is marked, so a gap
is never drawn as a score of 0."""
from __future__ import annotations

import math
from typing import Sequence

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import fonts

PLACE_COLOR = "#d95f0e"
COMPARE_COLOR = "#2c7fb8"


def _closed(angles: Sequence[float], values: Sequence[float | None]
            ) -> tuple[list[float], list[float]]:
    """The measured points only, closed back to the first: an unassessed element is skipped,
    not drawn at 0."""
    points = [(a, v) for a, v in zip(angles, values) if v is not None]
    points += points[:1]
    return [a for a, _ in points], [v for _, v in points]


def linkage_radar(labels: Sequence[str], scores: Sequence[float | None],
                  compare: Sequence[float | None] | None = None, *,
                  title: str = "联动指数", place_label: str = "本地",
                  compare_label: str = "平均", total: float | None = None,
                  total_label: str = "联动指数 {value}",
                  not_measured_label: str = "未测评",
                  figsize: tuple[float, float] = (5.6, 5.2)) -> Figure:
    """Scores in percent per element (``None``: not measured), in the order of ``labels``."""
    if len(scores) != len(labels) or (compare is not None and len(compare) != len(labels)):
        raise ValueError("one score per label")
    fonts.register()
    fig = Figure(figsize=figsize)
    fig.subplots_adjust(left=0.16, right=0.84, top=0.76, bottom=0.15)
    ax = fig.add_subplot(projection="polar")
    n = len(labels)
    angles = [2 * math.pi * k / n for k in range(n)]
    ax.set_theta_offset(math.pi / 2)  # the first element on top, the others clockwise
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"], fontsize=7,
                  color="#777777")
    ax.set_rlabel_position(180 / n)
    shown = [label if s is not None else f"{label}\n({not_measured_label})"
             for label, s in zip(labels, scores)]
    ax.set_xticks(angles, shown, fontsize=10)
    ax.tick_params(axis="x", pad=9)
    ax.grid(color="#dddddd")
    ax.spines["polar"].set_color("#bbbbbb")
    handles = []
    if compare is not None:
        ax.plot(*_closed(angles, compare), color=COMPARE_COLOR, linewidth=1.4, linestyle="--")
        ax.fill(*_closed(angles, compare), color=COMPARE_COLOR, alpha=0.08)
        handles.append(Line2D([], [], color=COMPARE_COLOR, linestyle="--", label=compare_label))
    ax.plot(*_closed(angles, scores), color=PLACE_COLOR, linewidth=2.0)
    ax.fill(*_closed(angles, scores), color=PLACE_COLOR, alpha=0.22)
    measured = [(a, s) for a, s in zip(angles, scores) if s is not None]
    ax.scatter([a for a, _ in measured], [s for _, s in measured], color=PLACE_COLOR, s=18,
               zorder=3)
    handles.insert(0, Line2D([], [], color=PLACE_COLOR, linewidth=2.0, label=place_label))
    heading = title if total is None else f"{title}\n{total_label.format(value=f'{total:.1f}')}"
    fig.suptitle(heading, fontsize=12, y=0.97)
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    return fig

"""Completion by place: one bar per county (or per child of the scope) with the 100 % target
line and each place's pace mark — where it would stand today if it were exactly on pace."""
from __future__ import annotations

from typing import NamedTuple, Sequence

from matplotlib.figure import Figure

from models.core.i18n import translator
from models.plans.pacing import PACE_LABELS

from . import fonts
from .style import COLORS, PACE_COLOR, TARGET_COLOR, completion_legend, pace_state


class PlaceCompletion(NamedTuple):
    """A place's mean completion of its targeted indicators and the expected-by-today share,
    both in percent (``PlanProgress.completion`` and ``PlanProgress.expected_completion``)."""

    name: str
    percent: float | None
    expected: float | None


def completion_by_place(items: Sequence[PlaceCompletion], *, title: str = "各县(区)目标完成率",
                        ylabel: str = "完成率(%)", target_label: str = "目标 100%",
                        pace_label: str = "按进度应完成",
                        state_labels: dict[str, str] | None = None,
                        no_data_label: str = "无目标",
                        empty_label: str = "本期本级没有目标",
                        neutral: bool = False,
                        figsize: tuple[float, float] = (8.0, 4.5)) -> Figure:
    """Bars of percent done per place, a target line at 100 % and a pace mark per bar; with
    nothing to draw, a chart that says so in ``empty_label`` (never an empty frame).
    ``neutral``: shares without a pace (a community's part of a target), one colour, no
    pace states in the legend."""
    fonts.register()
    if state_labels is None:
        zh = translator("zh_Hans")
        state_labels = {s: zh.gettext(PACE_LABELS[s]) for s in COLORS if s in PACE_LABELS}
    fig = Figure(figsize=figsize)
    fig.subplots_adjust(left=0.08, right=0.80, top=0.90, bottom=0.12 if len(items) <= 10 else 0.22)
    ax = fig.add_subplot()
    if not any(i.percent is not None for i in items):
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.5, empty_label, transform=ax.transAxes, ha="center", va="center",
                fontsize=12, color="#555555", wrap=True)
        return fig
    xs = range(len(items))
    states = [("none" if i.percent is None else "neutral") if neutral
              else pace_state(i.percent, i.expected) for i in items]
    heights = [i.percent or 0.0 for i in items]
    ax.bar(xs, heights, width=0.64, color=[COLORS[s] for s in states], zorder=2)
    for x, item in zip(xs, items):
        if item.percent is not None and item.percent >= 12:
            # inside the bar's top, clear of the pace mark and the target line
            ax.annotate(f"{item.percent:.0f}%", (x, item.percent), xytext=(0, -4),
                        textcoords="offset points", ha="center", va="top", fontsize=9,
                        color="white", fontweight="bold")
        else:
            text = f"{item.percent:.0f}%" if item.percent is not None else no_data_label
            ax.annotate(text, (x, item.percent or 0.0), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=9)
        if item.expected is not None:
            ax.hlines(item.expected, x - 0.42, x + 0.42, colors=PACE_COLOR, linestyles="--",
                      linewidth=1.6, zorder=3)
    ax.axhline(100, color=TARGET_COLOR, linewidth=1.2, zorder=1)
    top = max([100.0] + [h for h in heights]) * 1.15
    ax.set_ylim(0, top)
    ax.set_xticks(list(xs), [i.name for i in items], fontsize=10)
    if len(items) > 10:
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    marks = any(i.expected is not None for i in items)
    completion_legend(ax, target_label, pace_label if marks else None, states, state_labels, pace_width=1.6)
    return fig

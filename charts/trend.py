"""The weekly trend: reports per week this year (bars) and, on a percent axis, the
cumulative completion of the annual targets against the pace line toward 100 % at year end."""
from __future__ import annotations

import datetime as dt
from typing import Sequence

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import fonts


def weekly_trend(weeks: Sequence[dt.date], reports: Sequence[int],
                 completion: Sequence[float | None] | None = None,
                 pace: Sequence[float | None] | None = None, *,
                 title: str = "每周上报与年度目标进度", reports_label: str = "每周上报数",
                 completion_label: str = "年度目标累计完成率", pace_label: str = "按进度应完成",
                 percent_axis_label: str = "完成率(%)", count_axis_label: str = "上报数",
                 no_target_note: str | None = "本级无年度目标", month_format: str = "%-m月",
                 figsize: tuple[float, float] = (9.0, 4.5)) -> Figure:
    """``weeks`` are the Mondays; ``completion`` and ``pace`` are in percent at each week's end."""
    fonts.register()
    fig = Figure(figsize=figsize)
    fig.subplots_adjust(left=0.08, right=0.92, top=0.90, bottom=0.20)
    ax = fig.add_subplot()
    ax.bar(list(weeks), list(reports), width=5, color="#6baed6", zorder=2, align="edge")
    ax.set_ylabel(count_axis_label)
    ax.set_title(title)
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter(month_format))
    ax.set_ylim(0, max([1] + list(reports)) * 1.15)
    ax.yaxis.get_major_locator().set_params(integer=True)  # reports are whole
    handles = [Patch(color="#6baed6", label=reports_label)]
    has_completion = completion is not None and any(v is not None for v in completion)
    if has_completion:  # a right axis only with a line to read on it
        ax2 = ax.twinx()
        ends = [w + dt.timedelta(days=6) for w in weeks]
        if pace is not None:
            ax2.plot(ends, [v if v is not None else float("nan") for v in pace], color="#2c3e50",
                     linestyle="--", linewidth=1.4)
            handles.append(Line2D([], [], color="#2c3e50", linestyle="--", label=pace_label))
        if has_completion:
            ax2.plot(ends, [v if v is not None else float("nan") for v in completion],
                     color="#d95f0e", linewidth=2.2, marker="o", markersize=2.5)
            handles.append(Line2D([], [], color="#d95f0e", linewidth=2.2, label=completion_label))
        top = max([100.0] + [v for v in (completion or []) if v is not None])
        ax2.set_ylim(0, top * 1.1)
        ax2.set_ylabel(percent_axis_label)
        ax2.spines[["top"]].set_visible(False)
    if not has_completion and no_target_note:
        ax.text(0.01, 0.97, no_target_note, transform=ax.transAxes, ha="left", va="top",
                fontsize=9, color="#666666")
    ax.spines[["top"]].set_visible(False)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.1), ncol=3,
              fontsize=9, frameon=False)
    return fig


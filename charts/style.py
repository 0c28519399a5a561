"""The look the completion charts share, in one place: the weekly push's right half, the
digest's line and ranking pages and ``completion_by_place`` draw the same bars, marks and
target line, so a colour or a label rule changed here changes them all alike."""
from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from models.core.i18n import N_, Translator
from models.pushes.pieces import mean_pace

COLORS = {"done": "#1b7837", "on_track": "#5aae61", "behind": "#f1a340", "at_risk": "#d73027",
          "none": "#bdbdbd", "neutral": "#6baed6"}
NO_TARGET = N_("No target")
TARGET_COLOR = "#c0392b"  # the 100 % line
PACE_COLOR = "#2c3e50"  # the dashed mark: where a place would stand today if exactly on pace
STATES = ("done", "on_track", "behind", "at_risk")  # in legend order
FIGURE_WIDTH = 8.0  # inches: the chat's 800-pixel photos


def pace_state(percent: float | None, expected: float | None) -> str:
    """The colour key of a completion against its pace mark (both in percent): the domain's
    rule (``mean_pace``), so a bar's colour always agrees with the push's text."""
    return "none" if percent is None else mean_pace(percent, expected)


def ems(text: str) -> float:
    """The width of ``text`` in ems: a CJK character is one em, a Latin one about 0.55."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in text)


def label_margin(labels: list[str], fontsize: float = 10,
                 width_in: float = FIGURE_WIDTH) -> float:
    """The left margin (a share of the figure's width) that fits the longest tick label."""
    widest = max((ems(label) for label in labels), default=0)
    return min(0.4, (widest * fontsize / 72 + 0.25) / width_in)


def completion_axis(ax: Axes) -> Line2D:
    """Ready ``ax`` for horizontal completion bars: the 100 % target line (returned), room to
    110 % and a little more, and no x ticks or frame, since every bar carries its value."""
    line = ax.axvline(100, color=TARGET_COLOR, linewidth=1.2)
    ax.set_xlim(0, 115)
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    return line


def completion_bar(ax: Axes, y: float, done: float | None, expected: float | None,
                   t: Translator) -> tuple[str | None, list]:
    """One row's horizontal bar at ``y``: coloured by pace, its percent inside the bar's end
    (clear of the 100 % line) or after a short one, and the pace mark. Returns the pace
    state (None for a row without a target) and the artists drawn, so a reused figure can
    remove them."""
    if done is None:
        return None, [ax.text(2, y, t.gettext(NO_TARGET), va="center", ha="left", fontsize=8,
                              color="#999999")]
    state = pace_state(done, expected)
    width = min(done, 110)
    drawn = [ax.barh([y], [width], height=0.62, color=COLORS[state])]
    if done >= 20:
        drawn.append(ax.text(width - 1.5, y, f"{done:.0f}%", va="center", ha="right",
                             fontsize=9, color="white", zorder=4))
    else:
        drawn.append(ax.text(done + 1.5, y, f"{done:.0f}%", va="center", ha="left", fontsize=9))
    if expected is not None:
        drawn.append(ax.vlines(expected, y - 0.4, y + 0.4, colors=PACE_COLOR, linestyles="--",
                               linewidth=1.4))
    return state, drawn


def completion_legend(ax: Axes, target_label: str, pace_label: str, states: list[str],
                      state_labels: dict[str, str], pace_width: float = 1.4) -> None:
    """The legend right of ``ax``: the target line, the pace mark and the states shown."""
    handles = [Line2D([], [], color=TARGET_COLOR, linewidth=1.2, label=target_label)]
    if pace_label:  # None: no pace mark drawn
        handles.append(Line2D([], [], color=PACE_COLOR, linestyle="--", linewidth=pace_width,
                              label=pace_label))
    handles += [Patch(color=COLORS[s], label=state_labels[s]) for s in STATES if s in states]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9,
              frameon=False)

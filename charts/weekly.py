"""The weekly push's chart: one row per action line, this week's reports on the left and the
year's completion of its targets on the right, coloured by pace, with the pace mark (where
the line would stand today if it were exactly on pace) and the 100 % target line.

Drawn from the plain data of ``WeeklySummary.chart_specs`` (numbers already computed by
``models.progress``), so it is a pure function of its spec. It is drawn for every group
every week, so it is kept cheap: two axes, bars and a few labels, no legend box, no
``tight_layout``.
"""
from __future__ import annotations

from matplotlib.figure import Figure

from models.i18n import N_, translator

from . import fonts
from .completion import COLORS, _state
from .completion import PlaceCompletion

TITLE = N_("{place} · {period}")
REPORTS = N_("Reports this week")
COMPLETION = N_("Year to date: completion of targets")
OVERALL = N_("Overall {percent} (expected {expected})")
NO_TARGET = N_("No target")
NO_TARGETS = N_("No annual targets at this level")
PACE_MARK = N_("dashes: expected by now")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def label_margin(labels: list[str], fontsize: float = 10, width_in: float = 8.0) -> float:
    """The left margin (a share of the figure's width) that fits the longest tick label:
    about a font size per CJK character and 0.55 of it per Latin one."""
    widest = max((sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in label) for label in labels),
                 default=0)
    return min(0.4, (widest * fontsize / 72 + 0.25) / width_in)


def weekly_figure(spec: dict) -> Figure:
    """``spec``: place, period, locale, ``lines`` [[name, reports, completion, expected,
    pace], ...] and ``overall`` [completion, expected, pace]."""
    fonts.register()
    t = translator(spec.get("locale"))
    rows = spec["lines"][::-1]  # first line at the top
    names = [r[0] for r in rows]
    ys = list(range(len(rows)))
    fig = Figure(figsize=(8.0, 4.5))
    fig.subplots_adjust(left=label_margin(names), right=0.97, top=0.82, bottom=0.1,
                        wspace=0.08)
    left = fig.add_subplot(1, 2, 1)
    right = fig.add_subplot(1, 2, 2, sharey=left)
    fig.suptitle(t.gettext(TITLE, place=spec["place"], period=spec["period"]), fontsize=13,
                 y=0.97)

    counts = [r[1] for r in rows]
    left.barh(ys, counts, height=0.62, color="#6baed6")
    top = max(counts + [1])
    left.set_xlim(0, top * 1.25)
    for y, n in zip(ys, counts):
        left.text(n + top * 0.02, y, str(n), va="center", ha="left", fontsize=9)
    left.set_yticks(ys, names, fontsize=10)
    left.set_title(t.gettext(REPORTS), fontsize=10)
    left.tick_params(axis="x", labelsize=8)

    targeted = [r for r in rows if r[2] is not None]
    right.set_xlim(0, 115)
    right.axvline(100, color="#c0392b", linewidth=1.2)
    if targeted:
        for y, (_, _, done, expected, _pace) in zip(ys, rows):
            if done is None:
                right.text(2, y, t.gettext(NO_TARGET), va="center", ha="left", fontsize=8,
                           color="#999999")
                continue
            state = _state(PlaceCompletion("", done, expected))
            right.barh(y, min(done, 110), height=0.62, color=COLORS[state])
            if done >= 20:  # inside the bar's end, clear of the pace mark and the 100 % line
                right.text(min(done, 110) - 1.5, y, _pct(done), va="center", ha="right",
                           fontsize=9, color="white", fontweight="bold")
            else:
                right.text(done + 1.5, y, _pct(done), va="center", ha="left", fontsize=9)
            if expected is not None:
                right.vlines(expected, y - 0.4, y + 0.4, colors="#2c3e50", linestyles="--",
                             linewidth=1.4)
        done, expected, _ = spec["overall"]
        right.set_title(t.gettext(OVERALL, percent=_pct(done), expected=_pct(expected)),
                        fontsize=10)
        fig.text(0.97, 0.02, t.gettext(PACE_MARK), ha="right", va="bottom", fontsize=8,
                 color="#555555")
    else:
        right.set_title(t.gettext(COMPLETION), fontsize=10)
        right.text(57, (len(rows) - 1) / 2, t.gettext(NO_TARGETS), ha="center", va="center",
                   fontsize=10, color="#666666")
    right.tick_params(axis="y", left=False, labelleft=False)
    right.tick_params(axis="x", labelsize=8)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    left.set_ylim(-0.6, len(rows) - 0.4)
    return fig

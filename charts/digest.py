"""The quarterly / half-year digest as charts: PNG pages for the chat, one PDF for download.

Pages, in order: completion by action line against the target and the pace mark, the weekly
trend of the year, the ranking of the places one level down (when there are any), and the
donations raised with the 新风弘扬 and 地名文化 activity per month. Each page is drawn from
the plain data of ``Digest.chart_specs`` by the same figure builders the chat's photos use
(``charts.pushes.render``), so the PDF and the pushed images always agree. The PDF opens
with a cover page that repeats the digest's figures as text.
"""
from __future__ import annotations

import datetime as dt
import io
import re

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from models.core.i18n import translator
from models.core.text import export_safe
from models.pushes.kinds import period_name
from models.pushes.summaries import digest_cover_lines, digest_title
from models.plans.pacing import PACE_LABELS, Window

from . import fonts, texts
from .render import png_bytes, scrub
from .style import STATES, completion_axis, completion_bar, completion_legend, ems, label_margin

STATE_LABELS = {k: PACE_LABELS[k] for k in STATES}


def period_text(spec: dict, t) -> str:
    """'2026, quarter 3' / '2026, first half' for a spec's period label."""
    return period_name(spec["period"], t)


def pace_mark(spec: dict, t) -> str:
    """期末目标 for a period over by the digest's day, else 截至今天应完成."""
    try:
        ended = Window.from_label(spec["period"]).end <= dt.date.fromisoformat(spec["as_of"])
    except (KeyError, ValueError):
        ended = False
    return t.gettext("Target at period end") if ended else t.gettext("Expected by today")


def _completion(spec: dict, items: list, title: str) -> Figure:
    """Horizontal bars of completion, first item at the top: coloured by pace, with the
    pace mark, the 100 % target line and a legend of the states shown."""
    fonts.register()
    t = translator(spec.get("locale"))
    rows = items[::-1]
    n = len(rows)
    ys = list(range(n))
    fig = Figure(figsize=(8.0, max(4.5, 0.36 * n + 1.6)))
    height = fig.get_figheight()
    fig.subplots_adjust(left=label_margin([r[0] for r in rows]), right=0.8,
                        top=1 - 0.75 / height, bottom=0.45 / height)
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=12)
    states = [completion_bar(ax, y, done, expected, t)[0]
              for y, (_, done, expected) in zip(ys, rows)]
    completion_axis(ax)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_yticks(ys, [r[0] for r in rows], fontsize=10)
    ax.tick_params(axis="y", length=0)
    completion_legend(ax, t.gettext("Target 100 %"), pace_mark(spec, t), states,
                      {s: t.gettext(label) for s, label in STATE_LABELS.items()})
    return fig


def lines_figure(spec: dict) -> Figure:
    """Completion by action line (the whole plan's first), with the pace marks."""
    t = translator(spec.get("locale"))
    items = [[t.gettext(texts.OVERALL) if n == "__overall__" else n, c, e]
             for n, c, e in spec["items"]]
    items = items[-1:] + items[:-1]  # the whole plan first
    return _completion(spec, items, t.gettext(texts.LINES_TITLE, place=spec["place"],
                                              period=period_text(spec, t)))


def ranking_figure(spec: dict) -> Figure:
    t = translator(spec.get("locale"))
    title = t.gettext(texts.RANKING_TITLE, place=spec["place"], period=period_text(spec, t))
    if spec.get("basis"):  # what every place is counted over
        title += "\n" + t.ngettext("Counted over %(num)d indicator",
                                   "Counted over %(num)d indicators",
                                   spec["basis"]) % {"num": spec["basis"]}
    return _completion(spec, spec["items"], title)


def trend_figure(spec: dict) -> Figure:
    """Reports per week (bars) and, on a percent axis, the completion of the annual targets
    at each week's end against the pace line: the look of ``charts.trend.weekly_trend``,
    drawn for speed (weeks as numbers, the bars as one collection, month ticks set by hand),
    since a digest run draws one for every group."""
    fonts.register()
    t = translator(spec.get("locale"))
    weeks = [dt.date.fromisoformat(w) for w in spec["weeks"]]
    reports = spec["reports"]
    n = len(weeks)
    fig = Figure(figsize=(9.0, 4.5))
    fig.subplots_adjust(left=0.08, right=0.92, top=0.9, bottom=0.2)
    ax = fig.add_subplot()
    ax.add_collection(PolyCollection(
        [[(i + 0.15, 0), (i + 0.15, r), (i + 0.85, r), (i + 0.85, 0)]
         for i, r in enumerate(reports)],
        facecolors="#6baed6", edgecolors="none", zorder=2))
    ax.set_xlim(0, max(n, 1))
    ax.set_ylim(0, max([1] + reports) * 1.15)
    ax.yaxis.get_major_locator().set_params(integer=True, nbins=5)
    # a week belongs to the month of its Thursday (as ISO weeks to years): 29 Dec – 4 Jan
    # is January's first week
    months = [w + dt.timedelta(days=3) for w in weeks]
    firsts = [i for i, m in enumerate(months) if i == 0 or m.month != months[i - 1].month]
    ax.set_xticks([i + 0.5 for i in firsts],
                  [f"{months[i].month}月" if t.is_zh else months[i].strftime("%b") for i in firsts])
    ax.set_ylabel(t.gettext("Reports"))
    ax.set_title(t.gettext(texts.TREND_TITLE, place=spec["place"], year=spec["period"][:4]))
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    ax.spines[["top"]].set_visible(False)
    handles = [Patch(color="#6baed6", label=t.gettext("Reports per week"))]
    done = [v if v is not None else float("nan") for v in spec["completion"]]
    if any(v is not None for v in spec["completion"]):
        ends = [i + 1 for i in range(n)]
        ax2 = ax.twinx()
        ax2.plot(ends, [v if v is not None else float("nan") for v in spec["expected"]],
                 color="#2c3e50", linestyle="--", linewidth=1.4)
        ax2.plot(ends, done, color="#d95f0e", linewidth=2.2)
        ax2.set_ylim(0, max([100.0] + [v for v in spec["completion"] if v is not None]) * 1.1)
        ax2.set_yticks([0, 25, 50, 75, 100])
        ax2.set_ylabel(t.gettext("Completion (%)"))
        ax2.spines[["top"]].set_visible(False)
        handles += [Line2D([], [], color="#2c3e50", linestyle="--",
                           label=t.gettext("Expected by then")),
                    Line2D([], [], color="#d95f0e", linewidth=2.2,
                           label=t.gettext("Annual targets completed"))]
    else:
        ax.text(0.01, 0.97, t.gettext("No annual targets at this level"),
                transform=ax.transAxes, ha="left", va="top", fontsize=9, color="#666666")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.1), ncol=3,
              fontsize=9, frameon=False)
    return fig


def _month_label(iso: str, zh: bool) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.month}月" if zh else day.strftime("%b")


def figures_figure(spec: dict) -> Figure:
    """Donations raised per month (yuan), and 新风弘扬 / 地名文化 activities per month."""
    fonts.register()
    t = translator(spec.get("locale"))
    months = [_month_label(m, t.is_zh) for m in spec["months"]]
    xs = list(range(len(months)))
    totals = spec["totals"]
    fig = Figure(figsize=(8.0, 4.5))
    fig.subplots_adjust(left=0.1, right=0.97, top=0.8, bottom=0.17, wspace=0.3)
    fig.suptitle(t.gettext(texts.FIGURES_TITLE, place=spec["place"], period=period_text(spec, t)),
                 fontsize=12, y=0.96)
    money = fig.add_subplot(1, 2, 1)
    money.bar(xs, spec["donations"], width=0.6, color="#e6a532")
    top = max(spec["donations"] + [1.0])
    for x, v in zip(xs, spec["donations"]):
        money.text(x, v + top * 0.02, f"{v:,.0f}", ha="center", va="bottom", fontsize=8)
    money.set_ylim(0, top * 1.2)
    money.set_title(t.gettext(texts.DONATIONS, total=t.money(totals["donations"])), fontsize=10)
    money.set_ylabel(t.gettext(texts.YUAN))
    acts = fig.add_subplot(1, 2, 2)
    w = 0.38
    acts.bar([x - w / 2 for x in xs], spec["xinfeng"], width=w, color="#c0392b",
             label=t.gettext(texts.XINFENG, n=totals["xinfeng"]))
    acts.bar([x + w / 2 for x in xs], spec["placename"], width=w, color="#2c7fb8",
             label=t.gettext(texts.PLACENAME, n=totals["placename"]))
    acts.set_ylim(0, max(spec["xinfeng"] + spec["placename"] + [1]) * 1.45)
    acts.set_title(t.gettext(texts.ACTIVITIES), fontsize=10)
    acts.set_ylabel(t.gettext(texts.ACTIVITY_AXIS))
    acts.yaxis.get_major_locator().set_params(integer=True)
    acts.legend(loc="upper left", fontsize=8, frameon=False)
    for ax in (money, acts):
        ax.set_xticks(xs, months)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e5e5e5", zorder=0)
        ax.set_axisbelow(True)
    return fig


BUILDERS = {"digest_lines": lines_figure, "digest_trend": trend_figure,
            "digest_ranking": ranking_figure, "digest_figures": figures_figure}


def digest_figures(d, locale: str) -> list[Figure]:
    return [BUILDERS[spec["chart"]](export_safe(spec)) for spec in d.chart_specs(locale)]


def digest_pages(d, locale: str) -> list[bytes]:
    """A PNG per chart of the digest ``d`` (a ``models.pushes.summaries.Digest``), in page order."""
    return [png_bytes(fig) for fig in digest_figures(d, locale)]


def cover_figure(d, locale: str) -> Figure:
    """The PDF's first page: the digest's title and figures as text (A4 portrait)."""
    fonts.register()
    fig = Figure(figsize=(8.27, 11.69))
    y = 0.94
    for size, text in digest_cover_lines(d, translator(locale)):
        for part in wrap(export_safe(text), 7.0 * 72 / size):
            if y < 0.04:  # the cover holds what fits; the charts follow on their own pages
                return fig
            fig.text(0.08, y, part, fontsize=size, va="top",
                     color="#1a1a1a" if size > 11 else "#333333")
            y -= (size + 7) / 72 / 11.69
    return fig


def wrap(text: str, width: float) -> list[str]:
    """Lines of at most ``width`` ems (a CJK character is one em, a Latin one about 0.55),
    broken between CJK characters or at spaces."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if line.strip() and ems((line + token).rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return lines + [line.rstrip()]


_TOKENS = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+\s*|\s+")


def digest_pdf(d, locale: str) -> bytes:
    """The digest as one PDF: the cover, then every chart page. Chinese text is embedded
    with the Noto CJK font (as Type 3 glyph subsets), so it renders on any reader."""
    buf = io.BytesIO()
    title = export_safe(_title(d, locale))
    with PdfPages(buf, metadata={"Title": title, "Creator": "Wushe"}) as pdf:
        for fig in [cover_figure(d, locale)] + digest_figures(d, locale):
            pdf.savefig(scrub(fig))
    return buf.getvalue()


def _title(d, locale: str) -> str:
    return digest_title(d, translator(locale))

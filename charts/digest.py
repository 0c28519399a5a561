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
import textwrap

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from models.i18n import N_, translator

from . import fonts
from .completion import PlaceCompletion, completion_by_place
from .render import png_bytes
from .trend import weekly_trend

LINES_TITLE = N_("Completion by action line: {place}, {period}")
OVERALL = N_("Overall")
RANKING_TITLE = N_("Ranking of places by completion: {place}, {period}")
TREND_TITLE = N_("Reports per week and annual targets: {place}, {year}")
FIGURES_TITLE = N_("Donations and activities: {place}, {period}")
DONATIONS = N_("Donations raised: {total}")
ACTIVITIES = N_("New customs and place-name culture")
XINFENG = N_("New-customs activities")
PLACENAME = N_("Place-name promotions")
YUAN = N_("yuan")
ACTIVITY_AXIS = N_("Activities")
STATE_LABELS = {"done": N_("Done"), "on_track": N_("On track"), "behind": N_("Behind"),
                "at_risk": N_("At risk")}


def period_text(spec: dict, t) -> str:
    """'2026, quarter 3' / '2026, first half' for a spec's period label."""
    label = spec["period"]
    year = label[:4]
    if "Q" in label:
        return t.gettext("{year}, quarter {q}", year=year, q=label[-1])
    if label.endswith("H1"):
        return t.gettext("{year}, first half", year=year)
    if label.endswith("H2"):
        return t.gettext("{year}, second half", year=year)
    return t.gettext("{year}, whole year", year=year)


def _wrap(name: str, zh: bool) -> str:
    return name if zh else textwrap.fill(name, 12)


def _completion(spec: dict, items: list, title: str) -> Figure:
    t = translator(spec.get("locale"))
    places = [PlaceCompletion(_wrap(n, t.is_zh), c, e) for n, c, e in items]
    fig = completion_by_place(
        places, title=title, ylabel=t.gettext("Completion (%)"),
        target_label=t.gettext("Target 100 %"), pace_label=t.gettext("Expected by today"),
        no_data_label=t.gettext("No target"),
        state_labels={k: t.gettext(v) for k, v in STATE_LABELS.items()})
    if any("\n" in p.name for p in places):
        fig.subplots_adjust(bottom=0.2)
    return fig


def lines_figure(spec: dict) -> Figure:
    """Completion by action line (the whole plan's first), with the pace marks."""
    t = translator(spec.get("locale"))
    items = [[t.gettext(OVERALL) if n == "__overall__" else n, c, e] for n, c, e in spec["items"]]
    items = items[-1:] + items[:-1]
    return _completion(spec, items, t.gettext(LINES_TITLE, place=spec["place"],
                                              period=period_text(spec, t)))


def ranking_figure(spec: dict) -> Figure:
    t = translator(spec.get("locale"))
    return _completion(spec, spec["items"], t.gettext(RANKING_TITLE, place=spec["place"],
                                                      period=period_text(spec, t)))


def trend_figure(spec: dict) -> Figure:
    t = translator(spec.get("locale"))
    return weekly_trend(
        [dt.date.fromisoformat(w) for w in spec["weeks"]], spec["reports"], spec["completion"],
        spec["expected"],
        title=t.gettext(TREND_TITLE, place=spec["place"], year=spec["period"][:4]),
        reports_label=t.gettext("Reports per week"),
        completion_label=t.gettext("Annual targets completed"),
        pace_label=t.gettext("Expected by then"), percent_axis_label=t.gettext("Completion (%)"),
        count_axis_label=t.gettext("Reports"),
        no_target_note=t.gettext("No annual targets at this level"),
        month_format="%-m月" if t.is_zh else "%b")


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
    fig.suptitle(t.gettext(FIGURES_TITLE, place=spec["place"], period=period_text(spec, t)),
                 fontsize=12, y=0.96)
    money = fig.add_subplot(1, 2, 1)
    money.bar(xs, spec["donations"], width=0.6, color="#e6a532")
    top = max(spec["donations"] + [1.0])
    for x, v in zip(xs, spec["donations"]):
        money.text(x, v + top * 0.02, f"{v:,.0f}", ha="center", va="bottom", fontsize=8)
    money.set_ylim(0, top * 1.2)
    money.set_title(t.gettext(DONATIONS, total=t.money(totals["donations"])), fontsize=10)
    money.set_ylabel(t.gettext(YUAN))
    acts = fig.add_subplot(1, 2, 2)
    w = 0.38
    acts.bar([x - w / 2 for x in xs], spec["xinfeng"], width=w, color="#c0392b",
             label=f'{t.gettext(XINFENG)} ({totals["xinfeng"]})')
    acts.bar([x + w / 2 for x in xs], spec["placename"], width=w, color="#2c7fb8",
             label=f'{t.gettext(PLACENAME)} ({totals["placename"]})')
    acts.set_ylim(0, max(spec["xinfeng"] + spec["placename"] + [1]) * 1.3)
    acts.set_title(t.gettext(ACTIVITIES), fontsize=10)
    acts.set_ylabel(t.gettext(ACTIVITY_AXIS))
    acts.yaxis.get_major_locator().set_params(integer=True)
    acts.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=8,
                frameon=False)
    for ax in (money, acts):
        ax.set_xticks(xs, months)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e5e5e5", zorder=0)
        ax.set_axisbelow(True)
    return fig


BUILDERS = {"digest_lines": lines_figure, "digest_trend": trend_figure,
            "digest_ranking": ranking_figure, "digest_figures": figures_figure}


def digest_figures(d, locale: str) -> list[Figure]:
    return [BUILDERS[spec["chart"]](spec) for spec in d.chart_specs(locale)]


def digest_pages(d, locale: str) -> list[bytes]:
    """A PNG per chart of the digest ``d`` (a ``models.summaries.Digest``), in page order."""
    return [png_bytes(fig) for fig in digest_figures(d, locale)]


def cover_figure(d, locale: str) -> Figure:
    """The PDF's first page: the digest's title and figures as text (A4 portrait)."""
    from models.summaries import digest_cover_lines

    fonts.register()
    fig = Figure(figsize=(8.27, 11.69))
    y = 0.94
    for size, text in digest_cover_lines(d, translator(locale)):
        for part in textwrap.wrap(text, 44 if translator(locale).is_zh else 80) or [""]:
            fig.text(0.08, y, part, fontsize=size, va="top",
                     fontweight="bold" if size > 11 else "normal")
            y -= (size + 7) / 72 / 11.69
        if y < 0.04:
            break
    return fig


def digest_pdf(d, locale: str) -> bytes:
    """The digest as one PDF: the cover, then every chart page. Chinese text is embedded
    with the Noto CJK font (as Type 3 glyph subsets), so it renders on any reader."""
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": _title(d, locale), "Creator": "Wushe"}) as pdf:
        for fig in [cover_figure(d, locale)] + digest_figures(d, locale):
            pdf.savefig(fig)
    return buf.getvalue()


def _title(d, locale: str) -> str:
    from models.summaries import digest_title

    return digest_title(d, translator(locale))

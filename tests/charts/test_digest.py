"""The pushes' charts: the weekly chart and the digest's pages as PNG, the digest as PDF;
Chinese drawn with real glyphs (the PNGs and the PDF's first page are written to artifacts/
to be looked at)."""
from __future__ import annotations

import datetime as dt
import io
import logging
import struct
import warnings
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from tests import factories as f
from charts import pushes as chart_pushes
from charts.digest import digest_pages, digest_pdf, wrap
from charts.weekly import weekly_figure
from models.pushes import summaries
from models.forms.kinds import default_plan
from models.core.i18n import translator
from models.plans.progress import Window
from models.core.schema import OrgUnit

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
LINES = [["弱有众扶", 0, None, None, "no_target"], ["银发暖心", 3, None, None, "no_target"],
         ["花朵呵护", 2, 40.0, 89.0, "at_risk"], ["心灵守护", 0, None, None, "no_target"],
         ["友邻互助", 0, 100.0, 89.0, "done"], ["情暖万家", 7, 80.0, 89.4, "behind"],
         ["和睦同心", 0, None, None, "no_target"], ["新风弘扬", 12, 0.9, 89.3, "at_risk"],
         ["文脉赓续", 1, None, None, "no_target"]]
WEEKLY = {"chart": "weekly", "locale": "zh_Hans", "scope": "5118", "plan": "yaan-jiuxiang",
          "period": "2026-W47", "as_of": "2026-11-22", "place": "雅安市", "lines": LINES,
          "overall": [45.2, 89.3, "at_risk"]}
WEEKLY_EN = {**WEEKLY, "locale": "en", "place": "Ya'an", "lines": [
    [name] + row[1:] for name, row in zip(
        ["Social assistance", "Elderly care", "Child care", "Mental rehabilitation",
         "Urban communities", "Rural revitalisation", "Ethnic areas", "Weddings and funerals",
         "Place names"], LINES)]}


def _size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


class Glyphs:
    """Collects matplotlib's 'Glyph ... missing from font' warnings while drawing."""

    def __init__(self, caplog):
        self.caplog = caplog

    def __enter__(self):
        self.caplog.set_level(logging.WARNING)
        self._w = warnings.catch_warnings(record=True)
        self.caught = self._w.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._w.__exit__(*exc)
        messages = [str(w.message) for w in self.caught] + [
            r.getMessage() for r in self.caplog.records]
        self.missing = [m for m in messages if "missing from font" in m]


def _save(name: str, data: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)


@pytest.mark.parametrize("spec, name", [(WEEKLY, "push_weekly_zh.png"),
                                        (WEEKLY_EN, "push_weekly_en.png")])
def test_the_weekly_chart_is_a_png_with_every_glyph(spec, name, caplog):
    chart_pushes._render.cache_clear()
    with Glyphs(caplog) as g:
        data = chart_pushes.render(spec)
    assert g.missing == []
    assert _size(data) == (800, 450)
    _save(name, data)


def test_the_weekly_chart_without_targets_says_so():
    spec = {**WEEKLY, "lines": [[n, c, None, None, "no_target"] for n, c, *_ in LINES],
            "overall": [None, None, "no_target"]}
    fig = weekly_figure(spec)
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert texts == [translator("zh_Hans").gettext("No annual targets at this level")]
    _save("push_weekly_no_targets_zh.png", chart_pushes.png(fig))


def test_a_reused_canvas_draws_exactly_what_a_fresh_figure_draws():
    """The shared per-thread figure leaves nothing of one chart in the next."""
    chart_pushes._render.cache_clear()
    chart_pushes.render(WEEKLY_EN)
    chart_pushes.render({**WEEKLY, "lines": LINES[:3], "place": "雨城区"})
    reused = chart_pushes.render(WEEKLY)
    fresh = chart_pushes.png(weekly_figure(WEEKLY))
    assert np.array_equal(_pixels(reused), _pixels(fresh))


def test_render_refuses_an_unknown_chart():
    with pytest.raises(chart_pushes.UnknownChart):
        chart_pushes.render({"chart": "pie"})


def test_cover_lines_wrap_between_chinese_characters_and_at_spaces():
    assert wrap("雅安市五社联动", 3) == ["雅安市", "五社联", "动"]
    # 0.55 em a Latin character: "raised in" is 4.95 ems, "raised in four" 7.7
    assert wrap("Donations raised in four counties", 6) == [
        "Donations", "raised in", "four", "counties"]


@pytest.fixture
def city_digest(db):
    ailin = f.worker("ailin", place=f.community("511802", 0))
    bowen = f.worker("bowen", place=f.community("511803", 0))
    for day in (dt.date(2026, 7, 8), dt.date(2026, 8, 19), dt.date(2026, 9, 2)):
        f.report("xinfeng", by=ailin, date=day)
        f.report("activity", by=bowen, date=day)
    f.report("donation", by=ailin, date=dt.date(2026, 8, 1), amount="8800.00")
    f.report("placename", by=bowen, date=dt.date(2026, 9, 9))
    city = OrgUnit.get(OrgUnit.level == "city")
    return summaries.digest(city, default_plan(), Window.quarter(2026, 3), dt.date(2026, 9, 30))


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_the_digest_pages_are_pngs_with_every_glyph(city_digest, locale, caplog):
    with Glyphs(caplog) as g:
        pages = digest_pages(city_digest, locale)
    assert g.missing == []
    assert len(pages) == len(city_digest.chart_specs(locale)) == 4
    for i, page in enumerate(pages):
        assert _size(page)[0] == 800 if i != 1 else 900
        _save(f"push_digest_{locale}_{i + 1}.png", page)


def test_each_digest_chart_spec_renders_for_the_chat(city_digest):
    for spec in city_digest.chart_specs("zh_Hans"):
        assert _size(chart_pushes.render(spec))[0] in (800, 900)


def test_the_digest_pdf_has_a_cover_and_a_page_per_chart_with_chinese_embedded(city_digest,
                                                                                caplog):
    with Glyphs(caplog) as g:
        data = digest_pdf(city_digest, "zh_Hans")
    assert g.missing == []
    _save("push_digest_zh.pdf", data)
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) == 1 + len(city_digest.chart_specs("zh_Hans")) == 5
    cover = pdf[0].get_textpage().get_text_range()
    assert "雅安市" in cover and "2026年第3季度" in cover and "雨城区" in cover
    chart_text = pdf[1].get_textpage().get_text_range()
    assert "弱有众扶" in chart_text  # the action lines' names on the first chart
    image = pdf[0].render(scale=1).to_pil()
    buf = io.BytesIO()
    image.save(buf, format="png")
    _save("push_digest_zh_pdf_page1.png", buf.getvalue())
    # the glyphs are in the file (Type 3 procedures built from the Noto CJK font), so the
    # page draws the same on a reader without Chinese fonts
    assert b"/Type3" in data or b"/FontFile" in data
    assert b"NotoSansCJK" in data

"""Charts: pure functions returning Figures, valid PNGs, and Chinese drawn with real glyphs."""
from __future__ import annotations

import datetime as dt
import logging
import struct
import sys
import types
import warnings
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from charts import PlaceCompletion, completion_by_place, fonts, png_bytes, weekly_trend

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
COUNTIES = [("雨城区", 82.0, 75.0), ("名山区", 64.0, 75.0), ("荥经县", 40.0, 75.0),
            ("汉源县", 100.0, 75.0), ("石棉县", None, None), ("天全县", 71.0, 75.0),
            ("芦山县", 90.0, 75.0), ("宝兴县", 55.0, 75.0)]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _weeks(n: int = 47):
    first = dt.date(2025, 12, 29)
    weeks = [first + dt.timedelta(weeks=i) for i in range(n)]
    return weeks, [20 + (i * 7) % 50 for i in range(n)], [min(100.0, 2.1 * i) for i in range(n)], \
        [min(100.0, (i + 1) * 700 / 365) for i in range(n)]


def _render_collecting_glyph_warnings(fig: Figure, caplog) -> tuple[bytes, list[str]]:
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = png_bytes(fig)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return data, [m for m in messages if "missing from font" in m]


def test_it_returns_a_figure_and_a_valid_png():
    fig = completion_by_place([PlaceCompletion(*c) for c in COUNTIES])
    assert isinstance(fig, Figure)
    data = png_bytes(fig)
    assert _png_size(data) == (800, 450)


def test_it_does_not_touch_pyplot_state():
    had_pyplot = "matplotlib.pyplot" in sys.modules
    completion_by_place([PlaceCompletion(*c) for c in COUNTIES])
    weekly_trend(*_weeks())
    if not had_pyplot:
        assert "matplotlib.pyplot" not in sys.modules
    else:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


def test_it_draws_chinese_labels_without_missing_glyphs(caplog):
    fig = completion_by_place([PlaceCompletion(*c) for c in COUNTIES],
                              title="各县(区)目标完成率 · 2026年")
    data, missing = _render_collecting_glyph_warnings(fig, caplog)
    assert missing == []
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "test_completion_zh.png").write_bytes(data)


def test_it_draws_the_weekly_trend_in_chinese_without_missing_glyphs(caplog):
    data, missing = _render_collecting_glyph_warnings(weekly_trend(*_weeks()), caplog)
    assert missing == []
    assert _png_size(data)[0] == 900
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "test_trend_zh.png").write_bytes(data)


def test_the_glyph_check_would_catch_a_font_without_chinese(caplog):
    """The check above is meaningful: a Latin-only font does report missing glyphs."""
    fonts.register()
    fig = Figure(figsize=(3, 1))
    fig.text(0.1, 0.5, "雨城区", family="DejaVu Sans")
    _, missing = _render_collecting_glyph_warnings(fig, caplog)
    assert missing


def test_it_draws_a_trend_without_targets_with_a_note():
    weeks, reports, _, _ = _weeks(10)
    fig = weekly_trend(weeks, reports, completion=[None] * 10, pace=None)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "本级无年度目标" in texts
    assert len(fig.axes) == 1


def test_it_marks_places_without_a_target():
    fig = completion_by_place([PlaceCompletion("雨城区", 80.0, 90.0),
                               PlaceCompletion("石棉县", None, None)], no_data_label="无目标")
    assert "无目标" in [t.get_text() for t in fig.axes[0].texts]


def test_it_takes_labels_in_another_language(caplog):
    fig = completion_by_place([PlaceCompletion("Yucheng", 50.0, 60.0)], title="Completion",
                              ylabel="Done (%)", target_label="Target", pace_label="Pace")
    assert fig.axes[0].get_title() == "Completion"
    _, missing = _render_collecting_glyph_warnings(fig, caplog)
    assert missing == []


def test_it_uses_the_font_shipped_in_the_python_package():
    import noto_cjk_sans_otc

    path = fonts.font_path()
    assert path.parent == Path(noto_cjk_sans_otc.__file__).parent
    assert fonts.register() == "Noto Sans CJK SC"
    from matplotlib import font_manager
    assert any(f.fname == str(path) and f.name == "Noto Sans CJK SC"
               for f in font_manager.fontManager.ttflist)


def test_it_fails_loudly_when_the_font_file_is_missing(monkeypatch, tmp_path):
    fake = types.ModuleType("noto_cjk_sans_otc")
    fake.__file__ = str(tmp_path / "__init__.py")
    monkeypatch.setitem(sys.modules, "noto_cjk_sans_otc", fake)
    with pytest.raises(fonts.FontMissing, match="no .ttc/.otc"):
        fonts.font_path()


def test_nothing_to_show_is_said_not_drawn_as_an_empty_frame():
    """A community's trend has reports but no targets: no right axis without a line on it,
    a note instead; a completion chart with no target says so in words."""
    import datetime as dt

    from charts import PlaceCompletion, completion_by_place, weekly_trend

    weeks = [dt.date(2026, 1, 5) + dt.timedelta(days=7 * k) for k in range(4)]
    fig = weekly_trend(weeks, [1, 0, 2, 1], [None] * 4, [None] * 4,
                       no_target_note="社区没有自己的目标")
    assert len(fig.axes) == 1  # no percent axis
    assert "社区没有自己的目标" in [t.get_text() for t in fig.axes[0].texts]
    fig = weekly_trend(weeks, [1, 0, 2, 1], [10.0, 20.0, 30.0, 40.0], [25.0, 50.0, 75.0, 100.0])
    assert len(fig.axes) == 2
    fig = completion_by_place([PlaceCompletion("胜利社区", None, None)],
                              empty_label="本期本级没有目标")
    ax = fig.axes[0]
    assert not ax.axison and [t.get_text() for t in ax.texts] == ["本期本级没有目标"]

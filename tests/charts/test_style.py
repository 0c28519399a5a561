"""The chart style helpers: one pace rule shared with the pushes' text, one bar per row."""
from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from charts.style import completion_axis, completion_bar, ems, label_margin, pace_state
from models.core.i18n import translator
from models.pushes.pieces import mean_pace


@pytest.mark.parametrize("done, expected", [(100.0, 90.0), (95.0, None), (50.0, 40.0),
                                            (50.0, 60.0), (10.0, 80.0)])
def test_it_colours_a_bar_by_the_pushes_own_pace_rule(done, expected):
    assert pace_state(done, expected) == mean_pace(done, expected)


def test_a_place_without_a_target_is_grey():
    assert pace_state(None, 50.0) == "none"


def test_it_counts_a_chinese_character_as_one_em_and_a_latin_one_as_less():
    assert ems("雅安") == 2.0
    assert ems("Ya") == pytest.approx(1.1)
    assert label_margin(["雅安市"]) > label_margin(["Ya'an"])
    assert label_margin(["很" * 60]) == 0.4


def test_a_row_draws_its_bar_value_and_pace_mark_or_says_it_has_no_target():
    ax = Figure().add_subplot()
    line = completion_axis(ax)
    assert line.get_xdata()[0] == 100
    t = translator("en")
    state, drawn = completion_bar(ax, 0, 50.0, 60.0, t)
    assert state == "behind" and len(drawn) == 3
    assert [a.get_text() for a in ax.texts] == ["50%"]
    state, drawn = completion_bar(ax, 1, None, None, t)
    assert state is None and [a.get_text() for a in drawn] == ["No target"]

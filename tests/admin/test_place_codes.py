"""The places list shows each place's full 12-digit statistical code beside its short one
(models/data/places: short codes; ``OrgUnit.stat_code`` pads them)."""
from __future__ import annotations


def test_the_places_list_shows_the_full_statistical_code(as_alice):
    page = as_alice.get("/admin/places/?search=东城街道").get_data(as_text=True)
    assert "区划代码" in page
    assert "511802001000" in page and "511802001" in page

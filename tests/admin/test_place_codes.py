"""The places list shows each place's full 12-digit statistical code beside its short one
(models/data/places: short codes; ``OrgUnit.stat_code`` pads them)."""
from __future__ import annotations


def test_the_places_list_shows_the_full_statistical_code(as_alice):
    page = as_alice.get("/admin/places/?search=东城街道").get_data(as_text=True)
    assert "区划代码" in page
    assert "511802001000" in page and "511802001" in page


def test_a_province_admin_sees_the_province_in_chinese(app, db):
    from models.core.schema import AdminUser, OrgUnit
    from models.org.places import PLACE_FILES, load_places
    from tests.adminkit import signed_in

    load_places(PLACE_FILES["33"], 0)
    admin = AdminUser.create(username="zj", display_name="Zj", role="city_admin",
                             password_hash="x", org_unit=OrgUnit.get(OrgUnit.code == "33"))
    page = signed_in(app, admin).get("/admin/places/?search=浙江省").get_data(as_text=True)
    assert "浙江省" in page and "330000000000" in page
    compact = page.replace(" ", "").replace("\n", "")
    assert ">省<" in compact and ">province<" not in compact  # the level, as shown
    # the province's admin sees the province, not Ya'an
    page = signed_in(app, admin).get("/admin/places/?search=雨城区").get_data(as_text=True)
    assert "511802" not in page

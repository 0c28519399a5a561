"""The shipped places files (real names and statistical codes of 雅安市, 天津市, 浙江省 and
甘肃省, extracted from the national place-name database) and their loading: counts per level,
codes spot-checked, reloads that change nothing, and a database whose townships carry the
older made-up codes (matched by name, reported, recoded only with ``overwrite``)."""
from __future__ import annotations

import tomllib
from collections import Counter

import pytest

from models.core.i18n import translator
from models.core.paths import DATA_DIR
from models.core.schema import OrgUnit, Report, Station
from models.org.places import (DEFAULT_PLACES, PLACE_FILES, _recode, load_places, read_places,
                               shipped_units, stat_code)
from models.plans.loading import DEFAULT_PLAN_FILE
from tests import factories

COUNTS = {  # per level, as extract.py printed them (abolished townships left out)
    "yaan.toml": {"city": 1, "county": 8, "township": 96},
    "tianjin.toml": {"city": 1, "county": 16, "township": 252},
    "zhejiang.toml": {"province": 1, "city": 11, "county": 90, "township": 1359},
    "gansu.toml": {"province": 1, "city": 14, "county": 86, "township": 1350},
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_each_file_holds_its_places_per_level_with_well_formed_codes(name):
    units = read_places(DATA_DIR / "places" / name)
    assert Counter(u["level"] for u in units) == COUNTS[name]
    codes = {u["code"] for u in units}
    assert len(codes) == len(units)  # no code twice
    length = {"province": 2, "city": 4, "county": 6, "township": 9}
    for u in units:
        # 天津市, a municipality, is a city under its province-level code
        wanted = 2 if u["code"] == "12" else length[u["level"]]
        assert len(u["code"]) == wanted and u["code"].isdigit(), u
        if u.get("parent") is not None:
            assert u["parent"] in codes and u["code"].startswith(u["parent"][:2]), u
        assert "撤" not in u["name"]  # abolished ones are left out
    roots = [u for u in units if u.get("parent") is None]
    assert [r["code"] for r in roots] == [c for c, p in PLACE_FILES.items() if p.name == name]


def test_real_codes_spot_checked():
    yaan = {u["code"]: u for u in read_places(PLACE_FILES["5118"])}
    assert yaan["511802001"]["name"] == "东城街道" and yaan["511802001"]["parent"] == "511802"
    yucheng = [u["name"] for u in yaan.values() if u.get("parent") == "511802"]
    # 13 today: the source lists 15, with 北郊镇 and 对岩镇 marked （撤销）
    assert len(yucheng) == 13 and "对岩镇" not in yucheng and "碧峰峡镇" in yucheng
    assert yaan["511802101"]["name"] == "草坝镇" and yaan["511802101"]["is_rural"]
    assert not yaan["511802001"]["is_rural"]
    tianjin = {u["code"]: u for u in read_places(PLACE_FILES["12"])}
    assert tianjin["12"]["name"] == "天津市" and tianjin["120101"]["name"] == "和平区"
    assert tianjin["120101"]["parent"] == "12"  # a municipality's districts: no city between
    zhejiang = read_places(PLACE_FILES["33"])
    assert [u["name"] for u in zhejiang if u["level"] == "city"] == [
        "杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市",
        "台州市", "丽水市"]
    gansu = {u["code"]: u for u in read_places(PLACE_FILES["62"])}
    assert gansu["6201"]["name"] == "兰州市" and gansu["620102"]["parent"] == "6201"
    assert stat_code("511802001") == "511802001000" and stat_code("12") == "120000000000"
    assert stat_code("S511802001") is None and stat_code("5118020") is None


def test_the_yaan_counties_are_the_eight_the_seed_document_names():
    """Checked against document 004 (its copy in models/data/policies when shipped, else the
    plan's verbatim quote of it, which the plan's fidelity test ties to the document)."""
    plan = tomllib.loads(DEFAULT_PLAN_FILE.read_text("utf-8"))
    points = next(i for i in plan["indicators"] if i["code"] == "minors_points")
    document = next((DATA_DIR / "policies").glob("004_*.txt"), None)
    text = document.read_text("utf-8") if document else points["quote"]
    counties = {u["code"]: u["name"] for u in read_places(DEFAULT_PLACES)
                if u["level"] == "county"}
    assert len(counties) == 8
    for code, name in counties.items():
        assert name in text, name
    # the plan's county targets sit on these codes, each under its own name in the quote
    assert set(points["targets"]) - {"5118"} == set(counties)
    for code, value in points["targets"].items():
        if code != "5118":
            assert f"{counties[code]}{value}个" in points["quote"]


def test_older_places_files_still_load_their_made_up_codes(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('[city]\ncode = "5118"\nname = "雅安市"\n[[counties]]\ncode = "511802"\n'
                    'name = "雨城区"\ntownships = ["东城街道", "对岩镇"]\n', "utf-8")
    assert [(u["code"], u["name"], u["level"]) for u in read_places(path)] == [
        ("5118", "雅安市", "city"), ("511802", "雨城区", "county"),
        ("511802001", "东城街道", "township"), ("511802002", "对岩镇", "township")]


def test_demo_communities_are_marked_and_only_under_the_sample():
    units = shipped_units(PLACE_FILES["33"], 2, demo_townships=1)
    demo = [u for u in units if u.get("generated")]
    assert demo and all(u["attrs"] == {"demo": True} for u in demo)
    assert len(demo) == 2 * 89  # the first township of each county (龙港市 has none)
    assert len(shipped_units(PLACE_FILES["33"], 0)) == 1 + 11 + 90 + 1359


def test_a_province_loads_under_its_root_and_a_reload_changes_nothing(db):
    result = load_places(PLACE_FILES["33"], 0)
    root = OrgUnit.get(OrgUnit.code == "33")
    assert (root.name, root.level, root.parent_id, root.path) == ("浙江省", "province", None,
                                                                  "/33/")
    levels = Counter(u.level for u in OrgUnit.select().where(OrgUnit.path.startswith("/33/")))
    assert levels == {"province": 1, "city": 11, "county": 90, "township": 1359}
    town = OrgUnit.get(OrgUnit.code == "330102001")
    assert town.path == "/33/3301/330102/330102001/" and town.parent.code == "330102"
    assert Station.get(Station.township == town).name == f"{town.name}社工站"
    assert Station.select().where(Station.path.startswith("/33/")).count() == 1359
    assert len(result.created["org_unit"]) == 1461 and not result.conflicts
    assert not OrgUnit.select().where(OrgUnit.path.startswith("/33/"),
                                      OrgUnit.level == "community").exists()
    again = load_places(PLACE_FILES["33"], 0)
    assert not again.changes and not again.conflicts and again.units == result.units
    ya_an = OrgUnit.get(OrgUnit.code == "5118")  # the bootstrap's places are untouched
    assert ya_an.path == "/5118/" and OrgUnit.get(OrgUnit.code == "511802001").name == "东城街道"


@pytest.fixture
def made_up(db):
    """A database from before the real codes: 名山区's two streets swapped (蒙阳街道 at
    511803001, 永兴街道 at 511803002), 草坝镇 at 511802007, a report under 蒙阳街道."""
    for code, temp in (("511803001", "~1"), ("511803002", "511803001"), ("~1", "511803002"),
                       ("511802101", "511802007")):
        _recode(OrgUnit.get(OrgUnit.code == code).id, temp)
    mengyang = OrgUnit.get(OrgUnit.code == "511803001")
    assert mengyang.name == "蒙阳街道"
    village = OrgUnit.select().where(OrgUnit.parent == mengyang).first()
    report = factories.report(by=factories.worker(place=village))
    return dict(mengyang=mengyang, village=village, report=report)


def _names(county: str) -> Counter:
    return Counter(u.name for u in OrgUnit.select().where(
        OrgUnit.parent == OrgUnit.get(OrgUnit.code == county)))


def test_older_codes_are_matched_by_name_and_reported_not_duplicated(made_up):
    before = (_names("511803"), _names("511802"), OrgUnit.select().count())
    result = load_places(DEFAULT_PLACES)
    assert (_names("511803"), _names("511802"), OrgUnit.select().count()) == before
    assert max(before[0].values()) == 1  # one 蒙阳街道, not a second at the file's code
    assert sorted((c.subject.place, c.file_value, c.db_value, c.overwritten)
                  for c in result.conflicts) == [
        ("永兴街道 (511803002)", "511803001", "511803002", False),
        ("草坝镇 (511802007)", "511802101", "511802007", False),
        ("蒙阳街道 (511803001)", "511803002", "511803001", False)]
    assert not result.changes
    zh = result.lines(translator("zh_Hans"))
    assert "冲突：蒙阳街道 (511803001) · 区划代码：文件为 511803002，数据库中为 511803001；保留 " \
           "511803001（加载时加 --overwrite 则改用文件的代码）。" in zh


def test_overwrite_gives_the_file_codes_and_every_path_follows(made_up):
    result = load_places(DEFAULT_PLACES, overwrite=True)
    assert all(c.overwritten for c in result.conflicts) and len(result.conflicts) == 3
    mengyang = OrgUnit.get_by_id(made_up["mengyang"].id)
    assert (mengyang.code, mengyang.path) == ("511803002", "/5118/511803/511803002/")
    assert OrgUnit.get(OrgUnit.code == "511803001").name == "永兴街道"
    assert OrgUnit.get(OrgUnit.code == "511802101").name == "草坝镇"
    village = OrgUnit.get_by_id(made_up["village"].id)
    assert village.path == f"/5118/511803/511803002/{village.code}/"
    assert Report.get_by_id(made_up["report"].id).org_path == village.path
    assert Station.get(Station.township == mengyang).path == mengyang.path
    assert sorted((c.before["code"], c.after["code"]) for c in result.changes) == [
        ("511802007", "511802101"), ("511803001", "511803002"), ("511803002", "511803001")]
    assert "Overwritten: 蒙阳街道 (511803001) · Statistical code: the file's 511803002 " \
           "replaces 511803001" in "\n".join(result.lines(translator("en")))
    again = load_places(DEFAULT_PLACES)
    assert not again.changes and not again.conflicts


def test_a_code_another_place_keeps_is_not_taken(made_up):
    """新棉街道 at a made-up 511824001, and a place the file does not know at its real
    511824002: even ``overwrite`` leaves both, and says who holds the code."""
    _recode(OrgUnit.get(OrgUnit.code == "511824002").id, "511824001")
    county = OrgUnit.get(OrgUnit.code == "511824")
    OrgUnit.create(code="511824002", name="棉城街道", level="township", parent=county,
                   path=f"{county.path}511824002/")
    result = load_places(DEFAULT_PLACES, overwrite=True)
    [held] = [c for c in result.conflicts if c.held_by]
    assert (held.subject.place, held.file_value, held.held_by, held.overwritten) == (
        "新棉街道 (511824001)", "511824002", "棉城街道 (511824002)", False)
    assert OrgUnit.get(OrgUnit.code == "511824001").name == "新棉街道"
    assert "冲突：新棉街道 (511824001) · 区划代码：文件为 511824002，该代码已被 棉城街道 " \
           "(511824002) 占用；保留 511824001。" in result.lines(translator("zh_Hans"))


def test_the_command_loads_shipped_files_by_name_or_code(db_url, capsys):
    from models.__main__ import main

    assert main(["--database-url", db_url, "load-places", "12", "gansu"]) == 0
    out = capsys.readouterr().out
    assert "places in tianjin.toml" in out and "places in gansu.toml" in out
    assert OrgUnit.get(OrgUnit.code == "620102").parent.code == "6201"
    assert not OrgUnit.select().where(OrgUnit.path.startswith("/62/"),
                                      OrgUnit.level == "community").exists()
    count = OrgUnit.select().count()
    assert main(["--database-url", db_url, "load-places", "hubei"]) == 2
    assert "没有地区文件 hubei" in capsys.readouterr().err
    assert OrgUnit.select().count() == count


def test_the_yaan_demo_villages_keep_their_townships_and_draws():
    """The villages the demo and tests have always had, under the same townships (now with
    their real codes): 126 under 42 townships; 对岩镇 and 棉城街道, no longer townships, none."""
    units = shipped_units(DEFAULT_PLACES)
    towns = {u["code"]: u for u in units if u["level"] == "township"}
    demo = [u for u in units if u.get("generated")]
    assert len(demo) == 126 and len({u["parent"] for u in demo}) == 42
    assert all(u["parent"] in towns and u["code"].startswith(u["parent"]) for u in demo)
    names = {towns[u["parent"]]["name"] for u in demo}
    assert "对岩镇" not in names and "棉城街道" not in names and "蒙阳街道" in names
    first = demo[0]
    assert (first["code"], first["parent"], first["attrs"]) == ("511802001001", "511802001",
                                                                {"demo": True})

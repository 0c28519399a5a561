"""Each datum has one owner: a reloaded plan or places file keeps the targets, place facts
and counted statuses officials set in the admin or imported, reports each conflict, and
audits every change it makes; ``overwrite`` lets the file win, audited."""
from __future__ import annotations

from decimal import Decimal

import pytest

from models import importing
from models.core.i18n import translator
from models.core.schema import (AuditLog, Indicator, OrgUnit, Plan, Station, Target)
from models.org.places import DEFAULT_PLACES, load_places
from models.plans.loading import DEFAULT_PLAN_FILE, load_plan, shipped_plan_files
from models.plans.ownership import backfill
from tests.adminkit import audit_rows

PLAN = "yaan-jiuxiang"
LOAD = "load:yaan_jiuxiang.toml"


def _target(code="minors_points", place="511802") -> Target:
    return (Target.select().join(Indicator)
            .where(Indicator.code == code, Target.org_unit == OrgUnit.get(OrgUnit.code == place))
            .get())


def _target_form(target_or_indicator, unit, value, year=""):
    ind = getattr(target_or_indicator, "indicator", target_or_indicator)
    return {"indicator": str(ind.id), "org_unit": str(unit.id), "year": year, "value": value}


def _state() -> tuple:
    """Everything a load may write, to prove one changed nothing."""
    return (
        sorted((t.indicator_id, t.org_unit_id, t.year, t.value, str(t.owners))
               for t in Target.select()),
        sorted((u.code, u.name, u.name_en, u.level, u.path, u.parent_id, u.is_rural,
                u.population, u.households, str(u.attrs), str(u.owners))
               for u in OrgUnit.select()),
        sorted((p.code, p.name, str(p.counted_statuses), p.is_default, str(p.spec),
                str(p.owners), p.loaded_at) for p in Plan.select()),
        sorted((i.plan_id, i.code, i.name, str(i.spec), str(i.filters), i.order)
               for i in Indicator.select()),
        sorted((s.code, s.name, s.township_id) for s in Station.select()),
        AuditLog.select().count(),
    )


def _plan_copy(tmp_path, old: str = "", new: str = ""):
    """The shipped plan file under its own name, with ``old`` replaced by ``new``."""
    text = DEFAULT_PLAN_FILE.read_text("utf-8")
    assert old in text
    path = tmp_path / DEFAULT_PLAN_FILE.name
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


NEAR_NEW = '"511802107" = "上里镇"\n'
NEW_TOWNSHIP = '"511802009" = "新镇"\n'  # a township the file adds to 雨城区 (no real one has it)


def _places_copy(tmp_path, old: str, new: str):
    text = DEFAULT_PLACES.read_text("utf-8")
    assert old in text
    path = tmp_path / DEFAULT_PLACES.name
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def _a_big_community() -> OrgUnit:
    return (OrgUnit.select().where(OrgUnit.level == "community", OrgUnit.population >= 4000)
            .order_by(OrgUnit.code).first())


def _import_households(unit: OrgUnit, households: int, actor="admin:alice"):
    result = importing.run("org_units", f"区划代码,户数\n{unit.code},{households}\n".encode(),
                           filename="区划.csv", actor=actor)
    assert result.written, result.errors


@pytest.fixture
def edited(as_alice, as_bob, officials):
    """What officials set: alice edits the 雨城区 target (122 in the file) to 150, a
    community's population, and which statuses count; bob adds a target the file does not
    list; an import sets a community's households to 4,000 and renames a township."""
    target = _target()
    yucheng = OrgUnit.get(OrgUnit.code == "511802")
    r = as_alice.post(f"/admin/targets/edit/?id={target.id}",
                      data=_target_form(target, yucheng, "150"))
    assert r.status_code == 302
    village = OrgUnit.get(OrgUnit.code == "511802101001")
    r = as_alice.post(f"/admin/places/edit/?id={village.id}",
                      data={"population": "2345", "households": str(village.households)})
    assert r.status_code == 302
    added_place = OrgUnit.get(OrgUnit.code == "511802001")
    r = as_bob.post("/admin/targets/new/", data=_target_form(target, added_place, "7"))
    assert r.status_code == 302
    plan = Plan.get(Plan.code == PLAN)
    r = as_alice.post(f"/admin/plans/edit/?id={plan.id}", data={"counted_statuses": ["approved"]})
    assert r.status_code == 302
    big = _a_big_community()
    _import_households(big, 4000)
    result = importing.run("org_units", "区划代码,名称\n511802002,西城街道办事处\n".encode(),
                           filename="区划.csv", actor="admin:alice")
    assert result.written, result.errors
    return dict(target=target, village=village, big=big, added_place=added_place, plan=plan)


def test_reloading_the_plan_and_the_places_keeps_what_officials_and_imports_set(edited):
    before = _state()
    places = load_places(DEFAULT_PLACES)
    plan = load_plan(DEFAULT_PLAN_FILE)
    assert _state() == before  # nothing changed, nothing audited
    assert Target.get_by_id(edited["target"].id).value == Decimal("150")
    assert OrgUnit.get_by_id(edited["village"].id).population == 2345
    assert OrgUnit.get_by_id(edited["big"].id).households == 4000
    assert OrgUnit.get(OrgUnit.code == "511802002").name == "西城街道办事处"
    assert Plan.get(Plan.code == PLAN).counted_statuses == ["approved"]
    assert Target.select().where(Target.org_unit == edited["added_place"]).count() == 1

    statuses, target = sorted(plan.conflicts, key=lambda c: c.subject.indicator or "")
    assert (target.subject.indicator, target.file_value, target.db_value, target.by) == (
        "minors_points", 122, Decimal("150"), "admin:alice")
    assert (statuses.subject.field, statuses.file_value, statuses.db_value, statuses.by) == (
        "counted_statuses", ["submitted", "approved"], ["approved"], "admin:alice")
    assert [(k.subject.indicator, k.subject.place, k.value, k.by) for k in plan.kept] == [
        ("minors_points", "东城街道 (511802001)", Decimal("7"), "admin:bob")]
    assert [(c.subject.place, c.subject.field, c.file_value, c.db_value, c.by)
            for c in places.conflicts] == [
        ("西城街道办事处 (511802002)", "name", "西城街道", "西城街道办事处", "admin:alice")]
    assert not plan.changes and not places.changes

    zh, en = plan.lines(translator("zh_Hans")), plan.lines(translator("en"))
    assert len(zh) == len(en) == 4  # two conflicts, one kept, the totals
    assert zh[0].startswith("冲突：yaan-jiuxiang · 计入目标：文件为 已提交、已通过，")
    assert zh[1].startswith("冲突：minors_points · 雨城区 (511802) · 整个方案期：文件为 122，"
                            "数据库中为 admin:alice 于 ")
    assert zh[1].endswith("设定的 150；保留 150。")
    assert en[1].startswith("Conflict: minors_points · 雨城区 (511802) · whole plan period: "
                            "the file says 122, the database holds 150 set by admin:alice at ")
    assert zh[2].startswith("保留：minors_points · 东城街道 (511802001) · 整个方案期 = 7，由 admin:bob")
    assert zh[3] == "已加载 yaan_jiuxiang.toml：0 处更改，2 处冲突，1 项保留。"
    assert "西城街道" in places.lines(translator("zh_Hans"))[0]


def test_a_file_change_to_a_file_owned_value_is_applied_and_audited(db, tmp_path, edited):
    path = _plan_copy(tmp_path, '"511803" = 23', '"511803" = 25')
    mingshan = _target(place="511803")
    result = load_plan(path)
    assert _target(place="511803").value == 25
    assert Target.get_by_id(edited["target"].id).value == 150  # still the official's
    [entry] = audit_rows("target", mingshan.id, "update")
    assert entry.actor == LOAD
    assert (Decimal(entry.before["value"]), entry.after["value"]) == (23, 25)
    # the indicator's definition keeps the file's targets too (``spec.targets``)
    assert [(c.entity, c.action) for c in result.changes] == [("indicator", "update"),
                                                              ("target", "update")]

    # a township the file renames, which no official or import touched, follows the file
    places = load_places(_places_copy(tmp_path, '"草坝镇"', '"草坝乡"'))
    township = OrgUnit.get(OrgUnit.code == "511802101")
    assert township.name == "草坝乡"
    [entry] = audit_rows("org_unit", township.id, "update")
    assert (entry.actor, entry.before, entry.after) == (
        "load:yaan.toml", {"name": "草坝镇"}, {"name": "草坝乡"})
    assert len(places.changes) == 1 and len(places.conflicts) == 1  # the imported name


def test_a_target_the_file_drops_goes_if_the_file_set_it(db, tmp_path, edited):
    path = _plan_copy(tmp_path, '"511827" = 3, ', "")
    baoxing = _target(place="511827")
    load_plan(path)
    assert not Target.select().where(Target.id == baoxing.id).exists()
    [entry] = audit_rows("target", baoxing.id, "delete")
    assert entry.actor == LOAD and Decimal(entry.before["value"]) == 3
    assert Target.get_by_id(edited["target"].id).value == 150


def test_overwrite_lets_the_file_win_audited(db, edited):
    result = load_plan(DEFAULT_PLAN_FILE, overwrite=True)
    target = Target.get_by_id(edited["target"].id)
    assert target.value == 122 and target.owners == {}
    [entry] = audit_rows("target", target.id, "update")[-1:]
    assert entry.actor == LOAD and Decimal(entry.before["value"]) == 150
    assert entry.before["owner"]["by"] == "admin:alice" and entry.after == {"value": 122}
    assert Plan.get(Plan.code == PLAN).counted_statuses == ["submitted", "approved"]
    assert all(c.overwritten for c in result.conflicts) and len(result.conflicts) == 2
    # the official's own target, which the file does not list, is still theirs
    assert Target.select().where(Target.org_unit == edited["added_place"]).count() == 1
    en = result.lines(translator("en"))
    assert en[1].startswith("Overwritten: minors_points") and "replaces 150" in en[1]

    places = load_places(DEFAULT_PLACES, overwrite=True)
    assert OrgUnit.get(OrgUnit.code == "511802002").name == "西城街道"
    assert [c.overwritten for c in places.conflicts] == [True]
    assert OrgUnit.get_by_id(edited["big"].id).households == 4000  # not the file's to set
    # once overwritten, the values are the file's again: the next load changes nothing
    before = _state()
    assert not load_plan(DEFAULT_PLAN_FILE).conflicts
    assert _state() == before


def test_loading_twice_changes_nothing_and_audits_nothing(db):
    before = _state()
    results = [load_places(DEFAULT_PLACES)] + [load_plan(p) for p in shipped_plan_files()]
    assert _state() == before
    assert all(not r.changes and not r.conflicts and not r.kept for r in results)


def test_a_target_an_official_deleted_stays_deleted(as_alice, db):
    target = _target(place="511803")
    r = as_alice.post("/admin/targets/delete/", data={"id": str(target.id)})
    assert r.status_code == 302
    result = load_plan(DEFAULT_PLAN_FILE)
    assert not Target.select().where(Target.id == target.id).exists()
    [conflict] = result.conflicts
    assert conflict.deleted and conflict.by == "admin:alice" and conflict.file_value == 23
    assert "left deleted" in result.lines(translator("en"))[0]
    load_plan(DEFAULT_PLAN_FILE, overwrite=True)
    assert _target(place="511803").value == 23


def test_an_indicator_dropped_from_the_file_keeps_officials_targets(db, tmp_path, as_alice):
    path = tmp_path / "small.toml"
    body = '''code = "small"
name = "小方案"
name_en = "Small"
source_file = "x.txt"
source_title = "x"
start_date = 2026-01-01
[[indicators]]
code = "a"
name = "甲"
name_en = "A"
kind = "activity"
targets = {{ "511802" = 4 }}
{extra}'''
    second = '''[[indicators]]
code = "b"
name = "乙"
name_en = "B"
kind = "activity"
targets = { "511802" = 5, "511803" = 6 }
'''
    path.write_text(body.format(extra=second), "utf-8")
    load_plan(path)
    b = Indicator.get(Indicator.code == "b", Indicator.plan == Plan.get(Plan.code == "small"))
    yucheng = OrgUnit.get(OrgUnit.code == "511802")
    mine = Target.get(Target.indicator == b, Target.org_unit == yucheng)
    r = as_alice.post(f"/admin/targets/edit/?id={mine.id}", data=_target_form(mine, yucheng, "9"))
    assert r.status_code == 302
    path.write_text(body.format(extra=""), "utf-8")
    result = load_plan(path)
    assert Indicator.select().where(Indicator.id == b.id).exists()
    assert [(k.subject.indicator, k.count) for k in result.kept] == [("b", 1)]
    assert "no longer in the file" in result.lines(translator("en"))[0]
    result = load_plan(path, overwrite=True)
    assert not Indicator.select().where(Indicator.id == b.id).exists()
    assert [e.actor for e in audit_rows("indicator", b.id, "delete")] == ["load:small.toml"]
    assert len(audit_rows("target", mine.id, "delete")) == 1


def test_places_are_never_regenerated(db, tmp_path):
    township = OrgUnit.get(OrgUnit.code == "511802101")
    # a value nobody claimed (changed outside the admin and the importer) is not re-randomized
    OrgUnit.update(population=1).where(OrgUnit.code == "511802005001").execute()
    # a township whose demo communities were replaced by imported ones gets no demo ones back
    OrgUnit.delete().where(OrgUnit.parent == township).execute()
    imported = importing.run(
        "org_units", "区划代码,名称,层级,上级代码,人口,户数\n511802101901,真村,村,511802101,800,250\n"
        .encode(), filename="区划.csv", actor="admin:alice")
    assert imported.written, imported.errors
    path = _places_copy(tmp_path, NEAR_NEW, NEAR_NEW + NEW_TOWNSHIP)
    result = load_places(path, demo_townships=None)  # any township may get demo villages
    assert [u.code for u in OrgUnit.select().where(OrgUnit.parent == township)] == ["511802101901"]
    new = OrgUnit.get(OrgUnit.code == "511802009")
    assert new.name == "新镇" and OrgUnit.select().where(OrgUnit.parent == new).count() == 3
    assert Station.get(Station.township == new).name == "新镇社工站"
    first, entry = audit_rows("load", "yaan.toml", "load")  # the bootstrap's, this one's
    assert entry.after["created"]["org_unit"][0] == "511802009"
    assert entry.after["created"]["station"] == ["S511802009"]
    assert result.units == OrgUnit.select().count()
    assert OrgUnit.get(OrgUnit.code == "511802005001").population == 1


def test_backfill_marks_what_the_audit_log_says_officials_and_imports_set(edited):
    # a database from before owners: the same edits, nothing marked
    for model in (Target, OrgUnit, Plan):
        model.update(owners={}).execute()
    # a place fact an official set that a restart has since overwritten stays the file's
    other = OrgUnit.get(OrgUnit.code == "511803001001")
    audit_entry = AuditLog.create(actor="admin:alice", action="update", entity="org_unit",
                                  entity_id=str(other.id), before={"population": 1},
                                  after={"population": 2})
    assert audit_entry.after["population"] != other.population
    marked = backfill()
    assert marked == {"target": 2, "org_unit": 3, "plan": 1}  # no other place is marked
    target = Target.get_by_id(edited["target"].id)
    assert (target.owners["value"]["by"], target.owners["value"]["via"]) == ("admin:alice", "admin")
    added = Target.get(Target.org_unit == edited["added_place"])
    assert added.owners["value"]["by"] == "admin:bob"
    assert set(OrgUnit.get_by_id(edited["village"].id).owners) == {"population"}
    assert OrgUnit.get_by_id(edited["big"].id).owners["households"]["via"] == "import"
    assert set(OrgUnit.get(OrgUnit.code == "511802002").owners) == {"name"}
    assert OrgUnit.get_by_id(other.id).owners == {}
    assert set(Plan.get(Plan.code == PLAN).owners) == {"counted_statuses"}
    # and the loads keep them
    before = _state()
    assert len(load_plan(DEFAULT_PLAN_FILE).conflicts) == 2
    assert len(load_places(DEFAULT_PLACES).conflicts) == 1
    assert _state() == before


def test_the_load_plan_command_prints_each_conflict_and_overwrites_when_told(
        edited, db_url, capsys):
    from models.__main__ import main

    assert main(["--database-url", db_url, "load-plan", str(DEFAULT_PLAN_FILE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith("冲突：minors_points · 雨城区 (511802) · 整个方案期：文件为 122")
    assert out[-1] == "已加载 yaan_jiuxiang.toml：0 处更改，2 处冲突，1 项保留。"
    assert Target.get_by_id(edited["target"].id).value == 150
    assert main(["--database-url", db_url, "load-plan", str(DEFAULT_PLAN_FILE), "--overwrite",
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith("Overwritten: minors_points · 雨城区 (511802)")
    assert out[-1] == "Loaded yaan_jiuxiang.toml: 2 changes, 2 conflicts, 1 kept."
    assert Target.get_by_id(edited["target"].id).value == 122


def test_a_load_never_moves_a_place(db, tmp_path):
    # an import made 511802009 a township of 名山区; the file then adds it to 雨城区
    imported = importing.run("org_units", "区划代码,名称,层级,上级代码\n511802009,别镇,镇,511803\n"
                             .encode(), filename="区划.csv", actor="admin:alice")
    assert imported.written, imported.errors
    result = load_places(_places_copy(tmp_path, NEAR_NEW, NEAR_NEW + NEW_TOWNSHIP))
    unit = OrgUnit.get(OrgUnit.code == "511802009")
    assert (unit.name, unit.path) == ("别镇", "/5118/511803/511802009/")
    assert not OrgUnit.select().where(OrgUnit.parent == unit).exists()  # no demo villages
    assert [(c.subject.field, c.file_value, c.db_value) for c in result.conflicts] == [
        ("name", "新镇", "别镇"), ("parent", "511802", "511803")]
    assert result.lines(translator("zh_Hans"))[1] == (
        "冲突：别镇 (511802009) · 所属上级：文件为 511802，数据库中为 511803；加载不会移动地区。")

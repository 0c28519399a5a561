"""The org-unit tree: loading a places file, and finding the places inside a scope.

A places file (models/data/places/*.toml, written by ``extract.py`` from the national
place-name database) lists a root (a province, or a city such as 雅安市 or the municipality
天津市), its cities, counties and townships with their official statistical codes in short
form: province 2 digits, city 4, county 6, township 9 (``stat_code`` pads them to the full
12). Communities and villages come from each city's own list (the org-units import); the
demo and the tests generate some under townships, marked ``attrs.demo``.
"""
from __future__ import annotations

import random
import tomllib
from pathlib import Path

import peewee as pw

from models.core.db import database
from models.core.loads import Conflict, LoadResult, Subject, settle
from models.core.schema import (Application, Contribution, OrgUnit, Report, SocialOrganization,
                                Station, Volunteer)
from models.core.paths import DATA_DIR

DATA = DATA_DIR
PLACES_DIR = DATA / "places"
DEFAULT_PLACES = PLACES_DIR / "yaan.toml"
# The places file of each plan scope (a plan's ``scope`` is its root's code).
PLACE_FILES = {"5118": PLACES_DIR / "yaan.toml", "12": PLACES_DIR / "tianjin.toml",
               "33": PLACES_DIR / "zhejiang.toml", "62": PLACES_DIR / "gansu.toml"}

_STEMS = ["和平", "新华", "文化", "建设", "团结", "光明", "幸福", "红星", "胜利", "民主",
          "先锋", "青龙", "白马", "双河", "金鸡", "柳树", "桂花", "兴隆", "向阳", "龙泉",
          "清江", "石桥", "凤凰", "太平", "永安", "安乐", "长春", "同心", "富民", "新村"]


def stat_code(code: str | None) -> str | None:
    """The full 12-digit statistical code of a short one ("511802001" → "511802001000");
    None for a code that is not one (a demo or locally made code keeps its own form)."""
    return OrgUnit(code=code).stat_code


def place_file(scope: str) -> Path | None:
    """The shipped places file whose root is ``scope`` (a plan's scope), if any."""
    return PLACE_FILES.get(scope)


def places_path(name: str | Path) -> Path | None:
    """A places file named on the command line: a path, a shipped file's name ("zhejiang",
    "zhejiang.toml") or its root's code ("33"); None if there is none."""
    if Path(name).is_file():
        return Path(name)
    stem = Path(str(name)).name.removesuffix(".toml")
    shipped = PLACES_DIR / f"{stem}.toml"
    return shipped if shipped.is_file() and stem != "extract" else PLACE_FILES.get(str(name))


def read_places(path: Path = DEFAULT_PLACES) -> list[dict]:
    """The real places a file describes, parents first, as dicts of their columns
    (``parent``: the parent's code; ``station``: a township's station name). Reads the
    current format ([root], [[cities]], [[counties]] with a code → name table of townships)
    and the older one ([city], counties with a list of township names, numbered in order)."""
    spec = tomllib.loads(Path(path).read_text("utf-8"))
    root = spec.get("root") or {**spec["city"], "level": "city"}
    out = [dict(code=root["code"], name=root["name"], name_en=root.get("name_en"),
                level=root.get("level", "city"), parent=None)]
    for c in spec.get("cities", []):
        out.append(dict(code=c["code"], name=c["name"], name_en=c.get("name_en"),
                        level="city", parent=c.get("parent", root["code"])))
    towns = []
    for county in spec.get("counties", []):
        out.append(dict(code=county["code"], name=county["name"],
                        name_en=county.get("name_en"), level="county",
                        parent=county.get("parent", root["code"])))
        listed = county.get("townships", {})
        if isinstance(listed, list):  # the older format: codes made up in order
            listed = {f"{county['code']}{i:03d}": n for i, n in enumerate(listed, start=1)}
        for code, name in listed.items():
            street = name.endswith("街道")
            towns.append(dict(code=code, name=name, level="township", parent=county["code"],
                              is_rural=not street, station=f"{name}社工站"))
    return [{k: v for k, v in u.items() if v is not None} for u in out + towns]


# The townships under which the demo and the tests have always generated their villages,
# in the order they are drawn: their names, population and households stay the same from
# one version to the next. 对岩镇 and 棉城街道 are no longer townships (merged away; not in
# the national database): their draws are taken and thrown away, so the others keep theirs.
DEMO_TOWNSHIPS = {
    "511802": ["东城街道", "西城街道", "河北街道", "青江街道", "大兴街道", "对岩镇", "草坝镇",
               "上里镇"],
    "511803": ["蒙阳街道", "永兴街道", "蒙顶山镇", "百丈镇", "新店镇", "黑竹镇"],
    "511822": ["严道街道", "花滩镇", "新添镇", "牛背山镇", "五宪镇"],
    "511823": ["富林镇", "九襄镇", "宜东镇", "清溪镇", "大树镇"],
    "511824": ["新棉街道", "棉城街道", "安顺场镇", "美罗镇", "蟹螺藏族乡"],
    "511825": ["城厢镇", "始阳镇", "小河镇", "思经镇", "乐英乡"],
    "511826": ["芦阳街道", "飞仙关镇", "龙门镇", "思延镇", "宝盛乡"],
    "511827": ["穆坪镇", "灵关镇", "陇东镇", "蜂桶寨乡", "硗碛藏族乡"],
}


def demo_communities(townships: list[dict], per_township: int, seed: int) -> list[dict]:
    """Demo communities under ``townships`` (dicts with code, is_rural; one without a code
    only takes its draws), ``per_township`` each: made-up names, population and households,
    coded township + 3 digits and marked ``attrs.demo`` (not real places). Deterministic:
    the same draws whatever the database holds."""
    rng = random.Random(seed)
    out = []
    for t in townships:
        street = not t.get("is_rural", True)
        for c_index, stem in enumerate(rng.sample(_STEMS, per_township), start=1):
            population = rng.randrange(1500, 9000) if street else rng.randrange(600, 3500)
            if not t.get("code"):
                continue
            out.append(dict(code=f"{t['code']}{c_index:03d}",
                            name=f"{stem}{'社区' if street else '村'}", level="community",
                            parent=t["code"], is_rural=not street, population=population,
                            households=population // 3, attrs={"demo": True},
                            generated=True))
    return out


def shipped_units(path: Path = DEFAULT_PLACES, communities_per_township: int = 3,
                  seed: int = 5118, demo_townships: int | dict | None = DEMO_TOWNSHIPS
                  ) -> list[dict]:
    """The places of ``path`` (``read_places``) and, with ``communities_per_township``,
    demo communities (``generated``) under some of its townships: ``demo_townships`` names
    them per county code (default: Ya'an's, ``DEMO_TOWNSHIPS``), or is the number taken
    first in each county (by code: streets first, then towns and townships), or None for
    all of them."""
    units = read_places(path)
    if not communities_per_township:
        return units
    towns = [u for u in units if u["level"] == "township"]
    if isinstance(demo_townships, dict):
        by_name = {(t["parent"], t["name"]): t for t in towns}
        towns = [by_name.get((county, name), {"is_rural": not name.endswith("街道")})
                 for county, names in demo_townships.items() for name in names]
    elif demo_townships is not None:
        seen: dict[str, int] = {}
        chosen = []
        for t in sorted(towns, key=lambda t: t["code"]):
            seen[t["parent"]] = seen.get(t["parent"], 0) + 1
            if seen[t["parent"]] <= demo_townships:
                chosen.append(t)
        towns = chosen
    return units + demo_communities(towns, communities_per_township, seed)


# What a places file states about a place that already exists and may change on a reload;
# officials and imports may set them too (``OrgUnit.owners``).
FILE_FIELDS = ("name", "name_en", "is_rural")
LEVEL_ORDER = ("province", "city", "county", "township", "community")
# Every column holding a place's path: a place's new code is written into all of them.
PATH_COLUMNS = ((OrgUnit, "path"), (Station, "path"), (Report, "org_path"),
                (Contribution, "org_path"), (SocialOrganization, "org_path"),
                (Volunteer, "org_path"), (Application, "org_path"))


def load_places(path: Path = DEFAULT_PLACES, communities_per_township: int = 3,
                seed: int = 5118, *, overwrite: bool = False,
                demo_townships: int | dict | None = DEMO_TOWNSHIPS) -> LoadResult:
    """Create the places of ``path`` that are missing; the result's ``units`` counts the
    org units, its changes and conflicts say what the load did and kept.

    A place of the file is the database's place of the same name under the same parent,
    else the one with its code. Nothing that exists is regenerated: a place keeps its
    population, households and everything an official or an import set; the file's names
    and rural flags change only values the file owns (a different value an official or
    import set is a conflict, kept unless ``overwrite``); a place is never moved. A place
    whose code differs from the file's (a database loaded from an older file with made-up
    township codes) keeps it, reported as a conflict, unless ``overwrite``: then it takes the
    file's code and every path under it follows (reports, registries, stations). Demo
    communities (``shipped_units``) are generated only under a township this load creates,
    and a station only when the township has none. Running it again changes nothing."""
    result = LoadResult(source=Path(path).name)
    specs = shipped_units(path, communities_per_township, seed, demo_townships)
    real = [s for s in specs if not s.get("generated")]
    with database.atomic():
        units = {u.code: u for u in OrgUnit.select()}
        matched = _match(real, units)
        _codes(result, real, matched, units, overwrite)
        new: set[int] = set()  # the places this load creates: only they get demo communities
        for level in LEVEL_ORDER:
            _create(result, [s for s in specs if s["level"] == level], matched, units, new,
                    overwrite)
        _stations(result, real, matched)
        result.units = OrgUnit.select().count()
        result.finish()
    return result


def _match(real: list[dict], units: dict[str, OrgUnit]) -> dict[str, OrgUnit]:
    """File code → the database's place: the same name under the same (matched) parent,
    else the same code unless that place is another of the file's places by name."""
    by_name = {(u.parent_id, u.name): u for u in units.values()}
    in_file = {(s.get("parent"), s["name"]): s["code"] for s in real}
    matched: dict[str, OrgUnit] = {}
    taken: set[int] = set()
    for s in real:
        parent = matched.get(s.get("parent"))
        unit = by_name.get((parent.id, s["name"])) if parent is not None else None
        if unit is None or unit.id in taken:
            unit = units.get(s["code"])
            if unit is not None and (unit.id in taken or in_file.get(
                    (s.get("parent"), unit.name), s["code"]) != s["code"]):
                unit = None
        if unit is not None:
            matched[s["code"]] = unit
            taken.add(unit.id)
    return matched


def _codes(result: LoadResult, real: list[dict], matched: dict[str, OrgUnit],
           units: dict[str, OrgUnit], overwrite: bool) -> None:
    """Places whose code is not the file's: a conflict each; with ``overwrite`` each takes
    the file's code unless a place the file does not move keeps it (via a code no place
    has, so two places may swap theirs)."""
    moving = {s["code"]: matched[s["code"]] for s in real
              if s["code"] in matched and matched[s["code"]].code != s["code"]}
    free = set(moving)
    while True:  # a code frees up only if its holder moves
        leaving = {moving[c].code for c in free}
        still = {c for c in free if c not in units or c in leaving}
        if still == free:
            break
        free = still
    recode = []
    for code, unit in moving.items():
        holder = units.get(code)
        held = None if code in free else f"{holder.name} ({holder.code})"
        result.conflicts.append(Conflict(Subject(place=f"{unit.name} ({unit.code})",
                                                 field="code"), code, unit.code, None, None,
                                         overwritten=overwrite and not held, held_by=held))
        if overwrite and not held:
            recode.append((unit.path.count("/"), unit.id, unit.code, code))
    if not recode:
        return
    recode.sort()
    for _, unit_id, _, _ in recode:
        _recode(unit_id, f"~{unit_id}")
    for _, unit_id, old, code in recode:
        _recode(unit_id, code)
        result.change("org_unit", unit_id, "update", before={"code": old}, after={"code": code})
    fresh = {u.id: u for u in OrgUnit.select()}
    units.clear()
    units.update({u.code: u for u in fresh.values()})
    for code, unit in list(matched.items()):
        matched[code] = fresh[unit.id]


def _recode(unit_id: int, code: str) -> None:
    """Give the place ``unit_id`` the code ``code``: its path and every path under it (in
    every table that holds one) follow."""
    current = OrgUnit.get_by_id(unit_id)
    old_path = current.path
    new_path = old_path[:len(old_path) - len(current.code) - 1] + code + "/"
    OrgUnit.update(code=code).where(OrgUnit.id == unit_id).execute()
    from models.plans import rollup  # its sums hang on paths too

    columns = [getattr(model, name) for model, name in PATH_COLUMNS] + [
        rollup.ContributionMonth.org_path, rollup.ContributionMonth.parent_path,
        rollup.ContributionWeek.org_path, rollup.ReportWeek.org_path]
    for column in columns:
        if column.model in rollup.MODELS and not column.model.table_exists():
            continue
        column.model.update({column: pw.Value(new_path).concat(
            pw.fn.SUBSTR(column, len(old_path) + 1))}).where(
            column.startswith(old_path)).execute()


COLUMNS = ("code", "name", "name_en", "level", "parent", "path", "is_rural", "population",
           "households", "attrs")


def _create(result: LoadResult, specs: list[dict], matched: dict[str, OrgUnit],
            units: dict[str, OrgUnit], new: set[int], overwrite: bool) -> None:
    """One level's places: the missing ones inserted in bulk, the others settled."""
    rows = []
    for s in specs:
        generated = s.get("generated")
        unit = units.get(s["code"]) if generated else matched.get(s["code"])
        parent = matched.get(s["parent"]) if s.get("parent") else None
        if unit is not None:
            if not generated:
                _settle_place(result, unit, s, matched, overwrite)
            continue
        if (s.get("parent") and parent is None) or (generated and parent.id not in new):
            continue  # under a place this load did not create (or could not: a conflict)
        holder = units.get(s["code"])
        if holder is not None:  # another place has the code (not one the file moves)
            result.conflicts.append(Conflict(Subject(place=f"{s['name']} ({s['code']})",
                                                     field="code"), s["code"], None, None,
                                             None, held_by=f"{holder.name} ({holder.code})"))
            continue
        row = {k: s.get(k) for k in COLUMNS}
        row.update(parent=parent.id if parent else None, is_rural=bool(s.get("is_rural")),
                   path=f"{parent.path if parent else '/'}{s['code']}/",
                   attrs=s.get("attrs", {}), owners={})
        rows.append(row)
    from models.importing.writes import insert_rows, where_in  # one prepared INSERT

    codes = [r["code"] for r in rows]
    insert_rows(OrgUnit, rows)
    created = {u.code: u for u in where_in(OrgUnit.select(), OrgUnit.code, codes)}
    for code in codes:
        unit = created[code]
        units[code] = matched[code] = unit
        new.add(unit.id)
        result.create("org_unit", unit.id, code)


def _stations(result: LoadResult, real: list[dict], matched: dict[str, OrgUnit]) -> None:
    """A station for each township of the file that has none (bulk)."""
    have = {s.township_id for s in Station.select(Station.township)}
    codes = {s.code for s in Station.select(Station.code)}
    rows = []
    for s in real:
        unit = matched.get(s["code"])
        if not s.get("station") or unit is None or unit.id in have:
            continue
        have.add(unit.id)
        if f"S{unit.code}" not in codes:
            rows.append(dict(code=f"S{unit.code}", name=s["station"], township=unit.id,
                             path=unit.path))
    from models.importing.writes import insert_rows, where_in

    insert_rows(Station, rows)
    wanted = [r["code"] for r in rows]
    ids = {st.code: st.id for st in where_in(Station.select(Station.id, Station.code),
                                             Station.code, wanted)}
    for code in wanted:
        result.create("station", ids[code], code)


def _settle_place(result: LoadResult, unit: OrgUnit, spec: dict, matched: dict[str, OrgUnit],
                  overwrite: bool) -> None:
    subject = f"{unit.name} ({unit.code})"
    for name in FILE_FIELDS:
        settle(result, "org_unit", unit, name, spec.get(name),
               Subject(place=subject, field=name), overwrite)
    # A place is never moved or re-levelled by a load (its reports' paths hang on it).
    parent = matched.get(spec.get("parent"))
    current = unit.path.strip("/").split("/")[-2] if unit.path.count("/") > 2 else None
    if spec["level"] != unit.level:
        result.conflicts.append(Conflict(Subject(place=subject, field="level"), spec["level"],
                                         unit.level, None, None))
    if unit.parent_id != (parent.id if parent else None):
        result.conflicts.append(Conflict(Subject(place=subject, field="parent"),
                                         spec.get("parent"), current, None, None))


def city() -> OrgUnit | None:
    """The first root of the tree (a city, or a province): the demo's and the commands'
    default scope."""
    return (OrgUnit.select().where(OrgUnit.parent.is_null()).order_by(OrgUnit.id).first())


def units_in(scope: OrgUnit, level: str):
    """The org units of ``level`` inside ``scope`` (the scope itself if it is of that level)."""
    return (OrgUnit.select()
            .where(OrgUnit.path.startswith(scope.path), OrgUnit.level == level)
            .order_by(OrgUnit.code))


def stations_in(scope: OrgUnit):
    """Stations inside ``scope``. A community has none of its own: its township's station
    serves several communities, so per-station targets are set from the township up."""
    return Station.select().where(Station.path.startswith(scope.path))


def children_of(scope: OrgUnit):
    return OrgUnit.select().where(OrgUnit.parent == scope).order_by(OrgUnit.code)

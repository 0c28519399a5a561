"""The org-unit tree: loading it, and finding the places inside a scope."""
from __future__ import annotations

import random
import tomllib
from pathlib import Path

from models.core.db import database
from models.core.loads import Conflict, LoadResult, Subject, settle
from models.core.schema import OrgUnit, Station
from models.core.paths import DATA_DIR

DATA = DATA_DIR
DEFAULT_PLACES = DATA / "places" / "yaan.toml"

_STEMS = ["和平", "新华", "文化", "建设", "团结", "光明", "幸福", "红星", "胜利", "民主",
          "先锋", "青龙", "白马", "双河", "金鸡", "柳树", "桂花", "兴隆", "向阳", "龙泉",
          "清江", "石桥", "凤凰", "太平", "永安", "安乐", "长春", "同心", "富民", "新村"]


def shipped_units(path: Path = DEFAULT_PLACES, communities_per_township: int = 3,
                  seed: int = 5118) -> list[dict]:
    """The org units a places file describes, parents first, as dicts of their columns
    (``parent``: the parent's code; ``generated``: a demo community; ``station``: a
    township's station name). Communities are generated deterministically under each
    township for demos and tests; the random draws are the same whatever the database holds.
    A value the file does not state is absent."""
    spec = tomllib.loads(Path(path).read_text("utf-8"))
    rng = random.Random(seed)
    c = spec["city"]
    city_path = f"/{c['code']}/"
    out = [dict(code=c["code"], name=c["name"], name_en=c.get("name_en"), level="city",
                parent=None, path=city_path)]
    for county_spec in spec["counties"]:
        county_code = county_spec["code"]
        county_path = f"{city_path}{county_code}/"
        out.append(dict(code=county_code, name=county_spec["name"],
                        name_en=county_spec.get("name_en"), level="county", parent=c["code"],
                        path=county_path))
        for t_index, t_name in enumerate(county_spec.get("townships", []), start=1):
            t_code = f"{county_code}{t_index:03d}"
            t_path = f"{county_path}{t_code}/"
            street = t_name.endswith("街道")
            out.append(dict(code=t_code, name=t_name, level="township", parent=county_code,
                            path=t_path, is_rural=not street, station=f"{t_name}社工站"))
            stems = rng.sample(_STEMS, communities_per_township)
            for c_index, stem in enumerate(stems, start=1):
                cc = f"{t_code}{c_index:03d}"
                population = rng.randrange(1500, 9000) if street else rng.randrange(600, 3500)
                out.append(dict(code=cc, name=f"{stem}{'社区' if street else '村'}",
                                level="community", parent=t_code, path=f"{t_path}{cc}/",
                                is_rural=not street, population=population,
                                households=population // 3, generated=True))
    return [{k: v for k, v in u.items() if v is not None} for u in out]


# What a places file states about a place that already exists and may change on a reload;
# officials and imports may set them too (``OrgUnit.owners``).
FILE_FIELDS = ("name", "name_en", "is_rural")


def load_places(path: Path = DEFAULT_PLACES, communities_per_township: int = 3,
                seed: int = 5118, *, overwrite: bool = False) -> LoadResult:
    """Create the places of ``path`` that are missing; the result's ``units`` counts the
    org units, its changes and conflicts say what the load did and kept.

    Nothing that exists is regenerated: a place keeps its population, households and
    everything an official or an import set; the file's names and rural flags change only
    values the file owns (a different value an official or import set is a conflict, kept
    unless ``overwrite``); a place is never moved. Demo communities are generated only
    under a township this load creates, and a station only when the township has none.
    Running it again changes nothing."""
    result = LoadResult(source=Path(path).name)
    with database.atomic():
        units = {u.code: u for u in OrgUnit.select()}
        new = set()  # the places this load creates: only they get demo communities
        stations = {s.township_id for s in Station.select(Station.township)}
        for spec in shipped_units(path, communities_per_township, seed):
            unit = units.get(spec["code"])
            parent = units.get(spec.get("parent")) if spec.get("parent") else None
            if unit is None:
                if spec.get("generated") and (parent is None or parent.id not in new):
                    continue
                fields = {k: v for k, v in spec.items()
                          if k not in ("generated", "station", "parent")}
                unit = OrgUnit.create(parent=parent, **fields)
                units[unit.code] = unit
                new.add(unit.id)
                result.create("org_unit", unit.id, unit.code)
            elif not spec.get("generated"):
                _settle_place(result, unit, spec, parent, overwrite)
            if spec.get("station") and unit.id not in stations:
                code = f"S{unit.code}"
                if not Station.select().where(Station.code == code).exists():
                    station = Station.create(code=code, name=spec["station"], township=unit,
                                             path=unit.path)
                    result.create("station", station.id, code)
                stations.add(unit.id)
        result.units = OrgUnit.select().count()
        result.finish()
    return result


def _settle_place(result: LoadResult, unit: OrgUnit, spec: dict, parent: OrgUnit | None,
                  overwrite: bool) -> None:
    subject = f"{unit.name} ({unit.code})"
    for name in FILE_FIELDS:
        settle(result, "org_unit", unit, name, spec.get(name),
               Subject(place=subject, field=name), overwrite)
    # A place is never moved or re-levelled by a load (its reports' paths hang on it).
    for name, value, current in (("level", spec["level"], unit.level),
                                 ("parent", spec.get("parent"),
                                  unit.path.strip("/").split("/")[-2]
                                  if unit.path.count("/") > 2 else None)):
        if value != current:
            result.conflicts.append(Conflict(Subject(place=subject, field=name), value, current,
                                             None, None))


def city() -> OrgUnit | None:
    return OrgUnit.select().where(OrgUnit.level == "city").order_by(OrgUnit.id).first()


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

"""The org-unit tree: loading it, and finding the places inside a scope."""
from __future__ import annotations

import random
import tomllib
from pathlib import Path

from models.core.db import database
from models.core.schema import OrgUnit, Station
from models.core.paths import DATA_DIR

DATA = DATA_DIR
DEFAULT_PLACES = DATA / "places" / "yaan.toml"

_STEMS = ["和平", "新华", "文化", "建设", "团结", "光明", "幸福", "红星", "胜利", "民主",
          "先锋", "青龙", "白马", "双河", "金鸡", "柳树", "桂花", "兴隆", "向阳", "龙泉",
          "清江", "石桥", "凤凰", "太平", "永安", "安乐", "长春", "同心", "富民", "新村"]


def _upsert(code: str, **fields) -> OrgUnit:
    return OrgUnit.upsert({"code": code}, fields)


def load_places(path: Path = DEFAULT_PLACES, communities_per_township: int = 3,
                seed: int = 5118) -> int:
    """Create or update the tree described by ``path``; returns the number of org units.

    Communities are generated (deterministically) under each township for demos and tests.
    Running it again changes nothing.
    """
    spec = tomllib.loads(Path(path).read_text("utf-8"))
    rng = random.Random(seed)
    with database.atomic():
        c = spec["city"]
        city = _upsert(c["code"], name=c["name"], name_en=c.get("name_en"), level="city",
                       parent=None, path=f"/{c['code']}/")
        for county_spec in spec["counties"]:
            county = _upsert(county_spec["code"], name=county_spec["name"],
                             name_en=county_spec.get("name_en"), level="county", parent=city,
                             path=f"{city.path}{county_spec['code']}/")
            for t_index, t_name in enumerate(county_spec.get("townships", []), start=1):
                t_code = f"{county.code}{t_index:03d}"
                street = t_name.endswith("街道")
                township = _upsert(t_code, name=t_name, level="township", parent=county,
                                   path=f"{county.path}{t_code}/", is_rural=not street)
                s_code = f"S{t_code}"
                if not Station.select().where(Station.code == s_code).exists():
                    Station.create(code=s_code, name=f"{t_name}社工站", township=township,
                                   path=township.path)
                stems = rng.sample(_STEMS, communities_per_township)
                for c_index, stem in enumerate(stems, start=1):
                    cc = f"{t_code}{c_index:03d}"
                    population = rng.randrange(1500, 9000) if street else rng.randrange(600, 3500)
                    _upsert(cc, name=f"{stem}{'社区' if street else '村'}", level="community",
                            parent=township, path=f"{township.path}{cc}/", is_rural=not street,
                            population=population, households=population // 3)
    return OrgUnit.select().count()


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

"""Places: the org-unit tree with population and households, and a township's social-work
station. A place is known by its code; a new one hangs under a parent already in the system
or on an earlier line of the same file. Import never moves a place or changes its level."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from models.core import owners
from models.core.errors import ValidationError
from models.core.i18n import N_
from models.core.schema import LEVELS, OrgUnit, Station
from models.forms import parsing
from models.importing.cells import NO, YES, parse_code, parse_name, parse_yes_no
from models.importing.entity import EntityImporter
from models.importing.reader import Column, Row, header_forms, normalize_header
from models.importing.writes import Op, apply_updates, changed, insert_rows, where_in
from models.plans import rollup

LEVEL_WORDS = {
    "省": "province", "省级": "province", "自治区": "province", "province": "province",
    "市": "city", "地级市": "city", "市级": "city", "州": "city", "自治州": "city", "地区": "city",
    "盟": "city", "市州": "city", "直辖市": "city", "city": "city",
    "县": "county", "区": "county", "县级市": "county", "旗": "county", "自治县": "county",
    "区县": "county", "县区": "county", "县(市、区)": "county", "县级": "county",
    "county": "county", "district": "county",
    "街道": "township", "乡": "township", "镇": "township", "乡镇": "township",
    "街道办事处": "township", "街镇": "township", "乡镇(街道)": "township",
    "街道(乡镇)": "township", "苏木": "township", "民族乡": "township",
    "township": "township", "street": "township", "town": "township",
    "社区": "community", "村": "community", "居委会": "community", "村委会": "community",
    "社区居委会": "community", "嘎查": "community", "社区(村)": "community",
    "村(社区)": "community", "community": "community", "village": "community",
}
RURAL_LEVEL_WORDS = {"村": True, "村委会": True, "嘎查": True, "乡": True, "镇": True,
                     "苏木": True, "民族乡": True, "village": True, "town": True,
                     "社区": False, "居委会": False, "社区居委会": False, "街道": False,
                     "街道办事处": False, "street": False}
RURAL_WORDS = {"城": False, "城市": False, "城镇": False, "城区": False, "urban": False,
               "乡": True, "乡村": True, "农村": True, "rural": True}


def parse_level(text: str, column: str) -> tuple[str, bool | None]:
    for form in header_forms(text):
        if form in LEVEL_WORDS:
            return LEVEL_WORDS[form], RURAL_LEVEL_WORDS.get(form)
    raise ValidationError(column, "unknown_level")


def parse_rural(text: str, column: str) -> bool:
    s = normalize_header(text)
    if s in RURAL_WORDS:
        return RURAL_WORDS[s]
    return parse_yes_no(text, column)



def _attr_value(text: str):
    s = parsing.normalize(text)
    key = normalize_header(s)
    if key in YES:
        return True
    if key in NO:
        return False
    if re.match(r"^-?[0-9]+$", s):
        return int(s)
    if re.match(r"^-?[0-9]+\.[0-9]+$", s):
        return float(s)
    return s


ATTR_PREFIXES = ("属性:", "attr:", "attrs.", "attr.")


def _attr_key(header: str) -> str | None:
    """``属性:has_fund`` → ``has_fund``: free facts about a place (``OrgUnit.attrs``)."""
    h = unicodedata.normalize("NFKC", str(header or "")).strip()
    for p in ATTR_PREFIXES:
        if h.casefold().startswith(p) and len(h) > len(p):
            key = h[len(p):].strip()
            return key if re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$", key) else None
    return None


# The facts an import sets that a reloaded places file must keep (``OrgUnit.owners``).
OWNED = ("name", "name_en", "is_rural", "population", "households")


def _claim(ops: list[Op], actor: str) -> None:
    """Mark what each row sets as the import's (``models.core.owners``): every fact of a new
    place, the changed facts of an existing one (an attribute as ``attrs.<key>``)."""
    for op in ops:
        if op.action == "create":
            fields = [f for f in OWNED if op.values.get(f) is not None]
            fields += [f"attrs.{k}" for k in op.values.get("attrs") or {}]
            op.values["owners"] = owners.claimed({}, fields, actor, owners.IMPORT)
        elif op.action == "update" and op.values:
            fields = [f for f in OWNED if f in op.values]
            old = op.target.attrs or {}
            fields += [f"attrs.{k}" for k, v in (op.values.get("attrs") or {}).items()
                       if old.get(k) != v]
            op.values["owners"] = owners.claimed(op.target.owners, fields, actor,
                                                 owners.IMPORT)


class OrgUnitImporter(EntityImporter):
    entity = "org_units"
    label = N_("Places (population and households)")
    sheet_title = "区划"
    columns = (
        Column("code", "区划代码", ("代码", "编码", "行政区划代码", "区划编码", "单位代码",
                                  "统计用区划代码", "地区代码", "机构代码"), required=True,
               note="必填。全系统唯一，只含数字和字母；已有代码则更新该地"),
        Column("name", "名称", ("单位名称", "区划名称", "地区名称", "地名", "社区名称", "村名称")),
        Column("level", "层级", ("级别", "区划级别", "区划层级", "行政级别", "类型", "区划类型"),
               note="新增时必填：市、区/县、街道/乡镇、社区/村"),
        Column("parent", "上级代码", ("上级区划代码", "上级编码", "父级代码", "上级单位代码",
                                    "上级", "所属上级代码"),
               note="新增时必填（市级除外）：上级须已在系统中，或在本文件中排在前面"),
        Column("population", "人口", ("常住人口", "户籍人口", "人口数", "总人口", "居民人数",
                                    "常住人口数", "人口总数")),
        Column("households", "户数", ("户籍户数", "常住户数", "总户数", "居民户数", "家庭户数")),
        Column("is_rural", "城乡", ("城乡类型", "城乡属性", "城乡分类", "是否农村"),
               note="可选：城/乡；不填时按层级（社区/村）或名称判断"),
        Column("name_en", "英文名称", ("英文名", "name_en", "english name")),
        Column("station", "社工站", ("社工站名称", "社会工作服务站", "乡镇社工站", "街道社工站"),
               note="可选，仅街道/乡镇：是，或社工站名称"),
    )

    def header_key(self, header):
        if _attr_key(header):
            return f"attr:{_attr_key(header)}"
        return super().header_key(header)

    def prepare(self, rows):
        super().prepare(rows)
        self.seen: dict[str, tuple[int, Op | None]] = {}
        self.later: dict[str, int] = {}
        for row in rows:
            try:
                code = parse_code(row.text("code"), "code")
            except ValidationError:
                continue
            self.later.setdefault(code, row.line)

    def check(self, row):
        code = row.get("code", parse_code, required=True)
        if code is None:
            return None
        if code in self.seen:
            row.fail("code", "duplicate_row", value=code, what="code", line=self.seen[code][0])
            return None
        existing = self.places.by_code.get(code)
        name = row.get("name", parse_name(100), required=existing is None)
        level_word = row.get("level", parse_level, required=existing is None)
        level, rural_from_level = level_word if level_word else (None, None)
        rural = row.get("is_rural", parse_rural)
        population = row.get("population", lambda t, c: parsing.parse_int(
            t, c, max_value=100_000_000))
        households = row.get("households", lambda t, c: parsing.parse_int(
            t, c, max_value=100_000_000))
        name_en = row.get("name_en", parse_name(100))
        station = row.get("station", self._station_name)
        attrs = {}
        for key in row.cells:
            if key.startswith("attr:") and row.text(key):
                attrs[key[5:]] = _attr_value(row.text(key))
        pop = population if population is not None else getattr(existing, "population", None)
        if households is not None and pop is not None and households > pop:
            row.fail("households", "households_exceed_population", value=row.text("households"),
                     households=households, population=pop)

        parent = self._parent(row, existing, level)
        if existing is not None:
            if not self.in_scope(existing):
                row.fail("code", "out_of_scope", value=code)
            if level and level != existing.level:
                row.fail("level", "level_changed", value=row.text("level"),
                         current=existing.level)
            level = existing.level
        elif parent is not None and not self.in_scope(parent["path"]):
            row.fail("parent", "out_of_scope", value=row.text("parent"))
        elif parent is None and level and self.scope is not None and not row.errors:
            row.fail("parent", "out_of_scope", value=row.text("parent") or code)
        if station and (level or "") != "township":
            row.fail("station", "station_needs_township", value=row.text("station"))
        if row.errors:
            self.seen[code] = (row.line, None)
            return None

        if existing is None:
            path = f"{parent['path'] if parent else '/'}{code}/"
            if path.count("/") - 1 > rollup.MAX_DEPTH or len(path) > 255:
                row.fail("parent", "too_deep", value=row.text("parent"), max=rollup.MAX_DEPTH)
                self.seen[code] = (row.line, None)
                return None
            if rural is None:
                rural = rural_from_level
            if rural is None:
                rural = name.endswith(("村", "镇", "乡", "嘎查", "苏木"))
            values = dict(code=code, name=name, name_en=name_en, level=level, path=path,
                          is_rural=rural, population=population, households=households,
                          attrs=attrs)
            op = Op("create", row.line, values,
                     extra={"parent": parent["code"] if parent else None, "station": station})
            self.seen[code] = (row.line, op)
            return op

        values = dict(name=name, name_en=name_en, population=population, households=households,
                      is_rural=rural if rural is not None else rural_from_level)
        changes = changed(existing, values)
        if attrs and {**(existing.attrs or {}), **attrs} != (existing.attrs or {}):
            changes["attrs"] = {**(existing.attrs or {}), **attrs}
        station_change = station and self._station_differs(existing, station)
        op = Op("update" if changes or station_change else "unchanged", row.line, changes,
                 target=existing, extra={"station": station if station_change else None})
        self.seen[code] = (row.line, op)
        return op

    def _station_name(self, text: str, column: str) -> str | None:
        s = normalize_header(text)
        if s in YES:
            return "yes"
        if s in NO:
            return None
        return parse_name(100)(text, column)

    def _station_differs(self, unit: OrgUnit, station: str) -> bool:
        row = Station.get_or_none(Station.code == f"S{unit.code}")
        if row is None:
            return True
        return station != "yes" and row.name != station

    def _parent(self, row: Row, existing: OrgUnit | None, level: str | None) -> dict | None:
        """The parent as {code, path, level} from the database or an earlier row."""
        text = row.text("parent")
        if not text:
            if existing is None and level not in (None, "province", "city"):
                row.fail("parent", "required")
            return None
        try:
            code = parse_code(text, row.column("parent"))
        except ValidationError:
            code = None
        if code is not None and code in self.seen:
            line, op = self.seen[code]
            if op is None:
                row.fail("parent", "parent_invalid", value=text, line=line)
                return None
            parent = {"code": code, "path": op.values.get("path") or op.target.path,
                      "level": op.values.get("level") or op.target.level}
        else:
            unit = self.places.by_code.get(code) if code else None
            if unit is None:
                try:
                    unit = self.places.find(text, row.column("parent"))
                except ValidationError as e:
                    if code and code in self.later and self.later[code] > row.line:
                        row.fail("parent", "parent_later", value=text, line=self.later[code])
                    elif e.code == "ambiguous_unit":
                        row.fail("parent", e.code, value=text, **e.args_)
                    else:
                        row.fail("parent", "unknown_parent", value=text)
                    return None
            parent = {"code": unit.code, "path": unit.path, "level": unit.level}
        if existing is not None:
            current = self.places.by_code.get(existing.path.strip("/").split("/")[-2]) \
                if existing.parent_id else None
            if current is None or current.code != parent["code"]:
                row.fail("parent", "parent_changed", value=text,
                         current=current.name if current else "—")
                return None
        elif level and LEVELS.index(level) <= LEVELS.index(parent["level"]):
            row.fail("level", "level_below_parent", value=row.text("level"), level=level,
                     parent_level=parent["level"])
            return None
        return parent

    def write(self, ops, actor):
        _claim(ops, actor)
        ids = {code: u.id for code, u in self.places.by_code.items()}
        creates = sorted((op for op in ops if op.action == "create"),
                         key=lambda op: op.values["path"].count("/"))
        depth_groups: dict[int, list[Op]] = defaultdict(list)
        for op in creates:
            depth_groups[op.values["path"].count("/")].append(op)
        for depth in sorted(depth_groups):
            group = depth_groups[depth]
            rows = [{**op.values, "parent": ids.get(op.extra["parent"])} for op in group]
            insert_rows(OrgUnit, rows)
            for uid, code in where_in(OrgUnit.select(OrgUnit.id, OrgUnit.code).tuples(),
                                      OrgUnit.code, [op.values["code"] for op in group]):
                ids[code] = uid
        apply_updates(OrgUnit, ops)
        for op in ops:
            station = op.extra.get("station")
            if not station:
                continue
            code = op.values["code"] if op.action == "create" else op.target.code
            name = op.values.get("name") or getattr(op.target, "name", "")
            path = op.values["path"] if op.action == "create" else op.target.path
            station_name = f"{name}社工站" if station == "yes" else station
            existing = Station.get_or_none(Station.code == f"S{code}")
            if existing is None:
                Station.create(code=f"S{code}", name=station_name, township=ids[code], path=path)
            elif station != "yes":
                existing.name = station_name
                existing.save()

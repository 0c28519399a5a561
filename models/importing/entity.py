"""What every entity shares: the base class an entity module subclasses (its columns and
how a header names one, the user's area, the steps of a check and the write), and the
places every entity looks communities up in."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Iterable

from models.core.errors import ValidationError
from models.core.schema import OrgUnit
from models.forms import parsing
from models.importing.cells import SCIENTIFIC_RE
from models.importing.reader import Column, Row, header_forms, normalize_header
from models.importing.writes import Op, apply_updates, insert_rows

NOTES_TITLE = "填写说明"  # the template's instructions sheet
NOTES_HEADER = ["列名", "是否必填", "说明"]


class Places:
    """Every org unit once (a few thousand rows at most), for lookups by code and name."""

    def __init__(self):
        self.by_code: dict[str, OrgUnit] = {}
        self.by_name: dict[str, list[OrgUnit]] = defaultdict(list)
        q = OrgUnit.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.path,
                           OrgUnit.parent, OrgUnit.is_rural, OrgUnit.population,
                           OrgUnit.households, OrgUnit.name_en, OrgUnit.attrs, OrgUnit.owners)
        for u in q:
            self.by_code[u.code] = u
            self.by_name[normalize_header(u.name)].append(u)

    def ancestors_named(self, unit: OrgUnit) -> set[str]:
        codes = unit.path.strip("/").split("/")
        return {normalize_header(self.by_code[c].name) for c in codes if c in self.by_code}

    def find(self, text: str, column: str, hints: Iterable[str] = (),
             scope: OrgUnit | None = None) -> OrgUnit:
        """By code, else by name: a name unique inside ``scope`` (or once narrowed by the
        township and county ``hints``) is enough."""
        s = parsing.normalize(text)
        code = s.replace(" ", "")
        if code in self.by_code:
            return self.by_code[code]
        if SCIENTIFIC_RE.match(code):
            raise ValidationError(column, "scientific_notation")
        found = self.by_name.get(normalize_header(s), [])
        if scope is not None and len(found) > 1:
            found = [u for u in found if u.path.startswith(scope.path)] or found
        hints = [normalize_header(h) for h in hints if h]
        if len(found) > 1 and hints:
            found = [u for u in found if all(
                any(h == a or h in a or a in h for a in self.ancestors_named(u)) for h in hints)]
        if not found:
            raise ValidationError(column, "unknown_unit")
        if len(found) > 1:
            raise ValidationError(column, "ambiguous_unit",
                                  codes="、".join(u.code for u in found[:5]))
        return found[0]


class EntityImporter:
    """An entity's import: its columns, how a header names one, the user's area, and the
    steps the run calls in order — ``prepare`` (load what the rows refer to), ``check`` (one
    row: an ``Op`` or problems on the row), ``finish`` (after every row), ``write``."""

    entity = ""  # the code the table of entities, the admin and the command line use
    label = ""  # its name in the admin's menu of imports (a msgid)
    sheet_title = ""
    model: Any = None  # the table ``write`` fills, unless an entity writes its own way
    columns: tuple[Column, ...] = ()

    def __init__(self, scope: OrgUnit | None, today: dt.date):
        self.scope = scope
        self.today = today
        self.canonical = {c.key: c.header for c in self.columns}

    # -- headers ---------------------------------------------------------------------------

    @classmethod
    def column_key(cls, header: Any) -> str | None:
        """The key of the column ``header`` names, by the entity's own columns."""
        table = cls.__dict__.get("_forms")
        if table is None:
            table = {}
            for c in cls.columns:
                for form in c.forms():
                    table.setdefault(form, c.key)
            cls._forms = table
        for form in header_forms(header):
            if form in table:
                return table[form]
        return None

    def header_key(self, header: Any) -> str | None:
        return self.column_key(header)

    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    # -- scope and places ----------------------------------------------------------------

    def in_scope(self, unit_or_path) -> bool:
        if self.scope is None:
            return True
        path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
        return path.startswith(self.scope.path)

    def unit(self, row: Row, key: str, levels: tuple[str, ...], *, required: bool = True
             ) -> OrgUnit | None:
        hints = (row.text("township_hint"), row.text("county_hint"))
        unit = row.get(key, lambda t, c: self.places.find(t, c, hints, self.scope),
                       required=required)
        if unit is None:
            return None
        if unit.level not in levels:
            row.fail(key, "wrong_level", value=row.text(key), level=unit.level,
                     expected=levels[0])
            return None
        if not self.in_scope(unit):
            row.fail(key, "out_of_scope", value=row.text(key))
            return None
        return unit

    # -- the steps -------------------------------------------------------------------------

    def prepare(self, rows: list[Row]) -> None:
        self.places = Places()

    def check(self, row: Row) -> Op | None:
        raise NotImplementedError

    def finish(self, ops: list[Op]) -> None:
        """After every row is checked: a last look at the ops as a whole."""

    def ignored(self, headers: dict[str, str]) -> list[str]:
        """Headers the entity claimed but found no use for once every row was read."""
        return []

    def write(self, ops: list[Op], actor: str) -> None:
        insert_rows(self.model, self.create_rows([op for op in ops if op.action == "create"],
                                                 actor))
        apply_updates(self.model, ops)

    def create_rows(self, creates: list[Op], actor: str) -> list[dict]:
        return [op.values for op in creates]

    # -- the blank template --------------------------------------------------------------

    def column_notes(self) -> list[list[str]]:
        return [[c.header, "是" if c.required else "否", c.note] for c in self.columns]

    def template_tables(self) -> list[tuple[str, list[str], list[list]]]:
        """The header row (required columns marked "*"), then the instructions sheet."""
        headers = [f"*{c.header}" if c.required else c.header for c in self.columns
                   if c.key not in ("township_hint", "county_hint")]
        return [(self.sheet_title, headers, []), (NOTES_TITLE, NOTES_HEADER, self.column_notes())]

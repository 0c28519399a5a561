"""Report kinds as data, and the rules of one form engine that walks any of them.

A kind is a list of field definitions (``kinds.toml``); the bot and the admin ask, parse,
validate and display answers through this module only, so a new kind needs no new code.
"""
from __future__ import annotations

import datetime as dt
import time
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from models.core.errors import ValidationError
from models.core.paths import DATA_DIR
from models.core.schema import ActionLine, Indicator, Plan, ReportKind
from models.forms import parsing
from models.forms.fieldtypes import FIELD_TYPES, FieldType
from models.forms.options import bind_scope, scope, source  # noqa: F401  (bind_scope: API)

KINDS_FILE = DATA_DIR / "kinds.toml"


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # a gettext msgid, or literal text when ``literal``
    literal: bool = False
    line: str | None = None


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    prompt: str
    label: str
    optional: bool = False
    role: str | None = None
    min: Any = None
    max: Any = None
    max_length: int = 500
    max_count: int = 5
    options: tuple[Option, ...] = ()
    options_from: str | None = None
    when: dict | None = None
    quick: tuple[str, ...] = ()
    multiline: bool = True  # a text area: line breaks kept (``multiline`` in kinds.toml)

    @classmethod
    def from_dict(cls, d: dict) -> "FieldDef":
        if d["type"] not in FIELD_TYPES:
            raise ValueError(f"unknown field type {d['type']!r} in field {d['name']!r}")
        opts = tuple(Option(o["value"], o["label"], line=o.get("line")) for o in d.get("options", ()))
        return cls(name=d["name"], type=d["type"], prompt=d["prompt"], label=d["label"],
                   optional=d.get("optional", False), role=d.get("role"), min=d.get("min"),
                   max=d.get("max"), max_length=d.get("max_length", 500),
                   max_count=d.get("max_count", 5), options=opts,
                   options_from=d.get("options_from"), when=d.get("when"),
                   quick=tuple(d.get("quick", ())),
                   # a long text is a story or a list; a short one (a title, a place) is a line
                   multiline=d.get("multiline", d.get("max_length", 500) > 200))

    @property
    def field_type(self) -> FieldType:
        """How answers of this field are read, shown, asked and exported."""
        return FIELD_TYPES[self.type]

    @property
    def is_optional(self) -> bool:
        return self.optional or self.field_type.always_optional

    def applies(self, answers: dict) -> bool:
        """Whether this field is asked, given earlier answers (``when`` conditions)."""
        if not self.when:
            return True
        return answers.get(self.when["field"]) in self.when["in"]


@dataclass(frozen=True)
class KindDef:
    code: str
    name: str
    emoji: str
    action_line: str | None
    fields: tuple[FieldDef, ...]
    checks: tuple[dict, ...] = ()

    @classmethod
    def from_row(cls, row: ReportKind) -> "KindDef":
        return cls(code=row.code, name=row.name, emoji=row.emoji, action_line=row.action_line,
                   fields=tuple(FieldDef.from_dict(f) for f in row.fields),
                   checks=tuple(row.checks or ()))

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def visible_fields(self, answers: dict) -> list[FieldDef]:
        return [f for f in self.fields if f.applies(answers)]

    def next_field(self, answers: dict, after: str | None = None) -> FieldDef | None:
        """The first visible field not answered yet (skipped optional fields count as answered)."""
        for f in self.visible_fields(answers):
            if f.name not in answers:
                return f
        return None

    def date_field(self) -> FieldDef | None:
        return next((f for f in self.fields if f.role == "date"), None)

    def action_line_of(self, answers: dict) -> str | None:
        """The action line a report belongs to: a field, the chosen option's line, or the kind's."""
        for f in self.fields:
            if f.role == "action_line" and answers.get(f.name):
                return answers[f.name]
        for f in self.fields:
            if f.field_type.has_options and not f.field_type.multiple and f.name in answers:
                opt = next((o for o in f.options if o.value == answers[f.name]), None)
                if opt and opt.line:
                    return opt.line
        return self.action_line


def load_kinds(path: Path = KINDS_FILE) -> list[ReportKind]:
    """Create or update the report kinds from the data file; idempotent."""
    spec = tomllib.loads(Path(path).read_text("utf-8"))
    rows = []
    for order, k in enumerate(spec["kinds"], start=1):
        for f in k["fields"]:
            FieldDef.from_dict(f)  # fail early on a malformed definition
        values = dict(name=k["name"], emoji=k.get("emoji", ""), action_line=k.get("action_line"),
                      fields=k["fields"], checks=k.get("checks", []), order=k.get("order", order),
                      active=k.get("active", True), stores=k.get("stores"))
        rows.append(ReportKind.upsert({"code": k["code"]}, values))
    clear_cache()
    return rows


# Kinds and the default plan change only when a data file is loaded, yet every update of the
# bot reads them: keep them for a short while per process (loading clears it at once here;
# another process's load is seen within CACHE_SECONDS).
CACHE_SECONDS = 30.0
_cache: dict = {}


def _cached(key, load):
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _cache[key] = (now + CACHE_SECONDS, value)
    return value


def clear_cache() -> None:
    _cache.clear()


def kind_by_id(kind_id: int) -> KindDef:
    return _cached(("kind", kind_id), lambda: KindDef.from_row(kind_row_by_id(kind_id)))


def kind_row_by_id(kind_id: int) -> ReportKind:
    """The stored kind (shared: read it, never change it), so a draft or a report names its
    kind without a read each (``models.reports.filing``)."""
    return _cached(("row", kind_id), lambda: ReportKind.get_by_id(kind_id))


def kind_row(code: str) -> ReportKind | None:
    """The stored kind of ``code`` (active or not; shared: read it, never change it)."""
    def load():
        row = ReportKind.get_or_none(ReportKind.code == code)
        if row is not None:
            _cache[("row", row.id)] = (time.monotonic() + CACHE_SECONDS, row)
        return row
    return _cached(("row", code), load)


def active_kinds() -> list[KindDef]:
    return _cached("active", lambda: [KindDef.from_row(r) for r in ReportKind.select().where(
        ReportKind.active == True).order_by(ReportKind.order)])  # noqa: E712


def get_kind(code: str) -> KindDef:
    def load():
        row = kind_row(code)
        if row is None:
            raise ReportKind.DoesNotExist(code)
        return KindDef.from_row(row)
    return _cached(("def", code), load)


def default_plan() -> Plan | None:
    return _cached("default_plan",
                   lambda: Plan.select().order_by(Plan.is_default.desc(), Plan.id).first())


def options_for(f: FieldDef, locale: str = "zh_Hans", *, value=None) -> list[Option]:
    """The options of a choice field; ``options_from`` resolves against the default plan
    (``action_lines``) or a registered source (``models.forms.options``) in the bound scope
    (with ``value``, the one option of a stored answer, to show it wherever it is read)."""
    if f.options_from and f.options_from != "action_lines":
        return source(f.options_from).options(scope(), value if isinstance(value, str) else None)
    if f.options_from == "action_lines":
        plan = default_plan()
        if plan is None:
            return []
        lines = _cached(("lines", plan.id), lambda: list(
            ActionLine.select().where(ActionLine.plan == plan).order_by(ActionLine.number)))
        return [Option(l.code, l.label(locale), literal=True) for l in lines]
    return list(f.options)


def earliest_date(kind: str | None = None) -> dt.date | None:
    """The earliest date a report of ``kind`` may name: the default plan's start, or an
    earlier start of one of its indicators that counts that kind (a 累计 target counted from
    2021 takes a cemetery milestone of 2022, not an activity of 2022). Without a kind, the
    earliest of any kind (a typed date is checked for its kind again on submission)."""
    plan = default_plan()
    if plan is None:
        return None

    def load():
        rows = (Indicator.select(Indicator.report_kind, Indicator.spec)
                .where(Indicator.plan == plan).tuples())
        starts = [dt.date.fromisoformat(str(spec["start_date"])) for k, spec in rows
                  if (spec or {}).get("start_date") and kind in (None, k)]
        return min([plan.start_date] + starts)
    return _cached(("earliest", plan.id, kind), load)


def parse_answer(f: FieldDef, text: str, *, today: dt.date, kind: str | None = None) -> Any:
    """Turn a typed answer (to a field of ``kind``) into the stored value, or raise
    ValidationError.

    A date is checked against the plan's start first (cached with the plan); only one before
    it reads the indicators' earlier starts (``earliest_date``): the earliest date is never
    later than the plan's start, so the common answer costs the bot no statement."""
    def plan_start() -> dt.date | None:
        plan = default_plan()
        return plan.start_date if plan else None

    try:
        return f.field_type.parse(f, text, today=today, earliest=plan_start)
    except ValidationError as e:
        if e.code != "too_early":
            raise
    return f.field_type.parse(f, text, today=today, earliest=lambda: earliest_date(kind))


def validate_choice(f: FieldDef, value: str, locale: str = "zh_Hans") -> str:
    return parsing.parse_choice(value, f.name, [o.value for o in options_for(f, locale)])


def check_answers(kind: KindDef, answers: dict) -> None:
    """Cross-field rules (``checks``), run once their fields are all answered."""
    for check in kind.checks:
        if check["rule"] == "sum_at_most":
            names = list(check["fields"]) + [check["limit"]]
            if not all(answers.get(n) is not None for n in names):
                continue
            parts = sum(int(answers[n]) for n in check["fields"])
            if parts > int(answers[check["limit"]]):
                raise ValidationError(check["fields"][-1], check.get("code", "parts_exceed_total"),
                                      total=int(answers[check["limit"]]), parts=parts)


def validate_complete(kind: KindDef, answers: dict, *, today: dt.date) -> None:
    """Everything a submission needs: required fields present, values in range, checks pass."""
    for f in kind.visible_fields(answers):
        value = answers.get(f.name)
        if value in (None, "", []) and not f.optional:
            raise ValidationError(f.name, "required")
        if f.role == "date" and value:
            d = dt.date.fromisoformat(value)
            if d > today:
                raise ValidationError(f.name, "future")
            early = earliest_date(kind.code)
            if early and d < early:
                raise ValidationError(f.name, "too_early", earliest=early)
    check_answers(kind, answers)


def numeric(value) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    return Decimal(str(value))

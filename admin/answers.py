"""A report's answers as an official reads them: the kind's field labels and option labels
in one language, numbers, money and dates formatted for it. Used by the detail page (in the
official's language) and the exports (in Chinese)."""
from __future__ import annotations

from models.forms.kinds import FieldDef, KindDef, default_plan, options_for
from models.core.i18n import Translator
from models.core.schema import ActionLine, OrgUnit, ReportKind

def option_label(f: FieldDef, value, t: Translator) -> str:
    for o in options_for(f, t.locale, value=value):
        if o.value == value:
            return o.label if o.literal else t.gettext(o.label)
    return str(value)


def _names(f: FieldDef, t: Translator):
    """Names an option value of ``f`` (each stored answer's own option, wherever it is)."""
    return lambda value: option_label(f, value, t)


def display(f: FieldDef, value, t: Translator) -> str:
    if value in (None, "", []):
        return ""
    return f.field_type.display(f, value, t, _names(f, t))


def cell(f: FieldDef, value, t: Translator):
    """A spreadsheet cell: numbers stay numbers (so Excel can sum them), the rest shown text."""
    if value in (None, "", []):
        return None
    return f.field_type.cell(f, value, t, _names(f, t))


def answer_rows(kind: KindDef, values: dict, t: Translator) -> list[tuple[str, str]]:
    """(label, shown value) for every answered field the report's answers make visible;
    photos and the location are shown apart (pictures, a map link)."""
    rows = []
    for f in kind.visible_fields(values):
        if f.field_type.shown_apart or values.get(f.name) in (None, "", []):
            continue
        rows.append((t.gettext(f.label), display(f, values[f.name], t)))
    return rows


def summary(kind: KindDef, values: dict) -> str:
    """A report's one-line name in lists: its first text answer (a title, a place...)."""
    for f in kind.fields:
        if f.field_type.names_report and values.get(f.name):
            return str(values[f.name])
    return ""


def kind_defs() -> dict[int, KindDef]:
    """Every report kind by id, parsed once per call (lists show many rows of few kinds)."""
    return {row.id: KindDef.from_row(row) for row in ReportKind.select()}


def action_line_labels(locale: str) -> dict[str, str]:
    plan = default_plan()
    if plan is None:
        return {}
    return {l.code: l.label(locale) for l in ActionLine.select().where(ActionLine.plan == plan)}


def places_of(paths) -> dict[str, dict[str, OrgUnit]]:
    """For each org path, its org units by level (county, township, community), in one query."""
    codes = {c for p in paths for c in p.strip("/").split("/") if c}
    units = {u.code: u for u in OrgUnit.select().where(OrgUnit.code.in_(codes))} if codes else {}
    out = {}
    for p in paths:
        chain = [units[c] for c in p.strip("/").split("/") if c in units]
        out[p] = {u.level: u for u in chain}
    return out

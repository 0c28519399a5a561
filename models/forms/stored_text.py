"""Text stored before the door cleaned it, cleaned as new text is (for the upgrade).

Until text was cleaned at the door (``models.core.text.clean``), control, bidi and
zero-width characters were stored as sent. ``clean_stored_text`` walks every column people
type into (names, titles, reasons, opinions, notes) and the text answers inside reports,
drafts and applications, and cleans them in batches. A value that cleans to nothing, or to
something that says nothing, is kept as cleaned (never deleted) and counted, so an official
can look at it. Plan definitions (owned by their files), identifiers, hashes, file ids, the
outbox and the audit log (a record of what was stored, never rewritten) are left alone.
Idempotent: a second run changes nothing. The same statements on SQLite and PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Iterator

import peewee as pw

from models.core.db import database
from models.core.schema import (AdminUser, Application, ApplicationStep, Draft, Group, OrgUnit,
                                Report, ReportKind, SocialOrganization, Station, Volunteer,
                                VolunteerHours, Worker)
from models.core.text import clean, meaningful
from models.forms.kinds import KindDef

#: Columns of typed text: column name → whether it keeps line breaks.
COLUMNS: dict[type[pw.Model], dict[str, bool]] = {
    OrgUnit: {"name": False, "name_en": False},
    Station: {"name": False},
    Worker: {"display_name": False},
    AdminUser: {"display_name": False},
    Group: {"title": False, "inactive_reason": True},
    Report: {"reject_reason": True},
    SocialOrganization: {"name": False, "leader": False, "note": True},
    Volunteer: {"name": False, "team": False, "skills": False},
    VolunteerHours: {"activity": False},
    Application: {"title": False},
    ApplicationStep: {"opinion": True},
}
#: JSON columns holding a form's answers: their text fields are cleaned as the bot does.
ANSWERS: dict[type[pw.Model], str] = {Report: "values", Draft: "answers", Application: "answers"}
APPLICATION_KIND = "pilot_application"  # the kind an application's answers follow
BATCH = 500


def _batches(model: type[pw.Model], fields: list[pw.Field], size: int) -> Iterator[list]:
    """Rows by ascending id, ``size`` at a time: bounded memory on any table."""
    last = 0
    while True:
        rows = list(model.select(model.id, *fields).where(model.id > last)
                    .order_by(model.id).limit(size))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _text_fields() -> dict[int, dict[str, bool]]:
    """Each report kind's text fields (field name → multi-line), by kind id."""
    out = {}
    for row in ReportKind.select():
        kind = KindDef.from_row(row)
        out[row.id] = {f.name: f.multiline for f in kind.fields if f.type == "text"}
    return out


def _clean_answers(answers, fields: dict[str, bool], count: dict) -> dict | None:
    """The answers with their text fields cleaned, or None when nothing changes."""
    if not isinstance(answers, dict):
        return None
    changed = dict(answers)
    for name, multiline in fields.items():
        value = answers.get(name)
        if isinstance(value, str) and value:
            cleaned = clean(value, multiline=multiline)
            if cleaned != value:
                changed[name] = cleaned
                count["values"] += 1
                count["not_meaningful"] += not meaningful(cleaned)
    return changed if changed != answers else None


def clean_stored_text(batch_size: int = BATCH) -> dict[str, dict[str, int]]:
    """Clean every stored typed text; per table, the rows changed, the values changed, and
    how many of those now say nothing (empty, emoji or punctuation only: kept, counted).
    Each batch is one transaction, so a large table never holds one long lock."""
    counts: dict[str, dict[str, int]] = {}
    kinds = _text_fields()
    application_kind = ReportKind.get_or_none(ReportKind.code == APPLICATION_KIND)
    for model in dict.fromkeys([*COLUMNS, *ANSWERS]):
        columns = COLUMNS.get(model, {})
        answers_column = ANSWERS.get(model)
        fields = [model._meta.fields[c] for c in columns]
        if answers_column:
            fields.append(model._meta.fields[answers_column])
            if model is not Application:
                fields.append(model.kind)
        count = counts.setdefault(model._meta.table_name,
                                  {"rows": 0, "values": 0, "not_meaningful": 0})
        for rows in _batches(model, fields, batch_size):
            with database.atomic():
                for row in rows:
                    changes = {}
                    for column, multiline in columns.items():
                        value = getattr(row, column)
                        if isinstance(value, str) and value:
                            cleaned = clean(value, multiline=multiline)
                            if cleaned != value:
                                changes[column] = cleaned
                                count["values"] += 1
                                count["not_meaningful"] += not meaningful(cleaned)
                    if answers_column:
                        kind_id = (application_kind.id if application_kind else None) \
                            if model is Application else row.kind_id
                        answers = _clean_answers(getattr(row, answers_column),
                                                 kinds.get(kind_id, {}), count)
                        if answers is not None:
                            changes[answers_column] = answers
                    if changes:
                        model.update({model._meta.fields[k]: v for k, v in changes.items()}) \
                            .where(model.id == row.id).execute()
                        count["rows"] += 1
    return counts

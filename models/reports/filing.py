"""Drafts become reports exactly once; reviews change their status and their counting."""
from __future__ import annotations

import datetime as dt
import hashlib
from contextvars import ContextVar
from pathlib import Path

import peewee

from models.core.db import database, prepared, save_later, write_together
from models.core.errors import NotFound, PermissionDenied, ValidationError
from models.forms.kinds import KindDef, get_kind, kind_row, kind_row_by_id, validate_complete
from models.core.i18n import N_, translator
from models.reports import photos, sinks
from models.plans.loading import count_report
from models.core.schema import (ChatState, Contribution, Draft, Outbox, Photo, ProcessedUpdate,
                                Report, ReportKind, Worker, audit, now)

#: The drafts the update being handled knows to have no photo (``load_chat`` read it with the
#: rest; ``store_photo`` forgets it): asking a question spares a read of the photos then.
_PHOTOLESS: ContextVar[set[str] | frozenset[str]] = ContextVar("photoless", default=frozenset())
#: The workers the update being handled knows to have no draft (``load_chat``; a draft
#: started forgets it): starting one then deletes nothing.
_DRAFTLESS: ContextVar[set[int] | frozenset[int]] = ContextVar("draftless", default=frozenset())

REJECT_NOTICE = N_("Your report “{kind}” of {date} was returned for correction.\n"
                   "Reason: {reason}")


def start_draft(worker: Worker, kind_code: str, *, later: bool = False) -> Draft:
    """One open draft per worker: starting a new report replaces an unfinished one. The kind
    comes from the per-process cache (``models.forms.kinds.kind_row``).

    ``later``: the new draft is inserted with the rest of the update, at its end
    (``save_later``), not now and then updated with its first step (the bot's choice of a
    kind, issue 15: a statement less)."""
    kind = kind_row(kind_code)
    if kind is None:
        raise ReportKind.DoesNotExist(kind_code)
    if later:
        if not _was_draftless(worker):  # else none to replace: the update's read saw none
            Draft.delete().where(Draft.worker == worker).execute()
        draft = Draft(worker=worker, kind=kind)
        save_later(draft)
        return draft
    _was_draftless(worker)
    with database.atomic():
        Draft.delete().where(Draft.worker == worker).execute()
        return Draft.create(worker=worker, kind=kind)


def _was_draftless(worker: Worker) -> bool:
    """Whether the update's read (``load_chat``) saw no draft of ``worker`` (forgotten: the
    caller starts one)."""
    draftless = _DRAFTLESS.get()
    if worker.id not in draftless:
        return False
    draftless.discard(worker.id)
    return True


def open_draft(worker: Worker) -> Draft | None:
    return Draft.select().where(Draft.worker == worker).order_by(Draft.id.desc()).first()


def save_draft(draft: Draft) -> Draft:
    """Saved now, or with the rest of the update at its end (``models.core.db.save_later``)."""
    draft.updated_at = now()
    save_later(draft)
    return draft


def discard_draft(draft: Draft) -> None:
    with database.atomic():
        for photo in Photo.select().where(Photo.draft_uid == draft.uid, Photo.report.is_null()):
            photo.delete_instance()
        draft.delete_instance()


def store_photo(media_dir: str | Path, data: bytes, *, draft_uid: str, field: str,
                tg_file_id: str | None = None, tg_file_unique_id: str | None = None) -> Photo:
    """Keep the photo on disk under its hash (the same photo twice is stored once): ``data``
    checked and re-encoded by ``photos.clean`` unless it already was (its ValidationError
    reaches the caller, with nothing stored), so what is kept is a JPEG without metadata."""
    if not isinstance(data, photos.CleanPhoto):
        data = photos.clean(data, field)
    if draft_uid in _PHOTOLESS.get():
        _PHOTOLESS.get().discard(draft_uid)
    digest = hashlib.sha256(data).hexdigest()
    path = Path(media_dir) / digest[:2] / f"{digest}.jpg"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return Photo.create(draft_uid=draft_uid, field=field, sha256=digest, path=str(path),
                        size=len(data), tg_file_id=tg_file_id, tg_file_unique_id=tg_file_unique_id)


def draft_photos(draft: Draft, field: str | None = None) -> list[Photo]:
    if draft.uid in _PHOTOLESS.get():
        return []
    q = Photo.select().where(Photo.draft_uid == draft.uid)
    if field:
        q = q.where(Photo.field == field)
    return list(q.order_by(Photo.id))


def _report_fields(kind: KindDef, answers: dict, today: dt.date) -> dict:
    """The report's columns from the answers; a kind with no date field (a 申报表) is dated
    the day it is filed."""
    date_field = kind.date_field()
    values = {k: v for k, v in answers.items()
              if k in {f.name for f in kind.visible_fields(answers)} and k != "location"}
    location = answers.get("location") or {}
    return dict(activity_date=(dt.date.fromisoformat(answers[date_field.name]) if date_field
                               else today),
                action_line=kind.action_line_of(answers), values=values,
                latitude=location.get("lat"), longitude=location.get("lon"))


def submit_draft(draft: Draft, *, today: dt.date, update_id: int | None = None) -> tuple[Report, bool]:
    """Store the draft as a report; returns (report, created).

    Idempotent on the draft's uid: a double tap on Submit or a redelivered update finds the
    report the first one stored. Everything (report, photos, contributions, audit, draft
    removal) is one transaction, so nothing half-done is ever stored.
    """
    # its SQL written once: a miss through get_or_none writes it twice more, for the error
    found = database.execute_sql(prepared("report_by_uid", lambda: Report.select(Report.id).where(
        Report.uid == "")), [draft.uid]).fetchone()
    if found:
        return Report.get_by_id(found[0]), False
    stored_kind = draft.kind
    kind = get_kind(stored_kind.code)
    answers = dict(draft.answers)
    validate_complete(kind, answers, today=today)
    worker = draft.worker
    if not worker.is_active:
        raise PermissionDenied("worker is not active")
    try:
        with database.atomic():
            if draft.editing_report_id:
                report = Report.get_by_id(draft.editing_report_id)
                before = {"values": report.values, "status": report.status}
                for k, v in _report_fields(kind, answers, today).items():
                    setattr(report, k, v)
                report.status = "submitted"
                report.reject_reason = None
                report.updated_at = now()
                report.save()
                Photo.update(report=report).where(Photo.draft_uid == draft.uid).execute()
                audit(f"tg:{worker.tg_user_id}", "resubmit", "report", report.id, before=before,
                      after={"values": report.values, "status": report.status})
            else:
                report = Report.create(
                    uid=draft.uid, kind=stored_kind, worker=worker, org_unit=worker.org_unit,
                    org_path=worker.org_unit.path, source_update_id=update_id,
                    **_report_fields(kind, answers, today))
                if draft.uid not in _PHOTOLESS.get():  # else the update's read saw it has none
                    Photo.update(report=report).where(Photo.draft_uid == draft.uid).execute()
                audit(f"tg:{worker.tg_user_id}", "submit", "report", report.id,
                      after={"kind": kind.code, "values": report.values})
            count_report(report, fresh=not draft.editing_report_id)
            sinks.apply(stored_kind.stores, report, created=not draft.editing_report_id)
            Worker.update(last_report_at=now()).where(Worker.id == worker.id).execute()
            draft.delete_instance()
    except peewee.IntegrityError:
        # A concurrent submit of the same draft won the race: return what it stored.
        return Report.get(Report.uid == draft.uid), False
    return report, True


def draft_from_report(worker: Worker, report: Report) -> Draft:
    """Reopen a rejected report for correction; submitting it updates the same report."""
    if report.worker_id != worker.id:
        raise NotFound("report")
    _was_draftless(worker)
    with database.atomic():
        Draft.delete().where(Draft.worker == worker).execute()
        answers = dict(report.values)
        if report.latitude is not None:
            answers["location"] = {"lat": report.latitude, "lon": report.longitude}
        draft = Draft.create(worker=worker, kind=report.kind, answers=answers, step=None,
                             editing_report=report)
        Photo.update(draft_uid=draft.uid).where(Photo.report == report).execute()
    return draft


def review(report: Report, status: str, *, actor: str, reason: str | None = None) -> Report:
    """Approve or reject; counting follows the plan's counted statuses through contributions."""
    if status not in ("approved", "rejected", "submitted"):
        raise ValueError(status)
    with database.atomic():
        before = {"status": report.status, "reject_reason": report.reject_reason}
        report.status = status
        report.reject_reason = reason if status == "rejected" else None
        report.reviewed_by = actor
        report.reviewed_at = now()
        report.updated_at = now()
        report.save()
        Contribution.update(status=status).where(Contribution.report == report).execute()
        sinks.reviewed(report.kind.stores, report, before=before["status"])
        audit(actor, status, "report", report.id, before=before,
              after={"status": status, "reject_reason": report.reject_reason})
    return report


def reject(report: Report, *, actor: str, reason: str) -> Outbox | None:
    """Reject a report and queue the worker's notice (in the worker's language) in the same
    transaction; the bot delivers Outbox rows, so no edge but the bot talks to Telegram.

    Rejecting a report that is already rejected changes nothing and queues nothing, so a
    repeated click does not notify the worker twice; the key ``reject:<uid>:<n>`` is unique,
    so two reviewers racing on the same report cannot both queue a notice.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "required")
    if report.status == "rejected":
        return None
    with database.atomic():
        review(report, "rejected", actor=actor, reason=reason)
        worker = report.worker
        if worker is None:
            return None
        t = translator(worker.language)
        n = Outbox.select().where(Outbox.key.startswith(f"reject:{report.uid}:")).count() + 1
        return Outbox.create(
            key=f"reject:{report.uid}:{n}", chat_id=worker.tg_user_id,
            text=t.gettext(REJECT_NOTICE, kind=t.gettext(report.kind.name),
                           date=t.date(report.activity_date), reason=reason),
            payload={"report_uid": report.uid, "action": "fix"})


#: Redeliveries come within hours; after a week without updates Telegram numbers the next
#: one at random, so a mark kept forever could one day swallow a new update.
KEEP_HANDLED = dt.timedelta(days=3)
#: How many of a chat's latest handled updates its ChatState remembers (``finish_update``):
#: more than a chat sends while its updates wait to be confirmed.
HANDLED_IN_STATE = 32


def handled_before(update_id: int) -> bool:
    """Whether this update was handled to the end already (its redelivery is dropped)."""
    return ProcessedUpdate.select().where(ProcessedUpdate.update_id == update_id).exists()


def mark_handled(update_id: int) -> None:
    """Record an update as handled: written after its effects were committed and its replies
    sent, never before, so a crash in between leads to a redelivery, not to a lost update.
    One statement; a second mark changes nothing."""
    database.execute_sql(*_mark(update_id))


def _mark(update_id: int) -> tuple[str, list]:
    sql = prepared("mark", lambda: ProcessedUpdate.insert(update_id=0).on_conflict_ignore())
    return sql, [update_id, ProcessedUpdate.processed_at.db_value(now())]


def _handled_in(state: ChatState | None, update_id: int | None) -> bool:
    if state is None or update_id is None or state.updated_at < now() - KEEP_HANDLED:
        return False
    return update_id in (state.data or {}).get("handled", ())


def finish_update(rows, update_id: int | None, *, state: ChatState | None = None) -> None:
    """Write what an update changed (``rows``, held back by ``models.core.db.unit_of_work``)
    and, given ``update_id``, its handled mark, with one commit (``write_together``: on
    PostgreSQL one round trip).

    The mark rides on ``state``, the chat's ChatState that ``load_chat`` reads the marks of,
    when it is among the rows written anyway (a new question's keyboard: a typed answer),
    among its latest ``HANDLED_IN_STATE`` ids; else it is a ProcessedUpdate row. So no answer
    costs more than its read and two writes (issue 15)."""
    rows = list(rows)
    statements = []
    if update_id is not None:
        if state is not None and any(r is state for r in rows):
            data = dict(state.data or {})
            data["handled"] = [*data.get("handled", ())[-(HANDLED_IN_STATE - 1):], update_id]
            state.data = data
            state.updated_at = now()
        else:
            statements.append(_mark(update_id))
    write_together(rows, *statements)


def _instance(model, fields, values):
    """A row of ``model`` from selected ``values``, as peewee would load it (not dirty; its
    values put in place without a setattr each, a third of a millisecond a row)."""
    obj = model(__no_default__=True)
    obj.__data__.update((f.name, f.python_value(v)) for f, v in zip(fields, values))
    return obj


def _chat_query():
    handled = peewee.fn.EXISTS(ProcessedUpdate.select(peewee.SQL("1"))
                               .where(ProcessedUpdate.update_id == 0))
    has_photos = peewee.fn.EXISTS(Photo.select(peewee.SQL("1"))
                                  .where(Photo.draft_uid == Draft.uid))
    return (Worker.select(handled, has_photos, *Worker._meta.sorted_fields,
                          *ChatState._meta.sorted_fields, *Draft._meta.sorted_fields)
            .join(ChatState, peewee.JOIN.LEFT_OUTER, on=(ChatState.tg_user_id == Worker.tg_user_id))
            .switch(Worker)
            .join(Draft, peewee.JOIN.LEFT_OUTER, on=(Draft.worker == Worker.id))
            .where(Worker.tg_user_id == 0)
            .order_by(Draft.id.desc()).limit(1))


def read_chat(tg_user_id: int, update_id: int | None):
    """Everything an update in a worker's private chat starts from, in one statement:
    (handled before?, Worker, ChatState or None, their newest Draft or None, whether that
    draft has photos). None when ``tg_user_id`` is no worker (then ask ``handled_before`` and
    the rest one by one). Only reads: the bot may run it on a thread of its own (bot/updates.py
    ``off_loop``); ``load_chat`` puts what it learnt into the update's context.

    The hot path of the bot (issue 15): four reads became one, its SQL written once."""
    worker_fields = Worker._meta.sorted_fields
    state_fields = ChatState._meta.sorted_fields
    draft_fields = Draft._meta.sorted_fields
    # parameters: the update id (none is negative), the user, the limit
    row = database.execute_sql(prepared("load_chat", _chat_query),
                               [-1 if update_id is None else update_id, tg_user_id, 1]).fetchone()
    if row is None:
        return None
    at = 2
    worker = _instance(Worker, worker_fields, row[at:at + len(worker_fields)])
    at += len(worker_fields)
    state_values = row[at:at + len(state_fields)]
    state = _instance(ChatState, state_fields, state_values) if state_values[0] is not None else None
    at += len(state_fields)
    draft_values = row[at:]
    draft = _instance(Draft, draft_fields, draft_values) if draft_values[0] is not None else None
    if draft is not None:  # what the draft names, without a read each
        draft.__rel__.update(worker=worker, kind=kind_row_by_id(draft.kind_id))
    handled = (bool(row[0]) and update_id is not None) or _handled_in(state, update_id)
    return handled, worker, state, draft, bool(row[1])


def load_chat(tg_user_id: int, update_id: int | None, *, read=None):
    """``read_chat``'s (handled before?, Worker, ChatState or None, Draft or None), or None;
    ``read``: its answer, read already (on another thread). Remembers for the rest of the
    update whether the draft has photos (none: ``draft_photos`` reads nothing) and whether
    the worker has a draft at all (none: ``start_draft`` deletes nothing)."""
    loaded = read_chat(tg_user_id, update_id) if read is None else read
    if loaded is None:
        return None
    handled, worker, state, draft, has_photos = loaded
    _PHOTOLESS.set({draft.uid} if draft is not None and not has_photos else set())
    _DRAFTLESS.set({worker.id} if draft is None else set())
    return handled, worker, state, draft

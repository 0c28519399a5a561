"""The bot's writes (models.core.db, issue 15): a stored row saved through SQL written once
stores what ``save()`` would, and ``save_later`` waits for the end of the unit of work."""
from __future__ import annotations

import datetime as dt

import peewee
import pytest

from models.core.db import database, save_later, save_row, unit_of_work, write_together
from models.core.schema import Draft
from models.reports.filing import start_draft
from tests import factories as f


def _columns(draft: Draft) -> dict:
    return {k: v for k, v in Draft.get_by_id(draft.id).__data__.items() if k != "updated_at"}


def test_a_row_saved_through_prepared_sql_reads_back_as_save_stores_it(db):
    draft = start_draft(f.worker("ailin"), "activity")
    draft.answers = {"title": "四点半课堂", "participants": 30, "parties": ["community"]}
    draft.history, draft.step, draft.editing = ["title", "participants"], "place", True
    draft.update_id, draft.updated_at = 2**40, dt.datetime(2026, 12, 7, 8, 30)
    for _ in range(2):  # the second time from the SQL kept
        save_row(draft)
        assert _columns(draft) == {k: draft.__data__.get(k) for k in _columns(draft)}
        assert Draft.get_by_id(draft.id).updated_at == dt.datetime(2026, 12, 7, 8, 30)
        assert not draft.is_dirty()
        draft.answers = {**draft.answers, "place": "社区活动室"}
    partial = Draft.select(Draft.id, Draft.step).where(Draft.id == draft.id).get()
    partial.step = None  # a row loaded with two columns writes those only
    save_row(partial)
    stored = Draft.get_by_id(draft.id)
    assert stored.step is None and stored.answers["place"] == "社区活动室" and stored.editing


def test_saves_wait_for_the_end_of_the_unit_of_work_but_not_in_a_transaction(db):
    draft = start_draft(f.worker("ailin"), "activity")
    with unit_of_work() as rows:
        draft.step = "title"
        save_later(draft)
        assert Draft.get_by_id(draft.id).step is None and list(rows.values()) == [draft]
        with database.atomic():
            draft.step = "place"
            save_later(draft)  # the transaction's caller wants it now
        assert Draft.get_by_id(draft.id).step == "place"
        draft.step = "date"
        write_together(rows.values())
    assert Draft.get_by_id(draft.id).step == "date"
    draft.step = "title"
    save_later(draft)  # outside a unit of work: saved at once
    assert Draft.get_by_id(draft.id).step == "title"


def test_rows_and_statements_written_together_commit_together(db):
    """On PostgreSQL in one round trip (models.core.db.write_together): a failing statement
    leaves the row as it was; a value with a % in it is stored as it is."""
    draft = start_draft(f.worker("ailin"), "activity")
    draft.answers = {"title": "满意度 95%"}
    write_together([draft], ("INSERT INTO processed_update (update_id, processed_at) "
                             "VALUES (7, '2026-12-07 08:00:00')", []))
    assert Draft.get_by_id(draft.id).answers == {"title": "满意度 95%"}
    if not isinstance(database.obj, peewee.PostgresqlDatabase):
        return  # SQLite: each statement commits by itself
    draft.answers = {"title": "changed"}
    with pytest.raises(peewee.IntegrityError):
        write_together([draft], ("INSERT INTO processed_update (update_id, processed_at) "
                                 "VALUES (7, '2026-12-07 08:00:00')", []))
    assert Draft.get_by_id(draft.id).answers == {"title": "满意度 95%"}


def test_a_query_run_through_sql_written_once_reads_what_peewee_reads(db):
    """``run_prepared`` (the dashboard's reads, issue 15): the SQL of the first call serves
    the next with other values, and ``instances`` loads the rows as peewee would."""
    from models.core.db import instances, run_prepared
    from models.core.schema import OrgUnit

    fields = OrgUnit._meta.sorted_fields
    for level in ("county", "township"):  # the second from the SQL of the first
        rows = run_prepared("test.units_of_level", lambda: OrgUnit.select(*fields).where(
            OrgUnit.level == level).order_by(OrgUnit.code), [level])
        got = instances(OrgUnit, fields, rows)
        want = list(OrgUnit.select().where(OrgUnit.level == level).order_by(OrgUnit.code))
        assert got and [u.__data__ for u in got] == [u.__data__ for u in want]
        assert not any(u.is_dirty() for u in got)


def test_parameters_out_of_the_sqls_order_fail_at_once(db):
    from models.core.db import run_prepared
    from models.core.schema import OrgUnit

    with pytest.raises(ValueError, match="out of the SQL's order"):
        run_prepared("test.two_parameters", lambda: OrgUnit.select().where(
            OrgUnit.level == "county", OrgUnit.code == "511802"), ["511802", "county"])

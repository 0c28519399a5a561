"""Schema versions: a fresh database is created at the current version; an older one is
brought up by the migrations, in order, once each, with every row it held intact; reading
the version writes nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from models.core import migrations, owners
from models.core.db import database, init_db
from models.core.migrations import (MIGRATIONS, SCHEMA_VERSION, SchemaError, check, check_url,
                                    create_schema, stored_version, upgrade)
from models.core.schema import (AdminUser, SocialOrganization, Group, Indicator, OrgUnit, Outbox, Photo, Plan,
                                Report, ReportKind, SchemaVersion, SharedCache, Subscription,
                                Target, audit)
from models.plans import rollup
from models.pushes import deliveries as pushes
from models.reports.filing import start_draft, store_photo
from tests import factories as f
from tests.images import GPS_IFD, HTML, jpeg, opened


def _columns(db, table):
    return {c.name for c in db.get_columns(table)}


def dump(db) -> dict[str, list]:
    """Every row of every table, as the database returns it."""
    out = {}
    for table in sorted(db.get_tables()):
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cursor.description]
        out[table] = sorted((dict(zip(names, row)) for row in cursor.fetchall()), key=repr)
    return out


WEEKLY = (rollup.CONTRIBUTION_WEEK, rollup.REPORT_WEEK)  # version 11
# Columns each version added to a table that existed before it (a test compares the rest).
OWNED = ("org_unit", "plan", "target")  # version 7


def back_to(db, version: int) -> None:
    """Make the fixture's database the way the code of ``version`` left it (down to 3)."""
    if version < 12:
        db.drop_tables([SharedCache], safe=True)
        db.execute_sql('DROP INDEX IF EXISTS "report_status_org_path_kind_id"')
    if version < 11:
        rollup.drop_triggers(WEEKLY)
        db.drop_tables([s.model for s in WEEKLY], safe=True)
    if version < 10:
        for column in ("registration", "part_time_social_workers", "social_work_agency"):
            if column in _columns(db, "social_organization"):
                if column == "registration":
                    db.execute_sql('DROP INDEX IF EXISTS "social_organization_registration"')
                db.execute_sql(f'ALTER TABLE "social_organization" DROP COLUMN "{column}"')
    if version < 9 and "update_id" in _columns(db, "draft"):
        db.execute_sql('ALTER TABLE "draft" DROP COLUMN "update_id"')
    if version < 7:
        for table in OWNED:
            if "owners" in _columns(db, table):
                db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "owners"')
    if version < 6:
        if "must_change_password" in _columns(db, "admin_user"):
            db.execute_sql('ALTER TABLE "admin_user" DROP COLUMN "must_change_password"')
        db.execute_sql('DROP TABLE IF EXISTS "heartbeat"')
    if version < 4 and "session_version" in _columns(db, "admin_user"):
        db.execute_sql('ALTER TABLE "admin_user" DROP COLUMN "session_version"')
    SchemaVersion.delete().where(SchemaVersion.version > version).execute()
    if not SchemaVersion.select().exists():  # a fresh database records its version only
        SchemaVersion.create(version=version)


AFTER_3 = list(range(4, SCHEMA_VERSION + 1))


def test_the_migrations_are_in_order_and_end_at_the_current_version():
    versions = [m.version for m in MIGRATIONS]
    assert versions == list(range(2, SCHEMA_VERSION + 1))
    assert all(m.description and "\n" not in m.description for m in MIGRATIONS)


def test_a_fresh_database_is_created_at_the_current_version(db):
    assert stored_version() == SCHEMA_VERSION and check() is None
    assert create_schema() == SCHEMA_VERSION  # at this version: nothing to do
    assert SchemaVersion.select().count() == 1
    assert upgrade() == []


def test_create_schema_never_marks_an_older_database_current(db):
    back_to(db, 3)
    with pytest.raises(SchemaError) as e:
        create_schema()
    assert e.value.problem.code == "older"
    assert stored_version() == 3 and "session_version" not in _columns(db, "admin_user")


def _version_3_data(db, tmp_path):
    """A version-3 database holding what workers and officials made, with photos stored before
    photos were checked: a clean one, one with the GPS in its EXIF, one that is not a picture."""
    ailin, wang = f.worker("ailin"), f.worker("wang", place=f.community("511802", 1))
    reports = [f.report(by=ailin), f.report("donation", by=wang, status="approved"),
               f.report(by=wang, date=dt.date(2026, 3, 2))]
    f.official("bob", "county_official", "511802")
    group = pushes.track_group(-100, "雨城区 群")
    Subscription.delete().where(Subscription.group == group,
                                Subscription.kind == "weekly").execute()
    target = Target.select().first()
    target.value = Decimal("150")
    target.save()
    draft = start_draft(ailin, "activity")
    store_photo(tmp_path, jpeg(1), draft_uid=draft.uid, field="photos")
    raw = {}
    for name, data in (("gps", jpeg(2, gps=True)), ("html", HTML)):
        path = tmp_path / "ab" / f"{hashlib.sha256(data).hexdigest()}.jpg"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        raw[name] = Photo.create(report=reports[0], field="photos", path=str(path),
                                 sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    back_to(db, 3)
    return raw


def test_upgrading_a_version_3_database_keeps_every_row(db, tmp_path):
    raw = _version_3_data(db, tmp_path)
    before = dump(db)
    gps_file = raw["gps"].path

    applied = upgrade()

    assert [a.version for a in applied] == AFTER_3
    assert stored_version() == SCHEMA_VERSION and check() is None
    after = dump(db)
    assert set(after) == set(before) | {"heartbeat", "contribution_week", "report_week",
                                             "shared_cache"}
    assert after["report_week"] and after["contribution_week"]  # filled from the reports
    for table in set(before) - {"admin_user", "schema_version", "photo", "draft", *OWNED}:
        assert after[table] == before[table], table
    assert after["draft"] == [{**row, "update_id": None} for row in before["draft"]]
    assert after["admin_user"] == [{**row, "session_version": 0, "must_change_password": False}
                                   for row in before["admin_user"]]
    for table in OWNED:  # nothing was set through the admin or an import: all the files'
        assert after[table] == [{**row, "owners": "{}"} for row in before[table]], table
    versions = sorted(after["schema_version"], key=lambda r: r["version"])  # id 10 < id 2 in repr
    assert versions[:len(before["schema_version"])] == before["schema_version"]
    assert [r["version"] for r in versions] == [3, *AFTER_3]
    # photos: only the one with metadata changed, to a clean file; the others as they were
    changed = [row for row in after["photo"] if row not in before["photo"]]
    assert [row["id"] for row in changed] == [raw["gps"].id]
    kept = Photo.get_by_id(raw["gps"].id)
    data = open(kept.path, "rb").read()
    assert hashlib.sha256(data).hexdigest() == kept.sha256 and kept.size == len(data)
    assert not opened(data).getexif().get_ifd(GPS_IFD)
    assert not (tmp_path / gps_file).exists()  # the file with the GPS is gone
    assert open(raw["html"].path, "rb").read() == HTML  # left for an official
    notes = [line for a in applied for line in a.lines()]
    assert "   1 photos re-encoded as JPEG without their metadata" in notes
    assert any(line.startswith("   1 stored photos are not pictures Wushe keeps")
               and str(raw["html"].id) in line for line in notes)


def test_each_migration_is_applied_once(db, tmp_path):
    _version_3_data(db, tmp_path)
    assert [a.version for a in upgrade()] == AFTER_3
    once = dump(db)
    assert upgrade() == []
    assert dump(db) == once
    assert SchemaVersion.select().where(SchemaVersion.version == 4).count() == 1


def test_a_failing_migration_leaves_the_database_at_the_version_before(db, monkeypatch):
    back_to(db, 3)

    def broken(step):
        migrations.add_columns(AdminUser, "session_version")
        raise RuntimeError("disk full")

    monkeypatch.setattr(migrations, "MIGRATIONS",
                        [migrations.Migration(4, "broken", broken), *MIGRATIONS[3:]])
    with pytest.raises(RuntimeError):
        upgrade()
    assert stored_version() == 3 and "session_version" not in _columns(db, "admin_user")


def test_a_newer_database_is_not_touched(db):
    SchemaVersion.create(version=SCHEMA_VERSION + 1)
    with pytest.raises(SchemaError) as e:
        upgrade()
    assert e.value.problem.code == "newer"
    assert "upgrade Wushe" in e.value.problem.message("here")


def test_the_check_names_the_command_to_run(db, db_url, tmp_path):
    assert check_url(db_url) is None
    back_to(db, 3)
    problem = check_url(db_url)
    assert (problem.code, problem.stored, problem.expected) == ("older", 3, SCHEMA_VERSION)
    assert problem.message("x") == ("the database at x is at schema version 3, this Wushe "
                                    f"needs {SCHEMA_VERSION}: run `python -m models upgrade`")
    missing = tmp_path / "nothing" / "here.sqlite3"
    assert check_url(f"sqlite:///{missing}").message("x") == (
        "the database at x has no Wushe schema: run `python -m models init`")
    assert not missing.parent.exists()


ADDED = [(Outbox, "seq"), (Outbox, "not_before"), (OrgUnit, "attrs"), (Plan, "spec"),
         (Indicator, "spec"), (ReportKind, "stores")]


def test_version_1_gets_the_columns_and_tables_of_version_2(db, db_url):
    Outbox.create(key="old-notice", chat_id=1, text="kept")
    added = [(m._meta.table_name, c) for m, c in ADDED]
    if db_url.startswith("postgres"):  # SQLite cannot drop a column a foreign key names
        added.append((Outbox._meta.table_name, "delivery_id"))
    for table, column in added:
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    for table in ("subscription", "delivery", "group", "application_step", "application",
                  "volunteer_hours", "volunteer", "social_organization", "admin_user"):
        db.execute_sql(f'DROP TABLE "{table}"')
    db.execute_sql('DROP INDEX "report_activity_date_status_org_path"')
    back_to(db, 1)

    assert [a.version for a in upgrade()] == list(range(2, SCHEMA_VERSION + 1))

    for table, column in added:
        assert column in _columns(db, table)
    assert {"group", "subscription", "admin_user", "application"} <= set(db.get_tables())
    assert "report_activity_date_status_org_path" in {i.name for i in db.get_indexes("report")}
    row = Outbox.get(Outbox.key == "old-notice")
    assert (row.text, row.seq, row.not_before, row.delivery_id) == ("kept", 0, None, None)
    assert OrgUnit.select().where(OrgUnit.attrs.is_null(False)).count() == OrgUnit.select().count()


def test_version_2_group_flags_become_subscriptions(db):
    """Version 2 kept a group's pushes as a boolean column per kind (``quarterly`` covering
    the half-year report too); the upgrade turns them into subscriptions, drops the columns,
    and new groups can be written without them."""
    table = Group._meta.table_name
    db.drop_tables([Subscription])
    for column in ("weekly", "quarterly"):
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" BOOLEAN NOT NULL DEFAULT TRUE')
    flags = {-1: (True, True), -2: (False, True), -3: (True, False), -4: (False, False)}
    for chat_id, (weekly, quarterly) in flags.items():
        Group.create(chat_id=chat_id, title=f"group {chat_id}")
        db.execute_sql(f'UPDATE "{table}" SET "weekly" = %s, "quarterly" = %s WHERE "chat_id" = %s'
                       .replace("%s", db.param), (weekly, quarterly, chat_id))
    back_to(db, 2)

    assert [a.version for a in upgrade()] == list(range(3, SCHEMA_VERSION + 1))

    assert not {"weekly", "quarterly"} & _columns(db, table)
    taken = {chat_id: pushes.subscriptions(Group.get(Group.chat_id == chat_id))
             for chat_id in flags}
    assert taken == {-1: {"weekly", "quarterly", "half"}, -2: {"quarterly", "half"},
                     -3: {"weekly"}, -4: set()}
    assert upgrade() == []
    assert Subscription.select().count() == 6
    assert pushes.subscriptions(pushes.track_group(-5, "new")) == set(pushes.KINDS)


def test_a_database_made_by_the_version_3_code_upgrades_with_its_rows(tmp_path):
    """Not a current schema with a column dropped: the tables, indexes and triggers exactly as
    the code of version 3 wrote them (tests/models/schema_v3.sql, SQLite's own dump)."""
    path = tmp_path / "v3.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript((Path(__file__).with_name("schema_v3.sql")).read_text("utf-8"))
    old.close()
    init_db(f"sqlite:///{path}")
    try:
        with database:
            before = dump(database)
            assert check().code == "older" and stored_version() == 3
            applied = upgrade()
            assert [a.version for a in applied] == AFTER_3
            after = dump(database)
            assert check() is None
            for table in set(before) - {"admin_user", "schema_version", "draft", *OWNED}:
                assert after[table] == before[table], table
            assert after["draft"] == [{**r, "update_id": None} for r in before["draft"]]
            assert after["admin_user"] == [{**r, "session_version": 0, "must_change_password": 0}
                                           for r in before["admin_user"]]
            assert any("1 photos have no file" in line for a in applied for line in a.lines())
            # and the code of today works on it
            f.official("dora", "viewer", "511802")
            report = Report.get()
            assert AdminUser.get(AdminUser.username == "dora").session_version == 0
            assert Report.select().count() == 1 and report.values["participants"] == 30
    finally:
        database.close()


def test_version_5_data_gets_its_owners_and_clean_text(db):
    """Migration 7 reads who set a target or a population back from the audit log (a reload
    then keeps them); migration 8 cleans typed text stored before the door cleaned it."""
    target = Target.select().order_by(Target.id).first()
    before = {"value": str(target.value)}
    target.value = Decimal("150")
    target.save()
    audit("admin:alice", "update", "target", target.id, before=before, after={"value": "150"})
    place = f.community("511802", 1)
    audit("admin:bob", "update", "org_unit", place.id, before={"population": place.population},
          after={"population": 4000})
    OrgUnit.update(population=4000).where(OrgUnit.id == place.id).execute()
    dirty = "四点半\x1b[31m课堂\u202egpj.exe\u200b"
    report = f.report(title=dirty)
    Report.update(values={**report.values, "title": dirty}).where(
        Report.id == report.id).execute()
    back_to(db, 5)

    applied = upgrade()

    assert [a.version for a in applied] == list(range(6, SCHEMA_VERSION + 1))
    assert owners.owner(Target.get_by_id(target.id), "value")["by"] == "admin:alice"
    assert owners.owner(OrgUnit.get_by_id(place.id), "population")["by"] == "admin:bob"
    assert owners.owner(OrgUnit.get_by_id(place.id), "households") is None
    assert Report.get_by_id(report.id).values["title"] == "四点半[31m课堂gpj.exe"
    notes = [line for a in applied for line in a.lines()]
    assert "   1 rows of target marked as set by officials or imports" in notes
    assert any(line.startswith("   report: 1 values in 1 rows cleaned") for line in notes)
    assert upgrade() == []


def test_version_9_organizations_are_filed_ones_with_no_part_time_workers(db):
    """Migration 10: an organization stored before registration was told apart from filing
    is a filed (备案) one, and says nothing yet of part-time social workers or an agency."""
    street = f.county("511802").children.first()
    org = SocialOrganization.create(name="东城志愿服务队", category="志愿服务类", org_unit=street,
                                    org_path=street.path, leader="王芳", status="filed")
    back_to(db, 9)
    assert "registration" not in _columns(db, "social_organization")

    applied = upgrade()

    assert [a.version for a in applied] == [10, 11, 12]
    again = SocialOrganization.get_by_id(org.id)
    assert (again.registration, again.part_time_social_workers,
            again.social_work_agency) == ("filed", 0, None)
    assert SocialOrganization.select().where(
        SocialOrganization.registration == "registered").count() == 0


def _weekly_rows(db) -> dict:
    """The weekly sums without their ids (a rebuild numbers them afresh)."""
    return {s.table: sorted(repr({k: v for k, v in row.items() if k != "id"})
                            for row in dump(db)[s.table]) for s in WEEKLY}


def test_version_10_gets_weekly_sums_of_its_reports_kept_from_then_on(db):
    """Migration 11: the weekly sums are created, filled from the reports and contributions
    already stored, and kept by triggers afterwards; going back drops them again."""
    ailin = f.worker("ailin")
    f.report(by=ailin, date=dt.date(2026, 1, 2))
    f.report("xinfeng", by=ailin, date=dt.date(2026, 3, 4), status="approved")
    rollup.rebuild(WEEKLY)
    built = _weekly_rows(db)
    back_to(db, 10)
    assert "report_week" not in db.get_tables() and "contribution_week" not in db.get_tables()
    f.report(by=ailin, date=dt.date(2026, 3, 5))  # no trigger left behind to fail on
    Report.delete().where(Report.activity_date == dt.date(2026, 3, 5)).execute()

    applied = upgrade()

    assert [a.version for a in applied] == [11, 12]
    assert _weekly_rows(db) == built
    f.report(by=ailin, date=dt.date(2026, 3, 6), status="approved")
    week = rollup.ReportWeek.get(rollup.ReportWeek.status == "approved",
                                 rollup.ReportWeek.org_path == ailin.org_unit.path,
                                 rollup.ReportWeek.week == dt.date(2026, 3, 2))
    assert week.n == 2


def test_version_11_gets_the_shared_page_cache_and_nothing_else_changes(db):
    """Migration 12: the table the admin's processes share computed pages in, and the index
    the review queue's count reads; every row the database held is kept as it was."""
    f.report(by=f.worker("ailin"), date=dt.date(2026, 1, 2))
    back_to(db, 11)
    assert "shared_cache" not in db.get_tables()
    waiting = "report_status_org_path_kind_id"
    assert waiting not in {i.name for i in db.get_indexes("report")}
    before = dump(db)

    applied = upgrade()

    assert [a.version for a in applied] == [12]
    assert "shared_cache" in db.get_tables()
    assert waiting in {i.name for i in db.get_indexes("report")}
    after = dump(db)
    assert after.pop("shared_cache") == []
    after["schema_version"] = [r for r in after["schema_version"] if r["version"] != 12]
    assert after == before

"""The schema grows without losing data: a database made before a column existed gets it on
the next start (create_schema), with its rows intact."""
from models.core.schema import (SCHEMA_VERSION, Indicator, OrgUnit, Outbox, Plan, ReportKind,
                           SchemaVersion, create_schema)

ADDED = [(Outbox, "seq"), (Outbox, "not_before"), (OrgUnit, "attrs"), (Plan, "spec"),
         (Indicator, "spec"), (ReportKind, "stores")]


def _columns(db, table):
    return {c.name for c in db.get_columns(table)}


def test_it_adds_columns_missing_from_an_older_database(db, db_url):
    Outbox.create(key="old-notice", chat_id=1, text="kept")
    added = [(m._meta.table_name, c) for m, c in ADDED]
    if db_url.startswith("postgres"):  # SQLite cannot drop a column a foreign key names
        added.append((Outbox._meta.table_name, "delivery_id"))
    for table, column in added:
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        assert column not in _columns(db, table)

    assert create_schema() == SCHEMA_VERSION

    for table, column in added:
        assert column in _columns(db, table)
    row = Outbox.get(Outbox.key == "old-notice")
    assert (row.text, row.seq, row.not_before, row.delivery_id) == ("kept", 0, None, None)
    assert OrgUnit.select().where(OrgUnit.attrs.is_null(False)).count() == OrgUnit.select().count()


def test_it_records_the_version_once(db):
    create_schema()
    create_schema()
    assert SchemaVersion.select().where(SchemaVersion.version == SCHEMA_VERSION).count() == 1

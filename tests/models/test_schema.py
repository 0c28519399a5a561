"""The schema grows without losing data: a database made before a column existed gets it on
the next start (create_schema), with its rows intact."""
from models.core.schema import (SCHEMA_VERSION, Group, Indicator, OrgUnit, Outbox, Plan,
                                ReportKind, SchemaVersion, Subscription, create_schema)
from models.pushes import deliveries as pushes

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


def test_it_carries_each_groups_pushes_over_from_the_version_2_columns(db):
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
    SchemaVersion.delete().where(SchemaVersion.version == SCHEMA_VERSION).execute()

    assert create_schema() == SCHEMA_VERSION == 3

    assert not {"weekly", "quarterly"} & _columns(db, table)
    taken = {chat_id: pushes.subscriptions(Group.get(Group.chat_id == chat_id))
             for chat_id in flags}
    assert taken == {-1: {"weekly", "quarterly", "half"}, -2: {"quarterly", "half"},
                     -3: {"weekly"}, -4: set()}
    assert create_schema() == SCHEMA_VERSION  # a second start changes nothing
    assert Subscription.select().count() == 6
    assert pushes.subscriptions(pushes.track_group(-5, "new")) == set(pushes.KINDS)

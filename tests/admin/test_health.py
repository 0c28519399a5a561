"""``/healthz``: JSON without a sign-in, 200 when the database answers with the code's schema,
503 when it cannot be reached or holds another schema version; the bot's last poll and the
outbox backlog are reported."""
from __future__ import annotations

import datetime as dt
import json

from admin import create_app
from models.core import health
from models.core.db import database, init_db
from models.core.migrations import SCHEMA_VERSION
from models.core.schema import Outbox, SchemaVersion
from models.core.settings import Settings
from tests.adminkit import CONFIG


def test_a_good_database_is_healthy(client):
    health.record_poll(dt.datetime(2026, 11, 23, 8, 0, 0))
    Outbox.create(key="k1", chat_id=1, text="x")
    Outbox.create(key="k2", chat_id=1, text="x", status="sent")
    r = client.get("/healthz")
    body = r.get_json()
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert body["ok"] and body["database"] == "ok"
    assert body["schema"] == {"expected": SCHEMA_VERSION, "database": SCHEMA_VERSION, "ok": True}
    assert body["outbox_pending"] == 1
    assert body["bot_last_poll"] == "2026-11-23T08:00:00Z"


def test_the_last_poll_is_one_row_kept_up_to_date(db):
    assert health.last_poll() is None
    health.record_poll(dt.datetime(2026, 11, 23, 8, 0))
    health.record_poll(dt.datetime(2026, 11, 23, 8, 1))
    assert health.last_poll() == dt.datetime(2026, 11, 23, 8, 1)


def test_another_schema_version_is_unhealthy(client):
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=SCHEMA_VERSION - 1)
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["schema"]["ok"] is False


def test_an_unreachable_database_is_503_not_500(tmp_path, db_url):
    # a directory where the database file should be: SQLite cannot open it
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}", admin_secret_key="k" * 32),
                     {**CONFIG, "WUSHE_BIND_DATABASE": True})
    try:
        r = app.test_client().get("/healthz")
        assert r.status_code == 503
        assert json.loads(r.data) == {"ok": False, "database": "unreachable",
                                      "error": "OperationalError"}
    finally:
        database.close()
        init_db(db_url)

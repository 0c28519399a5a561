"""Whether the service is well, as the admin's ``/healthz`` reports it: the database answers,
its schema is the code's, the outbox is not piling up, the bot still reaches the Bot API.

The bot records its last successful contact with the Bot API (``record_poll``, one
``Heartbeat`` row named ``bot_poll``); everything else is read from the tables as they are.
"""
from __future__ import annotations

import datetime as dt

from models.core.db import connection
from models.core.migrations import SCHEMA_VERSION
from models.core.schema import Heartbeat, Outbox, SchemaVersion, now

BOT_POLL = "bot_poll"


def record_poll(at: dt.datetime | None = None) -> None:
    """Note that the bot has just heard from the Bot API (UTC, naive, as stored)."""
    at = at or now()
    with connection():
        Heartbeat.insert(name=BOT_POLL, at=at).on_conflict(
            conflict_target=[Heartbeat.name], update={Heartbeat.at: at}).execute()


def last_poll() -> dt.datetime | None:
    row = Heartbeat.get_or_none(Heartbeat.name == BOT_POLL)
    return row.at if row else None


def status() -> tuple[bool, dict]:
    """(healthy, details) for ``/healthz``. Healthy means the database answers and holds the
    code's schema version; the outbox backlog and the bot's last poll are reported for the
    monitor to judge (a stopped bot does not make the admin unhealthy)."""
    try:
        with connection():
            versions = [v.version for v in SchemaVersion.select(SchemaVersion.version)]
            pending = Outbox.select().where(Outbox.status == "pending").count()
            poll = last_poll()
    except Exception as e:  # noqa: BLE001 - any failure to read is "unreachable"
        return False, {"database": "unreachable", "error": type(e).__name__}
    current = max(versions) if versions else None
    ok = current == SCHEMA_VERSION
    age = (now() - poll).total_seconds() if poll else None
    return ok, {
        "database": "ok",
        "schema": {"expected": SCHEMA_VERSION, "database": current, "ok": ok},
        "outbox_pending": pending,
        "bot_last_poll": poll.isoformat() + "Z" if poll else None,
        "bot_last_poll_age_seconds": round(age) if age is not None else None,
    }

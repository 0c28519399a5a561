"""The bot records its last successful contact with the Bot API (the admin's /healthz reads
it): once it has started, and again from its minute job."""
from __future__ import annotations

import datetime as dt

from bot.app import HEARTBEAT_INTERVAL
from models.core import health
from models.core.db import connection


async def test_the_bot_records_its_last_poll(bot_app):
    with connection():
        started = health.last_poll()
        assert started is not None  # getMe answered at start
        health.record_poll(started - dt.timedelta(hours=1))
    [job] = bot_app.app.job_queue.get_jobs_by_name("heartbeat")
    assert job.job.trigger.interval.total_seconds() == HEARTBEAT_INTERVAL
    await job.run(bot_app.app)
    with connection():
        assert health.last_poll() > started - dt.timedelta(hours=1)

"""The daily backup: when BACKUP_DIR is set, the job queue writes one archive at BACKUP_TIME
(local, ``TIMEZONE``) and keeps the newest BACKUP_KEEP (models.core.backup)."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from zoneinfo import ZoneInfo

from telegram.ext import Application, ContextTypes, Job

from models.core import backup
from models.core.settings import Settings

log = logging.getLogger(__name__)


def schedule(app: Application, settings: Settings) -> Job | None:
    """Put the daily backup on the job queue; nothing when BACKUP_DIR is unset."""
    if not settings.backup_dir:
        return None
    hour, minute = (int(part) for part in settings.backup_time.split(":"))
    at = dt.time(hour, minute, tzinfo=ZoneInfo(settings.timezone))
    return app.job_queue.run_daily(job, time=at, name="backup")


async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One backup off the event loop, then the oldest pruned; a failure is logged, and the
    bot goes on (tomorrow's run tries again)."""
    settings: Settings = context.bot_data["settings"]
    try:
        path, pruned = await asyncio.to_thread(
            backup.daily, settings.database_url, settings.media_dir, settings.backup_dir,
            settings.backup_keep, now=dt.datetime.now(ZoneInfo(settings.timezone)))
    except Exception:
        log.exception("the daily backup into %s failed", settings.backup_dir)
        return
    log.info("daily backup written to %s (%d older archives removed)", path, len(pruned))

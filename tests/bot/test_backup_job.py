"""The daily backup job: scheduled only when BACKUP_DIR is set, at BACKUP_TIME; each run
writes one archive and keeps the newest BACKUP_KEEP."""
from __future__ import annotations

import logging
from types import SimpleNamespace

from bot import backups as backup_job
from bot.app import build_application
from models.core.db import database
from models.core.settings import Settings
from tests.botkit import TOKEN


def _settings(db_url: str, tmp_path, **kw) -> Settings:
    return Settings(database_url=db_url, telegram_bot_token=TOKEN, timezone="Asia/Shanghai",
                    media_dir=str(tmp_path / "media"), **kw)


def test_it_schedules_no_backup_unless_backup_dir_is_set(db_url, tmp_path):
    app = build_application(_settings(db_url, tmp_path), outbox_interval=None,
                            push_interval=None)
    assert "backup" not in [j.name for j in app.job_queue.jobs()]


async def test_it_backs_up_daily_at_backup_time_keeping_the_last_n(db_url, tmp_path, caplog):
    folder = tmp_path / "backups"
    settings = _settings(db_url, tmp_path, backup_dir=str(folder), backup_keep=2,
                         backup_time="02:30")
    app = build_application(settings, outbox_interval=None, push_interval=None)
    [job] = [j for j in app.job_queue.jobs() if j.name == "backup"]
    trigger = repr(job.job.trigger)
    assert "hour='2'" in trigger and "minute='30'" in trigger and "Asia/Shanghai" in trigger
    for old in ("20261201-023000", "20261202-023000"):
        (folder / f"wushe-backup-{old}.tar.gz").parent.mkdir(exist_ok=True)
        (folder / f"wushe-backup-{old}.tar.gz").write_bytes(b"old")
    database.close()

    with caplog.at_level(logging.INFO, logger="bot.backups"):
        await backup_job.job(SimpleNamespace(bot_data=app.bot_data))

    archives = sorted(p.name for p in folder.iterdir())
    assert len(archives) == 2 and archives[0] == "wushe-backup-20261202-023000.tar.gz"
    assert "daily backup written" in caplog.text

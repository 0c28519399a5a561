"""Backup and restore: one archive (database, photos, manifest) brought back exactly; a
database holding data is replaced only when told; an archive of the other kind is refused;
the daily job keeps the newest N."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from models.__main__ import build_parser, main
from models.core import backup as backups
from models.core.db import database, init_db
from models.core.i18n import translator
from models.core.schema import TABLES, Photo, Report, Worker
from models.core.settings import SettingsError, load_settings
from models.reports.filing import store_photo
from models.reports.photos import clean
from tests import factories as f
from tests.images import jpeg
from tests.conftest import PG_ADMIN_URL
from wushe import cli as wushe_cli

#: A photo as it is stored: checked and re-encoded (store_photo keeps such bytes as they are).
PHOTO = clean(jpeg(3), "photos")
WHEN = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _data(media: Path) -> tuple[Report, Photo]:
    ailin = f.worker("ailin")
    f.worker("bowen")
    report = f.report(by=ailin)
    f.report("xinfeng", by=ailin)
    photo = store_photo(media, PHOTO, draft_uid=report.uid, field="photos")
    photo.report = report
    photo.save()
    return report, photo


def _rows() -> dict[str, list[dict]]:
    """Every row of every table, in id order: what "the same database" means here."""
    with database.connection_context():
        return {m._meta.table_name: list(m.select().order_by(m._meta.primary_key).dicts())
                for m in TABLES}


def _other_kind_url(db_url: str, tmp_path: Path) -> str:
    return (PG_ADMIN_URL if db_url.startswith("sqlite")
            else f"sqlite:///{tmp_path / 'other.sqlite3'}")


def test_it_round_trips_the_database_and_the_photos(db, db_url, tmp_path):
    media = tmp_path / "media"
    report, photo = _data(media)
    before = _rows()
    database.close()

    archive, manifest = backups.backup(db_url, media, tmp_path / "backups", now=WHEN)

    assert archive.name == "wushe-backup-20261207-030000.tar.gz"
    assert manifest["database"] == ("sqlite" if db_url.startswith("sqlite") else "postgresql")
    assert manifest["counts"] == {"reports": 2, "workers": 2, "photos": 1, "officials": 0}
    assert manifest["schema_version"] == backups.SCHEMA_VERSION
    assert manifest["media_files"] == 1 and manifest["app_version"] == backups.app_version()
    with database.connection_context():
        report.delete_instance(recursive=True)
        f.worker("caixia")
    Path(photo.path).unlink()
    assert _rows() != before
    database.close()

    done = backups.restore(archive, db_url, media, replace=True)

    assert _rows() == before
    assert Path(photo.path).read_bytes() == PHOTO
    assert done.media_files == 1 and done.manifest == manifest


def test_it_refuses_to_restore_over_data_without_yes_and_says_what_it_would_replace(
        db, db_url, tmp_path, monkeypatch, capsys):
    media = tmp_path / "media"
    _data(media)
    database.close()
    monkeypatch.setenv("MEDIA_DIR", str(media))
    assert main(["--database-url", db_url, "backup", "--to", str(tmp_path / "b")]) == 0
    archive = next((tmp_path / "b").glob("wushe-backup-*.tar.gz"))
    assert str(archive) in capsys.readouterr().out
    with database.connection_context():
        f.worker("caixia")
    after = _rows()

    assert main(["--database-url", db_url, "restore", str(archive)]) == 2

    err = capsys.readouterr().err
    assert "2 份报告" in err or "2 reports" in err
    assert "3" in err and "--yes" in err
    assert _rows() == after  # nothing replaced
    assert main(["--database-url", db_url, "restore", str(archive), "--yes",
                 "--lang", "en"]) == 0
    assert "2 reports, 2 workers, 1 photos" in capsys.readouterr().out
    with database.connection_context():
        assert Worker.select().count() == 2


def test_a_restore_into_a_new_database_and_media_folder_needs_no_yes(tmp_path):
    """The new-machine case: no database yet, another media folder; the photo rows follow."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    main(["--database-url", url, "init", "--no-places"])
    with database.connection_context():
        photo = store_photo(tmp_path / "old-media", PHOTO, draft_uid="d", field="photos")
    database.close()
    archive, _ = backups.backup(url, tmp_path / "old-media", tmp_path / "b", now=WHEN)

    new_url = f"sqlite:///{tmp_path / 'new' / 'wushe.sqlite3'}"
    done = backups.restore(archive, new_url, tmp_path / "new-media")

    assert done.moved_photos == 1
    init_db(new_url)
    with database.connection_context():
        moved = Path(Photo.get_by_id(photo.id).path)
    database.close()
    assert moved.is_relative_to(tmp_path / "new-media") and moved.read_bytes() == PHOTO


def test_it_refuses_an_archive_of_the_other_database_kind(db, db_url, tmp_path, capsys):
    media = tmp_path / "media"
    _data(media)
    database.close()
    archive, _ = backups.backup(db_url, media, tmp_path / "b", now=WHEN)
    other = _other_kind_url(db_url, tmp_path)

    with pytest.raises(backups.BackupError) as refused:
        backups.restore(archive, other, tmp_path / "elsewhere", replace=True)

    assert refused.value.code == "wrong_kind"
    text = refused.value.message(translator("zh_Hans"))
    kinds = ("SQLite", "PostgreSQL") if db_url.startswith("sqlite") else ("PostgreSQL", "SQLite")
    assert text.index(kinds[0]) < text.index(kinds[1])
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "other.sqlite3").exists()
    assert main(["--database-url", other, "restore", str(archive), "--yes"]) == 2
    assert "DATABASE_URL" in capsys.readouterr().err


def test_it_refuses_what_is_not_a_backup_or_is_newer_than_this_wushe(db, db_url, tmp_path):
    database.close()
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(backups.BackupError) as refused:
        backups.restore(junk, db_url, tmp_path / "media", replace=True)
    assert refused.value.code == "not_archive"

    archive, manifest = backups.backup(db_url, tmp_path / "media", tmp_path / "b", now=WHEN)
    newer = tmp_path / "newer.tar.gz"
    data = json.dumps({**manifest, "schema_version": backups.SCHEMA_VERSION + 1}).encode()
    with tarfile.open(newer, "w:gz") as tar:
        info = tarfile.TarInfo(backups.MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(backups.BackupError) as refused:
        backups.restore(newer, db_url, tmp_path / "media", replace=True)
    assert refused.value.code == "newer_schema"
    assert str(backups.SCHEMA_VERSION + 1) in refused.value.message(translator("en"))


def test_without_pg_dump_the_backup_says_what_to_install(db, db_url, tmp_path, monkeypatch):
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite needs no client tool")
    database.close()
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError) as refused:
        backups.backup(db_url, tmp_path / "media", tmp_path / "b", now=WHEN)
    assert "pg_dump" in refused.value.message(translator("zh_Hans"))
    assert not list((tmp_path / "b").iterdir())  # no partial archive left


def test_prune_keeps_the_newest_n_and_nothing_else_is_touched(tmp_path):
    names = ["wushe-backup-20261201-030000.tar.gz", "wushe-backup-20261203-030000.tar.gz",
             "wushe-backup-20261202-030000.tar.gz", "wushe-backup-20261203-030000-1.tar.gz",
             "notes.txt", "wushe-backup-latest.tar.gz"]
    for name in names:
        (tmp_path / name).write_text(name)

    deleted = backups.prune(tmp_path, 2)

    assert sorted(p.name for p in deleted) == ["wushe-backup-20261201-030000.tar.gz",
                                               "wushe-backup-20261202-030000.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt", "wushe-backup-20261203-030000-1.tar.gz",
        "wushe-backup-20261203-030000.tar.gz", "wushe-backup-latest.tar.gz"]
    with pytest.raises(backups.BackupError):
        backups.prune(tmp_path, 0)


def test_the_daily_backup_keeps_the_last_n(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    main(["--database-url", url, "init", "--no-places"])
    database.close()
    for day in range(1, 5):
        backups.daily(url, tmp_path / "media", tmp_path / "b", 3, now=WHEN.replace(day=day))
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [
        f"wushe-backup-2026120{day}-030000.tar.gz" for day in (2, 3, 4)]


def test_the_backup_settings_are_checked(tmp_path):
    none = tmp_path / "none.env"
    s = load_settings({"BACKUP_DIR": "/srv/backups", "BACKUP_KEEP": "14",
                       "BACKUP_TIME": "02:30"}, env_file=none)
    assert (s.backup_dir, s.backup_keep, s.backup_time) == ("/srv/backups", 14, "02:30")
    assert load_settings({}, env_file=none).backup_dir == ""  # off by default
    for env in ({"BACKUP_KEEP": "0"}, {"BACKUP_TIME": "3am"}):
        with pytest.raises(SettingsError, match=next(iter(env))):
            load_settings(env, env_file=none)


def test_the_readme_documents_operations_in_both_languages_with_real_commands():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "## 运维" in readme and "### Operations" in readme
    commands = re.findall(r"python -m models ([a-z-]+)", readme)
    assert {"init", "backup", "restore"} <= set(commands)
    known = build_parser()._subparsers._group_actions[0].choices
    assert set(commands) <= set(known)
    assert "wushe backup" in wushe_cli.__doc__ or "backup [--to DIR]" in wushe_cli.__doc__


def _open_writer(db_url: str):
    """Another process's connection with an uncommitted change, as the bot mid-update."""
    if db_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(backups.sqlite_path(db_url), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        import psycopg2

        conn = psycopg2.connect(db_url)
    conn.cursor().execute("UPDATE worker SET display_name = 'half-written'")
    return conn


def test_it_backs_up_while_a_writer_holds_its_transaction_open(db, db_url, tmp_path):
    f.worker("ailin")
    database.close()
    writer = _open_writer(db_url)
    try:
        archive, manifest = backups.backup(db_url, tmp_path / "media", tmp_path / "b", now=WHEN)
        writer.commit()
    finally:
        writer.close()
    assert manifest["counts"]["workers"] == 1

    backups.restore(archive, db_url, tmp_path / "media", replace=True)

    with database.connection_context():
        assert [w.display_name for w in Worker.select()] == ["Ailin"]  # the committed state


def test_it_says_so_when_the_database_cannot_be_read_or_the_folder_written(tmp_path, capsys):
    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_text("these are notes, not a database " * 100)
    assert main(["--database-url", f"sqlite:///{not_a_db}", "backup", "--to",
                 str(tmp_path / "b")]) == 2
    assert "无法读取数据库" in capsys.readouterr().err
    missing = PG_ADMIN_URL.rsplit("/", 1)[0] + "/wushe_no_such_database"
    assert main(["--database-url", missing, "backup", "--to", str(tmp_path / "b"),
                 "--lang", "en"]) == 2
    assert "cannot be read" in capsys.readouterr().err
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    main(["--database-url", url, "init", "--no-places"])
    database.close()
    assert main(["--database-url", url, "backup", "--to", str(a_file), "--lang", "en"]) == 2
    assert "Cannot write the backup into" in capsys.readouterr().err

"""Backup and restore: one archive holding a consistent copy of the database, the media
directory and a manifest, made while the bot and the admin run.

The database is copied first (SQLite through the online backup API, PostgreSQL through
``pg_dump --format=custom`` over an exported snapshot that the manifest's counts are read
from), the media directory after it: a photo's file is written before its row, so every photo
the copy names is on disk by then. ``restore`` reads the manifest before touching anything,
refuses an archive of the other database kind and a database holding data unless told to
replace it, then puts the database and the photos back. ``prune`` keeps the newest N archives
of a directory, for the bot's daily backup job.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from models.core.errors import DomainError
from models.core.i18n import N_, Translator
from models.core.paths import ROOT
from models.core.migrations import SCHEMA_VERSION
from models.core.schema import AdminUser, Photo, Report, SchemaVersion, Worker

FORMAT = 1
DEFAULT_DIR = ROOT / "var" / "backups"
PREFIX = "wushe-backup-"
NAME = re.compile(r"^wushe-backup-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz$")
MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
#: The rows a restore would replace, named in its refusal.
COUNTED = {"reports": Report, "workers": Worker, "photos": Photo, "officials": AdminUser}

MESSAGES = {
    "unsupported": N_("Backups support SQLite and PostgreSQL databases only, not {url}."),
    "memory": N_("An in-memory SQLite database cannot be backed up or restored."),
    "no_database": N_("There is no database at {path} to back up."),
    "unreadable": N_("The database {target} cannot be read: {detail}"),
    "cannot_write": N_("Cannot write the backup into {path}: {detail}"),
    "no_tool": N_("{tool} was not found on this machine: install the PostgreSQL client "
                  "tools (e.g. apt-get install postgresql-client) and try again."),
    "tool_failed": N_("{tool} failed: {detail}"),
    "no_archive": N_("There is no archive at {path}."),
    "not_archive": N_("{path} is not a Wushe backup archive (a .tar.gz with a manifest)."),
    "bad_manifest": N_("The archive's manifest cannot be read: {detail}."),
    "newer_format": N_("This archive was made by a newer Wushe (archive format {format}): "
                       "upgrade Wushe before restoring it."),
    "newer_schema": N_("This archive holds schema version {archive}, newer than this Wushe's "
                       "{current}: upgrade Wushe before restoring it."),
    "wrong_kind": N_("This archive holds a {archive} database, but DATABASE_URL names a "
                     "{configured} database: restore it into a {archive} database, or make a "
                     "backup of the kind you run."),
    "incomplete": N_("The archive is incomplete: {member} is missing."),
    "unsafe_member": N_("The archive holds an unsafe entry ({member}); nothing was restored."),
    "not_empty": N_("The database {target} already holds {reports} reports, {workers} workers, "
                    "{photos} photos and {officials} official accounts. Restoring replaces them "
                    "all with the archive's ({created}: {archive_reports} reports, "
                    "{archive_workers} workers, {archive_photos} photos). Run again with --yes "
                    "to replace them."),
    "bad_keep": N_("The number of backups to keep must be at least 1, got {keep}."),
}


class BackupError(DomainError):
    """A backup or restore that cannot go ahead; ``code`` keys ``MESSAGES``."""

    def __init__(self, code: str, **args):
        self.code = code
        self.args_ = args
        super().__init__(f"{code} {args}")

    def message(self, t: Translator) -> str:
        return t.gettext(MESSAGES[self.code], **self.args_)


@dataclass
class Restored:
    """What a restore put back, for the command to print."""

    archive: Path
    manifest: dict
    target: str
    media_files: int
    moved_photos: int = 0


# -- the database's address --------------------------------------------------------------------

def database_kind(url: str) -> str:
    if url.startswith("sqlite"):
        if ":memory:" in url or url.rstrip("/") in ("sqlite:", "sqlite:/"):
            raise BackupError("memory")
        return "sqlite"
    if url.split("://", 1)[0] in ("postgres", "postgresql", "postgresext", "postgresqlext"):
        return "postgresql"
    raise BackupError("unsupported", url=shown(url))


def sqlite_path(url: str) -> Path:
    """The file named by a ``sqlite:///`` URL, read as ``models.core.db.init_db`` reads it."""
    return Path(url.split("://", 1)[1][1:].split("?", 1)[0])


def libpq_url(url: str) -> str:
    """A peewee URL as libpq (pg_dump, pg_restore) takes it."""
    return "postgresql://" + url.split("://", 1)[1]


def shown(url: str) -> str:
    """The URL without its credentials, for messages."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rsplit('@', 1)[-1]}" if rest else url


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError("no_tool", tool=name)
    return path


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError("tool_failed", tool=Path(args[0]).name,
                          detail=detail[-1] if detail else f"exit {done.returncode}")


# -- counting rows through a plain DB-API connection -----------------------------------------

def _counts(cursor, tables: set[str]) -> dict[str, int]:
    counts = {}
    for key, model in COUNTED.items():
        name = model._meta.table_name
        if name in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{name}"')
            counts[key] = cursor.fetchone()[0]
        else:
            counts[key] = 0
    return counts


def _schema_version(cursor, tables: set[str]) -> int | None:
    name = SchemaVersion._meta.table_name
    if name not in tables:
        return None
    cursor.execute(f'SELECT MAX(version) FROM "{name}"')
    return cursor.fetchone()[0]


def _sqlite_facts(conn: sqlite3.Connection) -> tuple[dict, int | None]:
    cur = conn.cursor()
    tables = {r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return _counts(cur, tables), _schema_version(cur, tables)


def _pg_tables(cur) -> set[str]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {r[0] for r in cur.fetchall()}


def _pg_connect(url: str):
    import psycopg2

    try:
        return psycopg2.connect(libpq_url(url), connect_timeout=10)
    except psycopg2.Error as e:
        raise BackupError("unreadable", target=shown(url), detail=_first_line(e)) from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def current_holdings(url: str) -> dict[str, int]:
    """The rows a restore into ``url`` would replace (zeros for a database with no tables)."""
    if database_kind(url) == "sqlite":
        path = sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return {key: 0 for key in COUNTED}
        conn = sqlite3.connect(path, timeout=10)
        try:
            return _sqlite_facts(conn)[0]
        except sqlite3.DatabaseError as e:
            raise BackupError("unreadable", target=str(path), detail=_first_line(e)) from None
        finally:
            conn.close()
    conn = _pg_connect(url)
    try:
        with conn.cursor() as cur:
            return _counts(cur, _pg_tables(cur))
    finally:
        conn.close()


# -- backup --------------------------------------------------------------------------------

def app_version() -> str:
    try:
        return metadata.version("wushe")
    except metadata.PackageNotFoundError:
        return "unknown"


def archive_name(when: dt.datetime, directory: Path) -> Path:
    """``wushe-backup-YYYYmmdd-HHMMSS.tar.gz``, with ``-N`` added if that second is taken."""
    stamp = when.strftime("%Y%m%d-%H%M%S")
    path = directory / f"{PREFIX}{stamp}.tar.gz"
    n = 1
    while path.exists():
        path = directory / f"{PREFIX}{stamp}-{n}.tar.gz"
        n += 1
    return path


def _dump_sqlite(url: str, dest: Path) -> tuple[dict, int | None]:
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError("no_database", path=str(source))
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)  # one step: a single read transaction, so one consistent state
        return _sqlite_facts(dst)
    except sqlite3.DatabaseError as e:
        raise BackupError("unreadable", target=str(source), detail=_first_line(e)) from None
    finally:
        dst.close()
        src.close()


def _dump_postgres(url: str, dest: Path) -> tuple[dict, int | None]:
    """pg_dump over a snapshot exported by the transaction that counts the rows, so the
    manifest describes exactly the dump."""
    pg_dump = _tool("pg_dump")
    conn = _pg_connect(url)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            tables = _pg_tables(cur)
            facts = _counts(cur, tables), _schema_version(cur, tables)
            _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={dest}", f"--dbname={libpq_url(url)}"])
        conn.rollback()
        return facts
    finally:
        conn.close()


def _media_files(media_dir: Path, skip: Path) -> list[Path]:
    """Every finished file under the media directory (not a half-written ``.tmp``, nor the
    backups themselves should they be kept inside it)."""
    if not media_dir.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(media_dir):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() != skip)
        found += [here / f for f in sorted(files)
                  if not f.endswith(".tmp") and (here / f).is_file()
                  and not (here / f).is_symlink()]
    return found


def backup(url: str, media_dir: str | Path, directory: str | Path, *,
           now: dt.datetime | None = None) -> tuple[Path, dict]:
    """Write one archive of the database and the media into ``directory``; returns its path
    and its manifest. The archive appears under its name only when it is complete."""
    kind = database_kind(url)
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BackupError("cannot_write", path=str(directory), detail=_first_line(e)) from None
    media_dir = Path(media_dir)
    when = now or dt.datetime.now().astimezone()
    with tempfile.TemporaryDirectory(prefix=".wushe-backup-", dir=directory) as work:
        dump = Path(work) / DUMPS[kind]
        counts, schema = (_dump_sqlite if kind == "sqlite" else _dump_postgres)(url, dump)
        media = _media_files(media_dir, directory.resolve())
        manifest = {
            "format": FORMAT, "app": "wushe", "app_version": app_version(),
            "created_at": when.isoformat(timespec="seconds"), "database": kind,
            "schema_version": schema, "counts": counts, "media_files": len(media),
            "media_dir": str(media_dir.resolve()),
        }
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(when.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=DUMPS[kind])
            for path in media:
                try:
                    tar.add(path, arcname=f"{MEDIA}/{path.relative_to(media_dir).as_posix()}")
                except FileNotFoundError:  # removed since the walk: not named by the copy
                    manifest["media_files"] -= 1
        target = archive_name(when, directory)
        partial.replace(target)
    return target, manifest


def prune(directory: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``directory``; returns those deleted.
    Only files named as ``backup`` names them are touched."""
    if keep < 1:
        raise BackupError("bad_keep", keep=keep)
    directory = Path(directory)
    if not directory.is_dir():
        return []
    archives = []
    for path in directory.iterdir():
        m = NAME.match(path.name)
        if m and path.is_file():
            archives.append(((m.group(1), int(m.group(2) or 0)), path))
    archives.sort()
    doomed = [path for _key, path in archives[:-keep]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


# -- restore -------------------------------------------------------------------------------

def read_manifest(archive: str | Path) -> dict:
    """The archive's manifest, checked for what this Wushe can restore."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError("no_archive", path=str(archive))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.getmember(MANIFEST)
            raw = tar.extractfile(member).read()
    except (tarfile.TarError, KeyError, OSError, EOFError, AttributeError):
        raise BackupError("not_archive", path=str(archive)) from None
    try:
        manifest = json.loads(raw)
    except ValueError as e:
        raise BackupError("bad_manifest", detail=str(e)) from None
    if not isinstance(manifest, dict) or manifest.get("app") != "wushe":
        raise BackupError("not_archive", path=str(archive))
    for key in ("format", "database", "created_at", "counts"):
        if key not in manifest:
            raise BackupError("bad_manifest", detail=f"no {key}")
    if manifest["database"] not in DUMPS:
        raise BackupError("bad_manifest", detail=f"database {manifest['database']!r}")
    if manifest["format"] > FORMAT:
        raise BackupError("newer_format", format=manifest["format"])
    if (manifest.get("schema_version") or 0) > SCHEMA_VERSION:
        raise BackupError("newer_schema", archive=manifest["schema_version"],
                          current=SCHEMA_VERSION)
    return manifest


def _media_target(name: str, media_dir: Path) -> Path | None:
    """Where a ``media/...`` member goes; None for a member outside ``media/``."""
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or parts[0] != MEDIA:
        return None
    if any(p in ("", ".", "..") for p in parts[1:]) or name.startswith("/"):
        raise BackupError("unsafe_member", member=name)
    return media_dir.joinpath(*parts[1:])


def restore(archive: str | Path, url: str, media_dir: str | Path, *,
            replace: bool = False) -> Restored:
    """Bring ``archive`` back into the database at ``url`` and into ``media_dir``.

    Checks first (the manifest, the database kind, every entry's name, what the database
    holds) and only then writes; a database holding reports, workers, photos or official
    accounts is replaced only with ``replace``. Stop the bot and the admin before restoring.
    """
    archive = Path(archive)
    manifest = read_manifest(archive)
    kind = database_kind(url)
    if manifest["database"] != kind:
        raise BackupError("wrong_kind", archive=KIND_NAMES[manifest["database"]],
                          configured=KIND_NAMES[kind])
    media_dir = Path(media_dir)
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        names = {m.name for m in members}
        if DUMPS[kind] not in names:
            raise BackupError("incomplete", member=DUMPS[kind])
        media = []
        for m in members:
            target = _media_target(m.name, media_dir)
            if target is None:
                continue
            if not m.isfile():
                raise BackupError("unsafe_member", member=m.name)
            media.append((m, target))
        target_name = str(sqlite_path(url)) if kind == "sqlite" else shown(url)
        held = current_holdings(url)
        if any(held.values()) and not replace:
            counts = manifest["counts"]
            raise BackupError("not_empty", target=target_name, **held,
                              created=manifest["created_at"],
                              archive_reports=counts.get("reports", 0),
                              archive_workers=counts.get("workers", 0),
                              archive_photos=counts.get("photos", 0))
        with tempfile.TemporaryDirectory(prefix=".wushe-restore-") as work:
            tar.extract(DUMPS[kind], work, filter="data")
            dump = Path(work) / DUMPS[kind]
            if kind == "sqlite":
                _restore_sqlite(dump, sqlite_path(url))
            else:
                _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                      "--no-privileges", "--single-transaction", f"--dbname={libpq_url(url)}",
                      str(dump)])
        for member, target in media:
            _restore_file(tar, member, target)
    restored = Restored(archive, manifest, target_name, len(media))
    old_media = manifest.get("media_dir")
    if old_media and Path(old_media) != media_dir.resolve():
        restored.moved_photos = _repoint_photos(url, old_media, str(media_dir.resolve()))
    return restored


def _restore_sqlite(copy: Path, target: Path) -> None:
    """Move the restored file into place atomically: a temp file beside the target, renamed
    over it once the old file's write-ahead log is folded in and out of the way (a stale log
    beside a new file would be replayed into it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    check = sqlite3.connect(copy)
    try:
        result = check.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise BackupError("bad_manifest", detail=f"{DUMPS['sqlite']}: {result}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restore", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(copy, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        if target.exists():
            old = sqlite3.connect(target, timeout=30)
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                old.close()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _restore_file(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.restore")
    with tar.extractfile(member) as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.replace(tmp, target)


def _repoint_photos(url: str, old: str, new: str) -> int:
    """Photo rows name their file by absolute path: moved to another media directory, they
    are pointed at it."""
    old, new = old.rstrip("/") + "/", new.rstrip("/") + "/"
    table = Photo._meta.table_name
    sql = (f'UPDATE "{table}" SET path = {{p}} || substr(path, {{p}}) '
           f'WHERE substr(path, 1, {{p}}) = {{p}}')
    args = (new, len(old) + 1, len(old), old)
    if database_kind(url) == "sqlite":
        conn = sqlite3.connect(sqlite_path(url), timeout=30)
        try:
            with conn:
                return conn.execute(sql.format(p="?"), args).rowcount
        finally:
            conn.close()
    conn = _pg_connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql.format(p="%s"), args)
            return cur.rowcount
    finally:
        conn.close()


def daily(url: str, media_dir: str | Path, directory: str | Path, keep: int, *,
          now: dt.datetime | None = None) -> tuple[Path, list[Path]]:
    """The daily job's work: one backup, then the oldest beyond ``keep`` pruned."""
    path, _manifest = backup(url, media_dir, directory, now=now)
    return path, prune(directory, keep)

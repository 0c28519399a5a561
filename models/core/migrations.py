"""Schema versions and the migrations between them.

A database records each version it reached in ``SchemaVersion`` (version, applied_at); its
version is the highest. ``create_schema`` makes a fresh database at ``SCHEMA_VERSION`` in one
go (every table of today's models, nothing to migrate). An older database is brought up by
``upgrade``: the pending entries of ``MIGRATIONS``, in order, each in its own transaction and
recorded with its version, so a failing step leaves the database at the previous version.

Nothing else writes the schema: the bot and the admin only ``check`` it (read-only) and stop
with one line naming the command to run (`python -m models init` or `upgrade`).

Adding a migration: append ``Migration(version, N_("what it does"), function)``. A step names
tables and columns through today's models, so it uses the helpers below, which skip what is
already there (a table an earlier step created from today's model has today's columns).
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import peewee as pw

from models.core.db import database
from models.core.i18n import N_, translator
from models.core.schema import (TABLES, AdminUser, Application, ApplicationStep, Delivery,
                                Draft, Group, Heartbeat, Indicator, OrgUnit, Outbox, Photo, Plan,
                                Report, ReportKind, SchemaVersion, SharedCache,
                                SocialOrganization, Subscription, Target, Volunteer,
                                VolunteerHours)

INIT = "python -m models init"
UPGRADE = "python -m models upgrade"


# -- the record of a step ----------------------------------------------------------------------

@dataclass
class Step:
    """What a migration may use while it runs: ``note`` what an official should hear about
    (printed by `upgrade`), ``after_commit`` what may only happen once its rows are committed
    (removing files the old rows named)."""

    notes: list[tuple[str, dict]] = field(default_factory=list)
    after: list[Callable[[], None]] = field(default_factory=list)

    def note(self, msgid: str, **params) -> None:
        self.notes.append((msgid, params))

    def after_commit(self, action: Callable[[], None]) -> None:
        self.after.append(action)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str  # a msgid: one line saying what the step does
    apply: Callable[[Step], None]


@dataclass(frozen=True)
class Applied:
    version: int
    description: str
    notes: tuple[tuple[str, dict], ...] = ()

    def lines(self, t=None) -> list[str]:
        t = t or translator("en")
        return [f"{self.version}: {t.gettext(self.description)}",
                *(f"   {t.gettext(msgid, **params)}" for msgid, params in self.notes)]


@dataclass(frozen=True)
class Problem:
    """Why this database cannot be used as it is: ``no_schema``, ``older`` or ``newer``."""

    code: str
    stored: int | None
    expected: int

    @property
    def command(self) -> str | None:
        return {"no_schema": INIT, "older": UPGRADE}.get(self.code)

    def message(self, where: str, t=None) -> str:
        t = t or translator("en")
        text = {
            "no_schema": N_("the database at {where} has no Wushe schema: run `{command}`"),
            "older": N_("the database at {where} is at schema version {stored}, this Wushe "
                        "needs {expected}: run `{command}`"),
            "newer": N_("the database at {where} is at schema version {stored}, newer than "
                        "this Wushe's {expected}: upgrade Wushe"),
        }[self.code]
        return t.gettext(text, where=where, stored=self.stored, expected=self.expected,
                         command=self.command)


class SchemaError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


# -- reading the version -----------------------------------------------------------------------

def stored_version(db: pw.Database | None = None) -> int | None:
    """The database's schema version, read only; None when it holds no Wushe schema."""
    db = db or database
    name = SchemaVersion._meta.table_name
    if name not in db.get_tables():
        return None
    return db.execute_sql(f'SELECT MAX("version") FROM "{name}"').fetchone()[0]


def problem_of(stored: int | None) -> Problem | None:
    if stored is None:
        return Problem("no_schema", None, SCHEMA_VERSION)
    if stored != SCHEMA_VERSION:
        return Problem("older" if stored < SCHEMA_VERSION else "newer", stored, SCHEMA_VERSION)
    return None


def check(db: pw.Database | None = None) -> Problem | None:
    """What keeps this database from being used by this code, or None."""
    return problem_of(stored_version(db))


def check_url(url: str) -> Problem | None:
    """``check`` for the database at ``url`` without writing to it: a SQLite file is opened
    read-only, and one that does not exist is not created."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1] if ":///" in url else ""
        if not path or ":memory:" in path or not Path(path).is_file():
            return problem_of(None)
        db = pw.SqliteDatabase(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    else:
        from playhouse.db_url import connect

        db = connect(url)
    try:
        with db.connection_context():
            return check(db)
    finally:
        db.close()


def where(url: str) -> str:
    """The database a URL names, for a message: the file, or host/name without credentials."""
    if url.startswith("sqlite"):
        return url.split(":///", 1)[-1]
    parts = urlparse(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname or 'localhost'}{port}{parts.path}"


# -- making and upgrading ----------------------------------------------------------------------

def create_schema() -> int:
    """A fresh database: every table at ``SCHEMA_VERSION``, recorded. On a database at this
    version it does nothing; on another version it raises SchemaError (``upgrade`` is the
    way there)."""
    from models.plans.rollup import install as install_rollup

    problem = check()
    if problem is None:
        return SCHEMA_VERSION
    if problem.code != "no_schema":
        raise SchemaError(problem)
    with database.atomic():
        database.create_tables(TABLES, safe=True)
        install_rollup()
        SchemaVersion.create(version=SCHEMA_VERSION)
    return SCHEMA_VERSION


def pending(stored: int | None = None) -> list[Migration]:
    stored = stored_version() if stored is None else stored
    return [m for m in MIGRATIONS if m.version > (stored or 0)]


def upgrade() -> list[Applied]:
    """Apply the pending migrations in order, one transaction each; what was applied."""
    stored = stored_version()
    problem = problem_of(stored)
    if problem is not None and problem.code != "older":
        raise SchemaError(problem)
    applied = []
    for migration in pending(stored):
        step = Step()
        with database.atomic():
            migration.apply(step)
            SchemaVersion.create(version=migration.version)
        for action in step.after:
            action()
        applied.append(Applied(migration.version, migration.description, tuple(step.notes)))
    return applied


# -- helpers for the steps: each skips what is already there -----------------------------------

def _migrator():
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

    return (PostgresqlMigrator if isinstance(database.obj, pw.PostgresqlDatabase)
            else SqliteMigrator)(database.obj)


def add_columns(model, *names: str) -> list[str]:
    """Add ``model``'s fields ``names`` where the table lacks them; returns the added ones.

    On SQLite a NOT NULL column is added nullable and filled with its default: SQLite would
    otherwise rebuild the table, copying a table other tables point at."""
    from playhouse.migrate import migrate

    table = model._meta.table_name
    have = {c.name for c in database.get_columns(table)}
    sqlite = not isinstance(database.obj, pw.PostgresqlDatabase)
    ops, fill, added = [], [], []
    for name in names:
        f = model._meta.fields[name]
        if f.column_name in have:
            continue
        added.append(f.column_name)
        if sqlite and not f.null:
            fill.append(f)
            f = _nullable(f)
        ops.append(_migrator().add_column(table, f.column_name, f))
    if ops:
        migrate(*ops)
    for f in fill:
        if f.default is not None:
            default = f.default() if callable(f.default) else f.default
            model.update({f: default}).where(f.is_null()).execute()
    return added


def _nullable(f: pw.Field) -> pw.Field:
    import copy

    f = copy.copy(f)
    f.null = True
    return f


def create_tables(*models) -> None:
    """Create the tables that do not exist yet (from today's models, with their indexes)."""
    existing = set(database.get_tables())
    database.create_tables([m for m in models if m._meta.table_name not in existing])


def add_index(model, *columns: str, unique: bool = False) -> None:
    """An index by peewee's name for it, unless it exists."""
    table = model._meta.table_name
    name = "_".join((table, *columns))
    cols = ", ".join(f'"{c}"' for c in columns)
    database.execute_sql(f'CREATE {"UNIQUE " if unique else ""}INDEX IF NOT EXISTS "{name}" '
                         f'ON "{table}" ({cols})')


# -- the steps ---------------------------------------------------------------------------------

def _version_2(step: Step) -> None:
    """Version 1 grew (admin accounts, the monthly rollup, a covering index) before version 2
    added groups and deliveries, the registries, the application chain and new columns."""
    from models.plans.rollup import install as install_rollup

    # tables before columns: outbox.delivery_id points at the new delivery table
    create_tables(AdminUser, Group, Delivery, SocialOrganization, Volunteer, VolunteerHours,
                  Application, ApplicationStep)
    add_columns(OrgUnit, "attrs")
    add_columns(Outbox, "delivery", "seq", "not_before")
    add_columns(Plan, "spec")
    add_columns(Indicator, "spec")
    add_columns(ReportKind, "stores")
    add_index(Report, "activity_date", "status", "org_path")
    install_rollup()


# Version 2 kept a group's pushes as one boolean column per kind; ``quarterly`` also covered
# the half-year report. Version 3 keeps them as ``Subscription`` rows.
FLAG_KINDS = {"weekly": ("weekly",), "quarterly": ("quarterly", "half")}


def _version_3(step: Step) -> None:
    """Each group's push columns (``group.weekly``, ``group.quarterly``) become
    ``Subscription`` rows, the group keeping its choices; the columns are dropped."""
    from playhouse.migrate import migrate

    create_tables(Subscription)
    table = Group._meta.table_name
    flags = [c.name for c in database.get_columns(table) if c.name in FLAG_KINDS]
    if not flags:
        return
    columns = ", ".join(f'"{c}"' for c in flags)
    rows = [dict(group=row[0], kind=kind)
            for row in database.execute_sql(f'SELECT "id", {columns} FROM "{table}"')
            for flag, on in zip(flags, row[1:]) if on
            for kind in FLAG_KINDS[flag]]
    for start in range(0, len(rows), 500):
        Subscription.insert_many(rows[start:start + 500]).on_conflict_ignore().execute()
    migrate(*(_migrator().drop_column(table, c) for c in flags))


def _version_4(step: Step) -> None:
    add_columns(AdminUser, "session_version")


def _version_5(step: Step) -> None:
    """Photos stored before photos were checked: each file that is not already a plain JPEG
    (no EXIF, nothing after the image) is cleaned as a new photo is, the row pointing at the
    re-encoded file and the old file removed once committed; a file that does not decode is
    left for an official and counted, never deleted (so is one over photos' size limits)."""
    from models.core.errors import ValidationError
    from models.reports import photos

    cleaned, unreadable, missing, replaced = 0, [], 0, []
    for photo in Photo.select().order_by(Photo.id):
        old = Path(photo.path)
        try:
            data = old.read_bytes()
        except OSError:
            missing += 1
            continue
        if _plain_jpeg(data):
            continue
        try:
            clean = photos.clean(data)
        except ValidationError:
            unreadable.append(photo.id)
            continue
        digest = hashlib.sha256(clean).hexdigest()
        new = old.parent.parent / digest[:2] / f"{digest}.jpg"
        if not new.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            tmp = new.with_suffix(".tmp")
            tmp.write_bytes(clean)
            tmp.replace(new)
        Photo.update(path=str(new), sha256=digest, size=len(clean)).where(
            Photo.id == photo.id).execute()
        cleaned += 1
        if old != new:
            replaced.append(str(old))

    def remove_old() -> None:
        still = {p.path for p in Photo.select(Photo.path).where(Photo.path.in_(replaced))}
        for path in set(replaced) - still:
            Path(path).unlink(missing_ok=True)

    step.after_commit(remove_old)
    if cleaned:
        step.note(N_("{count} photos re-encoded as JPEG without their metadata"), count=cleaned)
    if unreadable:
        step.note(N_("{count} stored photos are not pictures Wushe keeps (they do not decode, "
                     "or are over 10 MB or 50 megapixels); left as they are for an official to "
                     "review (photo ids: {ids})"),
                  count=len(unreadable), ids=", ".join(map(str, unreadable)))
    if missing:
        step.note(N_("{count} photos have no file in the media folder"), count=missing)


def _plain_jpeg(data: bytes) -> bool:
    """A JPEG as ``photos.clean`` writes it: decodes, RGB, no metadata segment but JFIF and
    a colour profile, nothing after its end marker."""
    from PIL import Image

    from models.reports import photos

    if not data.startswith(photos.JPEG_MAGIC) or not data.endswith(b"\xff\xd9"):
        return False
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG",)) as image:
            if image.format != "JPEG" or image.mode != "RGB" or "comment" in image.info:
                return False
            if any(marker not in ("APP0", "APP2") for marker, _ in image.applist):
                return False
            image.load()
    except photos.UNREADABLE:
        return False
    return True


def _version_6(step: Step) -> None:
    add_columns(AdminUser, "must_change_password")
    create_tables(Heartbeat)


def _version_7(step: Step) -> None:
    """Who set each target, place fact and plan setting: read back from the audit log, so a
    reload of a shipped file keeps what officials and imports set before this version."""
    from models.plans.ownership import backfill

    add_columns(OrgUnit, "owners")
    add_columns(Plan, "owners")
    add_columns(Target, "owners")
    for table, count in backfill().items():
        if count:
            step.note(N_("{count} rows of {table} marked as set by officials or imports"),
                      count=count, table=table)


def _version_8(step: Step) -> None:
    """Typed text stored before it was cleaned at the door: control, bidi and stray
    zero-width characters removed; a value left saying nothing is kept and counted."""
    from models.forms.stored_text import clean_stored_text

    for table, count in clean_stored_text().items():
        if count["values"]:
            step.note(N_("{table}: {values} values in {rows} rows cleaned ({empty} now say "
                         "nothing: kept for an official to see)"), table=table,
                      values=count["values"], rows=count["rows"],
                      empty=count["not_meaningful"])


def _version_9(step: Step) -> None:
    add_columns(Draft, "update_id")


def _version_10(step: Step) -> None:
    """Organizations stored before registration was told apart from filing were filed
    (备案) ones: ``registration`` starts at its default, ``filed``."""
    add_columns(SocialOrganization, "registration", "part_time_social_workers",
                "social_work_agency")
    add_index(SocialOrganization, "registration")


def _version_11(step: Step) -> None:
    """The weekly trend read from weekly sums kept like the monthly ones, filled from the
    reports and contributions already stored."""
    from models.plans.rollup import install as install_rollup

    install_rollup()


def _version_12(step: Step) -> None:
    """The admin's processes share their computed pages; the reports waiting for review are
    counted from an index."""
    create_tables(SharedCache)
    add_index(Report, "status", "org_path", "kind_id")


MIGRATIONS = [
    Migration(2, N_("groups, deliveries, registries and applications; admin accounts; "
                    "place facts and plan specs"), _version_2),
    Migration(3, N_("group push choices as subscriptions"), _version_3),
    Migration(4, N_("admin sessions that can be ended (admin_user.session_version)"),
              _version_4),
    Migration(5, N_("photos stored before photos were checked: re-encoded without metadata"),
              _version_5),
    Migration(6, N_("officials' accounts: a password to change at first sign-in; the bot's "
                    "heartbeat"), _version_6),
    Migration(7, N_("who set each target and place fact, so a reload keeps officials' values"),
              _version_7),
    Migration(8, N_("typed text already stored cleaned of control, bidi and zero-width "
                    "characters"), _version_8),
    Migration(9, N_("drafts remember the update that last changed them (a redelivered answer "
                    "is not saved twice)"), _version_9),
    Migration(10, N_("social organizations: registered (登记) or filed (备案), part-time social "
                     "workers and the social-work agency taken in"), _version_10),
    Migration(11, N_("weekly sums of reports and contributions for every place (the "
                     "dashboard's weekly trend)"), _version_11),
    Migration(12, N_("a cache of the dashboard's computed pages shared by the admin's "
                     "processes; the reports waiting for review counted from an index"),
              _version_12),
]
SCHEMA_VERSION = MIGRATIONS[-1].version


def refusal(url: str, prog: str, locale: str | None = None, *, allow: tuple[str, ...] = ()
            ) -> str | None:
    """The one line a program prints before exiting 2 when the database at ``url`` is not at
    this code's version (or cannot be opened); None when it is, or when its problem is one of
    ``allow`` (the one `init` or `upgrade` is for). Writes nothing."""
    t = translator(locale)
    try:
        problem = check_url(url)
    except pw.DatabaseError as e:
        return f"{prog}: " + t.gettext(N_("cannot open the database at {where}: {error}"),
                                       where=where(url), error=str(e).strip().splitlines()[0])
    if problem is None or problem.code in allow:
        return None
    return f"{prog}: {problem.message(where(url), t)}"

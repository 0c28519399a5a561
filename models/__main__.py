"""Maintenance commands: `python -m models init | upgrade | load-places [FILE|CODE ...] [--all] | load-plan FILE
| invite --org CODE | recount | import ENTITY FILE [--dry-run] | digest PERIOD [--scope CODE]
[--push] | backup [--to DIR] | restore ARCHIVE [--yes]`.

Only `init` and `upgrade` make or change the schema: `init` an empty database, `upgrade` one an
older Wushe made (models/core/migrations.py). Every other command first checks the schema's
version, read-only, and stops with one line naming the command to run when it is not right.

The digest's PDF is drawn by charts/, above the domain: `wushe digest PERIOD --pdf FILE`
(wushe/cli.py, or `python -m wushe`) runs these same commands with the charts at hand."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from models import connection, importing as importer, init_db, install
from models.core import backup as backups, migrations
from models.core.i18n import N_, translator
from models.core.schema import Group, OrgUnit
from models.core.settings import load_settings
from models.forms.kinds import default_plan, load_kinds
from models.org.places import DEFAULT_PLACES, PLACE_FILES, city, load_places, places_path
from models.org.workers import create_invite, invite_link
from models.plans.loading import load_plan, recount, shipped_plan_files
from models.pushes import deliveries as pushes, kinds


PROG = "python -m models"
PDF_ELSEWHERE = ("the digest's PDF is drawn by the charts, outside the domain package: "
                 "run `wushe digest {period} --pdf FILE` (or `python -m wushe digest ...`)")


def build_parser(prog: str = "python -m models", description: str | None = __doc__
                 ) -> argparse.ArgumentParser:
    """Every command and its options, for this module's ``main`` and for ``wushe.cli``."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="an empty database: create the schema, load the shipped "
                                       "report kinds, places and plans (a database that has a "
                                       "schema is left as it is)")
    init.add_argument("--no-places", action="store_true", help="skip the shipped demo places")
    sub.add_parser("upgrade", help="apply the pending schema migrations (stop the bot and the "
                                   "admin and back up first) and load the shipped report kinds")
    pl = sub.add_parser("load-places", help="load (or reload) places files: a file, a "
                                            "shipped one by name or root code (yaan/5118, "
                                            "tianjin/12, zhejiang/33, gansu/62; default: "
                                            "yaan), or --all of them")
    pl.add_argument("file", nargs="*", default=[str(DEFAULT_PLACES)])
    pl.add_argument("--all", action="store_true", help="every shipped places file")
    pl.add_argument("--demo-communities", type=int, default=0, metavar="N",
                    help="also generate N demo communities (attrs.demo) under each township "
                         "the load creates (for trying things out; default 0)")
    pl.add_argument("--overwrite", action="store_true",
                    help="the file's place facts replace those officials or imports set "
                         "(each reported and audited)")
    lp = sub.add_parser("load-plan", help="load (or reload) a plan data file beside the others")
    lp.add_argument("file", type=Path)
    lp.add_argument("--overwrite", action="store_true",
                    help="the file's targets and counted statuses replace those officials or "
                         "imports set (each reported and audited)")
    lp.add_argument("--lang", choices=("zh_Hans", "en"))
    inv = sub.add_parser("invite", help="create an invite link for a community")
    inv.add_argument("--org", required=True, help="the community's code")
    inv.add_argument("--uses", type=int, default=1)
    inv.add_argument("--days", type=int, default=30)
    sub.add_parser("recount", help="rebuild every report's contributions to every indicator")
    imp = sub.add_parser("import", help="import org units, workers, volunteers, social "
                         "organizations or past reports from CSV/XLSX (all or nothing)")
    imp.add_argument("entity", choices=("org_units", "workers", "volunteers", "organizations",
                                        "reports"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imp.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
    imp.add_argument("--lang", default="zh_Hans", choices=("zh_Hans", "en"))
    dg = sub.add_parser("digest", help="print a place's weekly summary or digest for a period; "
                                       "optionally write the digest's PDF or queue the push")
    dg.add_argument("period", help="2026-W48, 2026Q3 or 2026H1")
    dg.add_argument("--scope", help="the place's code (default: the city)")
    dg.add_argument("--locale", default="zh_Hans", choices=["zh_Hans", "en"])
    dg.add_argument("--pdf", type=Path, help="write the digest as a PDF to this file "
                                             "(drawn by the charts: `wushe digest`)")
    dg.add_argument("--push", action="store_true",
                    help="queue it for every bound group of the place (bot sends it)")
    bk = sub.add_parser("backup", help="write one archive of the database and the photos "
                                       "(safe while the bot and the admin run)")
    bk.add_argument("--to", type=Path, help="the folder for the archive (default: BACKUP_DIR, "
                                            "else var/backups)")
    bk.add_argument("--lang", choices=("zh_Hans", "en"))
    rs = sub.add_parser("restore", help="bring a backup archive back into DATABASE_URL and "
                                        "MEDIA_DIR (stop the bot and the admin first)")
    rs.add_argument("archive", type=Path)
    rs.add_argument("--yes", action="store_true",
                    help="replace a database that already holds reports, workers or photos")
    rs.add_argument("--lang", choices=("zh_Hans", "en"))
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace, *, digest_pdf: Callable[[object, str], bytes] | None = None
        ) -> int:
    """Run the parsed command. ``digest_pdf(digest, locale)`` renders the digest's PDF: the
    charts' renderer, which only an edge above the domain can hand in."""
    if args.command == "digest" and args.pdf and digest_pdf is None:
        print(PDF_ELSEWHERE.format(period=args.period), file=sys.stderr)
        return 2
    install()
    settings = load_settings()
    url = args.database_url or settings.database_url
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args, settings, url)
    if args.command == "init":
        return _init(args, settings, url)
    if args.command == "upgrade":
        return _upgrade(settings, url)
    refused = migrations.refusal(url, PROG, settings.default_locale)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    init_db(url)
    with connection():
        if args.command == "load-places":
            files = list(PLACE_FILES.values()) if args.all else [places_path(f) for f in args.file]
            missing = [name for name, path in zip(args.file, files) if path is None]
            if missing:
                print(translator(settings.default_locale).gettext(
                    N_("No places file {names}: name a file, or a shipped one (yaan, tianjin, "
                       "zhejiang, gansu, or its code 5118, 12, 33, 62)."),
                    names=", ".join(missing)), file=sys.stderr)
                return 2
            for path in files:
                started = dt.datetime.now()
                result = load_places(path, args.demo_communities, overwrite=args.overwrite)
                took = (dt.datetime.now() - started).total_seconds()
                print(f"{result.units} places in {path.name} ({took:.1f} s)")
                print_load(result, translator(settings.default_locale))
        elif args.command == "load-plan":
            result = load_plan(args.file, overwrite=args.overwrite)
            plan = result.plan
            print(f"loaded plan {plan.code}: {plan.name} ({len(plan.indicators)} indicators)")
            print_load(result, translator(args.lang or settings.default_locale))
        elif args.command == "invite":
            unit = OrgUnit.get_or_none(OrgUnit.code == args.org)
            if unit is None or unit.level != "community":
                print(f"no community with code {args.org}", file=sys.stderr)
                return 2
            invite = create_invite(unit, max_uses=args.uses, days=args.days, created_by="cli")
            print(invite_link(invite, settings.bot_username))
        elif args.command == "recount":
            print(f"{recount()} contributions")
        elif args.command == "import":
            return _import(args, settings)
        elif args.command == "digest":
            return _digest(args, settings, digest_pdf)
    return 0


def print_load(result, t) -> None:
    """A load's conflicts and kept rows, one line each, then its totals."""
    for line in result.lines(t):
        print(line)


def _init(args, settings, url: str) -> int:
    """`init`: an empty database gets the schema, the shipped kinds, places and plans; a
    database that has a schema is not touched (`upgrade` is the command for an older one)."""
    t = translator(settings.default_locale)
    refused = migrations.refusal(url, PROG, settings.default_locale, allow=("no_schema",))
    if refused:
        print(refused, file=sys.stderr)
        return 2
    if migrations.check_url(url) is None:
        print(t.gettext(N_("The database at {where} already has the Wushe schema (version "
                           "{version}): nothing done. Load data with `load-places` or "
                           "`load-plan`."), where=migrations.where(url),
                        version=migrations.SCHEMA_VERSION))
        return 0
    init_db(url)
    with connection():
        migrations.create_schema()
        loaded = load_kinds()
        loads = [load_places()] if not args.no_places else []
        places = loads[0].units if loads else 0
        plans = [load_plan(path) for path in shipped_plan_files()]
        for result in loads + plans:
            print_load(result, t)
    print(t.gettext(N_("Created the Wushe schema (version {version}) at {where}: {kinds} report "
                       "kinds, {places} places, {plans} plans."),
                    version=migrations.SCHEMA_VERSION, where=migrations.where(url),
                    kinds=len(loaded), places=places, plans=len(plans)))
    return 0


def _upgrade(settings, url: str) -> int:
    """`upgrade`: the pending migrations, each printed as it is applied; the report kinds."""
    t = translator(settings.default_locale)
    refused = migrations.refusal(url, PROG, settings.default_locale, allow=("older",))
    if refused:
        print(refused, file=sys.stderr)
        return 2
    init_db(url)
    with connection():
        applied = migrations.upgrade()
        for step in applied:
            print("\n".join(step.lines(t)))
        loaded = load_kinds()
    print(t.gettext(N_("The database at {where} is at schema version {version} ({count} "
                       "migrations applied); {kinds} report kinds loaded."),
                    where=migrations.where(url), version=migrations.SCHEMA_VERSION,
                    count=len(applied), kinds=len(loaded)))
    return 0


def _digest(args, settings, digest_pdf) -> int:
    """`digest PERIOD`: the text a group bound to the place would get, its PDF, its push."""
    t = translator(args.locale)
    try:
        kind, window = kinds.parse(args.period)
    except kinds.PeriodError as e:
        print(e.message(t), file=sys.stderr)
        return 2
    scope = OrgUnit.get_or_none(OrgUnit.code == args.scope) if args.scope else city()
    plan = default_plan()
    if scope is None or plan is None:
        print(f"no place with code {args.scope}" if scope is None else "no plan loaded",
              file=sys.stderr)
        return 2
    summary = kind.summarize(scope, plan, window, window.end)
    print(kind.text(summary, t))
    if args.pdf and kind.digest:
        args.pdf.write_bytes(digest_pdf(summary, args.locale))
        print(f"wrote {args.pdf}")
    if args.push:
        groups = list(Group.select().where(Group.org_unit == scope,
                                           Group.active == True))  # noqa: E712
        try:
            created = pushes.enqueue(kind.code, args.period.strip().upper(), groups=groups,
                                     requested_by="cli", timezone=settings.timezone)
        except pushes.PeriodError as e:
            print(e.message(t), file=sys.stderr)
            return 2
        print(f"queued for {len(created)} of {len(groups)} groups "
              f"(the others had it already)")
    return 0


def _backup_or_restore(args, settings, url: str) -> int:
    """`backup` and `restore`: neither creates nor upgrades the schema of the database."""
    t = translator(args.lang or settings.default_locale)
    try:
        if args.command == "backup":
            directory = args.to or Path(settings.backup_dir or backups.DEFAULT_DIR)
            path, manifest = backups.backup(url, settings.media_dir, directory,
                                            now=dt.datetime.now(ZoneInfo(settings.timezone)))
            counts = manifest["counts"]
            print(t.gettext(N_("Backed up {reports} reports, {workers} workers, {photos} photos "
                               "and {files} media files (schema version {schema}) to {path}"),
                            reports=counts["reports"], workers=counts["workers"],
                            photos=counts["photos"], files=manifest["media_files"],
                            schema=manifest["schema_version"], path=path))
            return 0
        done = backups.restore(args.archive, url, settings.media_dir, replace=args.yes)
    except backups.BackupError as e:
        print(e.message(t), file=sys.stderr)
        return 2
    counts = done.manifest["counts"]
    print(t.gettext(N_("Restored the backup of {created} into {target}: {reports} reports, "
                       "{workers} workers, {photos} photos; {files} media files into {media}."),
                    created=done.manifest["created_at"], target=done.target,
                    reports=counts["reports"], workers=counts["workers"],
                    photos=counts["photos"], files=done.media_files, media=settings.media_dir))
    if done.moved_photos:
        print(t.gettext(N_("{count} photos now point at {media}."),
                        count=done.moved_photos, media=settings.media_dir))
    if (done.manifest.get("schema_version") or 0) < backups.SCHEMA_VERSION:
        print(t.gettext(N_("The archive's schema is older than this Wushe's: run "
                           "`python -m models upgrade` to upgrade it.")))
    return 0


def _import(args, settings) -> int:
    """Print the same report as the admin's import page; exit 1 if any row is bad."""
    if not args.file.is_file():
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    if args.dry_run:
        result = importer.dry_run(args.entity, args.file, sheet=args.sheet, today=today)
    else:
        result = importer.run(args.entity, args.file, sheet=args.sheet, today=today,
                              actor="cli")
    print("\n".join(result.report_lines(translator(args.lang))))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

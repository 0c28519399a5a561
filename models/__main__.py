"""Maintenance commands: `python -m models init | load-plan FILE | invite --org CODE | recount`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import bootstrap, connection, init_db
from .schema import OrgUnit, create_schema
from .settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models", description=__doc__)
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create or upgrade the schema; load places, kinds and plans")
    init.add_argument("--no-places", action="store_true", help="skip the shipped demo places")
    lp = sub.add_parser("load-plan", help="load (or reload) a plan data file beside the others")
    lp.add_argument("file", type=Path)
    inv = sub.add_parser("invite", help="create an invite link for a community")
    inv.add_argument("--org", required=True, help="the community's code")
    inv.add_argument("--uses", type=int, default=1)
    inv.add_argument("--days", type=int, default=30)
    sub.add_parser("recount", help="rebuild every report's contributions to every indicator")
    args = parser.parse_args(argv)

    settings = load_settings()
    url = args.database_url or settings.database_url
    if args.command == "init":
        bootstrap(url, places=not args.no_places)
        print(f"schema ready: {url.split('@')[-1]}")
        return 0
    init_db(url)
    with connection():
        create_schema()
        if args.command == "load-plan":
            from .plans import load_plan

            plan = load_plan(args.file)
            print(f"loaded plan {plan.code}: {plan.name} ({len(plan.indicators)} indicators)")
        elif args.command == "invite":
            from .workers import create_invite, invite_link

            unit = OrgUnit.get_or_none(OrgUnit.code == args.org)
            if unit is None or unit.level != "community":
                print(f"no community with code {args.org}", file=sys.stderr)
                return 2
            invite = create_invite(unit, max_uses=args.uses, days=args.days, created_by="cli")
            print(invite_link(invite, settings.bot_username))
        elif args.command == "recount":
            from .plans import recount

            print(f"{recount()} contributions")
    return 0


if __name__ == "__main__":
    sys.exit(main())

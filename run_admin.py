"""Serve the web admin, or create an official's account.

    python run_admin.py [--host 127.0.0.1] [--port 5000]
    python run_admin.py --demo [--port 5000]   # a fresh demo database and a demo login
    ADMIN_PASSWORD=... python run_admin.py --create-user bob --role county_official --org 511802

Settings come from the environment or `.env` (ADMIN_SECRET_KEY is required to serve). The
password of a new account is read from ADMIN_PASSWORD, else asked for twice; there is no
default password.

Neither serving nor --create-user creates or upgrades the schema: a database that is not at
this code's version is refused (exit 2) with the command to run, `python -m models init` or
`python -m models upgrade`.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from models import connection, init_db
from models.core.migrations import refusal
from models.org.access import ROLES
from models.core.settings import SettingsError, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run_admin.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on")
    parser.add_argument("--demo", action="store_true",
                        help="build a fresh demo database (var/demo.sqlite3), create demo logins "
                             "with random passwords, print them and serve the demo")
    account = parser.add_argument_group("accounts")
    account.add_argument("--create-user", metavar="USERNAME", help="create an official's account")
    account.add_argument("--role", choices=ROLES, help="the account's role")
    account.add_argument("--org", metavar="CODE",
                         help="the org unit code the account sees (the city for city_admin)")
    account.add_argument("--display-name", default="", help="name shown in the admin")
    account.add_argument("--language", choices=("zh_Hans", "en"), default="zh_Hans")
    return parser


def read_password() -> str:
    password = os.environ.get("ADMIN_PASSWORD")
    if password:
        return password
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("the passwords differ")
    return first


def refused_database(settings) -> bool:
    """Start-up writes nothing: a database not at this code's schema version is refused with
    one line naming the command to run (`python -m models init` or `upgrade`)."""
    refused = refusal(settings.database_url, "run_admin", settings.default_locale)
    if refused:
        print(refused, file=sys.stderr)
    return bool(refused)


def create_user_command(args, settings) -> int:
    from admin.auth import AccountError, create_user

    if not args.role or not args.org:
        print("--create-user needs --role and --org", file=sys.stderr)
        return 2
    if refused_database(settings):
        return 2
    init_db(settings.database_url)
    with connection():
        try:
            user = create_user(args.create_user, read_password(), role=args.role,
                               org_code=args.org, display_name=args.display_name,
                               language=args.language)
        except AccountError as e:
            print(f"cannot create the account: {e}", file=sys.stderr)
            return 2
    print(f"created {user.role} {user.username} for {user.org_unit.name} ({user.org_unit.code})")
    return 0


def demo_command(args, settings) -> int:
    """The demo: a fresh database with a year of reports, logins made now, the URL printed."""
    import dataclasses
    import secrets

    from admin import create_app
    from admin.auth import create_user
    from models import demo

    url = f"sqlite:///{demo.DEMO_PATH}"
    print(f"building the demo database {demo.DEMO_PATH} ...", flush=True)
    info = demo.build_demo(url, create_user=create_user)
    settings = dataclasses.replace(settings, database_url=url,
                                   admin_secret_key=settings.admin_secret_key or secrets.token_hex(32))
    app = create_app(settings)
    print(f"{info['reports']} reports in {info['communities']} communities, up to {info['today']}")
    print(f"Wushe admin demo: http://{args.host}:{args.port}/")
    for login in info["logins"]:
        print(f"  {login['role']} ({login['scope']}): {login['username']} / {login['password']}")
    app.run(host=args.host, port=args.port, threaded=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    if args.create_user:
        return create_user_command(args, settings)
    if args.demo:
        return demo_command(args, settings)
    from admin import create_app

    if refused_database(settings):
        return 2
    try:
        app = create_app(settings)
    except SettingsError as e:
        print(e, file=sys.stderr)
        return 2
    app.run(host=args.host, port=args.port, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

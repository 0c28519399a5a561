"""Serve the web admin, or create an official's account.

    python run_admin.py [--host 127.0.0.1] [--port 5000] [--workers 2] [--threads 4]
    python run_admin.py --dev                  # Flask's development server (one process)
    python run_admin.py --demo [--port 5000]   # a fresh demo database and demo logins
    python run_admin.py --demo --plan zhejiang-2025   # the demo on another plan's own places
    ADMIN_PASSWORD=... python run_admin.py --create-user bob --role county_official --org 511802

The admin is served by gunicorn (gthread workers; ADMIN_WORKERS x ADMIN_THREADS, 2 x 4 by
default, sized for two cores); ``--dev`` uses Flask's server instead. ``gunicorn
admin.wsgi:app`` serves the same app with gunicorn's own command line. Settings come from the
environment or `.env` (ADMIN_SECRET_KEY is required to serve). The password of a new account
is read from ADMIN_PASSWORD, else asked for twice at a terminal; there is no default password.
The role must sit at its level of place (models/org/access.py ROLE_LEVELS).

Neither serving nor --create-user creates or upgrades the schema: a database that is not at
this code's version is refused (exit 2) with the command to run, `python -m models init` or
`python -m models upgrade`.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

import peewee

from models import init_db
from models.core.db import connection, database
from models.core.i18n import N_, translator
from models.core.messages import explain
from models.core.migrations import refusal
from models.core.settings import SettingsError, load_settings
from models.org import access, accounts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run_admin.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on")
    parser.add_argument("--dev", action="store_true",
                        help="serve with Flask's development server instead of gunicorn")
    parser.add_argument("--workers", type=int, help="gunicorn processes (ADMIN_WORKERS, 2)")
    parser.add_argument("--threads", type=int,
                        help="threads per gunicorn process (ADMIN_THREADS, 4)")
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument("--demo", action="store_true",
                        help="build a fresh demo database (var/demo.sqlite3), create demo logins "
                             "with random passwords, print them and serve the demo")
    parser.add_argument("--plan", metavar="CODE",
                        help="with --demo: the plan whose own places the demo stands on "
                             "(yaan-jiuxiang, the default; tianjin-wushe-demo-2024, "
                             "tianjin-shequ-zuzhi, zhejiang-2025, gansu-sanshe-pilot)")
    account = parser.add_argument_group("accounts")
    account.add_argument("--create-user", metavar="USERNAME", help="create an official's account")
    account.add_argument("--role", help=f"the account's role: {', '.join(access.ROLES)}")
    account.add_argument("--org", metavar="CODE",
                         help="the code of the place the account sits at (its role's level)")
    account.add_argument("--display-name", default="", help="name shown in the admin")
    account.add_argument("--language", choices=("zh_Hans", "en"), default="zh_Hans")
    return parser


class CommandError(Exception):
    """A one-line reason the command cannot go on (exit code 2)."""


def _why(error: accounts.AccountError) -> str:
    return explain(error, translator("en"))


def has_terminal() -> bool:
    """Whether a password can be asked for (getpass reads the terminal, else stdin)."""
    return sys.stdin is not None and sys.stdin.isatty()


def read_password() -> str:
    password = os.environ.get("ADMIN_PASSWORD")
    if password:
        return password
    if not has_terminal():
        raise CommandError("no terminal to ask for the password: set ADMIN_PASSWORD")
    try:
        first = getpass.getpass("Password: ")
        again = getpass.getpass("Password again: ")
    except (EOFError, KeyboardInterrupt):
        raise CommandError("no password given") from None
    if first != again:
        raise CommandError("the passwords differ")
    return first


def refused_database(settings) -> bool:
    """Start-up writes nothing: a database not at this code's schema version (or that cannot
    be opened) is refused with one line naming the command to run (`python -m models init` or
    `upgrade`)."""
    refused = refusal(settings.database_url, "run_admin", settings.default_locale)
    if refused:
        print(refused, file=sys.stderr)
    return bool(refused)


def create_user_command(args, settings) -> int:
    from admin.auth import create_user

    try:
        if not args.role or not args.org:
            raise CommandError("--create-user needs --role and --org")
        if args.role not in access.ROLES:
            raise CommandError(f"unknown role {args.role!r}: one of {', '.join(access.ROLES)}")
        try:
            accounts.check_username(args.create_user)
        except accounts.AccountError as e:
            raise CommandError(_why(e)) from None
        if refused_database(settings):
            return 2
        init_db(settings.database_url)
        with connection():
            try:
                accounts.check_placement(args.role, accounts.unit_by_code(args.org))
                user = create_user(args.create_user, read_password(), role=args.role,
                                   org_code=args.org, display_name=args.display_name,
                                   language=args.language)
            except accounts.AccountError as e:
                raise CommandError(f"cannot create the account: {_why(e)}") from None
            except peewee.DatabaseError as e:
                raise CommandError(f"cannot create the account: {str(e).splitlines()[0]}") \
                    from None
            print(f"created {user.role} {user.username} for {user.org_unit.name} "
                  f"({user.org_unit.code})")
    except CommandError as e:
        print(f"run_admin: {e}", file=sys.stderr)
        return 2
    return 0


def serve(app, args, settings) -> int:
    """Flask's server with ``--dev``; gunicorn (gthread) otherwise."""
    if args.dev:
        app.run(host=args.host, port=args.port, threaded=True)
        return 0
    from gunicorn.app.base import BaseApplication

    workers = settings.admin_workers if args.workers is None else args.workers
    threads = settings.admin_threads if args.threads is None else args.threads
    if workers < 1 or threads < 1:
        print("run_admin: --workers and --threads must be at least 1", file=sys.stderr)
        return 2
    options = {"bind": f"{args.host}:{args.port}", "workers": workers, "threads": threads,
               "worker_class": "gthread", "timeout": 60, "graceful_timeout": 20,
               "keepalive": 5,
               "preload_app": True, "accesslog": "-" if args.access_log else None,
               "errorlog": "-", "proc_name": "wushe-admin"}
    if not database.is_closed():
        database.close()  # the workers are forked: none may share the master's connection
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()  # nor a pooled one the master has handed back

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25: no shared
                self.cfg.set("control_socket_disable", True)    # ~/.gunicorn socket

        def load(self):
            return app

    print(f"Wushe admin on http://{args.host}:{args.port}/ (gunicorn, {workers} workers x "
          f"{threads} threads)", flush=True)
    Server().run()
    return 0


def demo_command(args, settings) -> int:
    """The demo: a fresh database with a year of reports, logins made now, the URL printed."""
    import dataclasses
    import secrets

    from admin import create_app
    from admin.auth import create_user
    from models import demo

    plans = demo.demo_plans()
    if args.plan and args.plan not in plans:
        print(translator(settings.default_locale).gettext(
            N_("No plan {plan} to build the demo on; the plans are: {plans}."),
            plan=args.plan, plans=", ".join(plans)), file=sys.stderr)
        return 2
    url = f"sqlite:///{demo.DEMO_PATH}"
    print(f"building the demo database {demo.DEMO_PATH} ...", flush=True)
    info = demo.build_demo(url, create_user=create_user, plan=args.plan,
                           media_dir=settings.media_dir)
    settings = dataclasses.replace(settings, database_url=url,
                                   admin_secret_key=settings.admin_secret_key or secrets.token_hex(32))
    app = create_app(settings)
    print(f"{info['reports']} reports in {info['communities']} communities, up to {info['today']}")
    print(f"Wushe admin demo: http://{args.host}:{args.port}/")
    for login in info["logins"]:
        print(f"  {login['role']} ({login['scope']}): {login['username']} / {login['password']}")
    return serve(app, args, settings)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as e:
        print(e, file=sys.stderr)
        return 2
    if args.create_user is not None:
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
    return serve(app, args, settings)


if __name__ == "__main__":
    sys.exit(main())

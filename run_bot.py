"""Run the Wushe Telegram bot: long polling by default, ``--webhook`` behind a proxy, or
``--demo`` against a local fake Bot API (no Telegram needed).

Settings come from the environment or `.env` (models.core.settings): TELEGRAM_BOT_TOKEN,
DATABASE_URL, TELEGRAM_API_BASE_URL, and WEBHOOK_URL / WEBHOOK_LISTEN / WEBHOOK_PORT /
WEBHOOK_SECRET for ``--webhook`` (the secret is required: Telegram sends it with every update
and a post without it is refused). Exit code 2 means a setting is missing or was refused, or
the database is not at this code's schema version (`python -m models init` makes one,
`python -m models upgrade` brings an older one up; start-up itself writes nothing).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from urllib.parse import urlparse

from telegram.error import BadRequest, Forbidden, InvalidToken

from bot import build_application
from bot.app import ALLOWED_UPDATES
from bot.logs import configure
from bot.polling import run_polling
from bot.webhook import run_webhook
from models.core.migrations import refusal
from models.core.settings import ROOT, SettingsError, load_settings

log = logging.getLogger("run_bot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--webhook", action="store_true", help="receive updates on WEBHOOK_URL")
    mode.add_argument("--demo", action="store_true",
                      help="drive a scripted worker against a local fake Bot API and exit")
    parser.add_argument("--lang", default="zh-hans", help="the demo worker's app language")
    parser.add_argument("--var", type=Path, default=ROOT / "var",
                        help="where the demo keeps its database and photos")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
        if args.demo:
            configure(level=logging.WARNING)
            from devkit.demo import run_demo
            return asyncio.run(run_demo(settings, sys.stdout, language_code=args.lang,
                                        var=args.var))
        settings.require("telegram_bot_token")
        if args.webhook:
            settings.require_webhook()
    except SettingsError as e:
        print(f"run_bot: {e}", file=sys.stderr)
        return 2

    # start-up writes nothing: the schema is made and upgraded by `python -m models`
    refused = refusal(settings.database_url, "run_bot", settings.default_locale)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    configure(secrets=[settings.telegram_bot_token, settings.webhook_secret])
    app = build_application(settings, retry_startup=True)
    try:
        if args.webhook:
            url = urlparse(settings.webhook_url)
            run_webhook(app, listen=settings.webhook_listen, port=settings.webhook_port,
                        url_path=url.path.lstrip("/"), webhook_url=settings.webhook_url,
                        secret=settings.webhook_secret, allowed_updates=ALLOWED_UPDATES)
        else:  # both confirm an update only once it is handled (bot/polling.py, bot/webhook.py)
            run_polling(app, allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print("run_bot: Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized). "
              "Check the token @BotFather gave you.", file=sys.stderr)
        return 2
    except (BadRequest, Forbidden) as e:  # not retried (bot/startup.py): the request is wrong
        hint = (" Check WEBHOOK_URL: Telegram needs HTTPS on port 443, 80, 88 or 8443."
                if args.webhook and "webhook" in str(e).lower() else "")
        print(f"run_bot: Telegram refused a start-up call: {e}.{hint}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The application factory: ``build_application(settings)`` wires the handlers over ``models``."""
from __future__ import annotations

import functools
import ssl

import httpx
from telegram import Update
from telegram.ext import (Application, ApplicationBuilder, BaseRateLimiter,
                          CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler,
                          TypeHandler, filters)
from telegram.request import HTTPXRequest

from models.core.db import database, init_db
from models.core.health import record_poll
from models.core.settings import Settings
from models.extensions import install

from . import callbacks as cb
from . import applications, backups, commands, engine, groups, outbox, pushes, registration
from . import again, describe
from .context import BotContext, Clock, WusheApplication
from .errors import on_error
from .flood import FloodLimiter
from .gate import drop_repeats, forget_old_updates, gate
from .http import AiohttpRequest
from .startup import StartupRetries
from .updates import PerChatUpdateProcessor

#: Updates handled at once across chats (one at a time within a chat, see updates.py).
MAX_CONCURRENT_UPDATES = 64

#: The updates the bot asks Telegram for; everything else is never delivered.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]

BUTTONS = {
    cb.KIND: engine.on_kind,
    cb.CONTINUE: engine.on_continue,
    cb.RESTART: engine.on_restart,
    cb.ANSWER: engine.on_choice,
    cb.TOGGLE: engine.on_toggle,
    cb.MULTI_DONE: engine.on_multi_done,
    cb.DATE: engine.on_quick,
    cb.QUICK: engine.on_quick,
    cb.SKIP: engine.on_skip,
    cb.DONE: engine.on_skip,
    cb.BACK: engine.on_back,
    cb.SUBMIT: engine.on_submit,
    cb.EDIT: engine.on_edit,
    cb.EDIT_FIELD: engine.on_edit_field,
    cb.CARD: engine.on_card,
    cb.CANCEL: engine.cancel,
    cb.SOURCES: engine.on_sources,
    cb.LANG: commands.on_lang,
    cb.FIX: engine.on_fix,
}


def file_base_url(settings: Settings) -> str:
    """The file download base: set explicitly, or beside a custom API base (…/bot → …/file/bot)."""
    if settings.telegram_file_base_url:
        return settings.telegram_file_base_url
    base = settings.telegram_api_base_url.rstrip("/")
    if base.endswith("/bot"):
        return base[:-len("/bot")] + "/file/bot"
    return ""


@functools.cache
def tls() -> ssl.SSLContext:
    """One certificate store per process (httpx's default, verifying): loading it takes ~60 ms
    and each application has two HTTP clients, which a test suite builds by the dozen."""
    return httpx.create_ssl_context()


def add_handlers(app: Application) -> None:
    app.add_handler(TypeHandler(Update, drop_repeats), group=-2)
    groups.add_handlers(app, group=-1)  # group chats, before the private-chat gate
    app.add_handler(TypeHandler(Update, gate), group=-1)
    app.add_handler(CommandHandler("start", registration.start))
    app.add_handler(CommandHandler("help", commands.help_command))
    app.add_handler(CommandHandler("lang", commands.lang_command))
    app.add_handler(CommandHandler("report", engine.report_command))
    app.add_handler(CommandHandler("mystats", commands.mystats))
    app.add_handler(CommandHandler("applications", applications.applications_command))
    app.add_handler(CommandHandler("cancel", engine.cancel))
    app.add_handler(MessageHandler(filters.COMMAND, commands.unknown_command))
    for action, callback in BUTTONS.items():
        app.add_handler(CallbackQueryHandler(callback, pattern=cb.pattern(action)))
    # with no report open, a text or a captioned photo describes one (bot/describe.py)
    app.add_handler(CallbackQueryHandler(describe.on_kind, pattern=cb.pattern(describe.KIND)))
    app.add_handler(CallbackQueryHandler(again.on_again, pattern=cb.pattern(again.AGAIN)))
    app.add_handler(MessageHandler(filters.TEXT, describe.on_text))
    # any file: a photo question checks it (and says why one is refused), others say "wrong type"
    app.add_handler(MessageHandler(filters.PHOTO | filters.Document.ALL, describe.on_photo))
    app.add_handler(MessageHandler(filters.LOCATION, engine.on_location))
    app.add_handler(MessageHandler(filters.ALL, engine.on_other))
    app.add_error_handler(on_error)


#: How often the bot notes that it still reaches the Bot API (the admin's /healthz shows it).
HEARTBEAT_INTERVAL = 60


async def heartbeat(context) -> None:
    """Ask the Bot API who we are; when it answers, record the contact (models.core.health).
    A failure records nothing: the age of the last record is what the monitor watches."""
    await context.bot.get_me()
    record_poll()


async def post_init(app: Application) -> None:
    record_poll()  # initialize() has just reached the Bot API (getMe)
    await commands.set_menus(app)


def build_application(settings: Settings, *, clock: Clock | None = None,
                      outbox_interval: float | None = outbox.INTERVAL,
                      push_interval: float | None = pushes.INTERVAL,
                      rate_limiter: BaseRateLimiter | None = None,
                      retry_startup: bool = False) -> Application:
    """The bot, ready for ``run_polling``/``run_webhook`` or a test's manual start.

    ``clock`` is where "today" comes from (default: the date in ``settings.timezone``);
    ``outbox_interval`` None leaves the outbox job out, ``push_interval`` None the push
    schedule's tick. ``rate_limiter`` defaults to Telegram's flood limits (bot/flood.py).
    ``retry_startup`` retries the Bot API calls made before the application starts (getMe,
    the menus, the webhook) with backoff instead of failing on one 5xx (bot/startup.py).
    The database proxy is bound to ``settings.database_url`` unless something (a test
    fixture) has bound it already.
    """
    install()
    if database.obj is None:
        init_db(settings.database_url, pool=True)  # PostgreSQL: a connection pool
    startup = StartupRetries(active=retry_startup)
    builder = (ApplicationBuilder()
               .application_class(WusheApplication)
               .token(settings.telegram_bot_token)
               .context_types(ContextTypes(context=BotContext))
               .request(AiohttpRequest(connection_pool_size=64, startup=startup))
               .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
               .get_updates_request(HTTPXRequest(connection_pool_size=1,
                                                 httpx_kwargs={"verify": tls()}))
               .rate_limiter(rate_limiter or FloodLimiter())
               .post_init(post_init))
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    if file_base_url(settings):
        builder = builder.base_file_url(file_base_url(settings))
    app = builder.build()
    app.startup = startup
    app.bot_data["settings"] = settings
    app.bot_data["clock"] = clock or Clock(settings.timezone)
    add_handlers(app)
    if outbox_interval:
        app.job_queue.run_repeating(outbox.job, interval=outbox_interval, first=outbox_interval,
                                    name="outbox")
    if push_interval:
        app.job_queue.run_repeating(pushes.job, interval=push_interval, first=push_interval,
                                    name="pushes")
    app.job_queue.run_repeating(forget_old_updates, interval=3600, first=60, name="forget-updates")
    app.job_queue.run_repeating(heartbeat, interval=HEARTBEAT_INTERVAL,
                                first=HEARTBEAT_INTERVAL, name="heartbeat")
    backups.schedule(app, settings)
    return app

"""The Telegram bot: thin async handlers over ``models`` (see ``bot.app.build_application``)."""
from .app import build_application  # noqa: F401

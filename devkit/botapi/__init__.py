"""LocalBotAPI, an in-process fake of the Telegram Bot API, for the end-to-end tests and
`run_bot.py --demo`; see server.py for how to drive it."""
from .records import MESSAGE_KINDS, BotAPIError, Call, FileRecord
from .server import LocalBotAPI
from .users import FakeGroup, FakeUser

__all__ = ["BotAPIError", "Call", "FakeGroup", "FakeUser", "FileRecord", "LocalBotAPI",
           "MESSAGE_KINDS"]

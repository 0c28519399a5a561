"""The pushes area's fixtures: the bot that sends the pushes, against the fake Bot API
(tests/botkit.py)."""
from tests.botkit import bot_api, bot_app  # noqa: F401

"""The bot area's fixtures: the fake Bot API and the real application polling it, on the
test's database (tests/botkit.py)."""
from tests.botkit import bot_api, bot_app  # noqa: F401

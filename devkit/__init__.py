"""Tools for developing Wushe without Telegram: a fake Bot API server (botapi) and a driver
that talks to the real bot through it as a user would (conversation). Used by the tests, the
benchmarks and `run_bot.py --demo`; never by the product at run time."""

"""The bot end to end: the real application over HTTP against devkit's fake Bot API."""

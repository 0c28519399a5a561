"""The development kit itself: the fake Bot API answers as Telegram does."""

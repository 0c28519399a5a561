"""The pushes: summaries, digests, deliveries and their sending by the bot."""

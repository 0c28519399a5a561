"""Logging for the bot process: secrets never reach a log line.

PTB puts the token in some exception messages ("The token `...` was rejected") and httpx
logs every request URL (which contains it), so a filter on the handlers masks the secrets in
every record, tracebacks included, and the chatty HTTP loggers are kept at WARNING.
"""
from __future__ import annotations

import logging
import sys

QUIET = ("httpx", "httpcore", "telegram", "apscheduler", "aiohttp.access")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self._mask(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = self._mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self._mask(record.exc_text)
        return True


class ReportedElsewhere(logging.Filter):
    """PTB logs a rejected token with a long traceback; run_bot says it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("telegram") and "Invalid token" in record.getMessage())


def configure(secrets=(), level: int = logging.INFO, stream=None) -> logging.Handler:
    """Log to stderr with the secrets masked; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(ReportedElsewhere())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler

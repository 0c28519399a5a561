"""Typed domain errors; the bot and the admin translate them for the user at the edge."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class ValidationError(DomainError):
    """An answer that cannot be accepted.

    ``code`` names the rule that failed (``"not_a_number"``, ``"too_large"``...) and ``args``
    carries the values a message needs (``max=100000``). The edge maps the code to a localized
    sentence, so the domain never holds user-facing text.
    """

    def __init__(self, field: str | None, code: str, **args):
        self.field = field
        self.code = code
        self.args_ = args
        super().__init__(f"{field or '-'}: {code} {args}" if args else f"{field or '-'}: {code}")


class NotFound(DomainError):
    """A referenced row (invite, report, org unit) does not exist or is out of scope."""


class PermissionDenied(DomainError):
    """The actor may not do this (disabled worker, out-of-scope official)."""


class InviteError(DomainError):
    """An invite code that is unknown, expired or used up; ``code`` says which."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)

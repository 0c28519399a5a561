"""Where a choice's options come from when the kind does not list them (``options_from``).

``action_lines`` is the form engine's own (the default plan's lines, see ``kinds.options_for``);
every other source is registered by the part of the domain that owns the rows, explicitly, by
``models.extensions.install()``: the forms know no registry, and a source nobody registered
fails loudly (``LookupError``) instead of offering nothing.

The scope is the community whose rows a source may offer: the bot binds it to the worker's
org unit for each update, the importer to each row's community; unbound, nothing is offered.
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

#: Sources the form engine resolves itself (``kinds.options_for``).
BUILTIN = frozenset({"action_lines"})

#: ``options(scope, value)``: the options offered in ``scope`` (an org unit id or None); with
#: ``value`` (a stored answer), that one answer's option wherever it is, to show it.
Options = Callable[[int | None, str | None], list[Any]]
#: ``match(scope, text, field)``: the option value a typed answer names, or ValidationError.
Match = Callable[[int | None, str, str], str]


@dataclass(frozen=True)
class OptionSource:
    options: Options
    match: Match | None = None


_SOURCES: dict[str, OptionSource] = {}
_scope: ContextVar[int | None] = ContextVar("form_scope", default=None)


def register_options(name: str, *, options: Options, match: Match | None = None) -> None:
    """Offer ``options_from = name`` choices; with ``match``, typed answers are read too (a
    long list shows only its first buttons)."""
    _SOURCES[name] = OptionSource(options, match)


def source(name: str) -> OptionSource:
    try:
        return _SOURCES[name]
    except KeyError:
        raise LookupError(f"choice options from unknown source {name!r} "
                          "(is models.extensions.install() called?)") from None


def matcher(name: str | None) -> Match | None:
    """How typed text answers a choice from ``name``; None when only buttons do."""
    if not name or name in BUILTIN:
        return None
    return source(name).match


def bind_scope(org_unit_id: int | None) -> None:
    """Offer the registry rows of this org unit (the worker's community) in choices."""
    _scope.set(org_unit_id)


def scope() -> int | None:
    return _scope.get()

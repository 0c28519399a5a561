"""Registries fed by reports: a worker enters a thing once, as a report, and the registry row
it stands for (a volunteer, service hours, a pilot application) is kept in step with it.

A report kind names its registry in kinds.toml (``stores = "volunteer"``); the module that
owns the registry offers plain functions, and ``models.extensions.install()`` registers them
here, explicitly, at each entry point. ``apply`` runs inside the report's transaction, so a
failing sink stores neither; a registry nobody registered fails loudly (``LookupError``).
"""
from __future__ import annotations

from typing import Callable

from models.core.schema import Report

Sink = Callable[..., object]
_SINKS: dict[str, Sink] = {}
_ON_REVIEW: dict[str, Sink] = {}


def register(name: str, store: Sink, reviewed: Sink | None = None) -> None:
    """Reports of kinds with ``stores = name`` are kept by ``store(report, *, created)``; with
    ``reviewed(report, *, before)``, the registry is told when such a report is approved or
    rejected (``before`` is the status it had), in the review's transaction."""
    _SINKS[name] = store
    if reviewed is not None:
        _ON_REVIEW[name] = reviewed
    else:
        _ON_REVIEW.pop(name, None)


def registered() -> set[str]:
    """The registries reports can store into (what ``install()`` put in)."""
    return set(_SINKS)


def _require(name: str) -> None:
    if name not in _SINKS:
        raise LookupError(f"report kind stores into unknown registry {name!r} "
                          "(is models.extensions.install() called?)")


def apply(name: str | None, report: Report, *, created: bool) -> object | None:
    if not name:
        return None
    _require(name)
    return _SINKS[name](report, created=created)


def reviewed(name: str | None, report: Report, *, before: str) -> None:
    """Tell the registry ``name`` of a review; a registry without a review hook is not told,
    but the registry itself must be registered."""
    if not name:
        return
    _require(name)
    fn = _ON_REVIEW.get(name)
    if fn is not None:
        fn(report, before=before)

"""Registries fed by reports: a worker enters a thing once, as a report, and the registry row
it stands for (a volunteer, service hours, a pilot application) is kept in step with it.

A report kind names its registry in kinds.toml (``stores = "volunteer"``); the module that
owns the registry registers a function here. ``apply`` runs inside the report's transaction,
so a failing sink stores neither.
"""
from __future__ import annotations

from typing import Callable

from models.core.schema import Report

Sink = Callable[..., object]
_SINKS: dict[str, Sink] = {}
_ON_REVIEW: dict[str, Sink] = {}


def register(name: str) -> Callable[[Sink], Sink]:
    """Decorator: ``@sinks.register("volunteer") def from_report(report, *, created): ...``"""
    def wrap(fn: Sink) -> Sink:
        _SINKS[name] = fn
        return fn
    return wrap


def apply(name: str | None, report: Report, *, created: bool) -> object | None:
    if not name:
        return None
    _load_registries()
    try:
        fn = _SINKS[name]
    except KeyError:
        raise LookupError(f"report kind stores into unknown registry {name!r}") from None
    return fn(report, created=created)


def on_review(name: str) -> Callable[[Sink], Sink]:
    """Decorator: ``@sinks.on_review("volunteer") def reviewed(report, *, before): ...``,
    called when a report of a kind that stores into ``name`` is approved or rejected (``before``
    is the status it had), in the review's transaction. Optional: a registry without one is
    not told."""
    def wrap(fn: Sink) -> Sink:
        _ON_REVIEW[name] = fn
        return fn
    return wrap


def reviewed(name: str | None, report: Report, *, before: str) -> None:
    if not name:
        return
    _load_registries()
    fn = _ON_REVIEW.get(name)
    if fn is not None:
        fn(report, before=before)


def _load_registries() -> None:
    """Import the modules that register sinks (they import this one, so not at the top)."""
    import importlib

    for module in ("models.registry", "models.applications"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise

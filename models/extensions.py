"""The domain's extension points, filled in one place: the registries reports store into
(``models.reports.sinks``) and the choices whose options come from a registry
(``models.forms.options``).

Every entry point calls ``install()`` once before it serves anything (the bot's
``build_application``, the admin's ``create_app``, ``models.bootstrap``, the command line,
the tests' conftest). Nothing registers itself at import: a forgotten ``install()`` fails
loudly (``LookupError``) the first time a report stores into a registry or a choice asks for
volunteers, instead of silently storing nothing.
"""
from __future__ import annotations

from models import applications, registry
from models.forms.options import register_options
from models.reports import sinks


def install() -> None:
    """Register the sinks and option sources; idempotent (calling it again changes nothing)."""
    sinks.register("volunteer", registry.volunteer_from_report, registry.volunteer_reviewed)
    sinks.register("volunteer_hours", registry.hours_from_report, registry.hours_reviewed)
    sinks.register("application", applications.from_report)
    register_options("volunteers", options=registry.volunteer_options,
                     match=registry.match_volunteer)

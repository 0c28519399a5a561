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

from models.applications import from_report as application_from_report
from models.forms.options import register_options
from models.registry import (hours_from_report, hours_reviewed, match_volunteer,
                             volunteer_from_report, volunteer_options, volunteer_reviewed)
from models.reports import sinks


def install() -> None:
    """Register the sinks and option sources; idempotent (calling it again changes nothing)."""
    sinks.register("volunteer", volunteer_from_report, volunteer_reviewed)
    sinks.register("volunteer_hours", hours_from_report, hours_reviewed)
    sinks.register("application", application_from_report)
    register_options("volunteers", options=volunteer_options, match=match_volunteer)

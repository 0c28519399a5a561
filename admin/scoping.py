"""What a page's query string may ask for, checked against the plans and the official's scope.

A place code from the URL goes through ``admin.base.unit_in_scope``; the helpers here do the
same for a plan's year, and give the order in which places and plans are offered.
"""
from __future__ import annotations

from flask import abort, request

from models.core.schema import Plan

# How deep a level sits below the city: a drop-down of places indents each by its depth.
LEVEL_DEPTH = {"city": 0, "county": 1, "township": 2, "community": 3,
               "province": -1}  # a province's cities sit one step below it


def requested_year(plan: Plan, as_of) -> int:
    """The ``year`` argument (default: this year); 404 unless the plan covers it."""
    try:
        year = int(request.args.get("year") or as_of.year)
    except ValueError:
        abort(404)
    if not plan.start_date.year <= year <= as_of.year + 1:
        abort(404)
    return year


def all_plans() -> list[Plan]:
    """Every loaded plan for the switcher: the default plan first, then by code."""
    return list(Plan.select().order_by(Plan.is_default.desc(), Plan.code))

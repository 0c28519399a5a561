"""What a group is told: the weekly summary and the quarterly / half-year digest of a place.

The pieces live by seam — ``pieces`` (progress by line, counts, names, HTML), ``weekly`` and
``digest`` — and the push kinds that render them in ``kinds``; this module is the one place
the admin, the charts and the command line import them from.
"""
from __future__ import annotations

import datetime as dt

from models.core.i18n import Translator
from models.core.schema import OrgUnit, Plan
from models.plans.progress import Window
from models.pushes import kinds
from models.pushes.digest import (FIGURES, Digest, Month, digest_cover_lines, digest_title,
                                  figures, format_digest)
from models.pushes.pieces import (BEHIND_SHOWN, MESSAGE_LIMIT, PACE_ICONS, PACE_NAMES,
                                  RANKING_SHOWN, SILENT_DAYS, SILENT_SHOWN, KindCount,
                                  LineProgress, by_line, current_rows, esc, fit, iso_week,
                                  line_name, mean_pace, overall_of, pair, place_name, plan_lines,
                                  qualified_names, ranked_places, reports_by_kind,
                                  reports_by_line)
from models.pushes.weekly import WeeklySummary, format_weekly, furthest_behind, weekly_summary

__all__ = [
    "BEHIND_SHOWN", "FIGURES", "MESSAGE_LIMIT", "PACE_ICONS", "PACE_NAMES", "RANKING_SHOWN",
    "SILENT_DAYS", "SILENT_SHOWN", "Digest", "KindCount", "LineProgress", "Month",
    "WeeklySummary", "by_line", "current_rows", "digest", "digest_cover_lines", "digest_title",
    "esc", "figures", "fit", "format_digest", "format_weekly", "furthest_behind", "iso_week",
    "label_name", "line_name", "mean_pace", "overall_of", "pair", "period_name", "place_name",
    "plan_lines", "qualified_names", "ranked_places", "reports_by_kind", "reports_by_line",
    "weekly_summary",
]


def digest(scope: OrgUnit, plan: Plan, window: Window, as_of: dt.date) -> Digest:
    """The digest of ``window`` (a quarter, a half, a year) for ``scope`` as of ``as_of``
    (the window's last day for a past period), titled by the window's push kind."""
    return kinds.for_label(window.label).summarize(scope, plan, window, as_of)


def label_name(label: str, t: Translator) -> str:
    """'2026, quarter 3' / '2026, first half' / '2026, whole year' for a period label."""
    return kinds.period_name(label, t)


def period_name(window: Window, t: Translator) -> str:
    return kinds.period_name(window.label, t)

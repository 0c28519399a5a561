"""The charts' wording, one place (gettext msgids, translated per chart by the caller's
translator): the weekly summary's chart and the digest's pages."""
from __future__ import annotations

from models.core.i18n import N_

# -- the weekly summary's chart ----------------------------------------------------------------
WEEKLY_TITLE = N_("{place} · {period}")
WEEKLY_REPORTS = N_("Reports this week")
WEEKLY_COMPLETION = N_("Year to date: completion of targets")
WEEKLY_OVERALL = N_("Year to date: {percent} done, {expected} expected by now")
WEEKLY_NO_TARGETS = N_("No annual targets at this level")
WEEKLY_PACE_MARK = N_("Dashes: expected by now. Red line: the target.")

# -- the digest's pages ------------------------------------------------------------------------
LINES_TITLE = N_("Completion by action line: {place}, {period}")
OVERALL = N_("Overall")
RANKING_TITLE = N_("Ranking of places by completion: {place}, {period}")
TREND_TITLE = N_("Reports per week and annual targets: {place}, {year}")
FIGURES_TITLE = N_("Donations and activities: {place}, {period}")
DONATIONS = N_("Donations raised: {total}")
ACTIVITIES = N_("New customs and place-name culture")
XINFENG = N_("New-customs activities: {n}")
PLACENAME = N_("Place-name promotions: {n}")
YUAN = N_("yuan")
ACTIVITY_AXIS = N_("Activities")

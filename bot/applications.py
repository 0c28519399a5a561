"""/applications: the community's pilot-project applications (甘肃 三社联动 申报表) and where
each stands in the chain 社区申报 → 街道初核 → 县级审核 → 市级复核 → 省厅审批.

Filing is an ordinary report (/report → the 申报表 kind); each step up the chain reaches the
filing worker as a notice through the Outbox. This command is for looking it all up: every
application of the worker's community, newest first, with its stage and the last opinion,
and a button to correct the ones returned to this worker.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup
from telegram import Update

from models import applications as chain
from models.core.i18n import N_, Translator
from models.core.schema import Application, ApplicationStep

from . import callbacks as cb
from .context import BotContext
from .engine import send

SHOWN = 15  # applications listed (a Telegram message holds 4,096 characters)
OPINION_SHOWN = 120  # characters of an opinion quoted in the list
TITLE_ON_BUTTON = 20

NONE_YET = N_("Your community has not filed a pilot-project application yet. To file one, "
              "send /report and choose “Pilot project application”.")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def stage_line(application: Application, last: ApplicationStep | None, t: Translator) -> str:
    """Where one application stands, in the worker's words."""
    step = chain.step_name(application.level, t)
    if application.status == "pending":
        text = t.gettext("⏳ Waiting for {step}", step=step)
    elif application.status == "returned":
        text = t.gettext("↩️ Returned for changes at {step}",
                         step=chain.step_name(last.level, t) if last else step)
    elif application.status == "approved":
        text = t.gettext("✅ Approved ({step})", step=step)
    else:
        text = t.gettext("❌ Rejected at {step}", step=step)
    if last is not None and last.opinion and application.status != "pending":
        text += "\n   " + t.gettext("Opinion: {opinion}",
                                     opinion=shorten(last.opinion, OPINION_SHOWN))
    return text


def listing(apps: list[Application], tz: str, t: Translator, place: str) -> str:
    last = chain.last_steps(apps)
    zone = ZoneInfo(tz)
    lines = ["📝 " + t.gettext("Pilot-project applications of {place}", place=place)]
    for n, a in enumerate(apps[:SHOWN], start=1):
        filed = (a.submitted_at or a.created_at).replace(tzinfo=dt.timezone.utc).astimezone(zone)
        money = t.money(a.subsidy) if a.subsidy is not None else "—"
        lines += ["", f"{n}. “{a.title}” · {money}",
                  "   " + t.gettext("Filed {date}", date=t.date(filed.date())),
                  "   " + stage_line(a, last.get(a.id), t)]
    if len(apps) > SHOWN:
        lines += ["", t.gettext("… and {n} earlier ones (the admin lists them all).",
                                n=len(apps) - SHOWN)]
    return "\n".join(lines)


def correct_buttons(apps: list[Application], worker_id: int, t: Translator) -> Markup | None:
    """A "correct" button for each application returned to this worker (the same reopening
    as a returned report's notice)."""
    rows = []
    for a in apps[:SHOWN]:
        if a.status == "returned" and a.submitted_by_id == worker_id:
            rows.append([Button(t.gettext("Correct “{title}”",
                                          title=shorten(a.title, TITLE_ON_BUTTON)),
                                callback_data=cb.pack(cb.FIX, a.uid))])
    return Markup(rows) if rows else None


async def applications_command(update: Update, context: BotContext) -> None:
    t, worker = context.t, context.worker
    unit = worker.org_unit
    apps = chain.for_community(unit)
    if not apps:
        await send(update, context, t.gettext(NONE_YET))
        return
    place = unit.name if t.is_zh else (unit.name_en or unit.name)
    await send(update, context, listing(apps, context.settings.timezone, t, place),
               correct_buttons(apps, worker.id, t))

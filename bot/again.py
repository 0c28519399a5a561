""""Same as last time" in /report (models/reports/again.py): one button per kind the worker
reported lately, which opens a draft copied from that report, dated today, at the card."""
from __future__ import annotations

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup
from telegram import Update

from models.core.i18n import Translator
from models.core.schema import Report, Worker
from models.forms.kinds import KindDef
from models.reports.again import copied_answers, last_reports
from models.reports.filing import save_draft, start_draft

from . import callbacks as cb
from .chat import answer, settle
from .context import BotContext
from .questions import ask

#: ag:<report id>: a new draft copied from this report of the worker's.
AGAIN = "ag"


def _named(kind: KindDef, report: Report) -> str:
    for f in kind.fields:
        value = report.values.get(f.name)
        if f.field_type.names_report and isinstance(value, str) and value:
            return value if len(value) <= 24 else value[:23] + "…"
    return report.activity_date.isoformat()


def with_repeats(markup: Markup, worker: Worker | None, t: Translator) -> Markup:
    """The kinds' menu, with a "same as last time" button under it for each recent kind."""
    if worker is None:
        return markup
    rows = [list(row) for row in markup.inline_keyboard]
    for report in last_reports(worker):
        kind = KindDef.from_row(report.kind)
        rows.append([Button("🔁 " + t.gettext("Same as last time: {report}",
                                               report=f"{kind.emoji} {_named(kind, report)}"),
                            callback_data=cb.pack(AGAIN, report.id))])
    return Markup(rows)


async def on_again(update: Update, context: BotContext) -> None:
    query = update.callback_query
    _, args = cb.unpack(query.data)
    report = Report.get_or_none(Report.id == int(args[0])) if args and args[0].isdigit() else None
    if report is None or report.worker_id != context.worker.id or context.has_open_draft():
        # not the worker's, gone, or a report is open already: the menu stays as it is
        await answer(update, context.t.gettext("This report is no longer open."))
        return
    await answer(update)
    kind = KindDef.from_row(report.kind)
    await settle(update, context, f"🔁 {kind.emoji} {_named(kind, report)}")
    draft = start_draft(context.worker, kind.code)
    draft.answers = copied_answers(kind, report, context.today())
    draft.history = list(draft.answers)
    nxt = kind.next_field(draft.answers)
    draft.step = nxt.name if nxt else None
    draft.update_id = update.update_id
    save_draft(draft)
    await ask(update, context, draft)

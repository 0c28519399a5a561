"""/help, /lang, /mystats and the command menus (/report and /cancel live in the engine)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from telegram import BotCommand, BotCommandScopeAllGroupChats, Update

from models.forms.kinds import default_plan
from models.core.i18n import LANGUAGE_NAMES, N_, SUPPORTED, Translator, translator
from models.plans.progress import IndicatorProgress, plan_progress, worker_summary
from models.reports.filing import open_draft
from models.core.schema import ReportKind, Worker

from . import callbacks as cb
from . import keyboards as kb
from .chat import answer
from .context import BotContext
from .engine import ask, send, settle
from .gate import NOT_REGISTERED
from .groups import GROUP_COMMANDS

#: The command menu, in the order Telegram shows it.
COMMANDS = (
    ("report", N_("Report an activity or a milestone")),
    ("mystats", N_("My reports and our progress this year")),
    ("applications", N_("Our pilot-project applications and where they stand")),
    ("cancel", N_("Cancel the report in progress")),
    ("lang", N_("Change the language")),
    ("help", N_("How to use this bot")),
)
MESSAGE_LIMIT = 4096  # characters in one Telegram message
#: The languages whose menus are set, as Telegram's language_code: our locale.
MENU_LANGUAGES = {"zh": "zh_Hans", "en": "en"}

PACES = {
    "done": ("✅", N_("done")),
    "on_track": ("🟢", N_("on track")),
    "behind": ("🟡", N_("behind")),
    "at_risk": ("🔴", N_("at risk")),
    "missed": ("⚫", N_("missed")),
}


def bot_commands(t: Translator, commands=COMMANDS) -> list[BotCommand]:
    return [BotCommand(name, t.gettext(description)) for name, description in commands]


async def set_menus(application) -> None:
    """Command menus for Chinese and English apps, and a default in the default locale; in
    groups, the group commands (bot/groups.py)."""
    bot = application.bot
    default = application.bot_data["settings"].default_locale
    groups = BotCommandScopeAllGroupChats()
    await bot.set_my_commands(bot_commands(translator(default)))
    await bot.set_my_commands(bot_commands(translator(default), GROUP_COMMANDS), scope=groups)
    for language_code, locale in MENU_LANGUAGES.items():
        await bot.set_my_commands(bot_commands(translator(locale)), language_code=language_code)
        await bot.set_my_commands(bot_commands(translator(locale), GROUP_COMMANDS),
                                  scope=groups, language_code=language_code)


#: How a worker can skip the questions (bot/describe.py), in /help and the welcome.
DESCRIBE_HINT = N_(
    "Or simply describe what you did in one message, as you would in your work group, e.g. "
    "“昨天下午在胜利社区文化广场开展了未成年人防溺水安全宣传，服务群众三十余人”. I fill in the report "
    "from it, ask only what is missing, and show it to you before anything is saved.")


async def help_command(update: Update, context: BotContext) -> None:
    t = context.t
    if context.worker is None:
        await send(update, context, t.gettext(NOT_REGISTERED))
        return
    lines = [t.gettext("I help you report the work of your community, step by step:"), ""]
    lines += [f"/{name} — {t.gettext(description)}" for name, description in COMMANDS]
    lines += ["", t.gettext(
        "Answer each question with the buttons or by typing. Numbers can be written as 30, "
        "三十 or 30人, amounts as 1.5万, dates as 昨天, 上周六 or 11月3日. Use Back to change "
        "an answer; before anything is saved you see the whole report and can edit any field.")]
    lines += ["", t.gettext(DESCRIBE_HINT)]
    await send(update, context, "\n".join(lines))


async def unknown_command(update: Update, context: BotContext) -> None:
    await send(update, context, context.t.gettext(
        "I do not know that command. /help lists what I can do."))


# ---------------------------------------------------------------------------------------------
# /lang
# ---------------------------------------------------------------------------------------------

async def lang_command(update: Update, context: BotContext) -> None:
    await send(update, context, context.t.gettext("Choose your language:"), kb.languages())


async def on_lang(update: Update, context: BotContext) -> None:
    """Store the choice (ChatState, and the worker's row for pushes) and re-ask in it."""
    query = update.callback_query
    _, args = cb.unpack(query.data)
    locale = args[0] if args else ""
    if locale not in SUPPORTED:
        await answer(update)
        return
    user_id = update.effective_user.id
    state = context.chat_state
    state.language = locale
    state.save()
    Worker.update(language=locale).where(Worker.tg_user_id == user_id).execute()
    context.forget_language()
    await answer(update)
    await settle(update, context, LANGUAGE_NAMES[locale])
    t = context.t
    await send(update, context, t.gettext("From now on I will write to you in {language}.",
                                          language=LANGUAGE_NAMES[locale]))
    worker = context.worker
    if worker is not None and worker.is_active:
        draft = open_draft(worker)
        if draft is not None:
            await ask(update, context, draft)


# ---------------------------------------------------------------------------------------------
# /mystats
# ---------------------------------------------------------------------------------------------

def _amount(value: Decimal, unit: str, t: Translator) -> tuple[str, str]:
    """A figure and its unit; sums of yuan are shown as money instead."""
    if unit in ("CNY", "元"):
        return t.money(value), ""
    return t.number(value), unit


def indicator_line(row: IndicatorProgress, year: int, t: Translator) -> str:
    ind = row.indicator
    zh = t.is_zh
    name = ind.label(t.locale)
    line = ind.action_line
    if line is not None and ind.code.endswith(f"_{line.code}"):  # a counter repeated per line
        short = (line.slogan or line.name) if zh else line.name_en.split(":")[0]
        name = t.gettext("{indicator} ({line})", indicator=name, line=short)
    if row.window.label != str(year):
        name = t.gettext("{indicator}, {period}", indicator=name, period=row.window.label)
    unit = ind.unit if zh else ind.unit_en
    actual, unit_shown = _amount(row.actual or Decimal(0), unit, t)
    if not row.has_target:
        return "• " + t.gettext("{indicator}: {actual} {unit}", indicator=name, actual=actual,
                                unit=unit_shown).rstrip()
    target, _ = _amount(row.target, unit, t)
    icon, pace = PACES.get(row.pace, ("", row.pace))
    return f"{icon} " + t.gettext("{indicator}: {actual} / {target} {unit} ({percent}, {pace})",
                                  indicator=name, actual=actual, target=target, unit=unit_shown,
                                  percent=t.percent(row.percent), pace=t.gettext(pace))


def shown_rows(rows: list[IndicatorProgress], year: int) -> list[IndicatorProgress]:
    """Indicators of this year with a target, or with something counted. A plan-period
    target that ended before this year (2023–2025, seen in 2026) is history, not progress."""
    return [r for r in rows if r.indicator.measure != "reference"
            and r.window.end >= dt.date(year, 1, 1)
            and (r.has_target or (r.actual or 0) > 0)]


async def mystats(update: Update, context: BotContext) -> None:
    """The worker's own counts by kind, then their community's and county's progress.

    Places are compared with their targets; people are never ranked.
    """
    t, worker = context.t, context.worker
    today = context.today()
    year = today.year
    counts = worker_summary(worker, year)
    sections = []
    lines = ["📊 " + t.gettext("Your reports in {year}", year=year)]
    kinds = ReportKind.select().order_by(ReportKind.order)
    for kind in kinds:
        if counts.get(kind.code):
            lines.append(f"{kind.emoji} " + t.gettext("{kind}: {n}", kind=t.gettext(kind.name),
                                                       n=t.number(counts[kind.code])))
    if counts:
        total = sum(counts.values())
        lines.append(t.ngettext("{n} report in all.", "{n} reports in all.", total))
    else:
        lines.append(t.gettext("None yet this year. Send /report to add one."))
    sections.append("\n".join(lines))
    plan = default_plan()
    if plan is not None:
        county = worker.org_unit.ancestor_at("county")
        for icon, scope in (("🏘", worker.org_unit), ("🏛", county)):
            if scope is None:
                continue
            progress = plan_progress(plan, scope, year, today)
            place = scope.name if t.is_zh else (scope.name_en or scope.name)
            lines = [f"{icon} " + t.gettext("{place}, {year} (as of {date})", place=place,
                                            year=year, date=t.date(today))]
            lines += [indicator_line(r, year, t) for r in shown_rows(progress.rows, year)] or [
                t.gettext("Nothing counted yet this year.")]
            sections.append("\n".join(lines))
    text = "\n\n".join(sections)
    for chunk in ([text] if len(text) <= MESSAGE_LIMIT else sections):
        await send(update, context, chunk[:MESSAGE_LIMIT])

"""The bot in Telegram groups: joining and leaving, and the commands that set up a group's
pushes.

* The bot added to a group tracks it (``models.pushes.deliveries.track_group``); removed or kicked,
  the group becomes inactive, its binding kept for when the bot comes back.
* ``/bind <code or name>`` binds the group to a place, so its pushes cover that place's
  subtree; ``/bind`` alone shows the binding. ``/lang`` sets the group's language;
  ``/digest 2026Q3`` (or 2026H1, 2026-W48) sends a past period's digest on demand.
  Changes are for an authorised worker only (``models.pushes.deliveries.can_bind``): anyone else is
  told so, in the group's language, and nothing changes.

These handlers run before the gate (which serves private chats only) and stop there, so a
group never gets the registration prompts meant for private chats; anything else said in a
group is ignored.
"""
from __future__ import annotations

import asyncio
import functools
import logging

from babel import dates
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (Application, ApplicationHandlerStop, CallbackQueryHandler,
                          ChatMemberHandler, CommandHandler, filters)

from models.pushes import deliveries as pushes, kinds
from models.core.db import connection
from models.core.i18n import LANGUAGE_NAMES, N_, SUPPORTED, Translator, translator
from models.core.schema import Delivery, Group, OrgUnit

from . import callbacks as cb
from . import outbox
from .chat import EDIT_MARKUP, answer, courtesy
from .context import BotContext
from .errors import describe

log = logging.getLogger(__name__)

GROUP_LANG = "glang"  # glang:<locale>     set a group's language (a button in the group)
GROUP_CHATS = (ChatType.GROUP, ChatType.SUPERGROUP)
PRESENT = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
PLACES_SHOWN = 8  # places listed when a name is ambiguous

#: The group command menu, in the order Telegram shows it.
GROUP_COMMANDS = (
    ("bind", N_("Bind this group to a place, or show its binding")),
    ("digest", N_("Send a past quarter's or half-year's digest, e.g. /digest 2026Q3")),
    ("lang", N_("Choose this group's language")),
    ("help", N_("What this bot does in a group")),
)

NOT_AUTHORISED = N_("Only a registered worker of this place may change this group's pushes. "
                    "Nothing was changed.")
NOT_BOUND = N_("This group is not bound to a place yet. A registered worker can bind it with "
               "/bind followed by the place's code or name, e.g. /bind 雨城区.")


def stops(handler):
    """A group handler: the gate and the private-chat handlers never see the update."""
    @functools.wraps(handler)
    async def wrapper(update: Update, context: BotContext) -> None:
        await handler(update, context.for_update(update))
        raise ApplicationHandlerStop
    return wrapper


def _group(update: Update) -> Group:
    """The group this update is in, tracked on first sight (the bot may have joined before
    membership updates were asked for)."""
    chat = update.effective_chat
    group = Group.get_or_none(Group.chat_id == chat.id)
    if group is None:
        group = pushes.track_group(chat.id, chat.title or "")
    return group


def _t(group: Group | None, context: BotContext) -> Translator:
    return translator(group.language if group else context.settings.default_locale)


def _command(update: Update, context: BotContext) -> tuple[Group, Translator, str]:
    """A group command's group, the translator of its language and the text after the
    command: what /bind and /lang start from."""
    group = _group(update)
    return group, _t(group, context), " ".join(context.args or [])


def place_label(unit: OrgUnit, t: Translator) -> str:
    name = unit.name if t.is_zh else (unit.name_en or unit.name)
    return t.gettext("{place} ({code})", place=name, code=unit.code)


async def reply(update: Update, text: str, markup=None) -> None:
    await update.effective_chat.send_message(text, reply_markup=markup)


def actor(update: Update) -> str:
    return f"tg:{update.effective_user.id}"


# ---------------------------------------------------------------------------------------------
# Joining and leaving
# ---------------------------------------------------------------------------------------------

@stops
async def on_my_chat_member(update: Update, context: BotContext) -> None:
    change = update.my_chat_member
    chat = change.chat
    if chat.type not in GROUP_CHATS:
        return  # a private chat blocked or unblocked: the outbox learns it when it writes
    new = change.new_chat_member
    present = new.status in PRESENT or (new.status == ChatMemberStatus.RESTRICTED
                                       and getattr(new, "is_member", False))
    if present:
        before = Group.get_or_none(Group.chat_id == chat.id)
        group = pushes.track_group(chat.id, chat.title or "", active=True)
        if change.old_chat_member.status not in PRESENT:
            t = _t(group, context)
            if group.org_unit_id is None:
                await context.bot.send_message(chat.id, t.gettext(
                    "Hello! I post this place's weekly progress summary and its quarterly "
                    "digests here.") + "\n" + t.gettext(NOT_BOUND))
            elif before is not None:
                await context.bot.send_message(chat.id, t.gettext(
                    "Hello again! This group still receives the pushes of {place}.",
                    place=place_label(group.org_unit, t)))
        return
    by = change.from_user
    reason = ("bot was kicked from the group" if new.status == ChatMemberStatus.BANNED
              else "bot was removed from the group")
    if by is not None and by.id == context.bot.id:
        reason = "bot left the group"
    elif by is not None:
        reason += f" by {by.id}"
    pushes.track_group(chat.id, chat.title or "", active=False, reason=reason)


# ---------------------------------------------------------------------------------------------
# /bind
# ---------------------------------------------------------------------------------------------

def find_places(text: str) -> list[OrgUnit]:
    """Places whose code, or else whose name (Chinese or English), is ``text``."""
    text = text.strip()
    by_code = list(OrgUnit.select().where(OrgUnit.code == text))
    if by_code:
        return by_code
    return list(OrgUnit.select()
                .where((OrgUnit.name == text) | (OrgUnit.name_en ** text))
                .order_by(OrgUnit.path).limit(PLACES_SHOWN + 1))


def binding(group: Group, t: Translator, settings) -> str:
    """What the group receives, from where, when and in which language."""
    if group.org_unit_id is None:
        return t.gettext(NOT_BOUND)
    schedule = pushes.Schedule(settings)
    weekday = dates.get_day_names("wide", locale=t.babel_locale)[schedule.weekday]
    return t.gettext(
        "This group receives the pushes of {place}: the weekly summary every {weekday} at "
        "{time}, and a digest after each quarter and half-year, in {language}.",
        place=place_label(group.org_unit, t), weekday=weekday,
        time=schedule.time.strftime("%H:%M"), language=LANGUAGE_NAMES[t.locale])


@stops
async def bind_command(update: Update, context: BotContext) -> None:
    group, t, text = _command(update, context)
    if not text:
        await reply(update, binding(group, t, context.settings))
        return
    worker = context.worker
    if worker is None or not worker.is_active:
        await reply(update, t.gettext(NOT_AUTHORISED))
        return
    places = find_places(text)
    if not places:
        await reply(update, t.gettext(
            "No place has the code or the name “{text}”. Write the place's code, or its full "
            "name as in the plan (e.g. 雨城区).", text=text))
        return
    if len(places) > 1:
        shown = "\n".join("• " + place_label(p, t) for p in places[:PLACES_SHOWN])
        await reply(update, t.gettext(
            "Several places are called “{text}”. Write the code of the one you mean:",
            text=text) + "\n" + shown)
        return
    unit = places[0]
    if not pushes.can_bind(worker, unit):
        await reply(update, t.gettext(
            "You may not bind this group to {place}: a worker binds a group to their own "
            "place or a place inside it (a leader also to their township); officials bind "
            "wider groups in the admin. Nothing was changed.", place=place_label(unit, t)))
        return
    group = pushes.bind_group(group.chat_id, unit, actor=actor(update))
    log.info("group %s bound to %s by %s", group.chat_id, unit.code, actor(update))
    await reply(update, binding(group, t, context.settings))


# ---------------------------------------------------------------------------------------------
# /lang
# ---------------------------------------------------------------------------------------------

def may_change(group: Group, context: BotContext) -> bool:
    """An active worker who could bind the group to its place; any active worker while the
    group is not bound yet (the binding itself is checked by /bind)."""
    worker = context.worker
    if worker is None or not worker.is_active:
        return False
    return group.org_unit_id is None or pushes.can_bind(worker, group.org_unit)


def _locale_from(text: str) -> str | None:
    text = text.strip()
    for locale, name in LANGUAGE_NAMES.items():
        if text.lower() in (locale.lower(), name.lower()):
            return locale
    if text.lower() in ("zh", "zh-cn", "zh-hans", "中文", "汉语", "chinese"):
        return "zh_Hans"
    if text.lower() in ("en", "english", "英文", "英语"):
        return "en"
    return None


def set_language(group: Group, locale: str, by: str) -> Group:
    """Store the group's language, audited."""
    pushes.change_group(group.chat_id, actor=by, action="language", language=locale)
    return Group.get_by_id(group.id)


def _languages() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        LANGUAGE_NAMES[code], callback_data=cb.pack(GROUP_LANG, code)) for code in SUPPORTED]])


@stops
async def lang_command(update: Update, context: BotContext) -> None:
    group, t, text = _command(update, context)
    if not text:
        await reply(update, t.gettext(
            "This group's pushes are in {language}. Choose its language:",
            language=LANGUAGE_NAMES[t.locale]), _languages())
        return
    if not may_change(group, context):
        await reply(update, t.gettext(NOT_AUTHORISED))
        return
    locale = _locale_from(text)
    if locale is None:
        await reply(update, t.gettext(
            "I do not know the language “{text}”. Choose one of: {languages}.", text=text,
            languages=", ".join(LANGUAGE_NAMES.values())))
        return
    group = set_language(group, locale, actor(update))
    t = translator(group.language)
    await reply(update, t.gettext("From now on this group's pushes are in {language}.",
                                  language=LANGUAGE_NAMES[locale]))


@stops
async def on_group_lang(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if update.effective_chat is None or update.effective_chat.type not in GROUP_CHATS:
        await answer(update)
        return
    group = _group(update)
    t = _t(group, context)
    _, args = cb.unpack(query.data)
    locale = args[0] if args else ""
    if locale not in SUPPORTED:
        await answer(update)
        return
    if not may_change(group, context):
        await answer(update, t.gettext(NOT_AUTHORISED), show_alert=True)
        return
    group = set_language(group, locale, actor(update))
    await answer(update)
    await courtesy(describe(update), EDIT_MARKUP, query.edit_message_reply_markup(None))
    await update.effective_chat.send_message(translator(locale).gettext(
        "From now on this group's pushes are in {language}.", language=LANGUAGE_NAMES[locale]))


# ---------------------------------------------------------------------------------------------
# /digest
# ---------------------------------------------------------------------------------------------

def kind_of(period: str) -> str:
    """The kind of push a period names (2026Q3 a quarter, 2026H1 a half-year, 2026-W48 a
    week), by the registry's label shapes; anything else is left to ``period_window`` to
    refuse."""
    push = kinds.shaped(period)
    return push.code if push is not None else "quarterly"


def _enqueue(kind: str, period: str, group_id: int, by: str, at, timezone: str) -> list[int]:
    """In a worker thread, on its own connection: a digest takes a moment to compute."""
    with connection():
        group = Group.get_by_id(group_id)
        return [d.id for d in pushes.enqueue(kind, period, now=at, groups=[group],
                                             requested_by=by, timezone=timezone)]


@stops
async def digest_command(update: Update, context: BotContext) -> None:
    group = _group(update)
    t = _t(group, context)
    if not context.args:
        await reply(update, t.gettext(
            "Which period? Write it after the command: /digest 2026Q3 for a quarter, "
            "/digest 2026H1 for a half-year, /digest 2026-W48 for a week."))
        return
    if group.org_unit_id is None:
        await reply(update, t.gettext(NOT_BOUND))
        return
    if not may_change(group, context):
        await reply(update, t.gettext(NOT_AUTHORISED))
        return
    period = context.args[0].strip().upper()
    kind = kind_of(period)
    try:
        created = await asyncio.to_thread(
            _enqueue, kind, period, group.id, actor(update), context.clock.now_utc(),
            context.settings.timezone)
    except pushes.PeriodError as error:
        await reply(update, error.message(t))
        return
    if not created:
        done = Delivery.get_or_none(Delivery.group == group, Delivery.kind == kind,
                                    Delivery.period == period)
        if done is not None and done.status == "sent":
            await reply(update, t.gettext(
                "The {period} digest was already sent to this group on {date}.",
                period=period, date=t.date(done.sent_at.date())))
        else:
            await reply(update, t.gettext(
                "The {period} digest for this group is already on its way.", period=period))
        return
    await reply(update, t.gettext("Preparing the {period} digest for {place}…", period=period,
                                  place=place_label(group.org_unit, t)))
    context.application.create_task(outbox.drain(context.application),
                                    name=f"digest {group.chat_id} {period}")


# ---------------------------------------------------------------------------------------------
# /help
# ---------------------------------------------------------------------------------------------

@stops
async def help_command(update: Update, context: BotContext) -> None:
    group = _group(update)
    t = _t(group, context)
    lines = [binding(group, t, context.settings), ""]
    lines += [f"/{name} — {t.gettext(description)}" for name, description in GROUP_COMMANDS]
    await reply(update, "\n".join(lines))


def add_handlers(app: Application, group: int = -1) -> None:
    """Register before the gate, in its handler group."""
    in_groups = filters.ChatType.GROUPS
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
                    group=group)
    app.add_handler(CommandHandler("bind", bind_command, filters=in_groups), group=group)
    app.add_handler(CommandHandler("lang", lang_command, filters=in_groups), group=group)
    app.add_handler(CommandHandler("digest", digest_command, filters=in_groups), group=group)
    app.add_handler(CommandHandler(["help", "start"], help_command, filters=in_groups),
                    group=group)
    app.add_handler(CallbackQueryHandler(on_group_lang, pattern=cb.pattern(GROUP_LANG)),
                    group=group)

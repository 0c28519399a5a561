"""/start: registration with an invite code (deep link ``t.me/<bot>?start=<code>``)."""
from __future__ import annotations

import logging

from telegram import Update

from models.core.errors import InviteError
from models.core.i18n import negotiate
from models.core.messages import explain
from models.core.schema import OrgUnit
from models.org.workers import redeem_invite

from .context import BotContext
from .engine import send
from .commands import DESCRIBE_HINT
from .gate import NOT_REGISTERED, PENDING

log = logging.getLogger(__name__)


def place_name(unit: OrgUnit, locale: str) -> str:
    """Where a worker belongs, county down to community, as people write an address."""
    chain = [u for u in unit.ancestors() if u.level != "city"]
    if locale.startswith("zh"):
        return "".join(u.name for u in chain)
    return ", ".join((u.name_en or u.name) for u in reversed(chain))


async def start(update: Update, context: BotContext) -> None:
    t = context.t
    user = update.effective_user
    code = context.args[0] if context.args else None
    worker = context.worker
    if code is None:
        if worker is None:
            await send(update, context, t.gettext(NOT_REGISTERED))
        elif worker.status == "disabled":
            await send(update, context, explain(InviteError("disabled"), t))
        elif worker.status != "active":
            await send(update, context, t.gettext(PENDING))
        else:
            await send(update, context, t.gettext(
                "Welcome back, {name} ({place}). Send /report to report an activity, /mystats "
                "to see your numbers, /help for everything else.",
                name=worker.display_name, place=place_name(worker.org_unit, context.locale)))
        return
    try:
        worker = redeem_invite(code, tg_user_id=user.id, display_name=user.full_name,
                               username=user.username, language=negotiate(user.language_code))
    except InviteError as e:
        log.info("invite refused for user %s: %s", user.id, e.code)
        await send(update, context, explain(e, t))
        return
    context.__dict__["worker"] = worker
    place = place_name(worker.org_unit, context.locale)
    if worker.status != "active":
        await send(update, context, t.gettext(
            "Thank you, {name}. You are registered with {place}. Your coordinator must approve "
            "the registration before you can report.", name=worker.display_name, place=place))
        return
    await send(update, context, t.gettext(
        "Welcome, {name}! You are registered with {place}. Send /report to report an activity, "
        "/mystats to see your numbers, /help for everything else.",
        name=worker.display_name, place=place) + "\n\n" + t.gettext(DESCRIBE_HINT))

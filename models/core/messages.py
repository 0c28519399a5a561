"""Localizable messages for domain error codes: one table for the bot and the admin alike."""
from __future__ import annotations

from models.core.errors import InviteError, ValidationError
from models.core.i18n import N_, Translator

VALIDATION = {
    "required": N_("This answer is required."),
    "not_a_number": N_("Please send a number, e.g. 30 or 三十."),
    "negative": N_("The number cannot be negative."),
    "not_integer": N_("Please send a whole number."),
    "too_small": N_("The number must be at least {min}."),
    "too_large": N_("The number must be at most {max}."),
    "too_many_decimals": N_("Amounts have at most two decimals (fen)."),
    "not_a_date": N_("I could not read that date. Try 2026-11-03, 11月3日, 昨天 or 上周六."),
    "future": N_("The date cannot be in the future."),
    "too_early": N_("The date cannot be before {earliest}, when the plan started."),
    "too_long": N_("That is too long: at most {max} characters."),
    "too_short": N_("That is too short: at least {min} characters."),
    "invalid_choice": N_("Please choose one of the buttons."),
    "use_buttons": N_("Please use the buttons below the question."),
    "parts_exceed_total": N_("Elderly plus children ({parts}) cannot exceed the audience ({total})."),
    "wrong_type": N_("That answer does not fit this question."),
    "photo_limit": N_("That is the most photos this report takes ({max}). Tap Done."),
    "application_decided": N_("This application has been decided and cannot be filed again."),
    "application_in_review": N_("This application is under review and cannot be changed now."),
}

INVITE = {
    "unknown": N_("This invite code is not valid. Ask your county or township coordinator for a new invite link."),
    "expired": N_("This invite has expired. Ask your coordinator for a new invite link."),
    "used_up": N_("This invite has already been used. Ask your coordinator for a new invite link."),
    "disabled": N_("Your account has been disabled. Please contact your coordinator."),
}


def explain(error: Exception, t: Translator) -> str:
    """A domain error in the user's language, with its named values filled in."""
    if isinstance(error, ValidationError):
        msgid = VALIDATION.get(error.code, N_("That answer cannot be accepted."))
        args = {k: (t.date(v) if hasattr(v, "isoformat") else t.number(v) if isinstance(v, (int, float)) else v)
                for k, v in error.args_.items()}
        try:
            return t.gettext(msgid, **args)
        except (KeyError, IndexError):
            return t.gettext(msgid)
    if isinstance(error, InviteError):
        return t.gettext(INVITE.get(error.code, INVITE["unknown"]))
    return t.gettext(N_("Something went wrong. Please try again."))

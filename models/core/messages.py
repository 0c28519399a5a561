"""Localizable messages for domain error codes: one table for the bot and the admin alike."""
from __future__ import annotations

from models.core.errors import InviteError, ValidationError
from models.core.i18n import N_, Translator

FORMS = {
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
    "not_meaningful": N_("Please answer in words: letters, digits or Chinese characters. Emoji "
                         "or punctuation alone cannot be saved."),
    "invalid_choice": N_("Please choose one of the buttons."),
    "use_buttons": N_("Please use the buttons below the question."),
    "parts_exceed_total": N_("Elderly plus children ({parts}) cannot exceed the audience ({total})."),
    "minors_exceed_participants": N_("Minors ({parts}) cannot exceed the participants ({total})."),
    "wrong_type": N_("That answer does not fit this question."),
    "photo_limit": N_("That is the most photos this report takes ({max}). Tap Done."),
    "not_an_image": N_("That file is not a picture I can read. Please send a photo (JPEG or "
                       "PNG)."),
    "photo_too_big": N_("That photo is too large: at most {max} MB. Send it as a photo rather "
                        "than as a file, and Telegram makes it smaller."),
    "photo_too_many_pixels": N_("That picture is too large: at most {max} megapixels. Send it "
                                "as a photo rather than as a file, and Telegram makes it "
                                "smaller."),
    "application_decided": N_("This application has been decided and cannot be filed again."),
    "application_in_review": N_("This application is under review and cannot be changed now."),
    "before_filing": N_("An application is filed only after the community has collected "
                        "needs, held the residents' hearing, had the residents' "
                        "representatives review it and posted the public notice, in that "
                        "order and not after today: please check those dates."),
}

#: The registry's rules (``models.registry``) and the particulars it reads (phone, ID, hours).
REGISTRY = {
    "needs_community": N_("A community social organization belongs to a community or village."),
    "hub_needs_township": N_("A hub organization belongs to a street or township, not to a "
                             "community."),
    "hub_exists": N_("{street} already has a hub organization: {name}."),
    "hub_staffing": N_("A hub organization needs {min}–{max} full-time social workers; it "
                       "has {count}."),
    "unknown_category": N_("Please choose one of the categories."),
    "duplicate_name": N_("An organization with this name is already registered here."),
    "review_needs_pending": N_("Only an organization waiting for its first review can be "
                               "reviewed."),
    "hub_no_review": N_("A hub organization has no first review: its street files it."),
    "file_needs_reviewed": N_("Only an organization that passed its first review can be filed."),
    "cannot_return": N_("This organization cannot be returned at its current stage."),
    "resubmit_needs_returned": N_("Only a returned organization can be submitted again."),
    "cannot_deregister": N_("Only a filed organization can be deregistered."),
    "deregistered": N_("This organization is deregistered and can no longer be changed."),
    "review_level": N_("The first review is done by the residents' (villagers') committee of "
                       "the organization's community."),
    "file_level": N_("Filing is done by the street (township) the organization belongs to."),
    "not_a_phone": N_("Please send a mobile number of 11 digits (e.g. 13812345678), or a "
                      "landline with its area code."),
    "not_an_id_number": N_("That is not a valid ID card number (18 characters; the last one "
                           "may be X)."),
    "unknown_id_type": N_("Unknown kind of ID document."),
    "not_hours": N_("Please send the hours as a number, e.g. 2 or 1.5."),
    "hours_step": N_("Hours are recorded in half hours (e.g. 1.5)."),
    "hours_range": N_("Service hours must be between {min} and {max} per day."),
    "day_over_24": N_("This volunteer already has {logged} hours on that day, and a day has "
                      "at most {max}."),
    "volunteer_exists": N_("{name} is already registered as a volunteer (same phone or ID "
                           "number)."),
    "not_your_volunteer": N_("This volunteer is not registered in your community."),
    "volunteer_inactive": N_("This volunteer is no longer active."),
    "volunteer_not_found": N_("No active volunteer of your community matches that. Tap a name, "
                              "or type the full name or the phone number."),
    "volunteer_ambiguous": N_("Several volunteers match that: type the phone number instead."),
    "register_needs_filed": N_("Only a filed organization can be recorded as registered."),
    "register_level": N_("Registration is recorded by the district the organization belongs to."),
    "candidate_needs_filed": N_("Only a filed organization can be put on the list of candidates "
                                "for registration."),
    "unknown_rating": N_("Please choose a rating from 1A to 5A."),
    "rating_needs_registered": N_("Only a registered organization can hold a rating."),
}

#: Officials' accounts (``models.org.accounts``): the username rule and the role table.
ACCOUNTS = {
    "username_invalid": N_("A username has {min}–{max} characters: letters, digits, dots, "
                           "underscores or hyphens."),
    "username_taken": N_("The username {username} is taken already."),
    "password_short": N_("A password has at least {min} characters."),
    "unknown_role": N_("Please choose one of the roles."),
    "unknown_place": N_("There is no place with this code."),
    "level_city": N_("This role belongs to the city."),
    "level_county": N_("This role belongs to a county or district."),
    "level_township": N_("This role belongs to a street or township."),
    "level_community": N_("This role belongs to a community or village."),
}

#: Every ValidationError code, for the bot and the admin alike: one static table.
VALIDATION = {**FORMS, **REGISTRY, **ACCOUNTS}

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

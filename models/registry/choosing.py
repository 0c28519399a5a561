"""The bot's choosing of a volunteer of one's community: the option source ``volunteers`` of
the form engine (``options_from = "volunteers"`` in kinds.toml), put in by
``models.extensions.install()``."""
from __future__ import annotations

from models.core.errors import ValidationError
from models.core.schema import Volunteer
from models.forms import parsing
from models.forms.kinds import Option
from models.registry.vocabulary import RegistryError


def _label(v: Volunteer) -> str:
    tail = (v.phone or "")[-4:]
    return f"{v.name} ·{tail}" if tail else v.name


def _active_in(unit_id: int):
    return (Volunteer.select().where(Volunteer.org_unit == unit_id,
                                     Volunteer.active == True)  # noqa: E712
            .order_by(Volunteer.name, Volunteer.id))


def volunteer_options(unit_id: int | None, value: str | None = None):
    """The active volunteers of the worker's community as choice options (value: the uid).
    With ``value``: that one volunteer's option, wherever they are (a stored answer shown)."""
    if value is not None:
        v = Volunteer.get_or_none(Volunteer.uid == value)
        return [Option(v.uid, _label(v), literal=True)] if v else []
    if unit_id is None:
        return []
    return [Option(v.uid, _label(v), literal=True) for v in _active_in(unit_id)]


def match_volunteer(unit_id: int | None, text: str, field: str = "volunteer") -> str:
    """A typed answer to "which volunteer": the full name, the phone, or its last four
    digits, among the active volunteers of the worker's community only."""
    s = parsing.normalize(text or "").replace(" ", "")
    if not s:
        raise ValidationError(field, "required")
    if unit_id is None:
        raise RegistryError(field, "volunteer_not_found")
    people = list(_active_in(unit_id))
    digits = s.replace("-", "")
    for test in (lambda v: v.name == s or _label(v).replace(" ", "") == s,
                 lambda v: digits.isdigit() and v.phone == digits,
                 lambda v: digits.isdigit() and len(digits) == 4 and (v.phone or "").endswith(digits)):
        found = [v for v in people if test(v)]
        if len(found) == 1:
            return found[0].uid
        if len(found) > 1:
            raise RegistryError(field, "volunteer_ambiguous")
    raise RegistryError(field, "volunteer_not_found")

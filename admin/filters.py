"""List filters whose choices depend on who is looking (places in scope) or on data (kinds,
action lines), computed per request by ``ScopedModelView._get_filter_groups``."""
from __future__ import annotations

from flask import has_request_context
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_admin.contrib.peewee.filters import BasePeeweeFilter
from flask_login import current_user

from models.org import access
from models.core.schema import OrgUnit

def _signed_in() -> bool:
    return has_request_context() and current_user.is_authenticated and current_user.is_active


class ChoiceFilter(BasePeeweeFilter):
    """``column == value`` with a drop-down; ``choices`` is a callable returning
    ``[(value, label)]`` (evaluated per request, translated then)."""

    def __init__(self, column, name, choices, apply=None, coerce=str):
        super().__init__(column, name)
        self._choices = choices
        self._apply = apply
        self._coerce = coerce

    def clean(self, value):
        return self._coerce(value)

    def get_options(self, view):
        if not _signed_in():
            return None
        return [(k, str(v)) for k, v in self._choices()]

    def apply(self, query, value):
        if self._apply:
            return query.where(self._apply(value))
        return query.where(self.column == value)

    def operation(self):
        return admin_lazy_gettext("equals")


class PlaceFilter(BasePeeweeFilter):
    """Rows inside one county, township or community of the official's scope.

    ``column`` is either a path column (``Report.org_path``, ``OrgUnit.path``: a prefix
    match) or a foreign key to ``OrgUnit`` (``Worker.org_unit``: a sub-select).
    """

    def __init__(self, column, name, level: str):
        super().__init__(column, name)
        self.level = level

    def get_options(self, view):
        if not _signed_in():
            return None
        units = list(access.units_in_scope(current_user).where(OrgUnit.level == self.level)
                     .order_by(OrgUnit.code))
        if self.level != "community":
            return [(u.code, u.name) for u in units]
        parents = {p.id: p.name for p in OrgUnit.select().where(
            OrgUnit.id.in_({u.parent_id for u in units}))}
        return [(u.code, f"{parents.get(u.parent_id, '')} · {u.name}") for u in units]

    def apply(self, query, value):
        unit = OrgUnit.get_or_none(OrgUnit.code == value)
        if unit is None or not access.in_scope(current_user, unit):
            return query.where(self.column.is_null(True) & self.column.is_null(False))
        if getattr(self.column, "rel_model", None) is OrgUnit:
            return query.where(self.column.in_(
                OrgUnit.select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))
        return query.where(self.column.startswith(unit.path))

    def operation(self):
        return admin_lazy_gettext("equals")


def place_filters(column, names: dict) -> list[PlaceFilter]:
    """County, township and community filters on ``column``; ``names`` maps level to label."""
    return [PlaceFilter(column, names[level], level)
            for level in ("county", "township", "community")]


class TextSearch:
    """A JSON column searched as the text it is stored as. Searching the field itself would
    JSON-encode the pattern (``"%term%"`` with quotes) and find nothing; Flask-Admin only
    needs ``.model`` and ``** term`` from a search field."""

    def __init__(self, field):
        self.field = field
        self.model = field.model

    def __pow__(self, term):
        return self.field.cast("TEXT") ** term

"""The org-unit tree as a list; a city admin may correct population and households (which
a reloaded places file then keeps: ``owned_fields``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import NumberRange, Optional

from models.org import access
from models.core.schema import OrgUnit

from admin.base import ScopedModelView, labelled, yes_no
from admin.filters import ChoiceFilter, place_filters
from admin.labels import LEVEL_LABELS as LEVELS
from admin.labels import PLACE_NAMES, attrs_table


class OrgUnitView(ScopedModelView):
    editable = True
    audit_entity = "org_unit"
    audit_fields = ("population", "households")
    owned_fields = ("population", "households")
    card_fields = ("name", "level", "parent", "code")
    column_list = ("code", "name", "level", "parent", "is_rural", "population", "households",
                   "stat_code")
    column_labels = {"code": _l("Code"), "name": _l("Name"), "level": _l("Level"),
                     "stat_code": _l("Statistical code"),
                     "parent": _l("Belongs to"), "is_rural": _l("Rural"),
                     "population": _l("Population"), "households": _l("Households"),
                     "name_en": _l("English name"), "path": _l("Path"),
                     "attrs": _l("Attributes")}
    column_sortable_list = ("code", "name", "population", "households")
    column_default_sort = [("path", False)]
    column_searchable_list = ("name", "code")
    column_filters = place_filters(OrgUnit.path, PLACE_NAMES) + [
        ChoiceFilter(OrgUnit.level, _l("Level"), lambda: list(LEVELS.items())),
    ]
    column_formatters = {"level": labelled(LEVELS),
                         "parent": lambda v, c, m, n: m.parent.name if m.parent_id else "",
                         "stat_code": lambda v, c, m, n: m.stat_code or ""}
    # the English name, the path and who set which value are internal: not shown
    column_details_list = ("code", "stat_code", "name", "level", "parent", "is_rural",
                           "population", "households", "attrs")
    column_formatters_detail = {"level": labelled(LEVELS), "is_rural": yes_no,
                                "parent": lambda v, c, m, n: m.parent.name if m.parent_id else "",
                                "stat_code": lambda v, c, m, n: m.stat_code or "",
                                "attrs": lambda v, c, m, n: attrs_table(m.attrs)}
    form_columns = ("population", "households")
    form_args = {"population": {"label": _l("Population"),
                                "validators": [Optional(), NumberRange(min=0)]},
                 "households": {"label": _l("Households"),
                                "validators": [Optional(), NumberRange(min=0)]}}

    def attach(self, rows) -> None:
        ids = {u.parent_id for u in rows if u.parent_id}
        parents = {p.id: p for p in OrgUnit.select().where(OrgUnit.id.in_(ids))} if ids else {}
        for u in rows:
            if u.parent_id:
                u.parent = parents[u.parent_id]

    def can_write(self) -> bool:
        return access.is_city_admin(current_user)

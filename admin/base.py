"""What every admin page shares: sign-in, scope, CSRF, the audit trail, formatting.

``Secured`` decides who gets in (an active official; anonymous visitors go to the sign-in
page) and who may write (``can_write``; a write endpoint without permission is a 403).
``ScopedModelView`` cuts every query, and every row fetched by id, to the official's subtree
through ``models.org.access`` (out of scope is a 404, like a row that does not exist), uses a
CSRF-protected form base, and writes each create, update and delete to the audit log with
the row before and after, in the same transaction as the change.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, request, url_for
from flask_admin.contrib.peewee import ModelView
from flask_admin.model import typefmt
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup, escape

from models.org import access
from models.core.db import database
from models.core import owners
from models.core.errors import NotFound
from models.core.schema import OrgUnit, audit

from .forms import CleanForm
from .labels import YES_NO_LABELS

csrf = CSRFProtect()  # app-wide; a view lists in ``csrf_exempt`` the endpoints that check their own

# Flask-Admin's endpoints that change data; each view adds its own (approve, reject...).
WRITE_VIEWS = frozenset({"create_view", "edit_view", "delete_view", "action_view", "ajax_update"})


def current_settings():
    """The ``models.core.settings.Settings`` the app was created with."""
    return current_app.extensions["wushe"]["settings"]


def today() -> dt.date:
    """Today where the officials are (``TIMEZONE``), not where the server is."""
    return dt.datetime.now(ZoneInfo(current_settings().timezone)).date()


def actor() -> str:
    """How the signed-in official is named in the audit log and on reviewed reports."""
    return f"admin:{current_user.username}"


class SecureForm(CleanForm):
    """Flask-Admin's form base with Flask-WTF's CSRF token (and text cleaned: ``CleanForm``).

    ``flask_admin.form.SecureForm`` signs its own token, which Flask-WTF's app-wide
    ``CSRFProtect`` rejects (pallets-eco/flask-admin#1861); with this base one token, in the
    field ``csrf_token``, satisfies both the form and ``CSRFProtect``.
    """

    def __init__(self, *args, **kwargs):
        # Flask-Admin passes formdata (None on GET); our own forms leave it to Flask-WTF.
        self._obj = kwargs.get("obj")
        super().__init__(*args, **kwargs)


class Secured:
    """Mixed into every admin view (before the Flask-Admin base class)."""

    extra_write_views: frozenset = frozenset()
    csrf_exempt: tuple[str, ...] = ()  # method names exempt from CSRFProtect (see admin.menu)
    changes_password = False  # the one page an account that must change its password reaches

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated and current_user.is_active
                     and current_user.role in access.ROLES)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)

    def can_write(self) -> bool:
        """Whether the signed-in official may use this view's write endpoints."""
        return access.can_edit(current_user)

    def _handle_view(self, name, **kwargs):
        if getattr(current_user, "must_change_password", False) and not self.changes_password:
            return redirect(url_for("password.index"))  # a one-time password is changed first
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        if name in WRITE_VIEWS | self.extra_write_views and not self.can_write():
            abort(403)
        return None


def _format_datetime(view, value, name=None):
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def _format_date(view, value, name=None):
    return value.isoformat()


TYPE_FORMATTERS = dict(typefmt.BASE_FORMATTERS)
TYPE_FORMATTERS.update({dt.datetime: _format_datetime, dt.date: _format_date})


def labelled(labels: dict):
    """A list formatter showing a stored code as its (translated) label."""
    def formatter(view, context, model, name):
        value = getattr(model, name)
        return str(labels.get(value, value)) if value is not None else ""
    return formatter


def yes_no(view, context, model, name) -> str:
    """A list formatter for a boolean column."""
    return str(YES_NO_LABELS[bool(getattr(model, name))])


def badge(labels: dict, colours: dict):
    def formatter(view, context, model, name):
        value = getattr(model, name)
        return Markup('<span class="badge badge-{}">{}</span>').format(
            colours.get(value, "secondary"), labels.get(value, value))
    return formatter


class ScopedModelView(Secured, ModelView):
    """A peewee model view cut to the official's scope, audited, CSRF-protected.

    Set ``audit_entity`` (the ``AuditLog.entity`` name) and ``audit_fields`` (the columns
    recorded before → after). Flask-Admin's ``can_create`` / ``can_edit`` / ``can_delete``
    are computed per request from ``creatable`` / ``editable`` / ``deletable`` and
    ``can_write()``.
    """

    form_base_class = SecureForm
    page_size = 50
    can_view_details = True
    creatable = False
    editable = False
    deletable = False
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = TYPE_FORMATTERS
    audit_entity: str | None = None
    audit_fields: tuple[str, ...] = ()
    # Values an official sets here that a reloaded file must not overwrite: claimed in the
    # row's ``owners`` (models/core/owners.py) when the official changes them.
    owned_fields: tuple[str, ...] = ()
    # On a phone each row is a card (admin/templates/admin/model/list.html): its title
    # column, then the few columns that matter (the status among them); the rest hidden.
    # Empty: the first four columns.
    card_fields: tuple[str, ...] = ()

    @property
    def can_create(self) -> bool:
        return self.creatable and self.can_write()

    @property
    def can_edit(self) -> bool:
        return self.editable and self.can_write()

    @property
    def can_delete(self) -> bool:
        return self.deletable and self.can_write()

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        flag = {"create_view": "can_create", "edit_view": "can_edit",
                "delete_view": "can_delete"}.get(name)
        if flag and not getattr(self, flag):
            abort(403)  # Flask-Admin would quietly redirect; say it plainly
        return None

    def get_query(self):
        return access.scoped(self.model.select(), self.model, current_user)

    def get_count_query(self):
        """Peewee's ``get_list`` counts ``get_query()`` itself; kept for symmetry."""
        return self.get_query()

    def get_one(self, id):
        try:
            return access.get_scoped(self.model, current_user, id)
        except NotFound:
            abort(404)

    def one_in_query(self, id):
        """Row ``id`` of ``get_query()``, else 404: ``get_one`` for a view whose scope is its
        own query rather than ``access.scoped``."""
        try:
            pk = int(id)
        except (TypeError, ValueError):
            abort(404)
        row = self.get_query().where(self.model.id == pk).first()
        if row is None:
            abort(404)
        return row

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        count, data = super().get_list(page, sort_column, sort_desc, search, filters,
                                       execute=execute, page_size=page_size)
        if execute:
            self.attach(data)
        return count, data

    def attach(self, rows) -> None:
        """Load what a page of rows shows beyond its own columns (places, latest deliveries)
        in a few queries for the whole page, not one per row; nothing by default."""

    def search_placeholder(self) -> str | None:
        """Flask-Admin's peewee views leave this None, which the list template prints."""
        if not self.column_searchable_list:
            return None
        columns = "、".join(str(self.get_column_name(c)) for c in self.column_searchable_list)
        return _("Search: {columns}").format(columns=columns)

    def is_action_allowed(self, name: str) -> bool:
        return self.can_write() and super().is_action_allowed(name)

    def _get_filter_groups(self):
        """Filter drop-downs computed per request: they depend on the official's scope."""
        if not self._filters:
            return None
        groups: dict = {}
        for i, flt in enumerate(self._filters):
            options = flt.get_options(self)
            groups.setdefault(str(flt.name), []).append({
                "index": i, "arg": self.get_filter_arg(i, flt),
                "operation": str(flt.operation()),
                "options": [(k, str(v)) for k, v in options] if options else None,
                "type": flt.data_type,
            })
        return groups

    # -- the audit trail -------------------------------------------------------------------

    def snapshot(self, model) -> dict:
        return {f: model.__data__.get(f) for f in self.audit_fields}

    @staticmethod
    def _all_or_nothing(write, *args):
        """Flask-Admin's write and the audit entry of its after-hook in one transaction,
        rolled back when the write reports failure."""
        with database.atomic() as txn:
            result = write(*args)
            if not result:
                txn.rollback()
            return result

    def create_model(self, form):
        return self._all_or_nothing(super().create_model, form)

    def update_model(self, form, model):
        model._audit_before = self.snapshot(model)
        return self._all_or_nothing(super().update_model, form, model)

    def delete_model(self, model):
        return self._all_or_nothing(super().delete_model, model)

    def after_model_change(self, form, model, is_created):
        before = None if is_created else getattr(model, "_audit_before", None)
        after = self.snapshot(model)
        if self.audit_entity:
            audit(actor(), "create" if is_created else "update", self.audit_entity, model.id,
                  before=before, after=after)
        owners.claim(model, self.claimed_fields(before, after), actor(), owners.ADMIN)

    def claimed_fields(self, before: dict | None, after: dict) -> list[str]:
        """The owned fields this change sets: each one whose value changed (all on a
        create)."""
        return [f for f in self.owned_fields
                if before is None or before.get(f) != after.get(f)]

    def on_model_delete(self, model):
        if self.audit_entity:
            audit(actor(), "delete", self.audit_entity, model.id, before=self.snapshot(model))


def post_button(url: str, label: str, style: str = "outline-primary", confirm: str | None = None):
    """A one-button form that POSTs with the CSRF token (for list rows and detail pages)."""
    asks = Markup(' data-confirm="{}"').format(confirm) if confirm else ""  # static/wushe.js
    return Markup(
        '<form method="post" action="{url}" class="d-inline"{asks}>'
        '<input type="hidden" name="csrf_token" value="{token}">'
        '<button type="submit" class="btn btn-sm btn-{style}">{label}</button></form>'
    ).format(url=url, asks=asks, token=generate_csrf(), style=style, label=escape(label))


def unit_in_scope(code: str | None) -> OrgUnit | None:
    """The org unit with ``code`` if the official may see it; 404 otherwise; None for no code."""
    if not code:
        return None
    unit = OrgUnit.get_or_none(OrgUnit.code == code)
    if unit is None or not access.in_scope(current_user, unit):
        abort(404)
    return unit

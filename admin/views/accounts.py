"""Officials' accounts, managed in the admin: a city admin manages every account, a county
official those inside the county with the roles below the city's; nobody else sees the page.

Create (a one-time password, shown once on the page that answers the form and never stored in
clear; the first sign-in leads to the change-password page), disable and re-enable, reset the
password (a new one-time password), change the role or place. The rules (the role table, the
username rule, who manages whom) are ``models.org.accounts``; every change is audited there,
and every change but the creation ends the account's sessions (``admin.auth.end_sessions``).

``PasswordView`` is every official's own change-password page; an account that must change its
password sees no other page until it has (``admin.base.Secured``).
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from models.core.i18n import translator
from models.core.messages import explain
from models.core.schema import AdminUser, OrgUnit
from models.org import access, accounts

from admin.auth import create_user, end_sessions, start_session
from admin.base import Secured, actor
from admin.forms import CleanForm
from admin.i18n import project_locale
from admin.labels import LEVEL_LABELS, ROLE_LABELS
from admin.scoping import LEVEL_DEPTH


def _why(error: accounts.AccountError) -> str:
    return explain(error, translator(project_locale()))


def _role_choices(user) -> list[SelectChoice]:
    return [SelectChoice(r, str(ROLE_LABELS[r])) for r in accounts.grantable_roles(user)]


def _place_choices(user) -> list[SelectChoice]:
    """Every place the official may put an account at, in tree order, indented by level."""
    top = LEVEL_DEPTH.get(access.scope_root(user).level, 0)
    return [SelectChoice(u.code, "\u3000" * (LEVEL_DEPTH.get(u.level, 0) - top) + u.name)
            for u in access.units_in_scope(user).order_by(OrgUnit.path)]


class PlacementForm(CleanForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    place = SelectField(_l("Place"), validators=[DataRequired()])

    def offer(self, user) -> "PlacementForm":
        self.role.choices = _role_choices(user)
        self.place.choices = _place_choices(user)
        return self


class CreateForm(PlacementForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           description=_l("3–32 letters, digits, dots, underscores or hyphens; "
                                          "used to sign in."))
    display_name = StringField(_l("Name shown"), validators=[Optional(), Length(max=100)])


class ActionForm(CleanForm):
    """A button's form: the CSRF token only."""


class PasswordForm(CleanForm):
    old = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=accounts.MIN_PASSWORD, max=200,
                               message=_l("At least %(min)d characters.",
                                          min=accounts.MIN_PASSWORD))])
    again = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


class AccountView(Secured, BaseView):
    """The accounts page (managers only: city admins, county officials)."""

    model = AdminUser  # the row ``<int:id>`` names (tests/admin/test_access_map.py)
    extra_write_views = frozenset({"new_view", "disable_view", "enable_view", "reset_view",
                                   "edit_view"})

    def is_accessible(self) -> bool:
        return super().is_accessible() and accounts.can_manage_accounts(current_user)

    def can_write(self) -> bool:
        return accounts.can_manage_accounts(current_user)

    def _account(self, id: int, *, not_self: bool = True) -> AdminUser:
        """An account the official manages, else 404; their own is managed elsewhere (400)."""
        row = accounts.manageable(current_user).where(AdminUser.id == id).first()
        if row is None:
            abort(404)
        if not_self and row.id == current_user.id:
            abort(400)
        return row

    def _one_time(self, account: AdminUser, password: str, *, created: bool):
        return self.render("wushe/account_password.html", account=account, password=password,
                           created=created, role_labels=ROLE_LABELS)

    @expose("/")
    def index(self):
        rows = list(accounts.manageable(current_user).join(OrgUnit)
                    .order_by(OrgUnit.path, AdminUser.username))
        return self.render("wushe/accounts.html", rows=rows, role_labels=ROLE_LABELS,
                           level_labels=LEVEL_LABELS, scope=access.scope_root(current_user),
                           when=lambda value: format_datetime(value, "yyyy-MM-dd HH:mm"))

    @expose("/new", methods=("GET", "POST"))
    def new_view(self):
        form = CreateForm().offer(current_user)
        status = 200
        if request.method == "POST":
            status = 400
            if form.validate_on_submit():
                unit = OrgUnit.get(OrgUnit.code == form.place.data)  # one of the choices
                password = accounts.one_time_password()
                try:
                    account = create_user(form.username.data.strip(), password,
                                          role=form.role.data, org_code=unit.code,
                                          display_name=form.display_name.data or "",
                                          actor=actor(), must_change_password=True)
                except accounts.AccountError as e:
                    field = form.username if e.code.startswith("username") else form.place
                    field.errors = [*field.errors, _why(e)]
                else:
                    return self._one_time(account, password, created=True)
        return self.render("wushe/account_form.html", form=form, account=None), status

    @expose("/<int:id>/edit", methods=("GET", "POST"))
    def edit_view(self, id: int):
        account = self._account(id)
        form = PlacementForm(data={"role": account.role, "place": account.org_unit.code}
                             if request.method == "GET" else None).offer(current_user)
        status = 200
        if request.method == "POST":
            status = 400
            if form.validate_on_submit():
                unit = OrgUnit.get(OrgUnit.code == form.place.data)
                try:
                    accounts.set_role(account, form.role.data, unit, actor=actor())
                except accounts.AccountError as e:
                    form.place.errors = [*form.place.errors, _why(e)]
                else:
                    end_sessions(account)
                    flash(_("The role of {name} is now {role} at {place}; their sessions "
                            "have ended.").format(name=account.username,
                                                  role=ROLE_LABELS[account.role],
                                                  place=unit.name), "success")
                    return redirect(url_for(".index"))
        return self.render("wushe/account_form.html", form=form, account=account), status

    def _button(self) -> None:
        if not ActionForm().validate_on_submit():
            abort(400)

    @expose("/<int:id>/disable", methods=("POST",))
    def disable_view(self, id: int):
        account = self._account(id)
        self._button()
        accounts.set_active(account, False, actor=actor())
        end_sessions(account)
        flash(_("{name} is disabled and signed out everywhere.").format(name=account.username),
              "success")
        return redirect(url_for(".index"))

    @expose("/<int:id>/enable", methods=("POST",))
    def enable_view(self, id: int):
        account = self._account(id)
        self._button()
        accounts.set_active(account, True, actor=actor())
        end_sessions(account)
        flash(_("{name} can sign in again.").format(name=account.username), "success")
        return redirect(url_for(".index"))

    @expose("/<int:id>/reset", methods=("POST",))
    def reset_view(self, id: int):
        account = self._account(id)
        self._button()
        password = accounts.one_time_password()
        accounts.set_password(account, generate_password_hash(password), must_change=True,
                              actor=actor(), action="reset_password")
        end_sessions(account)
        return self._one_time(account, password, created=False)


class PasswordView(Secured, BaseView):
    """Every official's own password: the current one, the new one twice. Changing it ends
    every session of the account and keeps this one signed in."""

    changes_password = True  # reachable while the account must change its password

    def is_visible(self) -> bool:
        return False  # linked from the top bar, not the menu

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = PasswordForm()
        status = 200
        if request.method == "POST":
            status = 400
            if form.validate_on_submit():
                row = AdminUser.get_by_id(current_user.id)
                if not check_password_hash(row.password_hash, form.old.data):
                    form.old.errors = [*form.old.errors, _("The current password is wrong.")]
                elif form.new.data == form.old.data:
                    form.new.errors = [*form.new.errors,
                                       _("The new password must differ from the current one.")]
                else:
                    accounts.set_password(row, generate_password_hash(form.new.data),
                                          must_change=False, actor=actor(),
                                          action="change_password")
                    end_sessions(row)
                    start_session(AdminUser.get_by_id(row.id))  # this session goes on
                    flash(_("Your password has been changed. Other sessions of your account "
                            "have ended."), "success")
                    return redirect(url_for("admin.index"))
        return self.render("wushe/password.html", form=form,
                           forced=bool(current_user.must_change_password),
                           min_length=accounts.MIN_PASSWORD), status

"""Every page of the admin, read from the app's URL map: a visitor who is not signed in is sent
to sign in, and an official asking for an object outside their scope gets 404, the answer for
an object that does not exist. The rules come from ``app.url_map``, so a new page is covered
without editing this file; the only list is the public endpoints below.

The hand-kept access tests (test_access.py and the area modules) check what each page shows
to whom; this one checks that no rule is left open.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from admin import create_app
from models import registry
from models.core import schema
from models.core.schema import Delivery, Indicator, OrgUnit, Photo, Target, audit
from models.core.settings import Settings
from models.org import access
from models.pushes import deliveries as pushes
from models.reports.filing import store_photo
from tests import factories as f
from tests.adminkit import CONFIG, JPEG, signed_in

# The endpoints open to anyone. Each needs a reason; every other endpoint needs a sign-in.
PUBLIC = {
    "auth.login",  # the sign-in page itself
    "auth.logout",  # signing out needs no session
    "lang.switch",  # the language can be chosen before signing in
    "static",  # stylesheets, scripts and fonts
    "admin.static",  # Flask-Admin's own stylesheets and scripts
    "health.healthz",  # the load balancer's and the monitor's probe: no data, no session
    "favicon",  # the tab's icon, asked for at /favicon.ico by every browser: a static file
}

# Flask-Admin's record views take the object's id from the query string or the form rather
# than from the rule: where each looks for it.
RECORD_VIEWS = {"details_view": ("query", "id"), "edit_view": ("query", "id"),
                "delete_view": ("form", "id"), "ajax_update": ("form", "list_form_pk")}

ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _url_map():
    """The rules of an app built as the tests build it (no database is touched)."""
    app = create_app(Settings(database_url="sqlite:///:memory:", admin_secret_key="k" * 32),
                     CONFIG)
    return app.url_map


def _rules() -> list[tuple]:
    """(rule, method) for every rule and method the app answers, HEAD and OPTIONS aside."""
    return [(rule, method) for rule in sorted(_url_map().iter_rules(), key=lambda r: r.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


RULES = _rules()


def _object_model(app, rule, argument: str):
    """The table whose row an id argument names: ``photo_id`` a Photo, ``id`` the row of the
    view's own model; None when the argument is not an object's id."""
    if argument.endswith("_id"):
        return getattr(schema, argument[:-3].title())
    if argument == "id":
        return _view_of(app, rule.endpoint).model
    return None


def _view_of(app, endpoint: str):
    name = endpoint.split(".")[0]
    return next(v for v in app.extensions["admin"][0]._views if v.endpoint == name)


def _row(objects: dict, model, rule):
    if model not in objects:
        raise AssertionError(f"{rule.rule} names a {model.__name__} by id: add one to _objects")
    return objects[model]


def _build(app, rule, method: str, objects: dict) -> tuple[str, dict]:
    """The URL of ``rule`` with its arguments filled: an object's id from ``objects`` (by
    table), another number 1, a word "x"; and the form data to send."""
    values = {}
    for converter, name in ARGUMENT.findall(rule.rule):
        model = _object_model(app, rule, name) if converter == "int" else None
        if model is not None:
            values[name] = _row(objects, model, rule).id
        else:
            values[name] = 1 if converter == "int" else "x"
    url = app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
    data = {}
    record = RECORD_VIEWS.get(rule.endpoint.rsplit(".", 1)[-1])
    if record and _takes_an_object(app, rule):
        where, key = record
        obj_id = _row(objects, _view_of(app, rule.endpoint).model, rule).id
        if where == "query":
            url += f"?{key}={obj_id}"
        else:
            data[key] = str(obj_id)
    return url, data


def _takes_an_object(app, rule) -> bool:
    if rule.endpoint.rsplit(".", 1)[-1] in RECORD_VIEWS:
        return getattr(_view_of(app, rule.endpoint), "model", None) is not None
    return any(converter == "int" and _object_model(app, rule, name) is not None
               for converter, name in ARGUMENT.findall(rule.rule))


# -- rows to point at ----------------------------------------------------------------------

def _objects(place: OrgUnit, settings: Settings, tag: str) -> dict:
    """One row of every table a page can name by id, all hanging under ``place``."""
    worker = f.worker(f"worker-{tag}", place=place)
    report = f.report("activity", by=worker, date=dt.date(2026, 11, 20))
    photo = store_photo(settings.media_dir, JPEG + tag.encode(), draft_uid=report.uid,
                        field="photos")
    Photo.update(report=report).where(Photo.id == photo.id).execute()
    indicator = Indicator.select().where(Indicator.target_basis == "explicit").first()
    chat_id = -100_000 - place.id
    pushes.track_group(chat_id, f"group {tag}")
    group = pushes.bind_group(chat_id, place, actor="test")
    rows = {
        schema.Report: report,
        schema.Photo: Photo.get_by_id(photo.id),
        schema.Worker: worker,
        schema.Invite: f.invite(place),
        schema.OrgUnit: place,
        schema.Target: Target.create(indicator=indicator, org_unit=place, year=2026, value=5),
        schema.AuditLog: audit("tg:1", "register", "worker", worker.id, after={"tag": tag}),
        schema.Application: f.application(f.worker(f"applicant-{tag}", place=place)),
        schema.SocialOrganization: registry.create_organization(
            place, {"name": f"{place.name}互助会", "category": "elderly_care", "leader": "张秀英",
                    "members": 25}, actor="test"),
        schema.Volunteer: registry.register_volunteer(
            place, {"name": "李桂英", "gender": "female", "phone": f"1390000{place.id % 10000:04d}",
                    "team": "志愿服务队", "skills": "陪护"}, actor="test",
            registered_on=dt.date(2026, 3, 1)),
        schema.Group: group,
        schema.Delivery: Delivery.create(group=group, kind="weekly", period="2026-W47"),
        schema.AdminUser: f.official(f"account-{tag}", "viewer", place.code),
        # the city's own tables: the same rows for every place
        schema.Plan: indicator.plan,
        schema.Indicator: indicator,
    }
    return rows


# -- anonymous visitors ----------------------------------------------------------------------

def _sent_to_sign_in(client, response, hops: int = 3) -> bool:
    """Whether ``response`` sends the visitor to the sign-in page, directly or through the
    admin's own redirects (``/`` points to ``/admin/``)."""
    for _ in range(hops):
        if response.status_code != 302:
            return False
        location = response.headers["Location"]
        if location.startswith("/login?next="):
            return True
        response = client.get(location)
    return False


def test_every_rule_sends_an_anonymous_visitor_to_sign_in(app, settings):
    rows = _objects(f.community("511802"), settings, "anonymous")
    client = app.test_client()
    open_, checked = [], 0
    for rule, method in RULES:
        if rule.endpoint in PUBLIC:
            continue
        url, data = _build(app, rule, method, rows)
        checked += 1
        try:
            r = client.open(url, method=method, data=data)
        except Exception as e:  # the view ran for a visitor without a session
            open_.append(f"{method} {url} ({rule.endpoint}): raised {e!r}")
            continue
        if not _sent_to_sign_in(client, r):
            open_.append(f"{method} {url} ({rule.endpoint}): {r.status_code}")
    assert not open_, "answered a visitor who is not signed in:\n" + "\n".join(open_)
    assert checked > 100  # the URL map was walked, not an empty one


def test_the_public_endpoints_are_endpoints_of_the_app():
    """A renamed endpoint must not leave a stale, silently ignored entry in PUBLIC."""
    assert PUBLIC <= {rule.endpoint for rule, _ in RULES}


# -- an official and an object outside their scope -------------------------------------------

def _unit_for(role: str, inside: OrgUnit) -> OrgUnit:
    """Where an account of ``role`` sits, above ``inside``: at its role's level, else the
    county."""
    level = access.ROLE_UNIT_LEVEL.get(role, "county")
    unit = inside
    while unit.level != level:
        unit = unit.parent
    return unit


SCOPED_ROLES = [role for role in access.ROLES if role not in access.TREE_ROLES]


def _status(client, method: str, url: str, data: dict) -> int | str:
    """The status of the answer, or the exception the view raised (propagated in testing)."""
    try:
        return client.open(url, method=method, data=data).status_code
    except Exception as e:
        return f"raised {e!r}"


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_every_rule_answers_404_for_an_object_outside_the_officials_scope(app, settings, role):
    """An official of ``role`` in 雨城区 asks every page that takes an object's id for a row of
    名山区: 404, as if it did not exist. A 403 passes only where the role may not use the
    page at all, which its own object proves (the refusal does not depend on the object)."""
    mine, theirs = f.community("511802"), f.community("511803")
    inside, outside = _objects(mine, settings, "inside"), _objects(theirs, settings, "outside")
    official = f.official(f"official-{role}", role, _unit_for(role, mine).code)
    assert not access.in_scope(official, theirs) and access.in_scope(official, mine)
    client = signed_in(app, official)
    leaks, checked = [], 0
    for rule, method in RULES:
        if rule.endpoint in PUBLIC or not _takes_an_object(app, rule):
            continue
        model = _view_of(app, rule.endpoint).model
        if model in access.CITYWIDE:
            continue  # plans and their indicators belong to the whole city: no scope to leave
        url, data = _build(app, rule, method, outside)
        checked += 1
        status = _status(client, method, url, data)
        if status == 404:
            continue
        if status == 403 and _status(client, method, *_build(app, rule, method, inside)) == 403:
            continue
        leaks.append(f"{method} {url} ({rule.endpoint}): {status}")
    assert not leaks, f"a {role} reached objects outside their scope:\n" + "\n".join(leaks)
    assert checked > 40


@pytest.mark.parametrize("role", access.TREE_ROLES)
def test_a_role_scoped_to_the_whole_tree_has_no_object_outside_it(db, role):
    """The other half of the roles: their scope is the tree's one root, so the test above
    has nothing to ask them for."""
    official = f.official(f"official-{role}", role, f.community("511803").code)
    roots = OrgUnit.select().where(OrgUnit.parent.is_null())
    assert [access.scope_root(official)] == list(roots)
    assert all(access.in_scope(official, u) for u in OrgUnit.select())


def test_the_walk_meets_every_kind_of_rule():
    """The URL map has rules with an object's id in the path and Flask-Admin's record views
    with it in the query or the form, so each branch of the walk above is exercised."""
    endpoints = {rule.endpoint.rsplit(".", 1)[-1] for rule, _ in RULES}
    assert set(RECORD_VIEWS) <= endpoints
    assert any("<int:id>" in rule.rule for rule, _ in RULES)
    assert any("_id>" in rule.rule for rule, _ in RULES)

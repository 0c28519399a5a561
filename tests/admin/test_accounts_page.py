"""The accounts page and the change-password page: a city admin manages every account, a county
official those of the county below the city's roles; a one-time password is shown once, works
once and leads to a change that cannot be skipped; disabling ends the account's open sessions;
every change is audited with a Chinese label."""
from __future__ import annotations

import re

import pytest
from werkzeug.security import check_password_hash

from models.core.i18n import translator
from models.core.schema import AdminUser, OrgUnit
from models.org import access
from tests import factories as f
from tests.adminkit import PASSWORDS, audit_rows, page_text

ZH = translator("zh_Hans").gettext

LEVEL_PLACE = {"city": "5118", "county": "511802"}  # the rest found below 511802


def _place(level: str) -> OrgUnit:
    if level in LEVEL_PLACE:
        return OrgUnit.get(OrgUnit.code == LEVEL_PLACE[level])
    return (OrgUnit.select().where(OrgUnit.level == level, OrgUnit.path.startswith(
        OrgUnit.get(OrgUnit.code == "511802").path)).order_by(OrgUnit.path).first())


def sign_in(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def _create(client, username="dora", role="viewer", place="511802", name="朵拉"):
    return client.post("/admin/accounts/new", data={"username": username, "display_name": name,
                                                    "role": role, "place": place})


def _one_time_password(response) -> str:
    return re.search(r'id="one-time-password">([^<]+)<', page_text(response)).group(1)


# -- who sees the page -----------------------------------------------------------------------

def test_a_city_admin_lists_every_account_in_chinese(as_alice, officials):
    r = as_alice.get("/admin/accounts/")
    html = page_text(r)
    assert r.status_code == 200
    for name in ("alice", "bob", "carol"):
        assert f'data-account="{name}"' in html
    assert ZH("County official") in html and ZH("Read-only viewer") in html
    assert "county_official" not in html.replace('data-', '')  # no internal code shown
    assert ZH("Accounts") in page_text(as_alice.get("/admin/"))  # in the menu


def test_a_county_official_sees_only_the_countys_accounts(as_bob, officials):
    f.official("mia", "county_official", "511803")
    yucheng_viewer = f.official("vera", "viewer", "511802")
    html = page_text(as_bob.get("/admin/accounts/"))
    assert 'data-account="vera"' in html and 'data-account="bob"' in html
    assert 'data-account="alice"' not in html and 'data-account="mia"' not in html
    assert 'data-account="carol"' not in html
    assert yucheng_viewer.id


@pytest.mark.parametrize("who", ["as_carol"])
def test_other_roles_do_not_see_the_page(request, who, officials):
    client = request.getfixturevalue(who)
    assert client.get("/admin/accounts/").status_code == 403
    assert ZH("Accounts") not in page_text(client.get("/admin/"))


@pytest.mark.parametrize("role", [r for r in access.ROLES if r not in ("city_admin",
                                                                        "county_official")])
def test_no_other_role_reaches_any_accounts_endpoint(app, officials, role):
    from tests.adminkit import signed_in

    unit = _place(access.ROLE_LEVELS[role][0])
    if role in access.TREE_ROLES:
        unit = OrgUnit.get(OrgUnit.code == "5118")
    client = signed_in(app, f.official(f"x-{role[:8]}", role, unit.code))
    carol = officials["carol"].id
    assert client.get("/admin/accounts/").status_code == 403
    assert _create(client).status_code == 403
    for action in ("disable", "enable", "reset"):
        assert client.post(f"/admin/accounts/{carol}/{action}").status_code == 403
    assert AdminUser.get_by_id(carol).active


# -- the whole life of an account ------------------------------------------------------------

def test_create_sign_in_once_change_disable_enable_reset(app, as_alice, officials):
    r = _create(as_alice)
    assert r.status_code == 200, page_text(r)
    password = _one_time_password(r)
    dora = AdminUser.get(AdminUser.username == "dora")
    assert dora.must_change_password and dora.password_hash != password
    assert check_password_hash(dora.password_hash, password)
    assert password not in str([a.after for a in audit_rows("admin_user")])
    assert password not in page_text(as_alice.get("/admin/accounts/"))  # shown once only

    # the first sign-in leads to the change-password page, and nowhere else
    first = app.test_client()
    assert sign_in(first, "dora", password).status_code == 302
    for url in ("/admin/", "/admin/reports/", "/admin/accounts/"):
        r = first.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/admin/password/")
    assert ZH("You signed in with a one-time password. Please choose your own password "
              "before going on.") in page_text(first.get("/admin/password/"))
    r = first.post("/admin/password/", data={"old": password, "new": "dora's own pw",
                                             "again": "dora's own pw"})
    assert r.status_code == 302 and first.get("/admin/").status_code == 200  # still signed in
    dora = AdminUser.get_by_id(dora.id)
    assert not dora.must_change_password and dora.session_version == 1
    # the one-time password works once: it is gone now
    assert sign_in(app.test_client(), "dora", password).status_code == 200

    # disabling ends the open session of the account
    assert as_alice.post(f"/admin/accounts/{dora.id}/disable").status_code == 302
    assert first.get("/admin/").status_code == 302
    assert sign_in(app.test_client(), "dora", "dora's own pw").status_code == 200
    assert 'data-active="false"' in page_text(as_alice.get("/admin/accounts/"))

    assert as_alice.post(f"/admin/accounts/{dora.id}/enable").status_code == 302
    assert sign_in(app.test_client(), "dora", "dora's own pw").status_code == 302

    r = as_alice.post(f"/admin/accounts/{dora.id}/reset")
    fresh = _one_time_password(r)
    assert fresh != password
    assert sign_in(app.test_client(), "dora", "dora's own pw").status_code == 200
    after_reset = app.test_client()
    assert sign_in(after_reset, "dora", fresh).status_code == 302
    assert after_reset.get("/admin/").headers["Location"].endswith("/admin/password/")

    actions = [a.action for a in audit_rows("admin_user", dora.id)]
    assert actions == ["create", "change_password", "disable", "enable", "reset_password"]
    audit_page = page_text(as_alice.get("/admin/audit/"))
    for sentence in ("{who} added {what}", "{who} changed the password of {what}",
                     "{who} disabled {what}", "{who} re-enabled {what}",
                     "{who} reset the password of {what}"):  # the audit log's sentences
        verb = ZH(sentence).split("{what}")[0].replace("{who}", "").strip()
        assert verb in audit_page


def test_a_change_of_role_is_kept_audited_and_ends_the_sessions(as_alice, officials):
    carol = officials["carol"]
    r = as_alice.post(f"/admin/accounts/{carol.id}/edit",
                      data={"role": "county_official", "place": "511803"})
    assert r.status_code == 302
    carol = AdminUser.get_by_id(carol.id)
    assert (carol.role, carol.org_unit.code, carol.session_version) == ("county_official",
                                                                        "511803", 1)
    row = audit_rows("admin_user", carol.id, "change_role")[0]
    assert row.before == {"role": "viewer", "org_unit": "511803"}


def test_the_page_refuses_a_role_at_the_wrong_level(as_alice, officials):
    r = _create(as_alice, role="county_official", place="5118")
    assert r.status_code == 400 and ZH("This role belongs to a county or district.") in page_text(r)
    r = _create(as_alice, username="x" * 33)
    assert r.status_code == 400
    assert ZH("A username has {min}–{max} characters: letters, digits, dots, underscores or "
              "hyphens.").format(min=3, max=32) in page_text(r)
    assert AdminUser.select().count() == 3


def test_an_official_cannot_disable_or_demote_themselves(as_alice, as_bob, officials):
    for client, me in ((as_alice, officials["alice"]), (as_bob, officials["bob"])):
        assert client.post(f"/admin/accounts/{me.id}/disable").status_code == 400
        assert client.post(f"/admin/accounts/{me.id}/edit",
                           data={"role": "viewer", "place": me.org_unit.code}).status_code == 400
        assert AdminUser.get_by_id(me.id).active


# -- a county official's limits (tampered requests) -------------------------------------------

def test_a_county_official_cannot_create_a_city_admin_or_outside_the_county(as_bob, officials):
    form = page_text(as_bob.get("/admin/accounts/new"))
    assert 'value="viewer"' in form and 'value="township_officer"' in form
    assert 'value="city_admin"' not in form and 'value="province_officer"' not in form
    assert 'value="511803"' not in form and 'value="5118"' not in form
    assert _create(as_bob, "eve", "city_admin", "5118").status_code == 400
    assert _create(as_bob, "eve", "province_officer", "5118").status_code == 400
    assert _create(as_bob, "eve", "viewer", "511803").status_code == 400  # 名山区
    assert not AdminUser.select().where(AdminUser.username == "eve").exists()
    r = _create(as_bob, "eve", "township_officer", _place("township").code)
    assert r.status_code == 200
    assert AdminUser.get(AdminUser.username == "eve").role == "township_officer"


def test_a_county_official_cannot_touch_an_account_outside_the_county(as_bob, officials):
    alice, carol = officials["alice"], officials["carol"]
    yucheng = f.official("vera", "viewer", "511802")
    for target in (alice, carol):
        for action in ("disable", "enable", "reset"):
            assert as_bob.post(f"/admin/accounts/{target.id}/{action}").status_code == 404
        assert as_bob.get(f"/admin/accounts/{target.id}/edit").status_code == 404
        assert AdminUser.get_by_id(target.id).active
    # nor move one of theirs out of the county, nor raise it to city admin
    for role, place in (("viewer", "511803"), ("city_admin", "5118")):
        r = as_bob.post(f"/admin/accounts/{yucheng.id}/edit", data={"role": role, "place": place})
        assert r.status_code == 400
    assert AdminUser.get_by_id(yucheng.id).org_unit.code == "511802"


# -- the change-password page ----------------------------------------------------------------

def test_the_password_page_checks_the_old_one_and_the_length(app, officials):
    client = app.test_client()
    sign_in(client, "bob", PASSWORDS["bob"])
    r = client.post("/admin/password/", data={"old": "wrong one!", "new": "brand new pw",
                                              "again": "brand new pw"})
    assert r.status_code == 400 and ZH("The current password is wrong.") in page_text(r)
    r = client.post("/admin/password/", data={"old": PASSWORDS["bob"], "new": "short",
                                              "again": "short"})
    assert r.status_code == 400
    r = client.post("/admin/password/", data={"old": PASSWORDS["bob"], "new": "brand new pw",
                                              "again": "brand new px"})
    assert r.status_code == 400 and ZH("The two new passwords differ.") in page_text(r)
    assert check_password_hash(AdminUser.get(AdminUser.username == "bob").password_hash,
                               PASSWORDS["bob"])


# -- the role table on the page ----------------------------------------------------------------

LEVELS = ("city", "county", "township", "community")
ALLOWED = {"city_admin": {"city"}, "province_officer": {"city"}, "county_official": {"county"},
           "township_officer": {"township"}, "community_staff": {"community"},
           "viewer": set(LEVELS)}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_every_role_at_every_level_through_the_page(as_alice, officials, role):
    for i, level in enumerate(LEVELS):
        username = f"{role[:10]}-{i}"
        r = _create(as_alice, username, role, _place(level).code)
        made = AdminUser.select().where(AdminUser.username == username).exists()
        assert (r.status_code == 200 and made) if level in ALLOWED[role] else (
            r.status_code == 400 and not made), (role, level)

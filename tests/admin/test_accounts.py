"""Officials' accounts: created from the command line with a hashed password, signed in and
out, and slowed down after repeated failures (per username and address; an account guessed at
from many addresses locks those addresses, never the official's own)."""
from __future__ import annotations

from models.core.i18n import translator

ZH = translator("zh_Hans").gettext  # the admin speaks Chinese unless asked otherwise

import re

import pytest
from werkzeug.security import check_password_hash

import run_admin
from admin.auth import ACCOUNT_TRIES, FREE_TRIES, AccountError, create_user
from models.core.schema import AdminUser, AuditLog
from tests.adminkit import CONFIG, PASSWORDS, page_text

HERE = {"REMOTE_ADDR": "10.0.0.1"}
THERE = {"REMOTE_ADDR": "10.0.0.2"}


def sign_in(client, username, password, where=HERE):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base=where)



# -- signing in and out ----------------------------------------------------------------------

def test_it_signs_in_and_returns_to_the_page_asked_for(client, officials):
    r = client.post("/login?next=/admin/workers/",
                    data={"username": "bob", "password": PASSWORDS["bob"]})
    assert r.status_code == 302 and r.headers["Location"] == "/admin/workers/"
    assert client.get("/admin/workers/").status_code == 200
    bob = AdminUser.get(AdminUser.username == "bob")
    assert bob.last_login_at is not None and bob.failed_logins == 0
    assert AuditLog.get(AuditLog.action == "login").entity_id == "bob"


def test_it_never_redirects_off_site_after_signing_in(client, officials):
    r = client.post("/login?next=https://evil.example/x",
                    data={"username": "bob", "password": PASSWORDS["bob"]})
    assert r.headers["Location"] == "/admin/queue/"  # bob reviews: his landing page


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, officials):
    r = sign_in(client, "bob", "nope")
    assert r.status_code == 200 and ZH("Wrong username or password.") in page_text(r)
    r = sign_in(client, "nobody", "nope")
    assert ZH("Wrong username or password.") in page_text(r)
    assert client.get("/admin/reports/").status_code == 302


def test_a_disabled_account_cannot_sign_in_or_keep_its_session(app, client, officials):
    assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 302
    officials["bob"].active = False
    officials["bob"].save()
    assert client.get("/admin/reports/").status_code == 302  # the session no longer works
    assert sign_in(app.test_client(), "bob", PASSWORDS["bob"]).status_code == 200


def test_signing_out_ends_the_session(client, officials):
    sign_in(client, "bob", PASSWORDS["bob"])
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/reports/").status_code == 302


def test_signing_out_needs_a_post(client, officials):
    sign_in(client, "bob", PASSWORDS["bob"])
    assert client.get("/logout").status_code == 405


def test_the_sign_in_form_has_a_csrf_token_and_refuses_a_post_without_it(settings, officials):
    from admin import create_app

    c = create_app(settings, {**CONFIG, "WTF_CSRF_ENABLED": True}).test_client()
    assert sign_in(c, "bob", PASSWORDS["bob"]).status_code == 400
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_text(c.get("/login"))).group(1)
    r = c.post("/login", data={"username": "bob", "password": PASSWORDS["bob"],
                               "csrf_token": token})
    assert r.status_code == 302


# -- slowing down guesses --------------------------------------------------------------------

def test_it_locks_a_username_and_address_after_five_failures(client, officials, clock):
    for _ in range(FREE_TRIES):
        assert sign_in(client, "bob", "guess").status_code == 200
    r = sign_in(client, "bob", PASSWORDS["bob"])
    assert r.status_code == 429 and ZH("Too many failed sign-ins. Please wait a while and try again.") in page_text(r)
    clock(seconds=59)
    assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 429
    clock(seconds=2)
    assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 302


def test_each_further_failure_doubles_the_lock(client, officials, clock):
    for _ in range(FREE_TRIES):
        sign_in(client, "bob", "guess")
    clock(minutes=1, seconds=1)
    assert sign_in(client, "bob", "guess again").status_code == 200  # a sixth failure
    clock(minutes=1, seconds=30)
    assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 429  # locked for 2 min
    clock(minutes=1)
    assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 302


def test_guesses_during_a_lock_are_not_even_checked(client, officials, clock):
    for _ in range(FREE_TRIES):
        sign_in(client, "bob", "guess")
    before = AuditLog.select().count()
    for _ in range(10):
        sign_in(client, "bob", "guess")
    # no failure counted; the lock itself is on record once
    assert AuditLog.select().count() == before + 1
    assert AuditLog.get(AuditLog.id > before).action == "login_throttled"


def test_a_lock_does_not_reach_another_address_or_another_user(client, officials, clock):
    for _ in range(FREE_TRIES):
        sign_in(client, "bob", "guess")
    assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 429
    assert sign_in(client, "alice", PASSWORDS["alice"]).status_code == 302
    client.post("/logout")
    assert sign_in(client, "bob", PASSWORDS["bob"], where=THERE).status_code == 302


def test_unknown_usernames_are_throttled_like_known_ones(client, officials, clock):
    for _ in range(FREE_TRIES):
        sign_in(client, "mallory", "guess")
    assert sign_in(client, "mallory", "guess").status_code == 429


def test_a_success_forgets_the_earlier_failures(client, officials, clock):
    for _ in range(FREE_TRIES - 1):
        sign_in(client, "bob", "guess")
    assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 302
    client.post("/logout")
    for _ in range(FREE_TRIES - 1):
        sign_in(client, "bob", "guess")
    assert sign_in(client, "bob", PASSWORDS["bob"]).status_code == 302


def test_many_addresses_guessing_lock_the_guessing_addresses_not_the_official(client, officials,
                                                                              clock):
    for i in range(ACCOUNT_TRIES):
        sign_in(client, "bob", "guess", where={"REMOTE_ADDR": f"10.1.{i}.1"})
    assert sign_in(client, "bob", PASSWORDS["bob"], where={"REMOTE_ADDR": "10.1.0.1"}
                   ).status_code == 429
    assert sign_in(client, "bob", PASSWORDS["bob"], where=THERE).status_code == 302
    client.post("/logout")
    clock(minutes=16)
    assert sign_in(client, "bob", PASSWORDS["bob"], where={"REMOTE_ADDR": "10.1.0.1"}
                   ).status_code == 302


# -- creating accounts -----------------------------------------------------------------------

def test_it_creates_an_account_with_a_hashed_password(app):
    user = create_user("dora", "a long password", role="viewer", org_code="511803")
    assert user.password_hash != "a long password"
    assert check_password_hash(user.password_hash, "a long password")
    assert user.org_unit.code == "511803"
    assert AuditLog.get(AuditLog.entity == "admin_user").after["role"] == "viewer"


@pytest.mark.parametrize("kwargs,problem", [
    (dict(role="mayor", org_code="5118"), "unknown_role"),
    (dict(role="viewer", org_code="000000"), "unknown_place"),
    (dict(role="city_admin", org_code="511802"), "level_city"),
    (dict(role="viewer", org_code="5118", password="short"), "password_short"),
])
def test_it_refuses_an_account_it_cannot_use(app, kwargs, problem):
    kwargs = dict(kwargs)  # the parameters are shared by the sqlite and postgres runs
    password = kwargs.pop("password", "a long password")
    with pytest.raises(AccountError, match=problem):
        create_user("erin", password, **kwargs)
    assert not AdminUser.select().where(AdminUser.username == "erin").exists()


def test_the_command_line_reads_the_password_from_the_environment(db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ADMIN_PASSWORD", "from the environment")
    assert run_admin.main(["--create-user", "bob", "--role", "county_official",
                           "--org", "511802"]) == 0
    assert "雨城区" in capsys.readouterr().out
    bob = AdminUser.get(AdminUser.username == "bob")
    assert bob.role == "county_official"
    assert check_password_hash(bob.password_hash, "from the environment")
    assert run_admin.main(["--create-user", "bob", "--role", "viewer", "--org", "511802"]) == 2
    assert "taken already" in capsys.readouterr().err


def test_the_command_line_asks_for_the_password_twice_without_the_variable(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    answers = iter(["typed at the prompt", "typed at the prompt"])
    monkeypatch.setattr(run_admin.getpass, "getpass", lambda prompt: next(answers))
    monkeypatch.setattr(run_admin, "has_terminal", lambda: True)
    assert run_admin.main(["--create-user", "carol", "--role", "viewer", "--org", "511803"]) == 0
    carol = AdminUser.get(AdminUser.username == "carol")
    assert check_password_hash(carol.password_hash, "typed at the prompt")


def test_the_command_line_needs_a_role_and_a_place(db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert run_admin.main(["--create-user", "carol"]) == 2
    assert "--role" in capsys.readouterr().err


def test_serving_without_a_secret_key_fails_with_the_variables_name(db_url, monkeypatch, capsys,
                                                                     tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("ADMIN_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert run_admin.main(["--port", "0"]) == 2
    assert "ADMIN_SECRET_KEY" in capsys.readouterr().err

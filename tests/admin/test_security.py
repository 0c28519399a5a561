"""The admin on the open internet (issue 12): every hole found in the review, kept shut.

* Redirects: no ``next=`` (sign-in, language switch) or Referer sends the browser off the
  site, whatever its encoding (tab, CR/LF, backslashes, ``//``, schemes), and none gives a 500.
* Throttling: guessing from many addresses never locks the official out of an address that
  has not failed; a wrong username answers exactly like a wrong password, with the same work.
* Sessions: a cookie copied before sign-out, disabling or ``end_sessions`` opens nothing; an
  idle session ends.
* Headers and cookies on every response, HTTPS seen through a trusted proxy only.
"""
from __future__ import annotations

import hashlib
import re

import pytest
from flask import redirect

import admin.auth
from admin import create_app
from admin.auth import ACCOUNT_TRIES, FREE_TRIES, create_user, end_sessions
from admin.redirects import is_local_path
from models.core.schema import AdminUser, AuditLog
from models.core.settings import Settings, SettingsError, load_settings
from tests.adminkit import CONFIG, PASSWORDS, ZH, page_text, signed_in

HERE = {"REMOTE_ADDR": "10.0.0.1"}
NEW_PLACE = {"REMOTE_ADDR": "10.9.9.9"}
DASHBOARD = "/admin/"
BOBS_LANDING = "/admin/queue/"  # a county official reviews: signing in lands on the queue


def sign_in(client, username, password, where=HERE, next_=None):
    query = "" if next_ is None else "next=" + next_.decode("ascii")
    return client.post("/login", query_string=query, environ_base=where,
                       data={"username": username, "password": password})



# -- redirects ---------------------------------------------------------------------------------

# ``next=`` values as sent on the wire (percent-encoded where a browser would encode them).
FOREIGN = [
    b"/%09/evil.com", b"/%0A/evil.com", b"/%0D/evil.com", b"/%0D%0A/evil.com",
    b"/%0D%0ALocation:%20https://evil.com", b"%0D%0A", b"/admin/%0D%0ASet-Cookie:%20x=1",
    b"/%09%09/evil.com", b"%09/evil.com", b"/%00/evil.com", b"/%7F/evil.com",
    b"//evil.com", b"///evil.com", b"/%2F/evil.com", b"%2F%2Fevil.com", b"/\\evil.com",
    b"/%5Cevil.com", b"%5C%5Cevil.com", b"\\\\evil.com", b"/%5C/evil.com",
    b"https://evil.com", b"https:evil.com", b"https:/evil.com", b"http:%2F%2Fevil.com",
    b"HTTPS://evil.com", b"javascript:alert(1)", b"JavaScript:alert(1)", b"java%09script:alert(1)",
    b"%20javascript:alert(1)", b"data:text/html,x", b"evil.com", b"%20/evil.com",
    b"/%20/evil.com", b"/%E3%80%80/evil.com", b"/%C2%A0/evil.com", b"/%E2%80%8B/evil.com",
    b"/%E2%80%AE/evil.com", b"%", b"",
]
# Not foreign but odd: stay a path of the site, or become the dashboard; never a 500.
ODD = [b"/%FF/evil.com", b"/%", b"/%%%", b"/admin/%C0%AF", b"/%E9%9B%A8", b"/a?next=//evil.com",
       b"/a#//evil.com", b"/:@evil.com", b"/evil.com:443"]
LOCAL = [(b"/admin/workers/", "/admin/workers/"),
         (b"%2Fadmin%2Freports%2F%3Fpage%3D2", "/admin/reports/?page=2"),
         (b"/admin/reports/?flt1_0=%E9%9B%A8", "/admin/reports/?flt1_0=%E9%9B%A8")]


@pytest.mark.parametrize("raw", FOREIGN)
def test_signing_in_never_redirects_off_the_site(client, officials, raw):
    r = sign_in(client, "bob", PASSWORDS["bob"], next_=raw)
    assert r.status_code == 302 and r.headers["Location"] == BOBS_LANDING
    assert client.get("/admin/reports/").status_code == 200  # signed in, and it holds


@pytest.mark.parametrize("raw", ODD)
def test_odd_paths_stay_on_the_site(client, officials, as_alice, raw):
    for r in (sign_in(client, "bob", PASSWORDS["bob"], next_=raw),
              as_alice.get("/lang/en", query_string="next=" + raw.decode("ascii"))):
        assert r.status_code == 302 and is_local_path(r.headers["Location"])
        assert r.headers["Location"].isascii()


@pytest.mark.parametrize("raw", [b"/%0D%0A/evil.com", b"/%0A", b"/%0D"])
def test_a_sign_in_is_recorded_only_with_an_answer_that_succeeds(client, officials, raw):
    """CR or LF in ``next=`` gave a 500 after the sign-in was recorded."""
    r = sign_in(client, "bob", PASSWORDS["bob"], next_=raw)
    assert r.status_code == 302
    assert [a.action for a in AuditLog.select().where(AuditLog.entity_id == "bob")] == ["login"]


def test_the_target_is_settled_before_the_sign_in_is_recorded(client, officials, monkeypatch):
    """Whatever could fail in choosing where to go fails before anything is written."""
    def failing(target, default=None):
        raise RuntimeError("no target")
    monkeypatch.setattr(admin.auth, "safe_target", failing)
    with pytest.raises(RuntimeError):
        sign_in(client, "bob", PASSWORDS["bob"], next_=b"/admin/")
    assert not AuditLog.select().where(AuditLog.action == "login").exists()
    assert AdminUser.get_by_id(officials["bob"].id).last_login_at is None


@pytest.mark.parametrize("raw,location", LOCAL)
def test_a_path_on_the_site_is_where_signing_in_returns(client, officials, raw, location):
    r = sign_in(client, "bob", PASSWORDS["bob"], next_=raw)
    assert r.headers["Location"] == location


def test_every_control_or_space_character_in_next_is_refused(app, officials):
    """Each of U+0000-U+0020 and U+007F, encoded, in the two places a browser or Werkzeug
    would strip it: before the path and between its slashes."""
    for code in [*range(0x21), 0x7F]:
        for raw in (b"%%%02X//evil.com" % code, b"/%%%02X/evil.com" % code):
            r = sign_in(app.test_client(), "bob", PASSWORDS["bob"], next_=raw)
            assert (r.status_code, r.headers["Location"]) == (302, BOBS_LANDING), raw


@pytest.mark.parametrize("raw", FOREIGN)
def test_the_language_switch_never_redirects_off_the_site(as_alice, raw):
    r = as_alice.get("/lang/en", query_string="next=" + raw.decode("ascii"))
    assert r.status_code == 302 and r.headers["Location"] == DASHBOARD


@pytest.mark.parametrize("raw", [b"/%09/evil.com", b"//evil.com", b"https://evil.com"])
def test_the_language_switch_before_signing_in_stays_on_the_site(client, raw):
    r = client.get("/lang/en", query_string="next=" + raw.decode("ascii"))
    assert r.status_code == 302 and r.headers["Location"] == DASHBOARD


@pytest.mark.parametrize("referrer,location", [
    ("https://evil.com/admin/", DASHBOARD),
    ("http://localhost.evil.com/admin/", DASHBOARD),
    ("http://localhost//evil.com", DASHBOARD),
    ("http://localhost/\\evil.com", DASHBOARD),
    ("http://localhost/admin/workers/?page=2", "/admin/workers/?page=2"),
])
def test_the_referer_is_followed_only_to_a_path_of_the_site(as_alice, referrer, location):
    r = as_alice.get("/lang/en", headers={"Referer": referrer})
    assert r.headers["Location"] == location


def test_any_redirect_the_app_answers_with_stays_on_the_site(app, client):
    """The net under every view (Flask-Admin's ``url=`` included): a Location that is not a
    path of the site becomes the dashboard."""
    app.add_url_rule("/test-away", "test_away", lambda: redirect("//evil.com/%09"))
    app.add_url_rule("/test-home", "test_home", lambda: redirect("http://localhost/admin/x"))
    assert client.get("/test-away").headers["Location"] == DASHBOARD
    assert client.get("/test-home").headers["Location"] == "http://localhost/admin/x"
    r = client.get("/admin/reports")  # Werkzeug's own redirect to the slash, absolute
    assert r.status_code == 308 and r.headers["Location"].endswith("/admin/reports/")


@pytest.mark.parametrize("target", ["/\t/evil.com", "/\n", "/\r", "/ x", "/\\x", "//x",
                                    "/x\u2028", "/x\u3000", "/\x00", "http://x", "x", "", None])
def test_the_path_check_refuses_what_browsers_would_rewrite(target):
    assert not is_local_path(target)


# -- throttling --------------------------------------------------------------------------------

def test_twenty_failures_from_several_addresses_do_not_lock_out_a_new_address(client, officials,
                                                                           clock):
    addresses = [{"REMOTE_ADDR": f"10.1.0.{i}"} for i in range(4)]
    for where in addresses:
        for _ in range(FREE_TRIES + 1):
            sign_in(client, "bob", "guess", where=where)
    assert ACCOUNT_TRIES <= len(addresses) * (FREE_TRIES + 1)
    assert sign_in(client, "bob", PASSWORDS["bob"], where=addresses[0]).status_code == 429
    assert sign_in(client, "bob", PASSWORDS["bob"], where=NEW_PLACE).status_code == 302


def test_one_failure_each_from_many_addresses_locks_only_those_addresses(client, officials,
                                                                        clock):
    addresses = [{"REMOTE_ADDR": f"10.2.{i}.1"} for i in range(ACCOUNT_TRIES)]
    for where in addresses:
        assert sign_in(client, "bob", "guess", where=where).status_code == 200
    assert sign_in(client, "bob", PASSWORDS["bob"], where=addresses[-1]).status_code == 429
    assert sign_in(client, "bob", PASSWORDS["bob"], where=NEW_PLACE).status_code == 302


@pytest.fixture
def scrypt_calls(monkeypatch):
    """How many times scrypt runs (Werkzeug's password hashes call hashlib.scrypt)."""
    calls = []
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def _answer(response, username: str) -> tuple[int, str]:
    """Status and page, the typed-in username (echoed in the form) blanked out."""
    return response.status_code, page_text(response).replace(f'value="{username}"', 'value=""')


def test_an_unknown_username_gets_the_same_answer_and_the_same_work(app, scrypt_calls, clock):
    create_user("dora", "the right password", role="viewer", org_code="511803")  # scrypt
    answers, work = {}, {}
    for username in ("dora", "dina"):  # one exists, one does not
        before = len(scrypt_calls)
        answers[username] = _answer(sign_in(app.test_client(), username, "a wrong guess"),
                                    username)
        work[username] = len(scrypt_calls) - before
    assert answers["dora"] == answers["dina"]
    assert answers["dora"][0] == 200 and ZH("Wrong username or password.") in answers["dora"][1]
    assert work["dora"] == work["dina"] == 1
    # an inactive account with its right password answers the same again
    AdminUser.update(active=False).where(AdminUser.username == "dora").execute()
    assert _answer(sign_in(app.test_client(), "dora", "the right password"), "dora") \
        == answers["dina"]


def test_a_locked_unknown_username_and_a_locked_known_one_get_the_same_answer(
        app, officials, scrypt_calls, clock):
    create_user("dora", "the right password", role="viewer", org_code="511803")
    answers = {}
    for username in ("dora", "dina"):
        client = app.test_client()
        for _ in range(FREE_TRIES):
            sign_in(client, username, "a wrong guess")
        before = len(scrypt_calls)
        answers[username] = _answer(sign_in(client, username, "the right password"), username)
        assert len(scrypt_calls) == before  # a locked pair is not even checked
    assert answers["dora"] == answers["dina"]
    assert answers["dora"][0] == 429
    assert ZH("Too many failed sign-ins. Please wait a while and try again.") in answers["dora"][1]


def test_sign_ins_failures_and_throttles_are_audited_and_shown_in_chinese(client, as_alice,
                                                                         officials, clock):
    for _ in range(FREE_TRIES + 3):
        sign_in(client, "bob", "guess")
    sign_in(client, "bob", PASSWORDS["bob"], where=NEW_PLACE)
    client.post("/logout")
    rows = [(a.action, a.actor) for a in AuditLog.select().where(AuditLog.entity_id == "bob")
            .order_by(AuditLog.id)]
    assert rows == ([("login_failed", "ip:10.0.0.1")] * FREE_TRIES
                    + [("login_throttled", "ip:10.0.0.1"), ("login", "ip:10.9.9.9"),
                       ("logout", "admin:bob")])
    page = page_text(as_alice.get("/admin/audit/"))
    shown = set(re.findall(r'class="col-sentence[^"]*"[^>]*>\s*([^<]*?)\s*</td>', page))
    bob = "雨城区·Bob"  # the account, by name (the visitor's address is not a name)
    assert {ZH(s).format(who=bob) for s in ("{who} signed in", "{who}: sign-in failed",
                                            "{who}: further sign-ins held back",
                                            "{who} signed out")} <= shown
    assert f"{bob} 登录失败" in shown
    assert not [s for s in shown if re.search("[A-Za-z]", s.replace("Bob", ""))]


# -- sessions ----------------------------------------------------------------------------------

def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replayed(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _refused(client) -> bool:
    r = client.get("/admin/reports/")
    return r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_signing_out_opens_nothing_afterwards(app, client, officials):
    sign_in(client, "bob", PASSWORDS["bob"])
    copied = _session_cookie(client)
    assert not _refused(_replayed(app, copied))
    assert client.post("/logout").status_code == 302
    assert _refused(_replayed(app, copied))
    assert _refused(client)


def test_signing_out_ends_the_accounts_other_sessions(app, officials):
    desk, phone = app.test_client(), app.test_client()
    sign_in(desk, "bob", PASSWORDS["bob"])
    sign_in(phone, "bob", PASSWORDS["bob"])
    desk.post("/logout")
    assert _refused(phone)
    assert sign_in(phone, "bob", PASSWORDS["bob"]).status_code == 302  # signing in again works
    assert not _refused(phone)


def test_ending_the_accounts_sessions_or_disabling_it_refuses_its_cookies(app, client,
                                                                          officials):
    sign_in(client, "bob", PASSWORDS["bob"])
    copied = _session_cookie(client)
    end_sessions(officials["bob"])
    assert _refused(_replayed(app, copied)) and _refused(client)

    sign_in(client, "bob", PASSWORDS["bob"])
    copied = _session_cookie(client)
    AdminUser.update(active=False).where(AdminUser.id == officials["bob"].id).execute()
    assert _refused(_replayed(app, copied))
    AdminUser.update(active=True).where(AdminUser.id == officials["bob"].id).execute()
    assert not _refused(_replayed(app, copied))  # the version alone still matches


def test_a_session_without_the_accounts_version_is_refused(app, officials):
    """A cookie as sessions were before versions (only Flask-Login's keys)."""
    c = app.test_client()
    with c.session_transaction() as s:
        s["_user_id"] = str(officials["bob"].id)
        s["_fresh"] = True
    assert _refused(c)


def test_an_idle_session_ends_with_a_notice(app, client, officials, clock):
    idle = app.config["ADMIN_SESSION_IDLE_MINUTES"]
    sign_in(client, "bob", PASSWORDS["bob"])
    for _ in range(3):  # each request counts as activity
        clock(minutes=idle - 1)
        assert not _refused(client)
    clock(minutes=idle + 1)
    assert _refused(client)
    notice = ZH("You were signed out after %(minutes)d minutes without activity. "
                "Please sign in again.") % {"minutes": idle}
    assert notice in page_text(client.get("/login"))
    assert _refused(client)


def test_the_idle_time_is_a_setting(settings, officials, clock):
    app = create_app(Settings(**{**settings.__dict__, "admin_session_idle_minutes": 5}), CONFIG)
    client = app.test_client()
    sign_in(client, "bob", PASSWORDS["bob"])
    clock(minutes=4)
    assert not _refused(client)
    clock(minutes=6)
    assert _refused(client)


def test_the_admin_settings_are_checked():
    assert load_settings({}, env_file="/nonexistent").admin_cookie_secure == "auto"
    for env, name in [({"ADMIN_COOKIE_SECURE": "yes"}, "ADMIN_COOKIE_SECURE"),
                      ({"ADMIN_SESSION_IDLE_MINUTES": "0"}, "ADMIN_SESSION_IDLE_MINUTES"),
                      ({"ADMIN_TRUSTED_PROXIES": "-1"}, "ADMIN_TRUSTED_PROXIES")]:
        with pytest.raises(SettingsError, match=name):
            load_settings(env, env_file="/nonexistent")


# -- headers and cookies -----------------------------------------------------------------------

def _get_urls(app) -> list[str]:
    """A GET URL for every rule of the URL map (ids 1, words "x"; the record views with
    ``?id=1``): pages, downloads, charts, 404s for rows that do not exist."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {arg: 1 if type(rule._converters[arg]).__name__ == "IntegerConverter" else "x"
                  for arg in rule.arguments}
        if rule.endpoint.endswith("static"):
            values["filename"] = "wushe.css" if rule.endpoint == "static" else \
                "bootstrap/bootstrap4/css/bootstrap.min.css"
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        if rule.endpoint.rsplit(".", 1)[-1] in ("details_view", "edit_view"):
            url += "?id=1"
        urls.append(url)
    return urls


def _check_headers(response, url: str, https: bool = False) -> None:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp, url
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, url
    assert ("object-src 'none'" in csp) == (response.mimetype == "text/html"), url
    assert h.get("X-Frame-Options") == "DENY", url
    assert h.get("X-Content-Type-Options") == "nosniff", url
    assert h.get("Referrer-Policy") == "same-origin", url
    assert ("Strict-Transport-Security" in h) == https, url


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I), "an inline script"),
    (re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.I), "an inline stylesheet"),
    (re.compile(r"<[a-z][^>]*\sstyle=", re.I), "a style attribute"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I), "an event-handler attribute"),
]


def test_every_answer_of_the_url_map_carries_the_headers_and_no_inline_code(app, as_alice, world):
    checked = 0
    for url in _get_urls(app):
        for client in (app.test_client(), as_alice):  # signed out (sent to sign in) and in
            r = client.get(url)
            _check_headers(r, url)
            checked += 1
            if r.mimetype == "text/html":
                html = page_text(r)
                for pattern, what in INLINE:
                    found = pattern.search(html)
                    assert not found, f"{url} holds {what}: {found.group(0)[:120]}"
                nonce = re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"])[1]
                for tag_nonce in re.findall(r'nonce="([^"]*)"', html):
                    assert tag_nonce == nonce, url
    assert checked > 100


def test_error_pages_and_static_files_carry_the_headers(app, settings, officials):
    client = app.test_client()
    app.add_url_rule("/test-boom", "test_boom", lambda: 1 / 0)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    answers = {"/no/such/page": 404, "/logout": 405, "/test-boom": 500,
               "/static/wushe.js": 200, "/static/wushe.css": 200,
               "/admin/static/vendor/jquery.min.js": 200}
    for url, status in answers.items():
        r = client.get(url)
        assert r.status_code == status, url
        _check_headers(r, url)
    strict = create_app(settings, {**CONFIG, "WTF_CSRF_ENABLED": True}).test_client()
    r = strict.post("/login", data={"username": "bob", "password": "x"})
    assert r.status_code == 400
    _check_headers(r, "/login without a CSRF token")


def _cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def _signed_in_cookie(app, **kwargs) -> tuple[str, object]:
    r = app.test_client().post("/login", data={"username": "bob", "password": PASSWORDS["bob"]},
                               **kwargs)
    assert r.status_code == 302
    return _cookie(r), r


def _app(settings, **changes):
    return create_app(Settings(**{**settings.__dict__, **changes}), CONFIG)


def test_the_session_cookie_is_secure_whenever_the_admin_is_reached_over_https(settings,
                                                                             officials):
    app = _app(settings)  # ADMIN_COOKIE_SECURE=auto
    cookie, r = _signed_in_cookie(app)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    _check_headers(r, "http")
    cookie, r = _signed_in_cookie(app, base_url="https://admin.example")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    _check_headers(r, "https", https=True)

    assert "Secure" in _signed_in_cookie(_app(settings, admin_cookie_secure="on"))[0]
    off = _app(settings, admin_cookie_secure="off")
    assert "Secure" not in _signed_in_cookie(off, base_url="https://admin.example")[0]


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "admin.example",
             "X-Forwarded-For": "203.0.113.7"}


def test_behind_a_trusted_proxy_https_and_the_client_address_come_from_it(settings, officials):
    app = _app(settings, admin_trusted_proxies=1)
    cookie, r = _signed_in_cookie(app, headers=FORWARDED)
    assert "Secure" in cookie
    _check_headers(r, "through the proxy", https=True)
    assert AuditLog.get(AuditLog.action == "login").actor == "ip:203.0.113.7"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(settings, officials):
    app = _app(settings)  # ADMIN_TRUSTED_PROXIES=0
    cookie, r = _signed_in_cookie(app, headers=FORWARDED)
    assert "Secure" not in cookie
    _check_headers(r, "forged forwarding")
    assert AuditLog.get(AuditLog.action == "login").actor == "ip:127.0.0.1"


def test_a_session_opened_by_the_test_kit_is_a_real_one(app, officials):
    """tests/adminkit.py's ``signed_in`` opens sessions as the sign-in does (the version
    included), so the other admin tests exercise the same checks."""
    c = signed_in(app, officials["bob"])
    assert not _refused(c)
    end_sessions(officials["bob"])
    assert _refused(c)

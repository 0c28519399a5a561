"""The admin app itself (factory, settings, language, database per request, sign-in), and the
fixtures the other admin tests import: ``app``, ``client``, and a signed-in client per persona.

Personas: alice is the city admin of 雅安市; bob a county official of 雨城区 (511802); carol
a viewer of 名山区 (511803). ``world`` adds a worker and a report (with a photo) in each of
the two counties: bob's side and carol's side.
"""
from __future__ import annotations

from models.core.i18n import translator

ZH = translator("zh_Hans").gettext  # the admin speaks Chinese unless asked otherwise

import datetime as dt
from types import SimpleNamespace

import jinja2
import pytest
from werkzeug.security import generate_password_hash

from admin import create_app
from models.core.db import database
from models.reports.filing import store_photo
from models.core.schema import AdminUser, OrgUnit, Photo
from models.core.settings import Settings, SettingsError
from tests import factories as f

PASSWORDS = {"alice": "alice-secret-pw", "bob": "bob-secret-pw", "carol": "carol-secret-pw"}
PERSONAS = {"alice": ("city_admin", "5118"), "bob": ("county_official", "511802"),
            "carol": ("viewer", "511803")}
# A cheap hash for fixtures (the real default, scrypt, is tested once in the account tests).
_HASHES = {name: generate_password_hash(pw, method="pbkdf2:sha256:1000")
           for name, pw in PASSWORDS.items()}
JPEG = b"\xff\xd8\xff\xe0" + b"wushe-test-photo" + b"\xff\xd9"
CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": False, "WUSHE_BIND_DATABASE": False}


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by the apps of a test session: each test builds a fresh app,
    and compiling Flask-Admin's templates again every time would cost ~0.2 s per test."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _CompiledTemplates()


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(database_url=db_url, admin_secret_key="test-secret-key-for-sessions",
                    media_dir=str(tmp_path / "media"), bot_username="wushe_test_bot")


@pytest.fixture
def app(settings):
    app = create_app(settings, CONFIG)
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def officials(app) -> dict[str, AdminUser]:
    out = {}
    for name, (role, code) in PERSONAS.items():
        out[name] = AdminUser.create(username=name, display_name=name.title(), role=role,
                                     password_hash=_HASHES[name],
                                     org_unit=OrgUnit.get(OrgUnit.code == code))
    return out


def signed_in(app, user: AdminUser):
    """A client with ``user``'s session, as Flask-Login leaves it after signing in."""
    c = app.test_client()
    with c.session_transaction() as s:
        s["_user_id"] = str(user.id)
        s["_fresh"] = True
    return c


@pytest.fixture
def as_alice(app, officials):
    return signed_in(app, officials["alice"])


@pytest.fixture
def as_bob(app, officials):
    return signed_in(app, officials["bob"])


@pytest.fixture
def as_carol(app, officials):
    return signed_in(app, officials["carol"])


@pytest.fixture
def world(app, settings):
    """A worker, a report and a photo in 雨城区 (bob's) and in 名山区 (carol's)."""
    wang = f.worker("wang", place=f.community("511802"))
    li = f.worker("li", place=f.community("511803"))
    li.language = "en"
    li.save()
    yucheng = f.report("activity", by=wang, date=dt.date(2026, 11, 20))
    mingshan = f.report("xinfeng", by=li, date=dt.date(2026, 11, 18))
    photos = {}
    for r, data in ((yucheng, JPEG), (mingshan, JPEG + b"2")):
        p = store_photo(settings.media_dir, data, draft_uid=r.uid, field="photos")
        Photo.update(report=r).where(Photo.id == p.id).execute()
        photos[r.id] = p
    return SimpleNamespace(wang=wang, li=li, yucheng=yucheng, mingshan=mingshan,
                           yucheng_photo=photos[yucheng.id], mingshan_photo=photos[mingshan.id])


def page_text(response) -> str:
    return response.get_data(as_text=True)


# -- the factory ---------------------------------------------------------------------------

def test_it_refuses_to_start_without_a_session_secret(db_url):
    with pytest.raises(SettingsError, match="ADMIN_SECRET_KEY"):
        create_app(Settings(database_url=db_url), {"WUSHE_BIND_DATABASE": False})


def test_it_starts_without_a_secret_only_when_testing(db_url):
    app = create_app(Settings(database_url=db_url), CONFIG)
    assert len(app.secret_key) >= 32


def test_it_sends_anonymous_visitors_to_the_sign_in_page(client):
    r = client.get("/")
    assert r.status_code == 302
    r = client.get("/admin/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/admin/")


def test_it_speaks_chinese_by_default_and_english_after_the_switch(as_bob, world):
    r = as_bob.get("/admin/reports/")
    assert r.status_code == 200
    assert "列表" in page_text(r) and "导出" in page_text(r)  # Flask-Admin's own zh_CN strings
    r = as_bob.get("/lang/en?next=/admin/reports/")
    assert r.status_code == 302 and r.headers["Location"] == "/admin/reports/"
    text = page_text(as_bob.get("/admin/reports/"))
    assert "列表" not in text and "List" in text and "Export" in text
    as_bob.get("/lang/zh_Hans")
    assert "列表" in page_text(as_bob.get("/admin/reports/"))


def test_it_follows_the_officials_own_language_when_none_was_chosen(app, officials):
    officials["bob"].language = "en"
    officials["bob"].save()
    assert "List" in page_text(signed_in(app, officials["bob"]).get("/admin/reports/"))


def test_the_language_switch_never_redirects_off_site(client):
    r = client.get("/lang/en?next=https://evil.example/")
    assert r.headers["Location"] == "/admin/"
    r = client.get("/lang/en?next=//evil.example/")
    assert r.headers["Location"] == "/admin/"


def test_it_closes_the_connection_it_opened_for_a_request(as_bob, world):
    database.close()
    assert as_bob.get("/admin/reports/").status_code == 200
    assert database.is_closed()


def test_it_leaves_open_a_connection_the_caller_holds(as_bob, world):
    database.connect(reuse_if_open=True)
    assert as_bob.get("/admin/reports/").status_code == 200
    assert not database.is_closed()


def test_unknown_pages_get_the_friendly_404(as_bob):
    r = as_bob.get("/admin/reports/details/?id=999999")
    assert r.status_code == 404 and "404" in page_text(r)


def test_an_unexpected_error_is_logged_with_its_context_and_shown_kindly(
        settings, officials, monkeypatch, caplog):
    import admin.reports

    def broken():
        raise RuntimeError("the kinds table is gone")

    monkeypatch.setattr(admin.reports, "kind_defs", broken)
    app = create_app(settings, {**CONFIG, "PROPAGATE_EXCEPTIONS": False})
    r = signed_in(app, officials["bob"]).get("/admin/reports/")
    assert r.status_code == 500 and ZH("Something went wrong on our side. It has been logged; please try again.") in page_text(r)
    assert "the kinds table is gone" not in page_text(r)
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "wushe.admin"]
    assert any("/admin/reports/" in m and "the kinds table is gone" in m for m in logged)

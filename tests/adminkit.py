"""The admin app for tests: ``app`` and ``client`` over the test's database, the officials
(alice, bob, carol: see tests/conftest.py) and a signed-in client for each, and ``world``, a
worker, a report and a photo on each side of the county line. Areas whose tests open admin
pages (tests/admin, tests/plans) take these fixtures in their conftest.py."""
from __future__ import annotations

from models.core.i18n import translator

ZH = translator("zh_Hans").gettext  # the admin speaks Chinese unless asked otherwise

import datetime as dt
import re
from types import SimpleNamespace

import jinja2
import pytest
from werkzeug.security import generate_password_hash

import admin.auth
from admin import create_app
from admin.auth import session_entries
from models.core.db import database
from models.reports.filing import store_photo
from models.core.schema import AdminUser, AuditLog, OrgUnit, Photo
from models.core.settings import Settings
from tests import factories as f
from tests.images import jpeg

PASSWORDS = {"alice": "alice-secret-pw", "bob": "bob-secret-pw", "carol": "carol-secret-pw"}
PERSONAS = {"alice": ("city_admin", "5118"), "bob": ("county_official", "511802"),
            "carol": ("viewer", "511803")}
# A cheap hash for fixtures (the real default, scrypt, is tested once in the account tests).
_HASHES = {name: generate_password_hash(pw, method="pbkdf2:sha256:1000")
           for name, pw in PASSWORDS.items()}
JPEG = jpeg()  # a real (tiny) photo: only a picture is stored
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
        s.update(session_entries(user))
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
    for r, data in ((yucheng, JPEG), (mingshan, jpeg(2))):
        p = store_photo(settings.media_dir, data, draft_uid=r.uid, field="photos")
        Photo.update(report=r).where(Photo.id == p.id).execute()
        photos[r.id] = p
    return SimpleNamespace(wang=wang, li=li, yucheng=yucheng, mingshan=mingshan,
                           yucheng_photo=photos[yucheng.id], mingshan_photo=photos[mingshan.id])


def page_text(response) -> str:
    return response.get_data(as_text=True)


def visible_text(response) -> str:
    """What a reader sees: the page without its tags, so a random CSRF token or CSP nonce
    ("…GJLiw0c…") cannot pass for a name that must not be shown."""
    return re.sub(r"<[^>]*>", " ", page_text(response))


def audit_rows(entity, entity_id=None, action=None) -> list[AuditLog]:
    """The audit entries about one kind of row (one row, one action), oldest first."""
    q = AuditLog.select().where(AuditLog.entity == entity)
    if entity_id is not None:
        q = q.where(AuditLog.entity_id == str(entity_id))
    if action:
        q = q.where(AuditLog.action == action)
    return list(q.order_by(AuditLog.id))


@pytest.fixture
def clock(monkeypatch):
    """The admin's clock (sign-in throttle and idle sessions), which the test moves."""
    state = {"now": dt.datetime(2026, 11, 23, 8, 0, 0)}
    monkeypatch.setattr(admin.auth, "now", lambda: state["now"])

    def advance(**delta):
        state["now"] += dt.timedelta(**delta)
    return advance

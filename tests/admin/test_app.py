"""The admin app itself: the factory, settings, language, the database per request, errors
and sign-in. Its fixtures are in tests/adminkit.py."""
from __future__ import annotations

import peewee
import pytest

from admin import create_app
from models.core.db import database
from models.core.settings import Settings, SettingsError
from tests.adminkit import CONFIG, ZH, page_text, signed_in

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


def test_it_gives_back_the_connection_it_opened_for_a_request(as_bob, world):
    """PostgreSQL: closed (to the pool when the app made one); SQLite: kept open for the
    thread's next request, as the bot keeps its own, outside any transaction."""
    database.close()
    assert as_bob.get("/admin/reports/").status_code == 200
    if isinstance(database.obj, peewee.SqliteDatabase):
        assert not database.is_closed()
        assert not database.connection().in_transaction
    else:
        assert database.is_closed()


def test_a_kept_sqlite_connection_never_keeps_a_transaction(app, as_bob, world):
    if not isinstance(database.obj, peewee.SqliteDatabase):
        pytest.skip("PostgreSQL connections are closed after each request (the test above)")
    database.close()
    assert as_bob.get("/admin/reports/").status_code == 200  # the thread's connection kept
    with app.test_request_context("/admin/reports/"):
        app.preprocess_request()
        database.execute_sql("BEGIN")  # a request that left one open, whatever the reason
        assert database.connection().in_transaction
        app.do_teardown_request()
    assert not database.is_closed()
    assert not database.connection().in_transaction


def test_it_leaves_open_a_connection_the_caller_holds(as_bob, world):
    database.connect(reuse_if_open=True)
    assert as_bob.get("/admin/reports/").status_code == 200
    assert not database.is_closed()


def test_unknown_pages_get_the_friendly_404(as_bob):
    r = as_bob.get("/admin/reports/details/?id=999999")
    assert r.status_code == 404 and "404" in page_text(r)


def test_an_unexpected_error_is_logged_with_its_context_and_shown_kindly(
        settings, officials, monkeypatch, caplog):
    import admin.views.reports

    def broken():
        raise RuntimeError("the kinds table is gone")

    monkeypatch.setattr(admin.views.reports, "kind_defs", broken)
    app = create_app(settings, {**CONFIG, "PROPAGATE_EXCEPTIONS": False})
    r = signed_in(app, officials["bob"]).get("/admin/reports/")
    assert r.status_code == 500 and ZH("Something went wrong on our side. It has been logged; please try again.") in page_text(r)
    assert "the kinds table is gone" not in page_text(r)
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "wushe.admin"]
    assert any("/admin/reports/" in m and "the kinds table is gone" in m for m in logged)

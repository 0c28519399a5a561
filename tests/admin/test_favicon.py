"""The favicon: served at /favicon.ico (browsers ask there whatever a page says) without a
sign-in or a database, and linked from the admin's pages."""
from __future__ import annotations

import pytest

from admin import create_app
from models.core.settings import Settings


@pytest.fixture
def client(db_url, tmp_path):
    settings = Settings(database_url=db_url, admin_secret_key="test-secret-key-for-sessions",
                        media_dir=str(tmp_path / "media"))
    return create_app(settings, {"TESTING": True, "WUSHE_BIND_DATABASE": False}).test_client()


def test_the_favicon_is_served_and_linked(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert r.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.ico"' in page
    assert client.get("/static/favicon.ico").status_code == 200

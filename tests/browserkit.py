"""The admin in a real browser: Debian's Chromium, driven by Playwright, against the app served
from a thread over a demo database (``site``, one per test module), and ``sign_in``.

Needs /usr/bin/chromium (``apt-get install chromium fonts-noto-cjk``; never a downloaded
browser build). Without it the tests skip, except in CI (``CI`` set), where they fail.
"""
from __future__ import annotations

import os
import re
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from models.core.db import database
from models.demo import build_demo


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests "
                    "(apt-get install chromium fonts-noto-cjk)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The admin app on 127.0.0.1:<free port>, over a fresh demo database (SQLite)."""
    _require_chromium()
    from werkzeug.serving import make_server

    from admin import create_app
    from admin.auth import create_user
    from models.core.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.sqlite3'}"
    info = build_demo(url, scale=0.3, create_user=create_user)
    app = create_app(Settings(database_url=url, admin_secret_key=secrets.token_hex(32)))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield SimpleNamespace(base=f"http://127.0.0.1:{server.server_port}", url=url,
                              logins={x["username"]: x["password"] for x in info["logins"]})
    finally:
        server.shutdown()
        thread.join(timeout=10)
        database.close()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()


@contextmanager
def opened_page(browser, width: int = 1600, height: int = 1000):
    """A page in a fresh context (its own cookies) of ``width`` × ``height``, Chinese."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with opened_page(browser) as pg:
        yield pg


def sign_in(page, site, username: str, *, landing: bool = False) -> None:
    """Sign in and open the dashboard; ``landing``: stay where the account lands (a
    reviewer's queue, another account's dashboard)."""
    page.goto(f"{site.base}/login" + ("" if landing else "?next=/admin/"))
    page.fill("#username", username)
    page.fill("#password", site.logins[username])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/.*"))

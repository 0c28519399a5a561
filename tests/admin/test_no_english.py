"""Not one English word or internal code in the Chinese admin: every role signs in, visits
every GET page of the app's URL map (lists, details and edit forms with a real row of its
scope, the dashboard, digests, linkage, plans, places, the audit log with a row of every
action, groups, deliveries, imports, accounts …) on the demo data, in Chinese, and the page's
visible text holds no Latin-letter word but a short allow-list (CSV, XLSX, PDF, ID, Telegram,
Excel …). The pages are read through Flask's test client: every rule, every role, in seconds.
"""
from __future__ import annotations

import html
import re
import secrets
from types import SimpleNamespace

import pytest

from admin import create_app
from admin.auth import create_user, session_entries
from admin.labels import AUDIT_ACTIONS, AUDIT_ENTITIES
from models import applications as chain
from models.core import schema
from models.core.db import database
from models.core.schema import AdminUser, AuditLog, Group, Report, audit
from models.core.settings import Settings
from models.demo import build_demo
from models.org import access
from tests.adminkit import CONFIG

# Words a Chinese page may show: file formats, the platform and its product names, the
# language switch's own name for English, and the ID of 身份证号/ID.
ALLOWED = {"CSV", "XLSX", "PDF", "PNG", "ID", "Telegram", "Excel", "English", "WPS",
           "OpenStreetMap", "UTF", "GBK"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’_-]*[A-Za-z]|[A-Za-z]")
# What a reader does not see: scripts, styles, tags, and the value of a hidden input.
HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>"
                    r"|<div[^>]*\bclass=\"d-none\"[^>]*>[^<]*</div>", re.S | re.I)
TAG = re.compile(r"<[^>]*>")
# Pages that answer a file, not a page (their text is checked by the download tests).
FILES = ("export", "pdf_view", "photo_view", "chart", "png", "xlsx", "download", "national",
         "example", "sample")


# Chinese written with a Latin letter: a grade ("4A级") and an ID number's check digit.
CHINESE_USES = re.compile(r"\d[A-Z]级|\b[0-9*]{14,17}[0-9X]\b")


def visible_words(body: str) -> list[str]:
    """The Latin-letter words of a page's visible text (entities decoded)."""
    text = CHINESE_USES.sub(" ", html.unescape(TAG.sub(" ", HIDDEN.sub(" ", body))))
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def english_words(body: str, allowed=()) -> list[str]:
    return sorted(set(visible_words(body)) - set(allowed))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo database (every role's login) plus one audit row of every action and a
    viewer's account; the app over it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('scan') / 'demo.sqlite3'}"
    info = build_demo(url, scale=0.2, create_user=create_user)
    app = create_app(Settings(database_url=url, admin_secret_key=secrets.token_hex(32)),
                     {**CONFIG, "WUSHE_BIND_DATABASE": True})
    with database.connection_context():
        create_user("kanban", "viewer-secret-pw", role="viewer", org_code="511802",
                    display_name="演示·只读", actor="demo")
        report = Report.select().first()
        for action in AUDIT_ACTIONS:
            for entity in ("report", "application", "group", "admin_user"):
                audit("admin:yucheng", action, entity, str(report.id),
                      before={"status": "submitted", "active": True, "language": "en"},
                      after={"status": "approved", "active": False, "language": "zh_Hans",
                             "reject_reason": "照片看不清"})
        for entity in AUDIT_ENTITIES:
            audit("tg:7000000001", "update", entity, "1", before={"level": "county"},
                  after={"level": "city"})
        audit("load:yaan.toml", "load", "load", "yaan.toml", after={"created": {"x": ["y"]}})
        audit("admin:demo", "send", "digest", "5118:2026Q3", after={"period": "2026Q3"})
        audit("ip:127.0.0.1", "login_throttled", "admin_user", "demo")
        users = {u.username: u for u in AdminUser.select()}
        # what people typed: the accounts' usernames (signing in) and the groups' titles
        data = set(users) | {w for g in Group.select() for w in WORD.findall(g.title or "")}
    yield SimpleNamespace(app=app, users=users, data=data, logins=info["logins"])
    database.close()


def _client(app, user):
    c = app.test_client()
    with c.session_transaction() as s:
        s.update(session_entries(user))
    return c


def _first(model, user):
    """A row of ``model`` in ``user``'s scope (an application that reached its level)."""
    if model is schema.Application:
        return chain.visible(user).first()
    if model is AuditLog:
        return access.scoped(AuditLog.select(), AuditLog, user).order_by(AuditLog.id.desc()).first()
    try:
        return access.scoped(model.select(), model, user).first()
    except TypeError:
        return model.select().first()


ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _urls(app, user) -> list[str]:
    """Every GET page of the URL map for ``user``: a record view with a row of its scope; a
    rule with an argument other than a record's id is left to its own tests."""
    views = {v.endpoint: v for v in app.extensions["admin"][0]._views}
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in ("static", "admin.static", "lang.switch",
                                                          "auth.logout", "health.healthz"):
            continue
        name = rule.endpoint.rsplit(".", 1)[-1]
        if any(word in name or word in rule.rule for word in FILES):
            continue
        view = views.get(rule.endpoint.split(".")[0])
        model = getattr(view, "model", None)
        args = ARGUMENT.findall(rule.rule)
        names = [a for _c, a in args]
        build = app.url_map.bind("localhost").build
        if names and names != ["id"]:
            continue  # a photo, a period, a format: checked by their own tests
        if names or name in ("details_view", "edit_view"):
            row = _first(model, user) if model is not None else None
            if row is None:
                continue
            urls.append(build(rule.endpoint, {"id": row.id}) if names
                        else build(rule.endpoint) + f"?id={row.id}")
        else:
            urls.append(build(rule.endpoint))
    return urls


def _extra(user) -> list[str]:
    """Pages behind a tab or a filter: the applications' history, every audit row of the
    city's log (one of each action), the second page of the lists."""
    out = ["/admin/applications/?show=all", "/admin/reports/?page=1"]
    if user.role == "city_admin":
        seen = set()
        for row in AuditLog.select().order_by(AuditLog.id):
            if (row.action, row.entity) not in seen:
                seen.add((row.action, row.entity))
                out.append(f"/admin/audit/details/?id={row.id}")
        out += [f"/admin/audit/?page={n}" for n in range(0, 6)]
    return out


ROLES = ["demo", "yucheng", "jiedao", "juwei", "shengting", "kanban"]


@pytest.mark.parametrize("username", ROLES)
def test_no_english_word_on_any_page_in_chinese(demo, username):
    found, pages = {}, 0
    with demo.app.app_context(), database.connection_context():
        user = AdminUser.get(AdminUser.username == username)
        client = _client(demo.app, user)
        urls = _urls(demo.app, user) + _extra(user)
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, f"{url} answered {r.status_code}"
        if r.status_code != 200 or not r.mimetype == "text/html":
            continue
        pages += 1
        # the accounts' usernames are what officials type to sign in: data, not wording
        words = english_words(r.get_data(as_text=True), demo.data)
        if words:
            found[url] = words
    assert pages > 15, f"only {pages} pages were read"
    report = "\n".join(f"{url}: {' '.join(words[:25])}" for url, words in found.items())
    assert not found, f"English or codes on {len(found)} pages as {username}:\n{report}"


def test_the_scan_sees_an_english_word():
    """The check itself: a label left in English, a code in a cell, an entity; not the words
    of a script or a tag's attributes."""
    assert english_words("<td>approved</td><td>通过</td>") == ["approved"]
    assert english_words("<p>Name En：雅安</p>") == ["En", "Name"]
    assert english_words('<script>var a = "report";</script><a href="/x?y=z" title="t">导出 CSV</a>'
                         '<div id="filter-groups-data" class="d-none">{"arg": 1}</div>') == []
    assert english_words("<p>zh_Hans</p>") == ["zh_Hans"]
    assert english_words("<p>4A级及以上 · 51180219900101123X · 2026Q3</p>") == ["Q"]

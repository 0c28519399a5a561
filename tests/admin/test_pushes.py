"""The admin's side of the pushes: Telegram groups bound to places in the official's area,
the deliveries to them (failures shown and retried), and the quarterly / half-year digests
(pages, PDF, "Send to groups").

Personas as in tests/conftest.py: alice is the city admin of 雅安市, bob a county
official of 雨城区 (511802), carol a viewer of 名山区 (511803).
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
from types import SimpleNamespace
from urllib.parse import quote

import pypdfium2 as pdfium
import pytest
from PIL import Image

from admin import create_app
from admin.views.digests import NOT_A_DIGEST_PERIOD, last_finished_quarter, recent_periods
from models.pushes import deliveries as pushes
from models.core.i18n import translator
from models.core.schema import AuditLog, Delivery, Group, OrgUnit, Outbox, Plan
from tests import factories as f
from tests.adminkit import CONFIG, audit_rows, page_text, signed_in

ZH = translator("zh_Hans").gettext  # the admin speaks Chinese unless asked otherwise
AFTER_W47 = dt.datetime(2026, 11, 24, 2, 0)  # Tuesday 10:00 in Shanghai, as naive UTC
PNG = b"\x89PNG\r\n\x1a\n"


def text_of(response) -> str:
    return html.unescape(page_text(response))


def _tracked(chat_id: int, title: str, unit: OrgUnit | None = None) -> Group:
    """A group the bot was added to, bound to ``unit`` if given (as the bot leaves it)."""
    group = pushes.track_group(chat_id, title)
    if unit is not None:
        group = pushes.bind_group(chat_id, unit, actor="telegram:1")
    return Group.get_by_id(group.id)


@pytest.fixture
def groups(world):
    """Two groups in bob's county (a community's and the county's), one in carol's, and one
    the bot was just added to, bound nowhere yet."""
    return SimpleNamespace(
        heping=_tracked(-100101, "和平社区工作群", f.community("511802")),
        yucheng=_tracked(-100102, "雨城区五社联动", f.county("511802")),
        mingshan=_tracked(-100201, "名山区五社联动", f.county("511803")),
        new=_tracked(-100301, "新建的群"),
    )


def _fail(delivery: Delivery, error: str, seq: int = 0) -> None:
    """What the bot leaves after giving up on a message: the row failed, the delivery
    settled."""
    (Outbox.update(status="failed", attempts=5, last_error=error)
     .where(Outbox.delivery == delivery, Outbox.seq == seq).execute())
    (Outbox.update(status="sent", attempts=1, sent_at=AFTER_W47)
     .where(Outbox.delivery == delivery, Outbox.seq != seq).execute())
    pushes.settle(delivery.id)


@pytest.fixture
def deliveries(groups):
    """Last week's summary queued for three groups: bob's community group got it, bob's
    county group and carol's group did not."""
    made = pushes.enqueue("weekly", "2026-W47", now=AFTER_W47,
                          groups=[groups.heping, groups.yucheng, groups.mingshan])
    by_group = {d.group_id: d for d in made}
    heping, yucheng, mingshan = (by_group[g.id] for g in
                                 (groups.heping, groups.yucheng, groups.mingshan))
    Outbox.update(status="sent", attempts=1, sent_at=AFTER_W47).where(
        Outbox.delivery == heping).execute()
    pushes.settle(heping.id)
    _fail(yucheng, "Bad Gateway", seq=1)
    _fail(mingshan, "Forbidden: bot was kicked from the group chat")
    return SimpleNamespace(heping=Delivery.get_by_id(heping.id),
                           yucheng=Delivery.get_by_id(yucheng.id),
                           mingshan=Delivery.get_by_id(mingshan.id))


# -- who sees what ----------------------------------------------------------------------------

PROTECTED = [
    ("GET", "/admin/groups/"),
    ("GET", "/admin/groups/details/?id={group}"),
    ("POST", "/admin/groups/bind/{group}"),
    ("POST", "/admin/groups/language/{group}"),
    ("POST", "/admin/groups/flag/{group}/weekly"),
    ("POST", "/admin/groups/deactivate/{group}"),
    ("POST", "/admin/groups/reactivate/{group}"),
    ("GET", "/admin/deliveries/"),
    ("POST", "/admin/deliveries/retry/{delivery}"),
    ("GET", "/admin/digests/"),
    ("GET", "/admin/digests/page/1.png?period=2026Q3"),
    ("GET", "/admin/digests/digest.pdf?period=2026Q3"),
    ("POST", "/admin/digests/send"),
]


@pytest.mark.parametrize("method,url", PROTECTED)
def test_it_sends_anonymous_visitors_to_sign_in(app, method, url):
    r = app.test_client().open(url.format(group=1, delivery=1), method=method)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")


WRITES = [u for m, u in PROTECTED if m == "POST" and "digests" not in u]


@pytest.mark.parametrize("url", WRITES + ["/admin/digests/send"])
def test_a_viewer_cannot_change_anything(as_carol, groups, deliveries, url):
    r = as_carol.post(url.format(group=groups.mingshan.id, delivery=deliveries.mingshan.id),
                      data={"bind-place": "511803", "lang-language": "en",
                            "off-reason": "test", "period": "2026Q3"})
    assert r.status_code == 403
    assert Group.get_by_id(groups.mingshan.id).language == "zh_Hans"
    assert Group.get_by_id(groups.mingshan.id).active
    assert Delivery.get_by_id(deliveries.mingshan.id).status == "failed"
    assert not Delivery.select().where(Delivery.kind == "quarterly").exists()
    assert not AuditLog.select().where(AuditLog.actor == "admin:carol").exists()


def test_a_viewer_reads_the_groups_of_their_county_without_forms(as_carol, groups):
    text = text_of(as_carol.get("/admin/groups/"))
    assert groups.mingshan.title in text and groups.heping.title not in text
    details = text_of(as_carol.get(f"/admin/groups/details/?id={groups.mingshan.id}"))
    assert str(groups.mingshan.chat_id) in details
    assert "bind-form" not in details and "deactivate-form" not in details


@pytest.mark.parametrize("page", ["groups", "deliveries"])
@pytest.mark.parametrize("id", ["not-a-number", "999999"])
def test_a_group_or_delivery_page_that_is_no_row_is_not_found(as_bob, groups, page, id):
    assert as_bob.get(f"/admin/{page}/details/?id={id}").status_code == 404

def test_a_county_official_sees_only_the_groups_bound_in_the_county(as_bob, groups):
    text = text_of(as_bob.get("/admin/groups/"))
    assert groups.heping.title in text and groups.yucheng.title in text
    assert groups.mingshan.title not in text and groups.new.title not in text
    for other in (groups.mingshan, groups.new):
        assert as_bob.get(f"/admin/groups/details/?id={other.id}").status_code == 404
        assert as_bob.post(f"/admin/groups/bind/{other.id}",
                           data={"bind-place": f.community("511802").code}).status_code == 404
        assert as_bob.post(f"/admin/groups/flag/{other.id}/weekly").status_code == 404
    assert Group.get_by_id(groups.new.id).org_unit_id is None
    assert "weekly" in pushes.subscriptions(Group.get_by_id(groups.mingshan.id))


def test_the_city_admin_sees_every_group_and_the_unbound_ones(as_alice, groups):
    text = text_of(as_alice.get("/admin/groups/"))
    for group in vars(groups).values():
        assert group.title in text
    assert ZH("Not bound") in text


# -- binding and settings ---------------------------------------------------------------------

def test_a_county_official_binds_a_group_to_a_place_in_the_county(as_bob, groups):
    place = f.community("511802", index=3)
    page = text_of(as_bob.get(f"/admin/groups/details/?id={groups.heping.id}"))
    assert place.name in page and f.community("511803").name not in page  # the place select
    r = as_bob.post(f"/admin/groups/bind/{groups.heping.id}", data={"bind-place": place.code})
    assert r.status_code == 302
    group = Group.get_by_id(groups.heping.id)
    assert group.org_unit_id == place.id and group.bound_by == "admin:bob"
    [entry] = audit_rows("group", groups.heping.chat_id, "bind")[-1:]
    assert entry.actor == "admin:bob"
    assert entry.before["org_unit"] == f.community("511802").id
    assert entry.after["org_unit"] == place.id
    assert place.name in text_of(as_bob.get(r.headers["Location"]))


def test_binding_chooses_the_groups_plan(as_bob, groups):
    plan = Plan.get(Plan.is_default == True)  # noqa: E712
    url = f"/admin/groups/bind/{groups.heping.id}"
    place = f.community("511802").code
    as_bob.post(url, data={"bind-place": place, "bind-plan": plan.code})
    assert Group.get_by_id(groups.heping.id).plan_id == plan.id
    as_bob.post(url, data={"bind-place": place, "bind-plan": ""})  # the default, whichever it is
    assert Group.get_by_id(groups.heping.id).plan_id is None
    assert audit_rows("group", groups.heping.chat_id, "update")[-1].before == {"plan": plan.id}
    r = as_bob.post(url, data={"bind-place": place, "bind-plan": "no-such-plan"})
    assert r.status_code == 400


def test_a_group_cannot_be_bound_to_a_place_outside_the_scope(as_bob, groups):
    before = len(audit_rows("group"))
    for code in (f.community("511803").code, "511803", "5118", "no-such-place"):
        r = as_bob.post(f"/admin/groups/bind/{groups.heping.id}", data={"bind-place": code})
        assert r.status_code == 400
        assert ZH("Choose a place in your area.") in text_of(r)
    assert Group.get_by_id(groups.heping.id).org_unit_id == f.community("511802").id
    assert len(audit_rows("group")) == before


def test_the_city_admin_binds_a_new_group_and_the_county_then_sees_it(as_alice, as_carol,
                                                                      groups):
    r = as_alice.post(f"/admin/groups/bind/{groups.new.id}", data={"bind-place": "511803"})
    assert r.status_code == 302
    assert Group.get_by_id(groups.new.id).org_unit.code == "511803"
    assert audit_rows("group", groups.new.chat_id, "bind")[-1].actor == "admin:alice"
    assert groups.new.title in text_of(as_carol.get("/admin/groups/"))


def test_an_official_changes_a_groups_language(as_bob, groups):
    r = as_bob.post(f"/admin/groups/language/{groups.heping.id}", data={"lang-language": "en"})
    assert r.status_code == 302
    assert Group.get_by_id(groups.heping.id).language == "en"
    [entry] = audit_rows("group", groups.heping.chat_id, "language")
    assert entry.actor == "admin:bob"
    assert entry.before == {"language": "zh_Hans"} and entry.after == {"language": "en"}
    r = as_bob.post(f"/admin/groups/language/{groups.heping.id}", data={"lang-language": "fr"})
    assert r.status_code == 400 and Group.get_by_id(groups.heping.id).language == "en"


def test_an_official_turns_the_weekly_summary_off_and_on(as_bob, groups):
    as_bob.post(f"/admin/groups/flag/{groups.heping.id}/weekly")
    group = Group.get_by_id(groups.heping.id)
    assert pushes.subscriptions(group) == {"quarterly", "half"}
    queued = {d.group_id for d in pushes.enqueue("weekly", "2026-W46", now=AFTER_W47)}
    assert groups.yucheng.id in queued and group.id not in queued
    as_bob.post(f"/admin/groups/flag/{groups.heping.id}/weekly")
    assert "weekly" in pushes.subscriptions(Group.get_by_id(groups.heping.id))
    changes = [(e.before, e.after) for e in audit_rows("group", groups.heping.chat_id, "update")]
    assert changes == [({"weekly": True}, {"weekly": False}), ({"weekly": False}, {"weekly": True})]
    assert as_bob.post(f"/admin/groups/flag/{groups.heping.id}/active").status_code == 404


def test_an_official_deactivates_a_group_with_a_reason_and_reactivates_it(as_bob, groups):
    url = f"/admin/groups/deactivate/{groups.yucheng.id}"
    r = as_bob.post(url, data={"off-reason": "  "})
    assert r.status_code == 400 and Group.get_by_id(groups.yucheng.id).active
    r = as_bob.post(url, data={"off-reason": "群已解散"})
    assert r.status_code == 302
    group = Group.get_by_id(groups.yucheng.id)
    assert not group.active and group.inactive_reason == "群已解散"
    assert "群已解散" in text_of(as_bob.get("/admin/groups/"))
    as_bob.post(f"/admin/groups/reactivate/{groups.yucheng.id}")
    group = Group.get_by_id(groups.yucheng.id)
    assert group.active and group.inactive_reason is None
    actions = [(e.action, e.actor) for e in audit_rows("group", groups.yucheng.chat_id)
               if e.actor == "admin:bob"]
    assert actions == [("deactivate", "admin:bob"), ("activate", "admin:bob")]


def test_a_form_without_the_csrf_token_is_refused(settings, officials, groups):
    app = create_app(settings, {**CONFIG, "WTF_CSRF_ENABLED": True})
    bob = signed_in(app, officials["bob"])
    r = bob.post(f"/admin/groups/language/{groups.heping.id}", data={"lang-language": "en"})
    assert r.status_code == 400
    assert Group.get_by_id(groups.heping.id).language == "zh_Hans"
    page = page_text(bob.get(f"/admin/groups/details/?id={groups.heping.id}"))
    token = re.search(r'name="lang-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = bob.post(f"/admin/groups/language/{groups.heping.id}",
                 data={"lang-language": "en", "lang-csrf_token": token})
    assert r.status_code == 302 and Group.get_by_id(groups.heping.id).language == "en"


# -- deliveries -------------------------------------------------------------------------------

def test_a_county_official_sees_which_groups_did_not_get_their_summary(as_bob, deliveries,
                                                                       groups):
    text = text_of(as_bob.get("/admin/deliveries/"))
    banner = re.search(r'id="failed-deliveries">(.*?)</div>', text, re.S).group(1)
    assert groups.yucheng.title in banner and groups.heping.title not in banner
    assert "Bad Gateway" in text
    assert groups.mingshan.title not in text and "bot was kicked" not in text
    assert f"/admin/deliveries/retry/{deliveries.yucheng.id}" in text
    assert f"/admin/deliveries/retry/{deliveries.heping.id}" not in text


def test_the_deliveries_can_be_filtered_by_status(as_bob, deliveries, groups):
    text = text_of(as_bob.get("/admin/deliveries/"))
    url = re.search(r'href="(/admin/deliveries/\?flt[^"]+)"', text).group(1)
    failed = text_of(as_bob.get(url))
    assert "Bad Gateway" in failed
    assert f'href="/admin/groups/details/?id={groups.heping.id}"' not in failed
    assert f'href="/admin/groups/details/?id={groups.yucheng.id}"' in failed


def test_the_city_admin_sees_every_failure(as_alice, deliveries):
    text = text_of(as_alice.get("/admin/deliveries/"))
    assert "Bad Gateway" in text and "bot was kicked" in text


def test_a_retry_puts_the_failed_messages_back_and_is_audited(as_bob, deliveries):
    d = deliveries.yucheng
    assert Delivery.get_by_id(d.id).error == "Bad Gateway"
    r = as_bob.post(f"/admin/deliveries/retry/{d.id}")
    assert r.status_code == 302
    rows = list(Outbox.select().where(Outbox.delivery == d).order_by(Outbox.seq))
    assert rows[1].status == "pending" and rows[1].attempts == 0 and rows[1].last_error is None
    assert rows[0].status == "sent"  # the text went out already: it is not sent twice
    d = Delivery.get_by_id(d.id)
    assert d.status == "queued" and d.error is None
    [entry] = audit_rows("delivery", d.id, "retry")
    assert entry.actor == "admin:bob"
    assert entry.before["status"] == "failed" and entry.after["status"] == "queued"
    as_bob.post(f"/admin/deliveries/retry/{d.id}")  # not failed any more: nothing happens
    assert len(audit_rows("delivery", d.id, "retry")) == 1


def test_a_county_official_cannot_retry_another_countys_delivery(as_bob, deliveries):
    assert as_bob.post(f"/admin/deliveries/retry/{deliveries.mingshan.id}").status_code == 404
    as_bob.post("/admin/deliveries/action/", data={
        "action": "retry", "rowid": [str(deliveries.mingshan.id), str(deliveries.yucheng.id)]})
    assert Delivery.get_by_id(deliveries.mingshan.id).status == "failed"
    assert Delivery.get_by_id(deliveries.yucheng.id).status == "queued"


def test_a_delivery_to_an_inactive_group_is_not_retried(as_alice, deliveries, groups):
    pushes.deactivate(groups.mingshan.chat_id, "Forbidden: bot was kicked from the group chat")
    r = as_alice.post(f"/admin/deliveries/retry/{deliveries.mingshan.id}")
    assert r.status_code == 302
    assert Delivery.get_by_id(deliveries.mingshan.id).status == "failed"
    assert ZH("This group no longer receives pushes; reactivate it first.") in text_of(
        as_alice.get("/admin/deliveries/"))


def test_a_groups_page_shows_its_last_delivery_and_links_to_all_of_them(as_bob, deliveries,
                                                                        groups):
    text = text_of(as_bob.get("/admin/groups/"))
    assert ZH("Week %(week)s of %(year)s") % {"week": 47, "year": 2026} in text  # 2026-W47
    assert ZH("Failed") in text
    details = text_of(as_bob.get(f"/admin/groups/details/?id={groups.heping.id}"))
    url = re.search(r'<a href="([^"]+)">' + ZH("All deliveries"), details).group(1)
    listed = text_of(as_bob.get(url))
    assert f'href="/admin/groups/details/?id={groups.heping.id}"' in listed
    assert f'href="/admin/groups/details/?id={groups.yucheng.id}"' not in listed


# -- digests ----------------------------------------------------------------------------------

def test_the_default_period_is_the_last_finished_quarter():
    assert last_finished_quarter(dt.date(2026, 11, 23)) == "2026Q3"
    assert last_finished_quarter(dt.date(2027, 2, 1)) == "2026Q4"
    assert recent_periods(dt.date(2026, 11, 23), dt.date(2026, 1, 1)) == [
        "2026Q3", "2026Q2", "2026H1", "2026Q1"]


def _pages(text: str) -> list[str]:
    return re.findall(r'<img class="img-fluid border digest-page" src="([^"]+)"', text)


def test_the_digest_page_shows_its_pages_and_one_of_them_is_a_chart(as_bob, world, tmp_path):
    text = text_of(as_bob.get("/admin/digests/?period=2026Q3"))
    pages = _pages(text)
    assert len(pages) >= 3
    assert all("period=2026Q3" in p for p in pages)
    r = as_bob.get(pages[0])
    assert r.status_code == 200 and r.mimetype == "image/png" and r.data.startswith(PNG)
    image = Image.open(io.BytesIO(r.data))
    assert image.width >= 600 and image.height >= 300
    (tmp_path / "digest_page_1.png").write_bytes(r.data)
    assert as_bob.get(pages[0].replace("/page/1.png", "/page/99.png")).status_code == 404


def test_the_digest_pdf_is_a_real_pdf_with_a_cover_and_every_page(as_alice, world):
    pages = _pages(text_of(as_alice.get("/admin/digests/?period=2026H1")))
    r = as_alice.get("/admin/digests/digest.pdf?period=2026H1")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF-")
    assert len(pdfium.PdfDocument(r.data)) == len(pages) + 1
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('雅安市_2026H1_digest.pdf')}" in disposition
    disposition.encode("latin-1")  # a header must be Latin-1: the Chinese name is encoded


def test_a_county_official_gets_the_countys_digest_and_not_another(as_bob, world):
    r = as_bob.get("/admin/digests/digest.pdf?period=2026Q3")
    assert quote("雨城区_2026Q3_digest.pdf") in r.headers["Content-Disposition"]
    assert as_bob.get("/admin/digests/?period=2026Q3&scope=511803").status_code == 404
    assert as_bob.get("/admin/digests/digest.pdf?period=2026Q3&scope=511803").status_code == 404
    township = OrgUnit.get(OrgUnit.parent == f.county("511802"))
    r = as_bob.get(f"/admin/digests/digest.pdf?period=2026Q3&scope={township.code}")
    assert quote(f"{township.name}_2026Q3_digest.pdf") in r.headers["Content-Disposition"]


@pytest.mark.parametrize("period,message", [
    ("2026Q5", (NOT_A_DIGEST_PERIOD, {"period": "2026Q5"})),
    ("2026-W47", (NOT_A_DIGEST_PERIOD, {"period": "2026-W47"})),
    ("2099Q1", (pushes.NOT_ENDED, {"period": "2099Q1"})),
])
def test_a_bad_period_gets_a_message_and_nothing_is_queued(as_bob, groups, period, message):
    msgid, params = message
    text = text_of(as_bob.get(f"/admin/digests/?period={quote(period)}"))
    assert ZH(msgid, **params) in text and not _pages(text)
    r = as_bob.post("/admin/digests/send", data={"period": period}, follow_redirects=True)
    assert ZH(msgid, **params) in text_of(r)
    assert Delivery.select().count() == 0
    assert as_bob.get(f"/admin/digests/digest.pdf?period={quote(period)}").status_code == 404


def test_send_to_groups_queues_the_digest_once_for_the_groups_in_scope(as_bob, groups):
    pushes.change_group(groups.yucheng.chat_id, actor="test", quarterly=False, half=False)
    county_group = _tracked(-100103, "雨城区社工站", f.county("511802"))
    r = as_bob.post("/admin/digests/send", data={"period": "2026Q3"}, follow_redirects=True)
    queued = translator("zh_Hans").ngettext("The digest is queued for %(num)d group.",
                                            "The digest is queued for %(num)d groups.", 2)
    assert queued % {"num": 2} in text_of(r)
    sent = list(Delivery.select().where(Delivery.kind == "quarterly",
                                        Delivery.period == "2026Q3"))
    assert {d.group_id for d in sent} == {groups.heping.id, county_group.id}
    assert all(d.requested_by == "admin:bob" for d in sent)
    assert Outbox.select().where(Outbox.delivery.in_([d.id for d in sent])).count() > 2
    assert audit_rows("digest", "511802:2026Q3", "send")[0].actor == "admin:bob"
    again = as_bob.post("/admin/digests/send", data={"period": "2026Q3"}, follow_redirects=True)
    assert ZH("This digest is already queued for these groups: nothing new was sent.") in \
        text_of(again)
    assert Delivery.select().where(Delivery.kind == "quarterly").count() == 2


def test_a_half_year_digest_is_its_own_delivery(as_alice, groups):
    as_alice.post("/admin/digests/send", data={"period": "2026H1", "scope": "511803"})
    [d] = Delivery.select().where(Delivery.period == "2026H1")
    assert d.kind == "half" and d.group_id == groups.mingshan.id


def test_the_dashboard_links_to_the_digest(as_bob, world):
    text = text_of(as_bob.get("/admin/?year=2026&period=Q3"))
    link = re.search(r'id="wd-digest" href="([^"]+)"', text).group(1)
    assert link == "/admin/digests/?period=2026Q3"


# -- the digest's period, picked from a list ---------------------------------------------------

def _options(text: str) -> list[tuple[str, str, bool]]:
    select = text[text.index('<select id="digest-period"'):]
    select = select[:select.index("</select>")]
    return [(v, label.strip(), bool(sel)) for v, sel, label in re.findall(
        r'<option value="([^"]+)" ?(selected)?>([^<]+)</option>', select)]


@pytest.fixture
def on_23_november(monkeypatch):
    import admin.views.digests
    monkeypatch.setattr(admin.views.digests, "today", lambda: dt.date(2026, 11, 23))


def test_the_digest_period_is_picked_from_the_ended_ones_and_the_current_ones(
        as_bob, world, on_23_november):
    text = text_of(as_bob.get("/admin/digests/"))
    assert 'name="period" class' in text and '<input id="digest-period"' not in text
    options = _options(text)
    assert [v for v, _, _ in options][:7] == ["2026Q4", "2026H2", "2026Q3", "2026Q2",
                                              "2026H1", "2026Q1", "2025Q4"]
    labels = dict((v, label) for v, label, _ in options)
    assert labels["2026Q4"] == "2026年第4季度（进行中）"
    assert labels["2026H2"].endswith("（进行中）") and "进行中" not in labels["2026Q3"]
    assert [v for v, _, chosen in options if chosen] == ["2026Q3"]  # the last finished one
    assert [v for v, _, chosen in _options(text_of(
        as_bob.get("/admin/digests/?period=2026H1"))) if chosen] == ["2026H1"]


def test_the_current_quarter_is_shown_as_of_today_and_cannot_be_sent(
        as_bob, groups, on_23_november):
    text = text_of(as_bob.get("/admin/digests/?period=2026Q4"))
    assert _pages(text) and 'id="digest-running"' in text and "截至 2026-11-23" in text
    assert 'id="digest-send"' not in text
    r = as_bob.post("/admin/digests/send", data={"period": "2026Q4"}, follow_redirects=True)
    assert ZH(pushes.NOT_ENDED, period="2026Q4") in text_of(r)
    assert Delivery.select().count() == 0
    # a finished one is sendable as before
    assert 'id="digest-send"' in text_of(as_bob.get("/admin/digests/?period=2026Q3"))

"""The application queue in the admin: each level's queue in its own subtree, the form laid
out like the document's table, the act (CSRF, audited, refusals changing nothing), the PDF,
and the chain 街道 → 省厅 through the admin's HTTP paths (SQLite and PostgreSQL)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from admin.auth import AccountError, create_user
from models.org import access
from models.core.schema import AdminUser, Application, AuditLog, OrgUnit, Outbox, Report
from tests import factories as f
from tests.adminkit import CONFIG, ZH, page_text, signed_in
from tests.factories import APPLICATION_ANSWERS as ANSWERS, official
from tests.factories import application as file, application_state as state

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def world(app, officials):
    """alice (city admin), bob (county, 雨城区) and carol (viewer) from the admin tests; tina
    the officer of wang's street, pia the province, mia a county official of 名山区; wang
    files one application in 雨城区 and li one in 名山区."""
    wang = f.worker("wang", place=f.community("511802"))
    li = f.worker("li", place=f.community("511803"))
    ns = dict(wang=wang, li=li, **officials,
              tina=official("tina", access.TOWNSHIP_OFFICER, wang.org_unit.parent.code),
              pia=official("pia", access.PROVINCE_OFFICER, "5118"),
              mia=official("mia", "county_official", "511803"))
    ns["yucheng"] = file(wang)
    ns["mingshan"] = file(li, project_name="名山区社区融入项目")
    return type("World", (), ns)


def as_(app, user):
    return signed_in(app, user)


def listed(client, url="/admin/applications/") -> set[str]:
    return set(re.findall(r'/admin/applications/details/\?id=(\d+)', page_text(client.get(url))))


def test_each_level_sees_its_own_queue_in_its_own_subtree(app, world):
    tina, bob, mia = as_(app, world.tina), as_(app, world.bob), as_(app, world.mia)
    y = str(world.yucheng.id)
    assert listed(tina) == {y}
    page = page_text(tina.get("/admin/applications/"))
    assert "“四点半课堂”困境儿童课后服务" in page and "名山区社区融入项目" not in page
    assert ZH("Waiting for %(step)s") % {"step": "街道初核"} in page
    assert listed(bob) == listed(bob, "/admin/applications/?show=all") == set()
    assert listed(mia) == set()  # 名山区's application waits for its street, not its county
    tina.post(f"/admin/applications/act/{y}", data={"action": "pass", "opinion": "同意上报"})
    assert listed(tina) == set() and listed(tina, "/admin/applications/?show=all") == {y}
    assert listed(bob) == {y}
    assert listed(mia) == listed(mia, "/admin/applications/?show=all") == set()
    assert listed(as_(app, world.alice), "/admin/applications/?show=all") == set()


def test_a_viewer_has_no_queue(app, world):
    carol = as_(app, world.carol)
    assert carol.get("/admin/applications/").status_code == 403
    assert carol.get(f"/admin/applications/details/?id={world.yucheng.id}").status_code == 403
    assert carol.post(f"/admin/applications/act/{world.yucheng.id}",
                      data={"action": "pass"}).status_code == 403
    assert Application.get_by_id(world.yucheng.id).level == "township"


@pytest.mark.parametrize("who", ["mia", "bob", "pia"])
def test_an_application_out_of_reach_is_a_404_and_cannot_be_acted_on(app, world, who):
    """mia: another county; bob and pia: their level has not been reached yet."""
    client = as_(app, getattr(world, who))
    y = world.yucheng
    before = state(y)
    for url in (f"/admin/applications/details/?id={y.id}", f"/admin/applications/pdf/{y.id}"):
        assert client.get(url).status_code == 404
    for action in ("pass", "return", "reject", "approve"):
        r = client.post(f"/admin/applications/act/{y.id}", data={"action": action,
                                                                 "opinion": "意见"})
        assert r.status_code == 404
    assert state(y) == before


def test_the_detail_page_lays_out_the_documents_form(app, world):
    tina = as_(app, world.tina)
    page = page_text(tina.get(f"/admin/applications/details/?id={world.yucheng.id}"))
    place = world.wang.org_unit
    assert "甘肃省“三社联动”试点项目申报表" in page
    for name in ("雅安市", "雨城区", place.parent.name, place.name):
        assert f"<u>{name}</u>" in page
    rows = re.findall(r'data-row="([^"]+)"', page)
    assert rows == ["project_name", "community_profile", "overview", "funding", "subsidy",
                    "outcomes", "service_areas", "implementer", "before_filing",
                    "opinion:township", "opinion:county", "opinion:city", "opinion:province"]
    for label in ("项目名称", "社区概况", "项目概况", "需求分析", "服务对象", "服务方式",
                  "项目实施周期", "资金需求和来源", "申请省级补助资金", "效果预估",
                  "街道(乡镇)意见", "县级民政部门意见", "市州民政部门意见", "省民政厅意见"):
        assert label in page
    # the key service areas by their names, the steps before filing by theirs
    for label in ("重点领域", "助残助学", "“三留守”人员关爱", "申报前程序", "社区居民听证", "张榜公示"):
        assert label in page or label.replace("“", "&#34;") in page
    for key, value in ANSWERS.items():
        if key == "service_areas" or key.endswith("_on"):
            continue
        if value != "50000.00":
            assert value in page or value.replace("“", "&#34;") in page
    assert "¥50,000.00" in page
    assert 'value="pass"' in page and 'value="return"' in page and 'value="reject"' in page
    assert 'value="approve"' not in page  # the street does not approve
    assert f"/admin/applications/pdf/{world.yucheng.id}" in page


def test_a_return_without_an_opinion_is_refused_and_changes_nothing(app, world):
    tina = as_(app, world.tina)
    y = world.yucheng
    before = state(y)
    for action in ("return", "reject"):
        r = tina.post(f"/admin/applications/act/{y.id}", data={"action": action, "opinion": " "},
                      follow_redirects=True)
        assert r.status_code == 200
        assert ZH("Please write your opinion: returning or rejecting needs one.") in page_text(r)
    r = tina.post(f"/admin/applications/act/{y.id}", data={"action": "approve"},
                  follow_redirects=True)
    assert ZH("Only the provincial department approves; pass it on instead.") in page_text(r)
    r = tina.post(f"/admin/applications/act/{y.id}", data={"action": "pass",
                                                           "opinion": "长" * 501},
                  follow_redirects=True)
    assert ZH("The opinion is too long: at most 500 characters.") in page_text(r)
    assert state(y) == before


def test_acting_twice_from_the_admin_is_refused(app, world):
    tina = as_(app, world.tina)
    y = world.yucheng
    tina.post(f"/admin/applications/act/{y.id}", data={"action": "pass"})
    after = state(y)
    r = tina.post(f"/admin/applications/act/{y.id}", data={"action": "pass"},
                  follow_redirects=True)
    assert r.status_code == 200 and ZH(
        "This application is not waiting for your level (it may have been acted on already). "
        "Nothing was changed.") in page_text(r)
    assert state(y) == after


def test_the_chain_from_the_street_to_the_province_through_the_admin(app, world):
    y = world.yucheng
    for who, action, opinion, then in (("tina", "pass", "经初核，同意上报。", "county"),
                                       ("bob", "pass", "同意上报。", "city"),
                                       ("alice", "pass", "同意推荐。", "province"),
                                       ("pia", "approve", "同意列为试点项目。", "province")):
        client = as_(app, getattr(world, who))
        assert str(y.id) in listed(client)
        r = client.post(f"/admin/applications/act/{y.id}", data={"action": action,
                                                                 "opinion": opinion})
        assert r.status_code == 302
        row = Application.get_by_id(y.id)
        assert row.level == then
        page = page_text(client.get(f"/admin/applications/details/?id={y.id}"))
        assert opinion in page  # in its level's opinion row and in the history
    assert Application.get_by_id(y.id).status == "approved"
    assert Report.get(Report.uid == y.uid).status == "approved"
    actors = [(e.actor, e.action) for e in AuditLog.select().where(
        AuditLog.entity == "application", AuditLog.entity_id == str(y.id)).order_by(AuditLog.id)]
    assert actors[1:] == [("admin:tina", "pass"), ("admin:bob", "pass"), ("admin:alice", "pass"),
                          ("admin:pia", "approve")]
    assert Outbox.select().where(Outbox.chat_id == world.wang.tg_user_id).count() == 5
    # the county's audit log shows the application's entries; 名山区's official does not
    county_log = access.scoped(AuditLog.select(), AuditLog, world.bob)
    assert county_log.where(AuditLog.entity == "application").count() == 5
    assert access.scoped(AuditLog.select(), AuditLog, world.mia).where(
        AuditLog.entity == "application", AuditLog.entity_id == str(y.id)).count() == 0


def test_the_pdf_is_the_filled_form_with_its_font_embedded(app, world):
    import pypdfium2 as pdfium

    y = world.yucheng
    as_(app, world.tina).post(f"/admin/applications/act/{y.id}",
                              data={"action": "pass", "opinion": "经初核，材料齐全，同意上报。"})
    as_(app, world.bob).post(f"/admin/applications/act/{y.id}",
                             data={"action": "return", "opinion": "请补充预算明细。"})
    r = as_(app, world.bob).get(f"/admin/applications/pdf/{y.id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline;")
    body = r.get_data()
    assert body.startswith(b"%PDF-") and b"/FontFile" in body  # embedded, not referenced
    doc = pdfium.PdfDocument(body)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    place = world.wang.org_unit
    for expected in ("甘肃省“三社联动”试点项目申报表", "申报单位", "雅安市", "雨城区",
                     place.parent.name, place.name, "项目名称", ANSWERS["project_name"],
                     "社区概况", "项目概况", "需求分析", "资金需求和来源", "申请省级补助资金",
                     "¥50,000.00", "效果预估", "街道(乡镇)意见", "经初核，材料齐全，同意上报。",
                     "县级民政部门意见", "请补充预算明细。", "市州民政部门意见", "省民政厅意见"):
        assert expected in text, expected
    SHOTS.mkdir(parents=True, exist_ok=True)
    doc[0].render(scale=1.5).to_pil().save(SHOTS / "application_form_pdf.png")


def test_a_post_without_the_csrf_token_is_refused(settings, world):
    from admin import create_app

    csrf_app = create_app(settings, {**CONFIG, "WTF_CSRF_ENABLED": True})
    tina = signed_in(csrf_app, world.tina)
    y = world.yucheng
    before = state(y)
    assert tina.post(f"/admin/applications/act/{y.id}", data={"action": "pass"}).status_code == 400
    assert state(y) == before
    page = page_text(tina.get(f"/admin/applications/details/?id={y.id}"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = tina.post(f"/admin/applications/act/{y.id}", data={"action": "pass", "csrf_token": token})
    assert r.status_code == 302 and Application.get_by_id(y.id).level == "county"


def test_create_user_places_the_new_roles_where_they_act(app):
    township = OrgUnit.get(OrgUnit.level == "township")
    with pytest.raises(AccountError, match="township"):
        create_user("tina1", "long-enough-pw", role=access.TOWNSHIP_OFFICER, org_code="511802")
    with pytest.raises(AccountError, match="level_city"):
        create_user("pia1", "long-enough-pw", role=access.PROVINCE_OFFICER, org_code="511802")
    t = create_user("tina2", "long-enough-pw", role=access.TOWNSHIP_OFFICER, org_code=township.code)
    p = create_user("pia2", "long-enough-pw", role=access.PROVINCE_OFFICER, org_code="5118")
    assert AdminUser.get_by_id(t.id).role == "township_officer"  # fits the 16-character column
    assert AdminUser.get_by_id(p.id).role == "province_officer"
    assert access.scope_root(p).code == "5118" and access.scope_root(t).code == township.code
    community = OrgUnit.get(OrgUnit.level == "community")
    with pytest.raises(AccountError, match="community"):
        create_user("juwei1", "long-enough-pw", role=access.COMMUNITY_STAFF, org_code=township.code)
    c = create_user("juwei2", "long-enough-pw", role=access.COMMUNITY_STAFF, org_code=community.code)
    assert AdminUser.get_by_id(c.id).role == "community_staff" and access.can_edit(c)


@pytest.mark.parametrize("who", ["tina", "pia"])
def test_the_new_officers_read_the_rest_of_the_admin_in_their_scope(app, world, who):
    client = as_(app, getattr(world, who))
    for url in ("/admin/", "/admin/reports/", "/admin/places/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/invites/new/").status_code == 403  # readers, not editors


def test_the_reports_list_does_not_decide_an_application(app, world):
    """The report an application stands for is decided by the chain, not by report review:
    approve, reject and the bulk action refuse it and point to the application."""
    bob = as_(app, world.bob)  # a county editor, who may review 雨城区's reports
    report = Report.get(Report.uid == world.yucheng.uid)
    before = state(world.yucheng)
    page = page_text(bob.get(f"/admin/reports/details/?id={report.id}"))
    assert f"/admin/applications/details/?id={world.yucheng.id}" in page
    assert f"/admin/reports/approve/{report.id}" not in page
    r = bob.post(f"/admin/reports/approve/{report.id}")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/admin/applications/details/?id={world.yucheng.id}")
    bob.post(f"/admin/reports/reject/{report.id}", data={"reason": "不合适"})
    bob.post("/admin/reports/action/", data={"action": "approve", "rowid": [str(report.id)]})
    assert Report.get_by_id(report.id).status == "submitted"
    assert state(world.yucheng) == before

"""The registry in the admin: organizations listed and filtered in the official's area, the
备案 acts at the right level only, hubs marked; volunteers with their hours masked where they
must be; the time bank per community; the national export's columns and values."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from werkzeug.security import generate_password_hash

from models import registry as r
from models.core.i18n import translator
from models.core.messages import VALIDATION
from models.core.schema import AdminUser, AuditLog, SocialOrganization, Volunteer
from tests import factories as f
from tests.adminkit import page_text, signed_in

TODAY = dt.date(2026, 11, 23)
ZH = translator("zh_Hans").gettext
ID_A = "11010519491231002X"
ORG = {"name": "银发互助会", "category": "elderly_care", "leader": "张秀英", "members": 25}
VOL = {"name": "李桂英", "gender": "female", "phone": "13900001111", "team": "和平社区志愿服务队",
       "skills": "陪护"}


@pytest.fixture
def reg(app, officials):
    """Bob's county (雨城区): two communities of one street, their street; carol's county
    (名山区): one community. A 居委会 account (juwei) and a street account (jiedao)."""
    c1, c2 = f.community("511802", 0), f.community("511802", 1)
    street = c1.parent
    far = f.community("511803", 0)
    pw = generate_password_hash("x", method="pbkdf2:sha256:1000")
    juwei = AdminUser.create(username="juwei", role="community_staff", org_unit=c1,
                             password_hash=pw)
    jiedao = AdminUser.create(username="jiedao", role="township_officer", org_unit=street,
                              password_hash=pw)
    org = r.create_organization(c1, dict(ORG, name=c1.name + "银发互助会"), actor="t")
    other = r.create_organization(c2, dict(ORG, name=c2.name + "书画社", category="other"),
                                  actor="t")
    hub = r.create_organization(street, dict(ORG, name=street.name + "联合会",
                                             category="community_service",
                                             full_time_social_workers=1), actor="t", is_hub=True)
    faraway = r.create_organization(far, dict(ORG, name=far.name + "爱心社",
                                               category="charity_relief"), actor="t")
    v = r.register_volunteer(c1, dict(VOL, id_number=ID_A), actor="t",
                             registered_on=dt.date(2026, 3, 1))
    w = r.register_volunteer(c2, dict(VOL, name="王建国", phone="13900003333"), actor="t",
                             registered_on=dt.date(2026, 4, 1))
    u = r.register_volunteer(far, dict(VOL, name="孙丽", phone="13900006666"), actor="t",
                             registered_on=dt.date(2026, 4, 1))
    r.log_hours(v, date=dt.date(2026, 5, 1), hours="2.5", activity="义诊", actor="t")
    r.log_hours(v, date=dt.date(2025, 5, 1), hours="4", activity="巡逻", actor="t")
    r.log_hours(u, date=dt.date(2026, 5, 1), hours="1", activity="探访", actor="t")

    class World:
        pass

    world = World()
    world.__dict__.update(c1=c1, c2=c2, street=street, far=far, org=org, other=other, hub=hub,
                          faraway=faraway, v=v, w=w, u=u, juwei=signed_in(app, juwei),
                          jiedao=signed_in(app, jiedao))
    return world


# -- organizations --------------------------------------------------------------------------

def test_the_list_shows_the_officials_area_with_hubs_marked(as_bob, as_carol, reg):
    text = page_text(as_bob.get("/admin/organizations/"))
    assert reg.org.name in text and reg.hub.name in text and reg.faraway.name not in text
    assert "枢纽" in text or "Hub" in text
    assert "⚠" in text  # the hub with 1 full-time social worker
    text = page_text(as_carol.get("/admin/organizations/"))
    assert reg.faraway.name in text and reg.org.name not in text


def filter_url(client, column, value, level: str | None = None) -> str:
    """The list URL filtering ``column`` (a place filter: at ``level``) by ``value``."""
    admin_ext = client.application.extensions["admin"][0]
    view = next(v for v in admin_ext._views if getattr(v, "endpoint", "") == "organizations")
    i = next(i for i, flt in enumerate(view._filters)
             if flt.column is column and getattr(flt, "level", None) == level)
    return f"/admin/organizations/?flt0_{i}={value}"


def test_filters_by_category_status_hub_and_place(as_bob, reg):
    so = SocialOrganization
    text = page_text(as_bob.get(filter_url(as_bob, so.category, "other")))
    assert reg.other.name in text and reg.org.name not in text
    text = page_text(as_bob.get(filter_url(as_bob, so.is_hub, "1")))
    assert reg.hub.name in text and reg.org.name not in text
    text = page_text(as_bob.get(filter_url(as_bob, so.org_path, reg.c1.code, "community")))
    assert reg.org.name in text and reg.other.name not in text
    r.review_organization(reg.org, unit=reg.c1, actor="t")
    text = page_text(as_bob.get(filter_url(as_bob, so.status, "reviewed")))
    assert reg.org.name in text and reg.other.name not in text
    # a place outside the area finds nothing
    text = page_text(as_bob.get(filter_url(as_bob, so.org_path, reg.far.code, "community")))
    assert reg.faraway.name not in text and reg.org.name not in text


def test_the_community_reviews_and_the_street_files(reg):
    org = reg.org
    page = page_text(reg.juwei.get(f"/admin/organizations/details/?id={org.id}"))
    assert f"/admin/organizations/act/{org.id}/review" in page
    assert f"/admin/organizations/act/{org.id}/file" not in page
    assert "act/" not in page_text(reg.jiedao.get(f"/admin/organizations/details/?id={org.id}"))
    # the street cannot skip the first review
    reg.jiedao.post(f"/admin/organizations/act/{org.id}/file", data={"reason": ""})
    assert SocialOrganization.get_by_id(org.id).status == "pending"
    reg.juwei.post(f"/admin/organizations/act/{org.id}/review", data={"reason": "材料齐全"})
    assert SocialOrganization.get_by_id(org.id).status == "reviewed"
    page = page_text(reg.jiedao.get(f"/admin/organizations/details/?id={org.id}"))
    assert f"/admin/organizations/act/{org.id}/file" in page
    reg.juwei.post(f"/admin/organizations/act/{org.id}/file", data={"reason": ""})
    assert SocialOrganization.get_by_id(org.id).status == "reviewed"
    r2 = reg.jiedao.post(f"/admin/organizations/act/{org.id}/file", data={"reason": "同意备案"},
                         follow_redirects=True)
    stored = SocialOrganization.get_by_id(org.id)
    assert stored.status == "filed" and stored.filed_by == "admin:jiedao"
    assert "已备案" in page_text(r2) or "Filed" in page_text(r2)
    actions = [a.action for a in AuditLog.select().where(
        AuditLog.entity == "social_organization", AuditLog.entity_id == str(org.id))
        .order_by(AuditLog.id)]
    assert actions == ["create", "review", "file"]


def shown(code: str) -> str:
    """A refusal as the admin shows it (Chinese by default), HTML-escaped."""
    return str(escape(ZH(VALIDATION[code])))


def test_a_refused_act_is_explained_and_changes_nothing(reg):
    org = reg.org  # the street tries the 居委会's first review
    r1 = reg.jiedao.post(f"/admin/organizations/act/{org.id}/review", data={"reason": ""},
                         follow_redirects=True)
    assert shown("review_level") in page_text(r1)
    assert SocialOrganization.get_by_id(org.id).status == "pending"
    r2 = reg.juwei.post(f"/admin/organizations/act/{org.id}/return", data={"reason": " "},
                        follow_redirects=True)
    assert shown("required") in page_text(r2)
    assert SocialOrganization.get_by_id(org.id).status == "pending"
    # another community's organization is outside the 居委会's area
    assert reg.juwei.post(f"/admin/organizations/act/{reg.other.id}/review",
                          data={"reason": ""}).status_code == 404
    # the hub with one social worker cannot be filed: the document's 2–3
    r3 = reg.jiedao.post(f"/admin/organizations/act/{reg.hub.id}/file", data={"reason": ""},
                         follow_redirects=True)
    assert SocialOrganization.get_by_id(reg.hub.id).status == "pending"
    assert str(escape(ZH(VALIDATION["hub_staffing"]).format(min=2, max=3, count=1))) in \
        page_text(r3)


def test_out_of_scope_and_read_only_officials_cannot_act(as_carol, as_bob, reg):
    assert as_carol.get(f"/admin/organizations/details/?id={reg.org.id}").status_code == 404
    assert as_carol.post(f"/admin/organizations/act/{reg.faraway.id}/review",
                         data={"reason": ""}).status_code == 403  # a viewer
    assert reg.juwei.post(f"/admin/organizations/act/{reg.faraway.id}/review",
                          data={"reason": ""}).status_code == 404
    # bob (the county) sees it all and acts at no level of this workflow
    page = page_text(as_bob.get(f"/admin/organizations/details/?id={reg.org.id}"))
    assert "/act/" not in page
    as_bob.post(f"/admin/organizations/act/{reg.org.id}/review", data={"reason": ""})
    assert SocialOrganization.get_by_id(reg.org.id).status == "pending"


def test_an_official_registers_an_organization_and_a_second_hub_is_refused(reg):
    data = {"place": reg.c1.code, "name": "乐龄读书会", "category": "mutual_aid",
            "leader": "赵敏", "leader_phone": "13812345678", "members": "9",
            "founded_on": "2026-06-01", "full_time_social_workers": "0"}
    rv = reg.juwei.post("/admin/organizations/new/", data=data)
    assert rv.status_code == 302
    made = SocialOrganization.get(SocialOrganization.name == "乐龄读书会")
    assert (made.status, made.category, made.org_unit_id) == ("pending", "mutual_aid", reg.c1.id)
    second = dict(data, place=reg.street.code, name="第二联合会", is_hub="y",
                  full_time_social_workers="2")
    rv = reg.jiedao.post("/admin/organizations/new/", data=second)
    assert rv.status_code == 200 and reg.hub.name in page_text(rv)
    assert not SocialOrganization.select().where(SocialOrganization.name == "第二联合会").exists()
    # a place outside the official's area is not offered, and not accepted
    assert reg.far.code not in page_text(reg.juwei.get("/admin/organizations/new/"))


def test_a_returned_organization_is_corrected_and_goes_back_to_review(reg):
    r.return_organization(reg.org, unit=reg.c1, actor="t", reason="缺少章程")
    rv = reg.juwei.post(f"/admin/organizations/edit/?id={reg.org.id}", data={
        "name": reg.org.name, "category": "elderly_care", "leader": "张秀英", "members": "30",
        "full_time_social_workers": "0"})
    assert rv.status_code == 302
    stored = SocialOrganization.get_by_id(reg.org.id)
    assert (stored.status, stored.members) == ("pending", 30)


def test_the_register_exports_in_the_documents_terms(as_bob, reg):
    rv = as_bob.get("/admin/organizations/export/xlsx/")
    ws = load_workbook(io.BytesIO(rv.data)).active
    rows = list(ws.values)
    assert rows[0][:4] == ("组织名称", "类别", "街道(乡镇)", "社区(村)")
    names = {row[0]: row for row in rows[1:]}
    assert set(names) == {reg.org.name, reg.other.name, reg.hub.name}
    assert names[reg.hub.name][1] == "社区服务类" and names[reg.hub.name][9] == "是"
    assert names[reg.org.name][8] == "待初审"


# -- volunteers and the time bank ---------------------------------------------------------------

def test_the_volunteer_list_masks_id_numbers_and_shows_hours(as_bob, reg):
    text = page_text(as_bob.get("/admin/volunteers/"))
    assert "1101**********002X" in text and ID_A not in text
    assert "李桂英" in text and "王建国" in text and "孙丽" not in text
    assert "6.5" in text  # 2.5 + 4 in the bank
    page = page_text(as_bob.get(f"/admin/volunteers/details/?id={reg.v.id}"))
    assert "1101**********002X" in page and ID_A not in page and "义诊" in page
    assert as_bob.get(f"/admin/volunteers/details/?id={reg.u.id}").status_code == 404


def test_a_volunteer_is_deactivated_in_scope_only(as_bob, as_carol, reg):
    as_bob.post(f"/admin/volunteers/active/{reg.w.id}/0")
    assert not Volunteer.get_by_id(reg.w.id).active
    assert as_bob.post(f"/admin/volunteers/active/{reg.u.id}/0").status_code == 404
    assert as_carol.post(f"/admin/volunteers/active/{reg.u.id}/0").status_code == 403
    assert Volunteer.get_by_id(reg.u.id).active


def test_the_time_bank_per_community(as_bob, reg):
    reg.c1.population = 200
    reg.c1.save()
    text = page_text(as_bob.get("/admin/volunteers/timebank/?year=2026"))
    import re
    row = re.search(rf'data-community="{reg.c1.code}">(.*?)</tr>', text, re.S).group(1)
    cells = dict(re.findall(r'data-col="(\w+)">([^<]*)<', row))
    assert cells == {"registered": "1", "share": "0.5%", "with_hours": "1",
                     "share_hours": "100.0%", "hours": "2.5", "balance": "6.5"}
    total = re.search(r'id="timebank-total">(.*?)</tr>', text, re.S).group(1)
    assert dict(re.findall(r'data-col="(\w+)">([^<]*)<', total))["registered"] == "2"
    assert reg.far.code not in text
    assert as_bob.get(f"/admin/volunteers/timebank/?place={reg.far.code}").status_code == 404


def test_the_national_export_columns_and_values(as_bob, reg):
    rv = as_bob.get("/admin/volunteers/national/volunteers.xlsx")
    assert rv.status_code == 200
    assert "attachment" in rv.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(rv.data)).active.values)
    assert rows[0] == tuple(r.NATIONAL_VOLUNTEER_COLUMNS)
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"李桂英", "王建国"}
    assert by_name["李桂英"][1:5] == ("居民身份证", ID_A, "13900001111", "女")
    rv = as_bob.get("/admin/volunteers/national/hours.csv?year=2026")
    assert rv.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.reader(io.StringIO(rv.data.decode("utf-8-sig"))))
    assert rows[0] == r.NATIONAL_HOURS_COLUMNS
    assert rows[1:] == [["李桂英", "居民身份证", ID_A, "13900001111", "2026-05-01", "2.5", "义诊",
                         f"{reg.street.name}{reg.c1.name}", ""]]


def test_a_viewer_reads_the_registry_but_gets_no_full_id_numbers(as_carol, reg):
    assert as_carol.get("/admin/volunteers/").status_code == 200
    assert as_carol.get("/admin/volunteers/timebank/").status_code == 200
    assert as_carol.get("/admin/volunteers/national/volunteers.xlsx").status_code == 403
    assert as_carol.get("/admin/organizations/new/").status_code == 403


@pytest.mark.parametrize("url", ["/admin/organizations/", "/admin/volunteers/",
                                 "/admin/volunteers/timebank/",
                                 "/admin/volunteers/national/volunteers.xlsx"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    rv = client.get(url)
    assert rv.status_code == 302 and "/login" in rv.headers["Location"]

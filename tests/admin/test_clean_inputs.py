"""Every text an official types is cleaned at the door (admin.forms.CleanForm): control, bidi
and zero-width characters never reach the database, whichever form they came through."""
from __future__ import annotations

import csv
import importlib
import inspect
import io
import pkgutil
import re

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash
from wtforms import Form, PasswordField, StringField, TextAreaField

import admin
from admin.forms import CleanForm
from models.core.schema import AdminUser, Report, SocialOrganization
from tests import factories as f
from tests.adminkit import signed_in

SPOOF = "\u202e\x00\x1b\u200b\ufeff"


def test_a_reject_reason_is_stored_cleaned(as_alice, world):
    r = as_alice.post(f"/admin/reports/reject/{world.yucheng.id}",
                      data={"reason": f"{SPOOF}请补充\x07活动照片\u2066\n第二行\u202c"})
    assert r.status_code == 302
    report = Report.get_by_id(world.yucheng.id)
    assert report.status == "rejected"
    assert report.reject_reason == "请补充活动照片\n第二行"  # a text area keeps its lines


def test_an_organization_typed_in_the_admin_is_stored_cleaned(app, officials):
    place = f.community("511802", 0)
    juwei = AdminUser.create(username="juwei", role="community_staff", org_unit=place,
                             password_hash=generate_password_hash("x", method="pbkdf2:sha256:1"))
    data = {"place": place.code, "name": f"乐龄\u202e读书会{SPOOF}", "category": "mutual_aid",
            "leader": "赵\u200b敏\n", "leader_phone": "13812345678", "members": "9",
            "founded_on": "2026-06-01", "full_time_social_workers": "0"}
    rv = signed_in(app, juwei).post("/admin/organizations/new/", data=data)
    assert rv.status_code == 302
    made = SocialOrganization.get(SocialOrganization.org_unit == place,
                                  SocialOrganization.category == "mutual_aid")
    assert (made.name, made.leader) == ("乐龄读书会", "赵敏")


def test_the_form_filter_cleans_text_but_not_passwords(app):
    class Probe(CleanForm):
        line = StringField()
        story = TextAreaField()
        secret = PasswordField()

    with app.test_request_context():
        form = Probe(MultiDict({"line": " a\u202eb\n c ", "story": "x\x00\n\n\n\ny\u200b",
                                "secret": " p\u202e\x00 "}), meta={"csrf": False})
    assert form.line.data == "ab c"
    assert form.story.data == "x\n\ny"
    assert form.secret.data == " p\u202e\x00 "


def _admin_modules():
    for info in pkgutil.walk_packages(admin.__path__, "admin."):
        if info.name != "admin.wsgi":  # builds the app from the environment when imported
            yield importlib.import_module(info.name)


def test_every_admin_form_cleans_its_text(app):
    forms = {cls for module in _admin_modules() for _, cls in inspect.getmembers(module,
             inspect.isclass) if issubclass(cls, Form) and cls.__module__.startswith("admin.")}
    assert len(forms) >= 10
    assert [cls.__qualname__ for cls in forms if not issubclass(cls, CleanForm)] == []
    views = [v for v in app.extensions["admin"][0]._views if hasattr(v, "form_base_class")]
    assert views and all(issubclass(v.form_base_class, CleanForm) for v in views)


def _csv(rows) -> tuple[io.BytesIO, str]:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return io.BytesIO(buf.getvalue().encode("utf-8-sig")), "报告.csv"


def test_control_characters_imported_never_reach_the_countys_export(as_bob):
    header = ["类型", "社区", "日期", "行动", "活动类型", "活动名称", "地点", "参与人数", "参与力量",
              "其中未成年人"]
    row = ["开展活动", "511802001001", "2025-03-08", "花朵呵护", "服务",
           "四点半\x00课堂\x1b[31m\u202egpj.exe", "社区\u200b活动室\u2066", "30", "社区", "20"]
    r = as_bob.post("/admin/imports/", data={"entity": "reports", "file": _csv([header, row])},
                    content_type="multipart/form-data")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', r.get_data(as_text=True))
    assert token, r.get_data(as_text=True)
    assert as_bob.post("/admin/imports/confirm", data={"token": token.group(1)}).status_code == 200
    [report] = Report.select()
    assert report.values["title"] == "四点半课堂[31mgpj.exe"

    response = as_bob.get("/admin/reports/export/xlsx/")
    assert response.status_code == 200
    cells = [str(v) for ws in load_workbook(io.BytesIO(response.data), read_only=True)
             for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert any("四点半课堂[31mgpj.exe" in c for c in cells)
    assert not [c for c in cells if ILLEGAL_CHARACTERS_RE.search(c) or "\u202e" in c]

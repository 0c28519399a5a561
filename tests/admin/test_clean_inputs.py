"""Every text an official types is cleaned at the door (admin.forms.CleanForm): control, bidi
and zero-width characters never reach the database, whichever form they came through."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

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
        yield importlib.import_module(info.name)


def test_every_admin_form_cleans_its_text(app):
    forms = {cls for module in _admin_modules() for _, cls in inspect.getmembers(module,
             inspect.isclass) if issubclass(cls, Form) and cls.__module__.startswith("admin.")}
    assert len(forms) >= 10
    assert [cls.__qualname__ for cls in forms if not issubclass(cls, CleanForm)] == []
    views = [v for v in app.extensions["admin"][0]._views if hasattr(v, "form_base_class")]
    assert views and all(issubclass(v.form_base_class, CleanForm) for v in views)

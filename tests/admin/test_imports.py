"""The import page: choose what, upload, read the dry run (line, column, reason), confirm.
City admins and county officials only; a county official's rows must stay in the county."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from models.core.i18n import translator
from admin.views.imports import MAX_UPLOAD
from models.importing import MAX_FILE_BYTES, MESSAGES
from models.core.schema import AuditLog, OrgUnit, Worker
from tests import bigfiles
from tests import factories as f
from tests.adminkit import CONFIG, page_text, signed_in

SAMPLES = Path(__file__).resolve().parents[2] / "models" / "data" / "samples"
ZH = translator("zh_Hans").gettext


def csv_file(rows: list[list], name: str = "file.csv"):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return io.BytesIO(buf.getvalue().encode("utf-8-sig")), name


def upload(client, entity: str, file, **extra):
    return client.post("/admin/imports/", data={"entity": entity, "file": file, **extra},
                       content_type="multipart/form-data")


def result_of(response) -> dict:
    m = re.search(r'<section id="import-result"([^>]*)>', page_text(response))
    assert m, "no result on the page"
    return dict(re.findall(r'data-(\w+)="([^"]*)"', m.group(1)))


def bad_rows(response) -> list[tuple[str, str, str]]:
    body = re.search(r'<table[^>]*id="import-errors".*?<tbody>(.*?)</tbody>', page_text(response),
                     re.S)
    if not body:
        return []
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row,
                                                                        re.S))
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)]


def token_of(response) -> str | None:
    m = re.search(r'name="token" type="hidden" value="([^"]+)"', page_text(response))
    return m.group(1) if m else None


def test_viewers_and_anonymous_visitors_do_not_get_in(client, as_carol):
    r = client.get("/admin/imports/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert as_carol.get("/admin/imports/").status_code == 403
    assert as_carol.get("/admin/imports/template/workers.xlsx").status_code == 403
    r = upload(as_carol, "org_units", (open(SAMPLES / "org_units.csv", "rb"), "org_units.csv"))
    assert r.status_code == 403


def test_the_page_offers_every_entity_and_its_template(as_alice):
    text = page_text(as_alice.get("/admin/imports/"))
    for entity in ("org_units", "workers", "volunteers", "organizations", "reports"):
        assert f'value="{entity}"' in text
        assert f"/admin/imports/template/{entity}.xlsx" in text


def test_upload_dry_run_then_confirm_imports_the_file(as_bob, settings):
    r = upload(as_bob, "org_units", (open(SAMPLES / "org_units.xlsx", "rb"), "区划.xlsx"))
    assert r.status_code == 200
    shown = result_of(r)
    assert (shown["ok"], shown["written"], shown["created"], shown["updated"]) == (
        "true", "false", "2", "1")  # 碧峰峡镇's two villages; 胜利社区; 碧峰峡镇 unchanged
    assert bad_rows(r) == []
    assert not OrgUnit.select().where(OrgUnit.code == "511802111001").exists()  # not yet
    token = token_of(r)
    assert token and list((Path(settings.media_dir) / "imports").glob(f"{token}.*"))

    r = as_bob.post("/admin/imports/confirm", data={"token": token})
    assert r.status_code == 200 and result_of(r)["written"] == "true"
    assert OrgUnit.get(OrgUnit.code == "511802111001").path == "/5118/511802/511802111/511802111001/"
    log = AuditLog.get(AuditLog.action == "import")
    assert (log.actor, log.entity_id, log.after["created"]) == ("admin:bob", "org_units", 2)
    assert not list((Path(settings.media_dir) / "imports").glob(f"{token}.*"))  # not kept

    r = as_bob.post("/admin/imports/confirm", data={"token": token})
    assert r.status_code == 410 and 'id="import-expired"' in page_text(r)
    assert AuditLog.select().where(AuditLog.action == "import").count() == 1


def test_bad_rows_are_listed_with_line_column_and_reason_and_cannot_be_confirmed(as_alice):
    rows = [["姓名", "Telegram用户ID", "所属社区"],
            ["甲", "1001", "511802001001"],
            ["乙", "abc", "511802001001"],
            ["丙", "1003", "不存在的社区"]]
    r = upload(as_alice, "workers", csv_file(rows))
    assert r.status_code == 200
    assert result_of(r)["ok"] == "false" and token_of(r) is None
    assert bad_rows(r) == [
        ("3", "Telegram用户ID", ZH(MESSAGES["bad_telegram_id"], value="abc")),
        ("4", "所属社区", ZH(MESSAGES["unknown_unit"], value="不存在的社区"))]
    assert Worker.select().count() == 0


def test_a_county_official_cannot_import_rows_of_another_county(as_bob):
    rows = [["姓名", "Telegram用户ID", "所属社区"],
            ["甲", "1001", "511802001001"],
            ["乙", "1002", "511803001001"]]
    r = upload(as_bob, "workers", csv_file(rows))
    assert bad_rows(r) == [("3", "所属社区", ZH(MESSAGES["out_of_scope"], value="511803001001"))]
    assert token_of(r) is None and Worker.select().count() == 0


def test_the_city_admin_imports_anywhere_in_the_city(as_alice):
    rows = [["姓名", "Telegram用户ID", "所属社区"],
            ["甲", "1001", "511802001001"],
            ["乙", "1002", "511803001001"]]
    r = upload(as_alice, "workers", csv_file(rows))
    r = as_alice.post("/admin/imports/confirm", data={"token": token_of(r)})
    assert result_of(r)["created"] == "2" and Worker.select().count() == 2


def test_another_officials_upload_cannot_be_confirmed(as_alice, as_bob):
    r = upload(as_alice, "org_units", (open(SAMPLES / "org_units.csv", "rb"), "org_units.csv"))
    token = token_of(r)
    assert as_bob.post("/admin/imports/confirm", data={"token": token}).status_code == 410
    assert as_bob.post("/admin/imports/confirm",
                       data={"token": "../../etc/passwd"}).status_code == 410
    assert not OrgUnit.select().where(OrgUnit.code == "511802111001").exists()


def test_a_row_made_bad_between_the_dry_run_and_the_confirmation_stops_the_import(as_bob):
    rows = [["姓名", "Telegram用户ID", "所属社区"],
            ["甲", "1001", "511802001001"],
            ["乙", "1002", "511802001001"]]
    r = upload(as_bob, "workers", csv_file(rows))
    token = token_of(r)
    f.worker("li", tg_user_id=1002, place=f.community("511803"))  # meanwhile, in 名山区
    r = as_bob.post("/admin/imports/confirm", data={"token": token})
    assert r.status_code == 409 and result_of(r)["written"] == "false"
    assert bad_rows(r) == [("3", "Telegram用户ID", ZH(MESSAGES["out_of_scope"], value="1002"))]
    assert Worker.select().count() == 1


def test_a_file_beyond_the_admins_usual_request_limit_is_accepted(as_alice):
    pad = "备注" * 20_000  # an ignored column; the file is about 1.4 MB
    rows = [["区划代码", "常住人口", "说明"]] + [["511802001001", "4700", pad]] * 12
    file = csv_file(rows)
    assert len(file[0].getvalue()) > 1024 * 1024
    r = upload(as_alice, "org_units", file)
    assert r.status_code == 200
    assert [row[2] for row in bad_rows(r)] == [ZH(MESSAGES["duplicate_row"], value="511802001001",
                                                  what=ZH("code"), line=2)] * 11


def problem_of(response) -> str:
    m = re.search(r'id="import-problem">([^<]*)<', page_text(response))
    return m.group(1) if m else ""


def kept_uploads(settings) -> list[Path]:
    return list((Path(settings.media_dir) / "imports").glob("*"))


def test_a_zip_bomb_is_refused_with_its_reason_and_not_kept(as_alice, settings, tmp_path):
    bomb = bigfiles.zip_bomb(tmp_path / "bomb.xlsx")  # 300 MB of rows in under 1 MB
    with bigfiles.peak_memory() as peak, bomb.open("rb") as file:
        r = upload(as_alice, "org_units", (file, "区划.xlsx"))
    assert peak[0] < bigfiles.MEMORY_BOUND
    assert r.status_code == 200 and result_of(r)["ok"] == "false" and token_of(r) is None
    assert bad_rows(r) == [("—", "", ZH(MESSAGES["zip_bomb"]))]
    assert not kept_uploads(settings)


def test_a_million_row_file_is_refused_with_its_reason_and_not_kept(as_alice, settings,
                                                                    tmp_path):
    big = bigfiles.many_rows_csv(tmp_path / "big.csv", 1_000_000)
    with bigfiles.peak_memory() as peak, big.open("rb") as file:
        r = upload(as_alice, "org_units", (file, "区划.csv"))
    assert peak[0] < bigfiles.MEMORY_BOUND
    assert r.status_code == 200 and result_of(r)["ok"] == "false" and token_of(r) is None
    assert bad_rows(r) == [("—", "", ZH(MESSAGES["too_many_rows"], max="50,000"))]
    assert not kept_uploads(settings)


def test_a_60000_row_workbook_is_refused_with_its_reason(as_bob, tmp_path):
    big = bigfiles.many_rows_xlsx(tmp_path / "big.xlsx", 60_000)
    with big.open("rb") as file:  # its memory is measured in tests/models/test_importer.py
        r = upload(as_bob, "org_units", (file, "区划.xlsx"))
    assert bad_rows(r) == [("—", "", ZH(MESSAGES["too_many_rows"], max="50,000"))]


def test_an_upload_past_the_pages_limit_gets_the_page_with_a_reason(as_alice, settings):
    r = upload(as_alice, "org_units", (io.BytesIO(b"0" * (MAX_UPLOAD + 1)), "big.csv"))
    assert r.status_code == 413
    assert problem_of(r) == ZH(MESSAGES["too_large"], max="20")
    assert 'id="import-upload"' in page_text(r) and 'id="import-result"' not in page_text(r)
    assert not kept_uploads(settings)
    # Under the request's limit but past the importer's: the same reason, from the reader.
    r = upload(as_alice, "org_units", (io.BytesIO(b"0" * (MAX_FILE_BYTES + 1)), "big.csv"))
    assert r.status_code == 200
    assert bad_rows(r) == [("—", "", ZH(MESSAGES["too_large"], max="20"))]


def test_other_pages_refuse_a_large_post_with_a_friendly_page(client):
    r = client.post("/login", data={"username": "x" * (1024 * 1024 + 1)})
    assert r.status_code == 413
    assert ZH("What was sent is larger than this page accepts.") in page_text(r)


def test_templates_download_as_xlsx_with_chinese_headers(as_bob):
    r = as_bob.get("/admin/imports/template/volunteers.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "志愿者导入模板.xlsx" in unquote(r.headers["Content-Disposition"])
    wb = load_workbook(io.BytesIO(r.data))
    assert [c.value for c in wb["志愿者"][1]][:3] == ["*姓名", "*手机号码", "*所属社区"]
    assert as_bob.get("/admin/imports/template/nothing.xlsx").status_code == 404


@pytest.fixture
def guarded(settings, officials):
    """The app with CSRF checks on, signed in as the city admin."""
    from admin import create_app

    return signed_in(create_app(settings, {**CONFIG, "WTF_CSRF_ENABLED": True}),
                     officials["alice"])


def test_uploads_and_confirmations_need_the_forms_csrf_token(guarded):
    sample = (SAMPLES / "org_units.csv").read_bytes()
    r = upload(guarded, "org_units", (io.BytesIO(sample), "org_units.csv"))
    assert r.status_code == 400
    page = page_text(guarded.get("/admin/imports/"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = upload(guarded, "org_units", (io.BytesIO(sample), "org_units.csv"), csrf_token=csrf)
    assert r.status_code == 200 and result_of(r)["ok"] == "true"
    token = token_of(r)
    assert guarded.post("/admin/imports/confirm", data={"token": token}).status_code == 400
    r = guarded.post("/admin/imports/confirm", data={"token": token, "csrf_token": csrf})
    assert r.status_code == 200 and result_of(r)["written"] == "true"
    big = csv_file([["区划代码", "说明"]] + [["511802001001", "备注" * 20_000]] * 12)
    r = upload(guarded, "org_units", big, csrf_token=csrf)  # past the app-wide CSRF hook
    assert r.status_code == 200 and result_of(r)["ok"] == "false"

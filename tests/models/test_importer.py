"""Reference data import (models.importing): every entity from CSV and XLSX with Chinese
headers, every bad row listed with the line Excel shows, all or nothing, idempotent, and
imported reports counted by the plans like reported ones."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from models import importing as importer
from models.__main__ import main
from tests import bigfiles
from models.core.i18n import translator
from models.forms.kinds import FieldDef
from models.importing import cell_text, dry_run, normalize_header, run
from models.importing.reports import is_importable
from models.plans.progress import plan_progress
from models.core.schema import (AuditLog, Contribution, Indicator, OrgUnit, Plan, Report,
                           SocialOrganization, Station, Volunteer, Worker)

SAMPLES = Path(__file__).resolve().parents[2] / "models" / "data" / "samples"
TODAY = dt.date(2025, 12, 1)
EN = translator("en")


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], title: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def problems(result) -> list[tuple]:
    return [(e.line, e.column, e.code) for e in result.errors]


def counts(result) -> tuple:
    return result.created, result.updated, result.unchanged


def table_counts() -> dict:
    return {m.__name__: m.select().count() for m in (OrgUnit, Station, Worker, Volunteer,
                                                     SocialOrganization, Report, Contribution)}


# org_units: 碧峰峡镇 is a loaded township (unchanged), its two villages new, 胜利社区 updated
EXPECTED = {"org_units": (2, 1, 1), "workers": (3, 0, 0), "volunteers": (4, 0, 0),
            "organizations": (4, 0, 0), "reports": (4, 0, 0)}


# -- each entity, from both formats, twice ----------------------------------------------------

@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("entity", importer.ENTITIES)
def test_each_sample_imports_and_importing_it_again_changes_nothing(db, entity, suffix):
    path = SAMPLES / f"{entity}.{suffix}"
    checked = dry_run(entity, path, today=TODAY)
    assert checked.ok, checked.report_lines(EN)
    assert counts(checked) == EXPECTED[entity] and not checked.written
    before = table_counts()
    assert table_counts() == before  # the dry run wrote nothing

    first = run(entity, path, actor="cli", today=TODAY)
    assert first.ok and first.written and counts(first) == EXPECTED[entity]
    after = table_counts()
    again = run(entity, path, actor="cli", today=TODAY)
    assert again.ok and counts(again) == (0, 0, first.rows)
    assert table_counts() == after
    logs = list(AuditLog.select().where(AuditLog.action == "import", AuditLog.entity_id == entity))
    assert len(logs) == 2
    assert logs[0].after == {"file": path.name, "rows": first.rows, "created": EXPECTED[entity][0],
                             "updated": EXPECTED[entity][1], "unchanged": EXPECTED[entity][2]}


def test_imported_places_get_their_paths_population_and_a_station(db):
    # 碧峰峡镇 is loaded without villages; without its station, the sample's 社工站 = 是 gives it one
    Station.delete().where(Station.code == "S511802111").execute()
    run("org_units", SAMPLES / "org_units.csv", actor="cli", today=TODAY)
    town = OrgUnit.get(OrgUnit.code == "511802111")
    village = OrgUnit.get(OrgUnit.code == "511802111001")
    assert (town.level, town.parent.code, town.path) == ("township", "511802",
                                                          "/5118/511802/511802111/")
    assert (village.level, village.parent_id, village.path) == (
        "community", town.id, "/5118/511802/511802111/511802111001/")
    assert (village.population, village.households, village.is_rural) == (1860, 620, True)
    assert Station.get(Station.code == "S511802111").name == "碧峰峡镇社工站"
    assert OrgUnit.get(OrgUnit.code == "511802001001").population == 4600  # updated in place


def test_imported_people_and_organizations_are_stored_in_the_registrys_terms(db):
    for entity in ("workers", "volunteers", "organizations"):
        assert run(entity, SAMPLES / f"{entity}.xlsx", actor="cli", today=TODAY).written
    li = Worker.get(Worker.tg_user_id == 700000102)
    assert (li.display_name, li.role, li.status, li.org_unit.code) == (
        "李建国", "leader", "active", "511802001001")  # found by its unique name
    zhou = Volunteer.get(Volunteer.id_number == "511802198503120025")
    assert (zhou.gender, zhou.id_type, zhou.phone, zhou.source) == (
        "female", "resident_id", "13890011001", "import")
    assert Volunteer.get(Volunteer.name == "刘红梅").registered_on == dt.date(2024, 6, 1)
    hub = SocialOrganization.get(SocialOrganization.is_hub == True)  # noqa: E712
    assert (hub.org_unit.code, hub.status, hub.category, hub.filed_by) == (
        "511802001", "filed", "community_service", "cli")
    pending = SocialOrganization.get(SocialOrganization.name == "胜利社区四点半课堂服务队")
    assert (pending.status, pending.reviewed_by, pending.filed_by) == ("reviewed", "cli", None)


# -- reports: validated like the bot's, counted by every plan ---------------------------------

def _plan() -> Plan:
    return Plan.get(Plan.code == "yaan-jiuxiang")


def _actual(code: str, scope: str = "511802") -> Decimal:
    plan = _plan()
    progress = plan_progress(plan, OrgUnit.get(OrgUnit.code == scope), 2025, TODAY)
    return next(r.actual for r in progress.rows if r.indicator.code == code)


def test_imported_reports_count_in_plan_progress(db):
    before = {c: _actual(c) for c in ("activities_children", "participants_children",
                                      "participants_rural", "donations_money")}
    assert run("reports", SAMPLES / "reports.csv", actor="cli", today=TODAY).written
    after = {c: _actual(c) for c in before}
    assert after["activities_children"] - before["activities_children"] == 1
    assert after["participants_children"] - before["participants_children"] == 30
    assert after["participants_rural"] - before["participants_rural"] == 48
    assert after["donations_money"] - before["donations_money"] == 5000
    # the rural activity is in 对岩镇, not in 东城街道
    assert _actual("participants_rural", "511802001") == before["participants_rural"]


def test_an_imported_report_counts_in_every_plan_it_matches(db):
    run("reports", SAMPLES / "reports.csv", actor="cli", today=TODAY)
    donation = next(r for r in Report.select() if r.kind.code == "donation")
    matching = {i.plan_id for i in Indicator.select().where(Indicator.report_kind == "donation",
                                                            Indicator.measure != "reference")}
    counted = {c.indicator.plan_id for c in Contribution.select().where(
        Contribution.report == donation)}
    assert counted == matching and _plan().id in counted


def test_imported_reports_are_stored_as_the_bot_stores_them(db):
    run("reports", SAMPLES / "reports.xlsx", actor="cli", today=TODAY)
    r = next(r for r in Report.select() if r.values.get("title") == "四点半课堂")
    assert (r.status, r.action_line, r.activity_date, r.org_unit.code, r.worker) == (
        "approved", "children", dt.date(2025, 3, 8), "511802001001", None)
    assert r.values["parties"] == ["community", "volunteer"] and r.values["participants"] == 30
    phone = next(r for r in Report.select() if r.values.get("title") == "老年人智能手机课堂")
    assert phone.action_line == "elderly" and phone.status == "submitted"  # by its slogan


def test_a_status_changed_in_the_file_reviews_the_report_on_reimport(db):
    rows = list(csv.reader(io.StringIO((SAMPLES / "reports.csv").read_text("utf-8"))))
    run("reports", csv_bytes(rows), filename="r.csv", actor="cli", today=TODAY)
    rows[2][3] = "已通过"  # 老年人智能手机课堂 was 已提交
    result = run("reports", csv_bytes(rows), filename="r.csv", actor="admin:bob", today=TODAY)
    assert counts(result) == (0, 1, 3)
    report = next(r for r in Report.select() if r.values.get("title") == "老年人智能手机课堂")
    assert (report.status, report.reviewed_by) == ("approved", "admin:bob")
    assert {c.status for c in report.contributions} == {"approved"}


REPORT_HEADER = ["类型", "社区", "日期", "行动", "活动类型", "活动名称", "地点", "参与人数",
                 "参与力量", "其中未成年人"]


def test_report_rows_are_checked_by_the_forms_rules(db):
    good = ["开展活动", "511802001001", "2025-03-08", "花朵呵护", "服务", "课堂", "活动室", "30",
            "社区", "20"]
    rows = [REPORT_HEADER, good,
            ["开展活动", "511802001001", "2026-03-08", *good[3:]],  # 3: after TODAY
            ["开展活动", "511802001001", "2025-03-09", "花朵呵护", "跳舞", *good[5:]],  # 4
            [*good[:7], "很多", "社区", "20"],  # 5
            ["开会", *good[1:]],  # 6
            ["开展活动", "511802001001", "2022-12-31", *good[3:]],  # 7: before the plan
            [*good[:8], "邻居", "20"],  # 8
            good]  # 9: the same report as line 2
    result = dry_run("reports", csv_bytes(rows), filename="r.csv", today=TODAY)
    assert problems(result) == [(3, "日期", "future"), (4, "活动类型", "invalid_choice"),
                                (5, "参与人数", "not_a_number"), (6, "类型", "unknown_kind"),
                                (7, "日期", "too_early"), (8, "参与力量", "invalid_choice"),
                                (9, "类型", "duplicate_row")]
    assert "服务、培训" in result.errors[1].message(EN)
    assert "line 2" in result.errors[-1].message(EN)


def test_a_cross_field_check_lands_on_its_column(db):
    rows = [["类型", "社区", "日期", "开展场所", "涉及地名", "收集故事数", "受众人数",
             "其中老年人", "其中儿童"],
            ["地名文化宣传", "511802001001", "2025-05-01", "进学校", "上里古镇", 3, 60, 30, 40]]
    result = dry_run("reports", xlsx_bytes(rows), filename="r.xlsx", today=TODAY)
    assert problems(result) == [(2, "其中儿童", "parts_exceed_total")]


def test_all_or_nothing_one_bad_row_at_the_end_of_a_long_file_writes_nothing(db):
    before = table_counts()
    logs = AuditLog.select().count()
    good = ["开展活动", "511802001001", "2025-03-08", "花朵呵护", "服务", "", "活动室", "30",
            "社区", "20"]
    rows = [REPORT_HEADER] + [good[:5] + [f"活动{i}"] + good[6:] for i in range(1200)]
    rows.append(["开展活动", "511802001001", "2025-03-08", "花朵呵护", "服务", "最后", "活动室",
                 "-3", "社区", "20"])
    result = run("reports", csv_bytes(rows), filename="r.csv", actor="cli", today=TODAY)
    assert not result.written and problems(result) == [(1202, "参与人数", "negative")]
    assert table_counts() == before and AuditLog.select().count() == logs
    assert "nothing was imported" in result.summary(EN)
    rows.pop()
    result = run("reports", csv_bytes(rows), filename="r.csv", actor="cli", today=TODAY)
    assert result.written and result.created == 1200  # the rollup rebuilt once, then
    assert _actual("activities_children") == 1200


# -- places: every bad row, with its line ------------------------------------------------------

def test_several_bad_place_rows_are_each_listed_and_nothing_is_written(db):
    rows = [["区划代码", "名称", "层级", "上级代码", "常住人口", "户数"],
            ["511802901", "新街道", "街道", "511802", "", ""],  # 2: good
            ["5.11802E+11", "某村", "村", "511802901", "", ""],  # 3
            ["511802901001", "某社区", "社区", "999999", "", ""],  # 4
            ["511802901002", "某社区二", "社区", "511802901", "很多", ""],  # 5
            [],  # 6: blank lines are skipped but still counted
            ["511802901", "新街道", "街道", "511802", "", ""],  # 7: same code as line 2
            ["511802902001", "后来的村", "村", "511802902", "", ""],  # 8: parent on line 9
            ["511802902", "后来的镇", "镇", "511802", "", ""],  # 9: good
            ["511802903", "", "", "511802", "", ""],  # 10: new, without name or level
            ["511802904", "一个市", "市", "511802", "", ""],  # 11: a city under a county
            ["511802905001", "某村三", "村", "511802901", "800", "900"],  # 12
            ["511802001001", "胜利社区", "社区", "511802002", "", ""],  # 13: moving it
            ["511802001002", "太平社区", "街道", "", "", ""]]  # 14: existing; a level is kept
    before = table_counts()
    result = run("org_units", csv_bytes(rows, "gbk"), filename="bad.csv", actor="cli",
                 today=TODAY)
    assert problems(result) == [
        (3, "区划代码", "scientific_notation"), (4, "上级代码", "unknown_parent"),
        (5, "常住人口", "not_a_number"), (7, "区划代码", "duplicate_row"),
        (8, "上级代码", "parent_later"), (10, "名称", "required"), (10, "层级", "required"),
        (11, "层级", "level_below_parent"), (12, "户数", "households_exceed_population"),
        (13, "上级代码", "parent_changed"), (14, "层级", "level_changed")]
    assert result.bad_lines == [3, 4, 5, 7, 8, 10, 11, 12, 13, 14] and result.rows == 12
    assert not result.written and table_counts() == before
    messages = {e.line: e.message(EN) for e in result.errors}
    assert "line 9" in messages[8] and "5.11802E+11" in messages[3]
    assert "City" in messages[11] and "County" in messages[11]
    assert "10 rows have problems" in result.summary(EN)


def test_a_child_of_a_bad_row_says_so(db):
    rows = [["区划代码", "名称", "层级", "上级代码"],
            ["511802901", "新街道", "星球", "511802"],
            ["511802901001", "新社区", "社区", "511802901"]]
    result = dry_run("org_units", csv_bytes(rows), filename="x.csv", today=TODAY)
    assert problems(result) == [(2, "层级", "unknown_level"), (3, "上级代码", "parent_invalid")]


def test_attrs_columns_set_facts_about_a_place(db):
    rows = [["区划代码", "属性:has_fund", "属性:site_number"],
            ["511802001001", "是", "3"]]
    assert run("org_units", csv_bytes(rows), filename="x.csv", actor="cli", today=TODAY).written
    assert OrgUnit.get(OrgUnit.code == "511802001001").attrs == {"has_fund": True,
                                                                  "site_number": 3,
                                                                  "demo": True}  # kept


# -- files as offices save them -----------------------------------------------------------------

def test_a_gbk_csv_reads_like_a_utf8_one(db):
    text = (SAMPLES / "volunteers.csv").read_text("utf-8")
    result = run("volunteers", text.encode("gbk"), filename="志愿者.csv", actor="cli",
                 today=TODAY)
    assert result.written and result.created == 4
    assert Volunteer.get(Volunteer.phone == "13890011003").name == "刘红梅"


def test_header_synonyms_a_title_row_and_full_width_headers_are_understood(db):
    rows = [["雨城区新增区划统计表（2025年）"],
            [],
            ["＊行政区划代码", "单位名称", "级别", "上级区划代码", "户籍人口（人）", " 总户数 ",
             "备注"],
            ["511802901", "新街道", "街道办事处", "511802", "1,200", "400", "新设"]]
    result = run("org_units", xlsx_bytes(rows), filename="区划.xlsx", actor="cli", today=TODAY)
    assert result.written, result.report_lines(EN)
    assert result.ignored_columns == ["备注"]
    unit = OrgUnit.get(OrgUnit.code == "511802901")
    assert (unit.name, unit.level, unit.population, unit.households) == ("新街道", "township",
                                                                        1200, 400)


def test_line_numbers_follow_excel_rows_even_past_blank_rows_and_multiline_cells(db):
    content = ("姓名,Telegram用户ID,所属社区\r\n"
               "\"张\n晓燕\",1001,511802001001\r\n"  # one record on two physical lines
               ",,\r\n"
               "王,abc,511802001001\r\n").encode("utf-8")
    result = dry_run("workers", content, filename="w.csv", today=TODAY)
    assert problems(result) == [(4, "Telegram用户ID", "bad_telegram_id")]
    wb = xlsx_bytes([["名册"], ["姓名", "Telegram用户ID", "所属社区"], ["张", 1001, "511802001001"],
                     [None, None, None], ["王", "abc", "511802001001"]])
    assert problems(dry_run("workers", wb, filename="w.xlsx", today=TODAY)) == [
        (5, "Telegram用户ID", "bad_telegram_id")]


def test_a_named_sheet_is_read_and_a_missing_one_is_reported(db):
    wb = Workbook()
    wb.active.append(["说明"])
    ws = wb.create_sheet("名册")
    ws.append(["姓名", "Telegram用户ID", "所属社区"])
    ws.append(["张", 1001, "511802001001"])
    buf = io.BytesIO()
    wb.save(buf)
    assert dry_run("workers", buf.getvalue(), filename="w.xlsx", sheet="名册").created == 1
    result = dry_run("workers", buf.getvalue(), filename="w.xlsx", sheet="花名册")
    assert problems(result) == [(None, None, "no_sheet")]
    assert "花名册" in result.errors[0].message(EN)


@pytest.mark.parametrize("content, code", [
    (b"\xd0\xcf\x11\xe0old excel", "old_xls"),
    (b"PK\x03\x04broken zip", "unreadable"),
    ("姓名,所属社区\n张,511802001001\n".encode(), "missing_column"),
    ("姓名,Telegram用户ID,所属社区\n".encode(), "empty"),
    ("姓名,Telegram用户ID,TG ID,所属社区\n张,1,1,511802001001\n".encode(), "duplicate_column"),
])
def test_a_file_that_cannot_be_imported_says_why(db, content, code):
    result = dry_run("workers", content, filename="w.csv")
    assert [e.code for e in result.errors] == [code] and not result.ok
    assert result.summary(EN) == "The file cannot be imported."


# -- bounds: a file is refused before it fills the memory ---------------------------------------

def _refused(result, code: str, **params) -> str:
    assert [e.code for e in result.errors] == [code] and not result.written
    assert result.summary(EN) == "The file cannot be imported."
    return result.errors[0].message(EN)


def test_a_zip_bomb_is_refused_before_it_is_opened(db, tmp_path):
    bomb = bigfiles.zip_bomb(tmp_path / "bomb.xlsx")  # 300 MB of rows in under 1 MB
    assert bomb.stat().st_size < 2 * 1024 * 1024
    before = table_counts()
    with bigfiles.peak_memory() as peak:
        message = _refused(dry_run("org_units", bomb), "zip_bomb")
        _refused(run("org_units", bomb, actor="t"), "zip_bomb")
    assert peak[0] < bigfiles.MEMORY_BOUND
    assert message.startswith("This XLSX file expands to far more than any spreadsheet does")
    assert table_counts() == before


def test_a_small_archive_expanding_too_many_times_is_a_zip_bomb_too(db, tmp_path):
    bomb = bigfiles.zip_bomb(tmp_path / "bomb.xlsx", megabytes=40)  # under the 200 MB total
    assert _refused(dry_run("org_units", bomb), "zip_bomb")


def test_a_million_row_csv_is_refused_while_reading(db, tmp_path):
    big = bigfiles.many_rows_csv(tmp_path / "big.csv", 1_000_000)  # 18 MB, under the size bound
    before = table_counts()
    with bigfiles.peak_memory() as peak:
        message = _refused(dry_run("org_units", big), "too_many_rows")
        _refused(run("org_units", big, actor="t"), "too_many_rows")
    assert peak[0] < bigfiles.MEMORY_BOUND
    assert message == "The file has more than 50,000 rows: at most 50,000 can be imported at " \
                      "once. Split it into several files."
    assert table_counts() == before


def test_a_file_past_the_size_bound_is_refused_unread(db, tmp_path):
    wide = "511802001001,4700" + "," * 500 + "\n"  # a row of empty cells: 21 MB in all
    big = bigfiles.many_rows_csv(tmp_path / "big.csv", 42_000, wide)
    assert big.stat().st_size > importer.MAX_FILE_BYTES
    with bigfiles.peak_memory() as peak:
        message = _refused(dry_run("org_units", big), "too_large")
    assert peak[0] < big.stat().st_size // 2  # not read whole
    assert message.startswith("The file is larger than 20 MB")


def test_a_60000_row_xlsx_is_refused_while_reading(db, tmp_path):
    big = bigfiles.many_rows_xlsx(tmp_path / "big.xlsx", 60_000)
    with bigfiles.peak_memory() as peak:
        _refused(dry_run("org_units", big), "too_many_rows")
    assert peak[0] < bigfiles.MEMORY_BOUND
    assert OrgUnit.select().where(OrgUnit.code == "511802001001").count() == 1


def test_the_command_line_refuses_a_zip_bomb_and_a_million_row_workbook(db_url, tmp_path,
                                                                        capsys):
    bomb = bigfiles.zip_bomb(tmp_path / "bomb.xlsx")
    big = bigfiles.many_rows_xlsx(tmp_path / "big.xlsx", 1_000_000)
    assert main(["--database-url", db_url, "import", "org_units", str(bomb)]) == 1
    assert main(["--database-url", db_url, "import", "org_units", str(big), "--dry-run",
                 "--lang", "en"]) == 1
    zh = translator("zh_Hans").gettext
    assert capsys.readouterr().out.splitlines() == [
        zh("The file cannot be imported."),
        zh("file") + ": " + zh(importer.MESSAGES["zip_bomb"]),
        "The file cannot be imported.",
        "file: The file has more than 50,000 rows: at most 50,000 can be imported at once. "
        "Split it into several files."]


# -- people and organizations ------------------------------------------------------------------

def test_worker_rows_find_communities_by_unique_names_or_with_hints(db):
    rows = [["姓名", "Telegram用户ID", "所属社区", "乡镇（街道）", "角色"],
            ["甲", "1001", "胜利社区", "", ""],
            ["乙", "1002", "太平社区", "", ""],  # 3: two 太平社区 in 雅安市
            ["丙", "1003", "太平社区", "东城街道", "书记"],
            ["丁", "1004", "东城街道", "", ""],  # 5: a street, not a community
            ["戊", "1.23E+11", "胜利社区", "", ""],  # 6
            ["己", "1005", "胜利社区", "", "队长"]]  # 7
    result = dry_run("workers", csv_bytes(rows), filename="w.csv", today=TODAY)
    assert problems(result) == [(3, "所属社区", "ambiguous_unit"), (5, "所属社区", "wrong_level"),
                                (6, "Telegram用户ID", "scientific_notation"),
                                (7, "角色", "invalid_choice")]
    assert "511802001002" in result.errors[0].message(EN)


def test_volunteer_rows_are_checked_by_the_registry(db):
    rows = [["姓名", "手机号码", "证件号码", "所属社区"],
            ["甲", "13890011001", "511802198503120025", "511802001001"],
            ["乙", "13890011002", "511802198503120000", "511802001001"],  # 3: Excel-rounded ID
            ["丙", "12345", "", "511802001001"],  # 4
            ["丁", "13890011001", "", "511802001001"],  # 5: line 2's phone here
            ["戊", "", "", "511802001001"]]  # 6
    result = dry_run("volunteers", csv_bytes(rows), filename="v.csv", today=TODAY)
    assert problems(result) == [(3, "证件号码", "not_an_id_number"), (4, "手机号码", "not_a_phone"),
                                (5, "手机号码", "duplicate_row"), (6, "手机号码", "required")]


def test_a_volunteer_is_found_again_by_id_number_or_phone(db):
    run("volunteers", SAMPLES / "volunteers.csv", actor="cli", today=TODAY)
    rows = [["姓名", "手机号码", "证件号码", "所属社区", "志愿服务队"],
            ["周秀兰", "13890019999", "511802198503120025", "511802001001", "新队"],
            ["陈志强", "13890011002", "", "511802001001", "新队"]]
    result = run("volunteers", csv_bytes(rows), filename="v.csv", actor="cli", today=TODAY)
    assert counts(result) == (0, 2, 0)
    assert Volunteer.get(Volunteer.name == "周秀兰").phone == "13890019999"
    assert Volunteer.select().where(Volunteer.team == "新队").count() == 2


def test_organization_rows_follow_the_registrys_hub_rules(db):
    rows = [["组织名称", "类别", "所属社区", "负责人", "枢纽型组织", "备案状态", "专职社工人数"],
            ["甲联合会", "社区服务类", "511802001", "甲", "是", "已备案", "2"],
            ["乙联合会", "社区服务类", "511802001", "乙", "是", "待初审", ""],  # 3: second hub
            ["丙组织", "社区服务类", "511802001001", "丙", "是", "", ""],  # 4: hub in a community
            ["丁联合会", "社区服务类", "511802002", "丁", "是", "已备案", "5"],  # 5: staffing
            ["戊组织", "跳舞类", "511802001001", "戊", "", "", ""]]  # 6
    result = dry_run("organizations", csv_bytes(rows), filename="o.csv", today=TODAY)
    assert problems(result) == [(3, "枢纽型组织", "duplicate_row"),
                                (4, "所属社区", "hub_needs_township"),
                                (5, "专职社工人数", "hub_staffing"),
                                (6, "类别", "unknown_category")]


def test_registered_organizations_and_their_ratings_are_imported_as_registered(db):
    """已登记 is a registration (登记), not 备案; a rating (等级评估) belongs to a registered
    organization only."""
    rows = [["组织名称", "类别", "所属社区", "负责人", "备案状态", "评估等级"],
            ["甲协会", "志愿服务类", "511802001001", "甲", "已登记", "4A"],
            ["乙组织", "社区服务类", "511802001001", "乙", "已备案", "5A"],  # 3: filed, rated
            ["丙组织", "社区服务类", "511802001001", "丙", "已备案", ""]]
    result = dry_run("organizations", csv_bytes(rows), filename="o.csv", today=TODAY)
    assert problems(result) == [(3, "评估等级", "rating_needs_registered")]
    del rows[2]
    run("organizations", csv_bytes(rows), filename="o.csv", actor="cli", today=TODAY)
    got = {o.name: (o.status, o.registration, o.rating, o.category)
           for o in SocialOrganization.select()}
    assert got == {"甲协会": ("registered", "registered", "4A", "volunteer_service"),
                   "丙组织": ("filed", "filed", None, "community_service")}
    # a later file cannot rate the filed one either
    again = [rows[0], ["丙组织", "社区服务类", "511802001001", "丙", "", "4A"]]
    result = dry_run("organizations", csv_bytes(again), filename="o.csv", today=TODAY)
    assert problems(result) == [(2, "评估等级", "rating_needs_registered")]


# -- scope ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("entity", importer.ENTITIES)
def test_rows_outside_a_county_officials_area_are_bad_rows(db, entity):
    mingshan = OrgUnit.get(OrgUnit.code == "511803")
    before = table_counts()
    result = run(entity, SAMPLES / f"{entity}.csv", actor="admin:dave", scope=mingshan,
                 today=TODAY)
    assert not result.written and table_counts() == before
    assert result.bad_lines == list(range(2, result.rows + 2))
    # a place under an out-of-scope new place is refused for its parent's sake
    assert {e.code for e in result.errors} - {"parent_invalid"} == {"out_of_scope"}


def test_a_county_official_may_add_places_inside_the_county(db):
    yucheng = OrgUnit.get(OrgUnit.code == "511802")
    assert run("org_units", SAMPLES / "org_units.csv", actor="admin:bob", scope=yucheng,
               today=TODAY).written


# -- templates and the command line -----------------------------------------------------------

@pytest.mark.parametrize("entity", importer.ENTITIES)
def test_each_template_has_headers_the_importer_reads(db, entity):
    wb = load_workbook(io.BytesIO(importer.template_xlsx(entity)))
    assert wb.sheetnames[-1] == "填写说明"
    for ws in wb.worksheets[:-1]:
        headers = [c.value for c in ws[1]]
        row = [ws.title if entity == "reports" else "x"] + ["x"] * (len(headers) - 1)
        result = dry_run(entity, xlsx_bytes([headers, row]), filename="t.xlsx", today=TODAY)
        assert result.ignored_columns == [] and result.rows == 1
        assert "missing_column" not in {e.code for e in result.errors}


def test_a_filled_in_reports_template_imports(db):
    wb = load_workbook(io.BytesIO(importer.template_xlsx("reports")))
    ws = wb["社区基金捐赠"]
    headers = [c.value.lstrip("*") for c in ws[1]]
    row = dict(zip(headers, [None] * len(headers)))
    row.update({"类型": "社区基金捐赠", "社区": "长春社区", "捐赠方": "个人", "捐赠形式": "物资",
                "物资": "大米 20 袋", "估值": "1,600", "接收基金": "长春社区基金",
                "日期": dt.datetime(2025, 6, 1)})
    ws.append([row[h] for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    result = run("reports", buf.getvalue(), filename="t.xlsx", sheet="社区基金捐赠",
                 actor="cli", today=TODAY)
    assert result.written, result.report_lines(EN)
    report = Report.select().order_by(Report.id.desc()).first()
    assert report.values["goods_value"] == "1600.00" and report.activity_date == dt.date(2025, 6, 1)


def test_the_command_line_prints_the_report_and_fails_on_bad_rows(db_url, tmp_path, capsys):
    assert main(["--database-url", db_url, "import", "org_units",
                 str(SAMPLES / "org_units.csv"), "--dry-run", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "2 to create, 1 to update" in out
    assert OrgUnit.select().where(OrgUnit.code == "511802111001").count() == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["区划代码", "名称", "层级", "上级代码"],
                               ["511802901", "新街道", "街道", "999"]]))
    assert main(["--database-url", db_url, "import", "org_units", str(bad), "--lang", "en"]) == 1
    assert "line 2 [上级代码]" in capsys.readouterr().out
    assert main(["--database-url", db_url, "import", "org_units",
                 str(SAMPLES / "org_units.xlsx")]) == 0
    assert OrgUnit.select().where(OrgUnit.code == "511802111001").count() == 1


# -- headers and cells (properties) -------------------------------------------------------------

ALL_HEADERS = [(cls.entity, c.key, h) for cls in importer.IMPORTERS.values()
               for c in cls.columns for h in (c.header, *c.synonyms)]
_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@given(st.sampled_from(ALL_HEADERS), st.sampled_from(["", " ", "\u3000", "*", "＊", "\u200b"]),
       st.sampled_from(["", " ", "：", ":", "（必填）", "(选填)", "\u3000"]), st.booleans())
def test_a_header_is_recognised_whatever_its_decoration(header, before, after, wide):
    entity, key, text = header
    written = before + (text.translate(_FULL_WIDTH) if wide else text) + after
    assert importer.IMPORTERS[entity].column_key(written) == key


@given(st.text(max_size=30))
def test_header_normalisation_is_idempotent(text):
    once = normalize_header(text)
    assert normalize_header(once) == once


@given(st.integers(min_value=0, max_value=10**15))
def test_spreadsheet_numbers_read_back_as_the_digits_written(n):
    assert cell_text(n) == str(n)
    assert cell_text(float(n)) == str(n)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_spreadsheet_dates_read_back_as_iso_dates(d):
    assert cell_text(dt.datetime.combine(d, dt.time())) == d.isoformat()
    assert cell_text(d) == d.isoformat()


# -- reports that feed the registry -------------------------------------------------------------

def test_past_service_hours_go_into_the_time_bank(db):
    from models.core.schema import VolunteerHours

    run("volunteers", SAMPLES / "volunteers.csv", actor="cli", today=TODAY)
    rows = [["类型", "社区", "日期", "Volunteer", "Hours", "Service"],
            ["volunteer_hours", "511802001001", "2025-06-01", "周秀兰", "2.5", "敬老院陪护"],
            ["volunteer_hours", "511802001001", "2025-06-02", "13890011002", "两小时", "理发"],
            ["volunteer_hours", "511802001001", "2025-06-03", "刘红梅", "1", "探访"]]  # 4
    result = run("reports", csv_bytes(rows), filename="h.csv", actor="cli", today=TODAY)
    assert problems(result) == [(4, "Volunteer", "volunteer_not_found")]  # of another village
    rows.pop()
    assert run("reports", csv_bytes(rows), filename="h.csv", actor="cli", today=TODAY).written
    hours = {h.volunteer.name: h.hours for h in VolunteerHours.select()}
    assert hours == {"周秀兰": Decimal("2.5"), "陈志强": Decimal("2.0")}


def test_a_row_the_registry_refuses_while_writing_stops_the_whole_import(db):
    before = table_counts()
    rows = [["类型", "社区", "日期", "Name", "Phone", "Team", "Skills"],
            ["volunteer", "511802001001", "2025-06-01", "甲", "13890015555", "队", "理发"],
            ["volunteer", "511802001001", "2025-06-01", "乙", "13890015555", "队", "陪护"]]
    result = run("reports", csv_bytes(rows), filename="v.csv", actor="cli", today=TODAY)
    assert problems(result) == [(3, "Phone", "volunteer_exists")]
    assert not result.written and table_counts() == before


@pytest.mark.parametrize("entity", importer.ENTITIES)
def test_no_header_names_two_columns_of_an_entity(entity):
    owner: dict[str, str] = {}
    for column in importer.IMPORTERS[entity].columns:
        for form in column.forms():
            assert owner.setdefault(form, column.key) == column.key, form


# -- the table of entities ----------------------------------------------------------------------

def test_each_entity_is_registered_under_its_own_code_with_a_label():
    assert importer.ENTITIES == ("org_units", "workers", "volunteers", "organizations", "reports")
    for code, cls in importer.IMPORTERS.items():
        assert cls.entity == code
        assert importer.ENTITY_LABELS[code] == cls.label and cls.label
        assert cls.sheet_title and cls.columns


def test_it_refuses_an_entity_the_table_does_not_hold():
    with pytest.raises(ValueError, match="unknown entity 'places'"):
        dry_run("places", csv_bytes([["代码"], ["1"]]), filename="p.csv", today=TODAY)


def test_a_file_carries_every_field_type_but_photos_and_locations():
    for type_ in ("photo", "location"):
        assert not is_importable(FieldDef(name="x", type=type_, prompt="X?", label="X"))
    for type_ in ("integer", "money", "date", "choice", "multi", "text"):
        assert is_importable(FieldDef(name="x", type=type_, prompt="X?", label="X"))

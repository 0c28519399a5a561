"""What a plan file says about how its document states a target, once loaded: the loader keeps
``reads``/``due_reads``/``assumed``/``direction``/``strict`` (and the plan's manifest), progress
honours ``direction = "max"`` and ``strict = true``, and the dashboard says when a due date is
the system's assumption rather than the document's."""
from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest

from models.core.schema import Indicator, OrgUnit, Plan
from models.plans import progress
from models.plans.loading import PlanFileError, load_plan
from models.plans.pacing import Window, met, pace_of
from tests import factories as f

TODAY = dt.date(2026, 11, 23)
YEAR = Window.year(2026)

PLAN = '''
code = "bounds-test"
name = "上限测试方案"
name_en = "Bounds test plan"
source_file = "004_ef173f524f7c7ddd.txt"
source_title = "雅安市“五社联动”助力基层深耕善治“九项行动”工作方案"
start_date = 2026-01-01
assumed_start = "测试"
scope = "5118"

[[indicators]]
code = "at_most_two"
name = "至多两次"
name_en = "At most two"
measure = "count"
kind = "xinfeng"
direction = "max"
targets = {{ "511802" = 2 }}
reads = {{ "511802" = "雨城区不超过2次" }}
assumed = "测试用假定"

[[indicators]]
code = "more_than_one"
name = "超过一次"
name_en = "More than one"
measure = "count"
kind = "xinfeng"
strict = true
targets = {{ "511802" = 1 }}
assumed = "测试用假定"

[[indicators]]
code = "dated"
name = "有期限"
name_en = "Dated"
measure = "count"
kind = "xinfeng"
period = "standing"
due = 2027-12-31
assumed = "{reason}"
due_reads = "{due_reads}"
targets = {{ "511802" = 5 }}

[[encoded]]
quote = "每个社工站每年开展婚丧嫁娶“新风弘扬”活动不少于5次"
by = ["kind:xinfeng"]

[[not_encoded]]
quote = "切实加强困难群众关心关爱,让每个困难群众都能感受到党的温暖"
reason = "无量化要求"
'''
REASON = "文件未写期限，本系统按2027年底计"


def _load(tmp_path, reason=REASON, due_reads="", extra=""):
    path = tmp_path / "bounds.toml"
    text = PLAN.format(reason=reason, due_reads=due_reads) + extra
    if not due_reads:
        text = text.replace('due_reads = ""\n', "")
    if not reason:
        text = text.replace('assumed = ""\n', "")
    path.write_text(text, "utf-8")
    return load_plan(path).plan


def test_a_maximum_is_met_while_kept_and_missed_once_passed():
    assert met(Decimal(2), Decimal(2), "max") and not met(Decimal(3), Decimal(2), "max")
    assert pace_of(Decimal(1), Decimal(2), YEAR, TODAY, direction="max")[0] == "done"
    assert pace_of(Decimal(3), Decimal(2), YEAR, TODAY, direction="max")[0] == "missed"
    assert met(Decimal(1), Decimal(2), "max", strict=True) and not met(Decimal(2), Decimal(2), "max", strict=True)


def test_a_strict_minimum_needs_more_than_the_target():
    assert pace_of(Decimal(60), Decimal(60), YEAR, TODAY)[0] == "done"
    assert pace_of(Decimal(60), Decimal(60), YEAR, TODAY, strict=True)[0] != "done"
    assert pace_of(Decimal(60), Decimal(60), YEAR, dt.date(2027, 1, 5), strict=True)[0] == "missed"
    assert pace_of(Decimal("60.1"), Decimal(60), YEAR, TODAY, strict=True)[0] == "done"


def test_the_loader_keeps_how_the_document_states_each_target(db, tmp_path):
    plan = _load(tmp_path)
    at_most = Indicator.get(Indicator.code == "at_most_two")
    assert at_most.spec["direction"] == "max"
    assert at_most.spec["target_reads"] == {"511802": "雨城区不超过2次"}
    assert Indicator.get(Indicator.code == "more_than_one").spec["strict"] is True
    assert Indicator.get(Indicator.code == "dated").spec["assumed"] == REASON
    assert plan.spec["assumed_start"] == "测试"
    assert plan.spec["encoded"][0]["by"] == ["kind:xinfeng"]
    assert plan.spec["not_encoded"][0]["reason"] == "无量化要求"


@pytest.mark.parametrize("line, message", [
    ('direction = "down"', "direction must be min or max"),
    ('strict = "yes"', "strict must be true or false"),
])
def test_a_direction_or_strictness_the_progress_cannot_read_is_refused(db, tmp_path, line, message):
    path = tmp_path / "bad.toml"
    path.write_text(PLAN.format(reason=REASON, due_reads="").replace('direction = "max"', line)
                    .replace("strict = true", line if "strict" in line else "strict = true"), "utf-8")
    before = Plan.select().count()
    with pytest.raises(PlanFileError, match=message):
        load_plan(path)
    assert Plan.select().count() == before


def test_progress_reads_a_maximum_and_a_strict_minimum_the_way_the_document_states_them(db, tmp_path):
    plan = _load(tmp_path)
    county = OrgUnit.get(OrgUnit.code == "511802")
    w = f.worker("wang", place=f.community("511802", 0))

    def pace(code):
        pp = progress.plan_progress(plan, county, 2026, TODAY)
        return next(r.pace for r in pp.rows if r.indicator.code == code)

    f.report("xinfeng", by=w, date=dt.date(2026, 3, 1))
    assert pace("at_most_two") == "done"          # 1 ≤ 2
    assert pace("more_than_one") != "done"        # 1 is not more than 1
    f.report("xinfeng", by=w, date=dt.date(2026, 4, 1))
    assert pace("at_most_two") == "done"          # 2 ≤ 2
    assert pace("more_than_one") == "done"        # 2 > 1
    f.report("xinfeng", by=w, date=dt.date(2026, 5, 1))
    assert pace("at_most_two") == "missed"        # 3 > 2: the ceiling is broken


def test_the_dashboard_says_when_a_due_date_is_the_systems_assumption(as_alice, tmp_path, monkeypatch):
    import admin.views.dashboard
    monkeypatch.setattr(admin.views.dashboard, "today", lambda: TODAY)
    _load(tmp_path)
    text = html.unescape(as_alice.get("/admin/?plan=bounds-test").get_data(as_text=True))
    assert f"截止 2027-12-31（期限为本系统假定：{REASON}）" in text
    as_alice.get("/lang/en")
    text = html.unescape(as_alice.get("/admin/?plan=bounds-test").get_data(as_text=True))
    assert f"Due 2027-12-31 (deadline assumed by this system: {REASON})" in text
    assert "期限为本系统假定" not in text


def test_a_due_date_the_document_states_is_shown_without_the_assumption(as_alice, tmp_path, monkeypatch):
    import admin.views.dashboard
    monkeypatch.setattr(admin.views.dashboard, "today", lambda: TODAY)
    _load(tmp_path, reason="", due_reads="到2027年底")
    text = html.unescape(as_alice.get("/admin/?plan=bounds-test").get_data(as_text=True))
    assert "截止 2027-12-31" in text and "期限为本系统假定" not in text


def test_an_indicators_details_say_its_due_date_is_assumed(as_alice, tmp_path):
    _load(tmp_path)
    dated = Indicator.get(Indicator.code == "dated")
    page = as_alice.get(f"/admin/indicators/details/?id={dated.id}")
    assert page.status_code == 200
    assert f"截止 2027-12-31（期限为本系统假定：{REASON}）" in html.unescape(page.get_data(as_text=True))

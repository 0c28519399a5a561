"""The plan files: faithful to their documents, loadable side by side, counted once per report."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from models.plans import (DEFAULT_PLAN_FILE, load_plan, read_plan_file, recount,
                          shipped_plan_files)
from models.schema import ActionLine, Contribution, Indicator, Plan, Target
from tests import factories as f

POLICIES = Path(__file__).resolve().parents[2] / "shared" / "policies"
COUNTIES = {"雨城区": "511802", "名山区": "511803", "荥经县": "511822", "汉源县": "511823",
            "石棉县": "511824", "天全县": "511825", "芦山县": "511826", "宝兴县": "511827"}


def _numbers_in(text: str) -> set[Decimal]:
    """Numbers as the document writes them, "3.8万" read as 38000."""
    out = set()
    for m in re.finditer(r"(\d+(?:\.\d+)?)(万)?", text):
        n = Decimal(m.group(1))
        out.add(n * 10000 if m.group(2) else n)
    return out


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("path", shipped_plan_files(), ids=lambda p: p.stem)
def test_it_quotes_only_sentences_that_are_in_the_cited_document(path):
    spec = read_plan_file(path)
    document = POLICIES / spec["source_file"]
    if not document.exists():
        pytest.skip(f"{document} not available")
    text = _compact(document.read_text("utf-8"))
    assert _compact(spec["source_title"]) in text or spec["source_title"][:20] in text
    for ind in spec.get("indicators", []):
        assert ind.get("quote"), f"{ind['code']} cites no sentence"
        assert _compact(ind["quote"]) in text, f"{ind['code']}: quote not in {spec['source_file']}"


@pytest.mark.parametrize("path", shipped_plan_files(), ids=lambda p: p.stem)
def test_it_takes_every_target_number_from_its_quote(path):
    spec = read_plan_file(path)
    for ind in spec.get("indicators", []):
        cited = _numbers_in(ind["quote"])
        for code, value in ind.get("targets", {}).items():
            assert Decimal(str(value)) in cited, f"{ind['code']}: target {value} for {code} not in its quote"
        if ind.get("per_unit_target") is not None:
            assert Decimal(str(ind["per_unit_target"])) in cited, ind["code"]


def test_it_splits_minors_points_by_county_exactly_as_the_document_does():
    spec = read_plan_file(DEFAULT_PLAN_FILE)
    ind = next(i for i in spec["indicators"] if i["code"] == "minors_points")
    quote = ind["quote"]
    for name, code in COUNTIES.items():
        m = re.search(name + r"(\d+)个", quote)
        assert m, name
        assert ind["targets"][code] == int(m.group(1))
    assert sum(ind["targets"][c] for c in COUNTIES.values()) == ind["targets"]["5118"] == 316


def test_the_fidelity_check_fails_when_a_target_is_changed(tmp_path):
    spec_text = DEFAULT_PLAN_FILE.read_text("utf-8").replace('"511802" = 122', '"511802" = 123')
    bad = tmp_path / "bad.toml"
    bad.write_text(spec_text, "utf-8")
    with pytest.raises(AssertionError):
        test_it_takes_every_target_number_from_its_quote(bad)


def test_it_loads_the_ya_an_plan_with_nine_lines_and_its_targets(db):
    plan = Plan.get(Plan.code == "yaan-jiuxiang")
    assert plan.is_default and plan.source_file == "004_ef173f524f7c7ddd.txt"
    lines = list(ActionLine.select().where(ActionLine.plan == plan).order_by(ActionLine.number))
    assert [l.slogan for l in lines] == ["弱有众扶", "银发暖心", "花朵呵护", "心灵守护", "友邻互助",
                                         "情暖万家", "和睦同心", "新风弘扬", "文脉赓续"]
    minors = Indicator.get(Indicator.plan == plan, Indicator.code == "minors_points")
    assert Target.select().where(Target.indicator == minors).count() == 9
    xinfeng = Indicator.get(Indicator.plan == plan, Indicator.code == "xinfeng_activities")
    assert xinfeng.target_basis == "per_station" and xinfeng.per_unit_target == 5


def test_loading_a_plan_twice_changes_nothing(db):
    before = (Plan.select().count(), Indicator.select().count(), Target.select().count())
    load_plan(DEFAULT_PLAN_FILE)
    assert (Plan.select().count(), Indicator.select().count(), Target.select().count()) == before


def test_a_second_plan_loads_beside_the_first_and_counts_the_same_report(db, tmp_path):
    r = f.report("xinfeng")
    second = tmp_path / "second.toml"
    second.write_text('''
code = "county-pilot"
name = "县级试点"
name_en = "County pilot"
source_file = "004_ef173f524f7c7ddd.txt"
source_title = "test"
start_date = 2026-01-01
[[action_lines]]
code = "xinfeng"
number = 1
name = "新风"
name_en = "New customs"
[[indicators]]
code = "xinfeng_events"
line = "xinfeng"
name = "新风活动"
name_en = "New-customs events"
measure = "count"
kind = "xinfeng"
targets = { "511802" = 5 }
quote = "5"
''', "utf-8")
    before = Plan.select().count()
    plan = load_plan(second)
    assert Plan.select().count() == before + 1
    assert Plan.get(Plan.code == "yaan-jiuxiang").is_default
    plans_counting = {c.indicator.plan.code for c in Contribution.select().where(Contribution.report == r)}
    assert {"yaan-jiuxiang", "county-pilot"} <= plans_counting
    assert recount(plan) == 1

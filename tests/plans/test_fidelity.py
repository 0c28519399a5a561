"""Every shipped plan file is faithful to the document it cites, and the check that says so
can fail (models/plans/fidelity.py).

- The documents ship in models/data/policies/: these tests never skip, in any checkout.
- Every shipped plan: no binding problem (``problems``: each number bound by ``reads`` to the
  phrase that states it, next to its place's name; direction, period, due, rate units, tiers,
  milestones, the approval chain, the manifest's references) and every requirement sentence
  of its document accounted for (``uncovered``).
- The detector and each rule on small synthetic plans and documents, each shown failing.
The mutation tests (test_fidelity_mutations.py) change faithful plans one way at a time.
"""
from __future__ import annotations

import copy
import hashlib
import datetime as dt
import re
import tomllib
from fractions import Fraction
from pathlib import Path

import pytest

from models.core.paths import ROOT
from models.plans import fidelity as fx
from models.plans.loading import DEFAULT_PLAN_FILE, PLANS_DIR, read_plan_file, shipped_plan_files

PLANS = {p.stem: p for p in shipped_plan_files()}
FIXTURES = {p.stem: p for p in sorted((Path(__file__).parent / "fixtures").glob("*.toml"))}
# The documents as published (SHA-256 of the shipped texts): a quote is verbatim only against
# the document itself, so the copy must not drift.
SHA256 = {
    "000_3ec0aadedd6e3a6b.txt": "10a9d6cb44b216c0db233780d708008a3988a3f7ef0019c9a8d1f6f9ba73f313",
    "001_61aea6d432ceec82.txt": "478adaca9a82dce32ecd0eef7e7c4b1c5130902333397e95cf964fb60bd1932f",
    "002_c1b4c8bc100f7ba9.txt": "ac0994f2487f7f9212c22dca3cc23522159befeb153ee2d703ef7474cfe2fa6c",
    "003_e46522dbaec760a4.txt": "8c27d683c94ee9aa5bbed5891a92b330dce758dfb61563920fa8af1fe84fdabb",
    "004_ef173f524f7c7ddd.txt": "10f3bbb533c57ab96f64617e1597b4a3eccb05c6d47067fb085ccd230bafa860",
}
DOCUMENTS = tuple(SHA256)


# ---- the documents ship with the project ------------------------------------------------------

def test_the_five_documents_and_their_readme_ship_as_package_data():
    assert sorted(p.name for p in fx.POLICIES_DIR.glob("*.txt")) == list(DOCUMENTS)
    assert (fx.POLICIES_DIR / "README.md").is_file()
    for name, digest in SHA256.items():
        assert hashlib.sha256((fx.POLICIES_DIR / name).read_bytes()).hexdigest() == digest, name
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["models"]
    assert "data/policies/*.txt" in patterns and "data/policies/*.md" in patterns


def test_a_document_is_read_only_from_the_shipped_folder():
    with pytest.raises(FileNotFoundError):
        fx.document("../plans/yaan_jiuxiang.toml")
    with pytest.raises(FileNotFoundError):
        fx.document("999_missing.txt")


def _project_texts():
    for pattern in ("*.md", "models/**/*.py", "models/**/*.md", "models/**/*.toml", "tests/**/*.py",
                    "admin/**/*.py", "bot/**/*.py", "Makefile", "devkit/**/*.py"):
        for path in ROOT.glob(pattern):
            if ".venv" not in path.parts and path != Path(__file__):
                yield path


OUTSIDE = re.compile(r"\.\./shared|shared/" + "policies")


def test_nothing_points_at_a_shared_folder_outside_the_checkout():
    found = [str(p.relative_to(ROOT)) for p in _project_texts()
             if p.parent != PLANS_DIR and OUTSIDE.search(p.read_text("utf-8"))]
    assert found == []


@pytest.mark.parametrize("path", list(PLANS.values()), ids=list(PLANS))
def test_a_shipped_plan_file_names_its_document_where_it_ships(path):
    """Its comments too: a reader of the file finds the document in models/data/policies/."""
    assert [line for line in path.read_text("utf-8").splitlines() if OUTSIDE.search(line)] == []


@pytest.mark.parametrize("readme", ["README.md", "models/data/plans/README.md",
                                    "models/data/policies/README.md"])
def test_the_readmes_relative_links_work_in_any_checkout(readme):
    path = ROOT / readme
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text("utf-8"))
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    broken = [link for link in local if not (path.parent / link).exists()]
    assert broken == []
    if readme == "README.md":
        assert any("models/data/policies/" in link for link in local), "README links the documents"


def test_five_plans_ship_each_citing_its_own_document():
    cited = {read_plan_file(p)["source_file"] for p in PLANS.values()}
    assert cited == set(DOCUMENTS)
    for p in PLANS.values():
        spec = read_plan_file(p)
        assert spec["issuer"] and spec["issued_on"] and spec["source_title"], p.stem
        for ind in spec["indicators"]:
            assert ind.get("quote"), f"{p.stem}: {ind['code']} cites no sentence"
        if p != DEFAULT_PLAN_FILE:
            assert all(ind.get("article") for ind in spec["indicators"]), p.stem


# ---- every shipped plan is faithful -----------------------------------------------------------

@pytest.mark.parametrize("path", list(PLANS.values()), ids=list(PLANS))
def test_every_number_of_a_shipped_plan_is_bound_to_the_phrase_that_states_it(path):
    assert fx.check_file(path)[0] == []


@pytest.mark.parametrize("path", list(PLANS.values()), ids=list(PLANS))
def test_every_requirement_of_a_shipped_plans_document_is_accounted_for(path):
    assert [fx._mark(s) for s in fx.check_file(path)[1]] == []


@pytest.mark.parametrize("path", list(FIXTURES.values()), ids=list(FIXTURES))
def test_the_faithful_fixture_plans_have_no_binding_problem(path):
    assert fx.check_file(path)[0] == []


# ---- the detector -----------------------------------------------------------------------------

def _sentences(doc: str) -> dict[str, list[str]]:
    return {s.text: [t[2] for t in s.triggers] for s in fx.requirement_sentences(fx.document(doc))}


def _flagged(doc: str, part: str) -> list[str]:
    found = [t for s, t in _sentences(doc).items() if part in s]
    assert found, f"{part!r} is not in a requirement sentence of {doc}"
    return found[0]


def test_it_catches_the_quantified_requirements_deadlines_tiers_and_steps():
    assert {"每个", "每年", "不少于", "5次"} <= set(_flagged(DOCUMENTS[4], "每个社工站每年开展婚丧嫁娶"))
    assert {"316个", "122个", "23个", "61个", "不少于"} <= set(_flagged(DOCUMENTS[4], "保护点不少于316个"))
    assert {"90余场次", "3.8万人次"} <= set(_flagged(DOCUMENTS[4], "覆盖人数超过3.8万人次"))
    assert {"15分钟", "三级", "100%"} <= set(_flagged(DOCUMENTS[4], "15分钟养老服务圈"))
    assert {"十四五”末", "3个", "35个"} <= set(_flagged(DOCUMENTS[4], "农村公益性墓地35个"))
    assert {"季度", "半年", "年终"} <= set(_flagged(DOCUMENTS[4], "季度有小结"))
    assert {"5个"} <= set(_flagged(DOCUMENTS[4], "等5个方面"))
    assert {"2025年底", "1000个", "60%"} <= set(_flagged(DOCUMENTS[1], "突破60%"))
    assert {"20个", "9个", "3800家", "200家", "80%"} <= set(_flagged(DOCUMENTS[1], "3800家以上"))
    assert {"每万", "35人", "全覆盖"} <= set(_flagged(DOCUMENTS[1], "每万人拥有持证社会工作者35人"))
    assert {"三个", "阶段"} <= set(_flagged(DOCUMENTS[2], "分三个阶段开展"))
    assert {"2016年6月15日"} <= set(_flagged(DOCUMENTS[2], "第一阶段"))
    assert {"2016年7月1日", "9月30日"} <= set(_flagged(DOCUMENTS[2], "第二阶段"))
    assert {"2016年10月1日", "2017年10月1日"} <= set(_flagged(DOCUMENTS[2], "第三阶段"))
    assert {"听证", "审议", "公示", "逐级"} <= set(_flagged(DOCUMENTS[2], "社区居民听证"))
    assert {"三分之一", "2017年底"} <= set(_flagged(DOCUMENTS[2], "三分之一以上的农村社区"))
    assert {"2023年11月底", "50%"} <= set(_flagged(DOCUMENTS[0], "完成创建任务的50%以上"))
    assert {"2024年6月底", "全部"} <= set(_flagged(DOCUMENTS[0], "创建任务全部完成"))
    assert {"5万元", "2万元"} <= set(_flagged(DOCUMENTS[0], "市区联合创建点1—5"))  # tiers: their reads hold 1—5
    assert {"15%", "40%", "每年"} <= set(_flagged(DOCUMENTS[0], "15%以上"))
    assert {"11个", "24个"} <= set(_flagged(DOCUMENTS[0], "其中11个街镇"))
    assert {"23名"} <= set(_flagged(DOCUMENTS[3], "专职社工"))
    assert {"2019年底"} <= set(_flagged(DOCUMENTS[3], "打造1街道"))
    assert {"三级", "全覆盖", "2020年"} <= set(_flagged(DOCUMENTS[3], "三级孵化网络"))


def test_it_leaves_out_qualitative_sentences_names_with_numerals_and_the_page_around():
    for doc, part in [(DOCUMENTS[4], "加强与基金会、慈善组织、爱心企业"),
                      (DOCUMENTS[4], "标识码"), (DOCUMENTS[4], "发布时间"),
                      (DOCUMENTS[4], "现将《雅安市"),          # 九项行动 is a name, not a count
                      (DOCUMENTS[2], "甘肃省民政厅\n2016"),     # the signing date
                      (DOCUMENTS[3], "索引号"),
                      (DOCUMENTS[1], "鼓励社区工作者参加社会工作者职业水平考试")]:
        assert not any(part.replace("\n", "") in s for s in _sentences(doc)), (doc, part)
    assert "三个" not in _flagged(DOCUMENTS[3], "三个着力")  # a slogan, not a count
    assert not {"九项", "五社"} & set(_flagged(DOCUMENTS[4], "到2023年底"))


def test_it_finds_this_many_requirement_sentences_per_document():
    """The detector is published: plan files are written against it. A change to it must be
    deliberate, and change this count."""
    counts = {d: len(fx.requirement_sentences(fx.document(d))) for d in DOCUMENTS}
    assert counts == {DOCUMENTS[0]: 14, DOCUMENTS[1]: 21, DOCUMENTS[2]: 22, DOCUMENTS[3]: 21,
                      DOCUMENTS[4]: 25}


def test_it_reads_numbers_the_way_the_documents_write_them():
    def values(text):
        return set().union(*(n.values for n in fx.numbers_in(text)))
    assert Fraction(38000) in values("覆盖人数超过3.8万人次")
    assert {Fraction(1), Fraction(5), Fraction(50000)} <= values("市区联合创建点1—5应不少于5万元")
    assert {Fraction(15), Fraction(15, 100)} <= values("占社区常住居民人数的15%以上")
    assert Fraction(1, 3) in values("社会工作服务覆盖到三分之一以上的农村社区")
    assert {Fraction(60), Fraction(3, 5)} <= values("百分之六十")
    assert Fraction(1) in values("至少一名持证社区工作者")
    assert Fraction(30) in values("三十个") and Fraction(120) in values("一百二十名")
    assert Fraction(2000) in values("两千人") and Fraction(15) in values("十五家")
    assert Fraction(8, 10) in values("八成")
    assert Fraction(2) not in values("配备23名") and Fraction(2017) not in values("2017年")


def test_each_number_of_a_phrase_binds_one_claim_only():
    assert fx.bind([("from", 1), ("to", 5), ("target", 50000)], "1—5应不少于5万元") == []
    assert fx.bind([("from", 1), ("to", 5), ("target", 5)], "1—5应不少于5万元") == ["target = 5"]
    assert fx.bind([("share", Fraction(1, 2))], "完成创建任务的50%以上") == []


def test_it_reads_dates_the_way_the_documents_write_them():
    assert fx.dates_in("2016年7月1日至9月30日") == [(2016, 7, 1), (2016, 9, 30)]
    assert fx.dates_in("2016年6月15日至30日") == [(2016, 6, 15), (2016, 6, 30)]
    assert fx.dates_in("到“十四五”末") == [(2025, None, None)]
    assert fx.dates_in("发布时间:2023-04-14") == [(2023, 4, 14)]
    assert fx.date_problem(dt.date(2023, 11, 30), "2023年11月底前") is None
    assert fx.date_problem(dt.date(2023, 12, 31), "2023年11月底前")
    assert fx.date_problem(dt.date(2017, 12, 31), "力争到2017年底") is None
    assert fx.date_problem(dt.date(2017, 11, 30), "力争到2017年底")
    assert fx.date_problem(dt.date(2016, 9, 30), "2016年7月1日至9月30日") is None
    assert fx.date_problem(dt.date(2016, 7, 1), "2016年7月1日至9月30日", end=False) is None
    assert fx.date_problem(dt.date(2021, 1, 1), "“十四五”", end=False) is None  # its first year
    assert fx.date_problem(dt.date(2022, 1, 1), "“十四五”", end=False)


# ---- each rule, on a small document -----------------------------------------------------------

DOC = ("示范文件\n一、目标\n到2025年底,全市建成保护点不少于30个(甲区20个、乙县10个)。"
       "每个站每年开展活动不少于5次。志愿者占居民人数的15%以上。每万人拥有社工35人。"
       "排队时间控制在3天以内。覆盖人数突破3.8万人次。市区联合点1—5应不少于5万元,市区联合点6—11应不少于2万元。"
       "2023年11月底前完成任务的50%以上;到2024年6月底,任务全部完成。"
       "按照社区申报—街道初核—县级审核的程序,逐级申报。加强宣传,营造氛围。\n2020年1月1日\n")
PLACES = {"99": "某市", "9901": "甲区", "9902": "乙县"}


def _plan(*indicators, **extra):
    return {"code": "t", "source_file": "x.txt", "source_title": "示范文件", "scope": "99",
            "start_date": dt.date(2020, 1, 1), "start_reads": "2020年1月1日",
            "indicators": [dict(i) for i in indicators], **extra}


POINTS = {"code": "points", "quote": "到2025年底,全市建成保护点不少于30个(甲区20个、乙县10个)",
          "targets": {"99": 30, "9901": 20, "9902": 10},
          "reads": {"99": "不少于30个", "9901": "甲区20个", "9902": "乙县10个"},
          "period": "standing", "due": dt.date(2025, 12, 31), "due_reads": "到2025年底"}
STATION = {"code": "station", "quote": "每个站每年开展活动不少于5次", "per_unit_target": 5,
           "target_basis": "per_station", "reads": "每个站每年开展活动不少于5次"}
SHARE = {"code": "share", "quote": "志愿者占居民人数的15%以上", "per_unit_target": 15,
         "spec": {"per": 100}, "reads": "15%以上", "assumed": "文件未写期限"}
PER10K = {"code": "per10k", "quote": "每万人拥有社工35人", "per_unit_target": 35,
          "spec": {"per": 10000}, "reads": "每万人拥有社工35人", "assumed": "文件未写期限"}
WAIT = {"code": "wait", "quote": "排队时间控制在3天以内", "per_unit_target": 3, "direction": "max",
        "reads": "控制在3天以内", "assumed": "文件未写期限"}
REACH = {"code": "reach", "quote": "覆盖人数突破3.8万人次", "targets": {"99": 38000}, "strict": True,
         "reads": "突破3.8万人次", "period": "standing", "due": dt.date(2025, 12, 31), "assumed": "文件未写期限"}
TIERS = {"code": "tiers", "quote": "市区联合点1—5应不少于5万元,市区联合点6—11应不少于2万元", "assumed": "文件未写期限",
         "spec": {"tiers": [{"from": 1, "to": 5, "target": 50000, "reads": "市区联合点1—5应不少于5万元"},
                            {"from": 6, "to": 11, "target": 20000, "reads": "市区联合点6—11应不少于2万元"}]}}
STEPS = {"code": "steps", "quote": "2023年11月底前完成任务的50%以上;到2024年6月底,任务全部完成",
         "period": "plan", "due": dt.date(2024, 6, 30), "due_reads": "到2024年6月底",
         "spec": {"milestones": [{"by": dt.date(2023, 11, 30), "share": 0.5, "reads": "2023年11月底前完成任务的50%以上"},
                                 {"by": dt.date(2024, 6, 30), "share": 1, "reads": "到2024年6月底,任务全部完成"}]}}
ALL = [POINTS, STATION, SHARE, PER10K, WAIT, REACH, TIERS, STEPS]
CHAIN = {"quote": "按照社区申报—街道初核—县级审核的程序,逐级申报",
         "levels": [{"level": "community", "step": "社区申报"}, {"level": "township", "step": "街道初核"},
                    {"level": "county", "step": "县级审核"}]}
FAITHFUL = _plan(*ALL, approval=CHAIN,
                 not_encoded=[{"quote": "加强宣传,营造氛围", "reason": "无量化要求"}])


def _problems(plan):
    return fx.problems(plan, DOC, places=PLACES)


def _changed(change) -> list[str]:
    plan = copy.deepcopy(FAITHFUL)
    change(plan)
    return _problems(plan)


def _ind(plan, code):
    return next(i for i in plan["indicators"] if i["code"] == code)


def test_the_small_faithful_plan_has_no_problem_and_accounts_for_every_sentence():
    assert _problems(FAITHFUL) == []
    assert fx.uncovered(FAITHFUL, DOC) == []


@pytest.mark.parametrize("change, expected", [
    # reads: in the quote, holding the number, naming the place
    (lambda p: _ind(p, "points")["reads"].update({"9901": "甲区21个"}), "not in the quote"),
    (lambda p: _ind(p, "points")["targets"].update({"9901": 10, "9902": 20}), "target of 9901 = 10 is not in"),
    (lambda p: _ind(p, "points")["reads"].update({"9901": "乙县10个", "9902": "甲区20个"}), "does not name 甲区"),
    (lambda p: _ind(p, "points")["reads"].pop("9902"), "target 10 of 9902: no reads"),
    (lambda p: (_ind(p, "points")["targets"].update({"9903": 20}), _ind(p, "points")["reads"].update({"9903": "甲区20个"})),
     "no place has the code 9903"),
    (lambda p: _ind(p, "points")["reads"].update({"99": "甲区20个"}), "names 甲区"),
    (lambda p: _ind(p, "station").pop("reads"), "per_unit_target 5: no reads"),
    (lambda p: _ind(p, "station").update(quote="每个站每年开展活动不少于6次"), "not verbatim"),
    # direction and strictness
    (lambda p: _ind(p, "station").update(direction="max"), "direction = max"),
    (lambda p: _ind(p, "wait").pop("direction"), 'direction = "max"'),
    (lambda p: _ind(p, "reach").pop("strict"), "strict = true"),
    (lambda p: _ind(p, "station").update(strict=True), "says no 超过"),
    (lambda p: _ind(p, "station").update(direction="down"), "min or max"),
    # period and due
    (lambda p: _ind(p, "share").pop("assumed"), "period = year"),
    (lambda p: _ind(p, "points").update(due=dt.date(2025, 11, 30)), "is not what '到2025年底' says"),
    (lambda p: _ind(p, "points").pop("due_reads"), "bind it"),
    (lambda p: _ind(p, "steps").pop("due"), "needs a due date"),
    (lambda p: _ind(p, "points").update(period="quarterly"), "period must be"),
    (lambda p: p.update(start_date=dt.date(2020, 2, 1)), "start_date"),
    (lambda p: p.pop("start_reads"), "start_date"),
    # rate units and per-unit targets
    (lambda p: _ind(p, "share")["spec"].update(per=10000), "per = 10000"),
    (lambda p: _ind(p, "per10k")["spec"].update(per=100), "per = 100"),
    (lambda p: _ind(p, "station").update(reads="开展活动不少于5次", quote="每个站每年开展活动不少于5次"), "每个"),
    # tiers and milestones
    (lambda p: _ind(p, "tiers")["spec"]["tiers"][0].update(target=5), "tier 1: tier target = 5"),
    (lambda p: _ind(p, "tiers")["spec"]["tiers"][1].update(to=12), "tier to = 12"),
    (lambda p: _ind(p, "tiers")["spec"]["tiers"][1].pop("reads"), "tier 2: no reads"),
    (lambda p: _ind(p, "steps")["spec"]["milestones"][0].update(share=0.6), "milestone share = 0.6"),
    (lambda p: _ind(p, "steps")["spec"]["milestones"][0].update(by=dt.date(2023, 10, 31)), "milestone 1: by"),
    # spec numbers
    (lambda p: p["indicators"].append({"code": "pm", "quote": "每个站每年开展活动不少于5次", "spec": {"min": 5}}),
     "spec.min = 5: no reads"),
    (lambda p: p["indicators"].append({"code": "pm", "quote": "每个站每年开展活动不少于5次",
                                       "spec": {"min": 6, "reads": {"min": "不少于5次"}}}), "spec.min = 6 is not in"),
    # the chain, the manifest
    (lambda p: p["approval"]["levels"].pop(1), "not the chain"),
    (lambda p: p["approval"]["levels"].pop(0), "a level is missing"),
    (lambda p: p["approval"]["levels"].reverse(), "not the chain"),
    (lambda p: p["not_encoded"][0].pop("reason"), "says why"),
    (lambda p: p["not_encoded"][0].update(quote="加强宣传"), None),  # still verbatim, still fine
    (lambda p: p.update(encoded=[{"quote": "加强宣传,营造氛围", "by": ["kind:nosuchkind"]}]), "no report kind"),
    (lambda p: p.update(source_title="另一份文件"), "source_title"),
])
def test_each_rule_finds_what_breaks_it(change, expected):
    found = _changed(change)
    if expected is None:
        assert found == []
    else:
        assert any(expected in p for p in found), found


@pytest.mark.parametrize("ref, ok", [
    ("kind:xinfeng", True), ("kind:nosuch", False),
    ("field:activity.participants", True), ("field:activity.nosuch", False), ("field:nosuch.x", False),
    ("indicator:station", True), ("indicator:nosuch", False),
    ("step:approval.county", True), ("step:approval.city", False), ("step:nosuch.county", False),
    ("registry:organizations.status", True), ("registry:organizations.colour", False),
    ("registry:units.name", True), ("registry:people.name", False),
    ("something", False), ("colour:red", False),
])
def test_an_encoded_entry_names_only_what_exists(ref, ok):
    plan = _plan(STATION, approval=CHAIN)
    assert (fx.reference_problem(plan, ref) is None) == ok


def test_a_value_is_accounted_for_only_by_a_phrase_that_binds_it():
    """The two targets share a quote: with one of them deleted, its number is quoted but bound
    by nothing, and the sentence is uncovered."""
    plan = copy.deepcopy(FAITHFUL)
    _ind(plan, "points")["targets"].pop("9902")
    _ind(plan, "points")["reads"].pop("9902")
    missing = [s.missing for s in fx.uncovered(plan, DOC)]
    assert missing == [["10个"]]
    plan["not_encoded"].append({"quote": "乙县10个", "reason": "乙县另行考核"})
    assert fx.uncovered(plan, DOC) == []


def test_a_step_word_is_accounted_for_by_any_quote_and_a_dropped_entry_is_missed():
    plan = copy.deepcopy(FAITHFUL)
    plan.pop("approval")
    assert any("逐级" in s.missing for s in fx.uncovered(plan, DOC))
    plan["encoded"] = [{"quote": "按照社区申报—街道初核—县级审核的程序,逐级申报", "by": ["kind:pilot_application"]}]
    assert fx.uncovered(plan, DOC) == []


def test_places_of_the_shipped_files_are_known_by_their_short_codes():
    names = fx.place_names()
    assert names["5118"] == "雅安市" and names["511802"] == "雨城区"
    assert fx.short_name("雨城区") == "雨城" and fx.short_name("天津市") == "天津"
    assert fx.names_place("雨城122个", "雨城区")


def test_a_target_on_a_place_no_file_knows_is_a_problem_only_once_the_scope_is_known():
    plan = _plan(dict(POINTS, targets={"99": 30, "9901": 20, "9902": 10, "9999": 20},
                      reads={"99": "不少于30个", "9901": "甲区20个", "9902": "乙县10个", "9999": "甲区20个"}))
    assert any("9999" in p for p in fx.problems(plan, DOC, places=PLACES))
    plan["scope"] = "88"  # a province whose place file has not landed yet
    assert not any("9999" in p for p in fx.problems(plan, DOC, places=PLACES))


# ---- the command line -------------------------------------------------------------------------

def test_the_command_line_prints_nothing_for_a_faithful_plan_and_each_problem_otherwise(tmp_path, capsys):
    good = FIXTURES["faithful_004"]
    assert fx.main(["check", str(good)]) == 0
    assert capsys.readouterr().out == ""
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text("utf-8").replace('"511802" = 122', '"511802" = 123'), "utf-8")
    assert fx.main(["check", str(bad)]) == 1
    assert "minors_points: target of 511802 = 123 is not in '雨城区122个'" in capsys.readouterr().out
    assert fx.main(["uncovered", str(good)]) == 1  # an excerpt: the rest of the document is missing
    marked = re.findall(r"【([^】]*)】", capsys.readouterr().out)
    assert "15分钟" in marked and "316个" not in marked and "122个" not in marked
    assert fx.main(["sentences", DOCUMENTS[4]]) == 0
    assert fx.main(["nonsense"]) == 2


def test_place_files_are_read_whatever_way_they_list_names_and_codes(tmp_path, monkeypatch):
    (tmp_path / "a.toml").write_text(
        '[root]\ncode = "12"\nname = "天津市"\n[[counties]]\ncode = "120101"\nname = "和平区"\n'
        '[counties.townships]\n"120101001" = "劝业场街道"\n[more]\n"小白楼街道" = "120101002"\n'
        '[twelve]\ncode = "120102000000"\nname = "河东区"\n', "utf-8")
    monkeypatch.setattr(fx, "PLACES_DIR", tmp_path)
    fx.place_names.cache_clear()
    try:
        assert fx.place_names() == {"12": "天津市", "120101": "和平区", "120101001": "劝业场街道",
                                    "120101002": "小白楼街道", "120102": "河东区"}
    finally:
        fx.place_names.cache_clear()

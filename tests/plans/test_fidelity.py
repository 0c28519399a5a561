"""Every shipped plan file is faithful to the document it cites: each quote is in the
document's text (whitespace aside), and each number the plan takes from it — targets, ratio
targets and their "per", minimums, shares, tiers, dated partial targets — is in its quote.
So a typo in a target cannot ship: the last tests change one number in a copy of a plan file
and see the check fail.
"""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from models.plans.loading import DEFAULT_PLAN_FILE, read_plan_file, shipped_plan_files
from tests.plankit import POLICIES

PLANS = {p.stem: p for p in shipped_plan_files()}
needs_documents = pytest.mark.skipif(POLICIES is None, reason="shared/policies not available")

CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9, "十": 10}
DASHES = "—–-－~～"
# How a document writes a rate's base: 15% is per 100, 每万人 per 10,000.
PER_WORDS = {100: "%", 1000: "每千", 10000: "每万"}


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def numbers_in(text: str) -> set[Fraction]:
    """The numbers a quote states, as the documents write them: "3.8万" is 38000, "15%" is
    15 (and the share 0.15), "三分之一" is 1/3, "至少一名" is 1."""
    out: set[Fraction] = set()
    for m in re.finditer(r"(\d+(?:\.\d+)?)(万)?(%)?", text):
        n = Fraction(m.group(1))
        if m.group(2):
            n *= 10000
        out.add(n)
        if m.group(3):
            out.add(n / 100)
    for m in re.finditer(r"([一二两三四五六七八九十])分之([一二两三四五六七八九十])", text):
        out.add(Fraction(CN_DIGITS[m.group(2)], CN_DIGITS[m.group(1)]))
    for m in re.finditer(r"([一二两三四五六七八九十])(?:名|个|家|次)", text):
        out.add(Fraction(CN_DIGITS[m.group(1)]))
    return out


def _fraction(value) -> Fraction:
    return Fraction(str(value))


def cited_numbers(ind: dict) -> list[tuple[str, Fraction]]:
    """(what, number) for every number the indicator takes from its document."""
    spec = ind.get("spec", {})
    out = [(f"target of {code}", _fraction(v)) for code, v in ind.get("targets", {}).items()]
    if ind.get("per_unit_target") is not None:
        out.append(("per_unit_target", _fraction(ind["per_unit_target"])))
    for key in ("min", "max"):
        if key in spec:
            out.append((key, _fraction(spec[key])))
    if "share" in spec and _fraction(spec["share"]) != 1:
        out.append(("share", _fraction(spec["share"])))
    for t in spec.get("tiers", []):
        out += [("tier from", _fraction(t["from"])), ("tier to", _fraction(t["to"])),
                ("tier target", _fraction(t["target"]))]
    for m in spec.get("milestones", []):
        if _fraction(m["share"]) != 1:
            out.append(("milestone share", _fraction(m["share"])))
    return out


def _dates_cited(ind: dict) -> list[str]:
    """Milestone dates as the documents write them: "2023年11月"."""
    return [f"{m['by'].year}年{m['by'].month}月" for m in ind.get("spec", {}).get("milestones", [])]


def _quotes(node, where: str = ""):
    """Every (where, quote) in a plan file's non-indicator sections ([index], [approval] ...)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and (k == "quote" or k.endswith("_quote")):
                yield f"{where}.{k}", v
            else:
                yield from _quotes(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _quotes(v, f"{where}[{i}]")


def problems(path: Path) -> list[str]:
    """Everything in the plan file at ``path`` that its document does not say."""
    spec = read_plan_file(path)
    text = compact((POLICIES / spec["source_file"]).read_text("utf-8"))
    out = []
    if compact(spec["source_title"]) not in text:
        out.append(f"source_title {spec['source_title']!r} is not in {spec['source_file']}")
    for ind in spec.get("indicators", []) + spec.get("counters", []):
        code, quote = ind["code"], ind.get("quote")
        if not quote:
            if ind in spec.get("indicators", []):
                out.append(f"{code}: cites no sentence")
            continue
        if compact(quote) not in text:
            out.append(f"{code}: quote not in {spec['source_file']}")
        reads = ind.get("quote_reads", quote)
        # An erratum may only restore the dashes the stored text lost between two digits.
        undash = lambda t: re.sub(rf"(?<=\d)[{DASHES}](?=\d)", "", compact(t))  # noqa: E731
        if undash(reads) != undash(quote):
            out.append(f"{code}: quote_reads differs from the quote by more than a dash")
        stated = numbers_in(reads)
        for what, n in cited_numbers(ind):
            if n not in stated:
                out.append(f"{code}: {what} {n} is not in its quote")
        per = ind.get("spec", {}).get("per")
        if per not in (None, 1) and PER_WORDS.get(per, "\0") not in reads \
                and _fraction(per) not in stated:
            out.append(f"{code}: a rate per {per} that its quote does not state")
        for day in _dates_cited(ind):
            if day not in compact(reads):
                out.append(f"{code}: milestone {day} is not in its quote")
    sections = {k: v for k, v in spec.items() if k not in ("indicators", "counters")}
    for where, quote in _quotes(sections):
        if compact(quote) not in text:
            out.append(f"{where}: quote not in {spec['source_file']}")
    return out


@needs_documents
@pytest.mark.parametrize("path", list(PLANS.values()), ids=list(PLANS))
def test_every_quote_and_number_of_a_shipped_plan_is_in_its_document(path):
    assert problems(path) == []


def test_five_plans_ship_each_citing_its_own_document():
    cited = {read_plan_file(p)["source_file"] for p in PLANS.values()}
    assert cited == {"000_3ec0aadedd6e3a6b.txt", "001_61aea6d432ceec82.txt",
                     "002_c1b4c8bc100f7ba9.txt", "003_e46522dbaec760a4.txt",
                     "004_ef173f524f7c7ddd.txt"}
    for p in PLANS.values():
        spec = read_plan_file(p)
        assert spec["issuer"] and spec["issued_on"] and spec["source_title"], p.stem
        for ind in spec["indicators"]:
            assert ind.get("quote"), f"{p.stem}: {ind['code']} cites no sentence"
        if p != DEFAULT_PLAN_FILE:
            assert all(ind.get("article") for ind in spec["indicators"]), p.stem


def test_it_reads_numbers_the_way_the_documents_write_them():
    assert numbers_in("覆盖人数超过3.8万人次") >= {Fraction(38000)}
    assert numbers_in("市区联合创建点1—5应不少于5万元") >= {Fraction(1), Fraction(5), Fraction(50000)}
    assert numbers_in("占社区常住居民人数的15%以上") >= {Fraction(15), Fraction(15, 100)}
    assert Fraction(1, 3) in numbers_in("社会工作服务覆盖到三分之一以上的农村社区")
    assert Fraction(1) in numbers_in("至少一名持证社区工作者")
    assert Fraction(2) not in numbers_in("配备23名")


# ---- the check fails on a changed number -----------------------------------------------------

MUTATIONS = [
    # (plan, text in the file, what it becomes, the indicator the check must name)
    ("yaan_jiuxiang", '"511802" = 122', '"511802" = 123', "minors_points"),
    ("tianjin_2024_demo", "per_unit_target = 15", "per_unit_target = 16", "volunteer_share"),
    ("tianjin_2024_demo", "to = 5, target = 50000", "to = 5, target = 5000", "joint_sites_fundraising"),
    ("tianjin_2024_demo", "share = 0.5", "share = 0.6", "creation_completed"),
    ("tianjin_2024_demo", "by = 2023-11-30", "by = 2023-10-31", "creation_completed"),
    ("tianjin_2024_demo", 'attr = "station_social_workers", min = 2', 'attr = "station_social_workers", min = 3',
     "sites_with_2_social_workers"),
    ("zhejiang_2025", "per_unit_target = 35", "per_unit_target = 36", "social_workers_per_10k"),
    ("zhejiang_2025", '"33" = 1000', '"33" = 100', "star_complexes"),
    ("zhejiang_2025", "per = 10000", "per = 1000", "social_workers_per_10k"),
    ("gansu_sanshe_pilot", 'share = "1/3"', 'share = "1/4"', "rural_social_work_coverage"),
    ("gansu_sanshe_pilot", "per_unit_target = 10\nreads = \"不少于", "per_unit_target = 15\nreads = \"不少于",
     "volunteer_rate"),
    ("tianjin_shequ_zuzhi", "min = 2, max = 3", "min = 2, max = 4", "hubs_staffed"),
    ("tianjin_shequ_zuzhi", "要配备2—3名", "要配备2—5名", "hubs_staffed"),
]


@needs_documents
@pytest.mark.parametrize("plan, old, new, code", MUTATIONS,
                         ids=[f"{m[0]}:{m[3]}" for m in MUTATIONS])
def test_the_check_fails_when_a_number_in_a_copy_of_a_plan_file_is_changed(tmp_path, plan, old, new, code):
    source = PLANS[plan].read_text("utf-8")
    assert source.count(old) == 1, f"the mutation must change exactly one place: {old!r}"
    bad = tmp_path / f"{plan}.toml"
    bad.write_text(source.replace(old, new), "utf-8")
    assert problems(PLANS[plan]) == []
    found = problems(bad)
    assert found and all(p.startswith(code) for p in found), found


@needs_documents
def test_the_check_fails_when_a_quote_is_not_the_documents(tmp_path):
    source = PLANS["zhejiang_2025"].read_text("utf-8")
    bad = tmp_path / "zhejiang.toml"
    bad.write_text(source.replace("每万人拥有持证社会工作者35人", "每万人拥有持证社会工作者36人"), "utf-8")
    assert any("quote not in" in p for p in problems(bad))

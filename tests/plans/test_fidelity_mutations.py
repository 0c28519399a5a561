"""The fidelity check catches a misread plan: each mutation below changes a faithful plan one
way (a number swapped, a target moved to another place, a date moved by a month, a direction
flipped, a period changed, an indicator or a manifest entry deleted, an approval level
dropped, ...) and the check must find it — a binding problem (``problems``) or a requirement
of the document no longer accounted for (``uncovered``).

They run on the faithful fixture plans (tests/plans/fixtures/: excerpts of 000, 001, 002 and
004 with the approval chain), and the generic ones on every shipped plan that is faithful,
so once the shipped plans are, they are mutated too.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from fractions import Fraction
from pathlib import Path

import pytest

from models.plans import fidelity as fx
from models.plans.loading import read_plan_file, shipped_plan_files

FIXTURES = {p.stem: p for p in sorted((Path(__file__).parent / "fixtures").glob("*.toml"))}


def _faithful_shipped() -> dict[str, Path]:
    out = {}
    for p in shipped_plan_files():
        plan = read_plan_file(p)
        if not fx.problems(plan, fx.document(plan["source_file"])):
            out[p.stem] = p
    return out


SUBJECTS = {**FIXTURES, **_faithful_shipped()}


def caught(original: dict, mutant: dict) -> list[str]:
    """What the check says of ``mutant`` that it does not say of ``original``."""
    doc = fx.document(original["source_file"])
    found = fx.problems(mutant, doc)
    before = {(s.start, tuple(s.missing)) for s in fx.uncovered(original, doc)}
    found += [f"uncovered: {fx._mark(s)}" for s in fx.uncovered(mutant, doc)
              if (s.start, tuple(s.missing)) not in before]
    return found


def ind(plan: dict, code: str) -> dict:
    return next(i for i in plan["indicators"] if i["code"] == code)


def drop(plan: dict, code: str) -> None:
    plan["indicators"] = [i for i in plan["indicators"] if i["code"] != code]


def swap(d: dict, a, b) -> None:
    d[a], d[b] = d[b], d[a]


def month_earlier(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


# (fixture, what the mutation does, the change)
MUTATIONS = [
    # 004 雅安
    ("faithful_004", "swap 雨城区122 and 名山区23",
     lambda p: swap(ind(p, "minors_points")["targets"], "511802", "511803")),
    ("faithful_004", "316 points become 317", lambda p: ind(p, "minors_points")["targets"].update({"5118": 317})),
    ("faithful_004", "雨城区's phrase bound to 名山区's code and back",
     lambda p: swap(ind(p, "minors_points")["reads"], "511802", "511803")),
    ("faithful_004", "a target's place code becomes one no place has",
     lambda p: [ind(p, "minors_points")[k].update({"511899": ind(p, "minors_points")[k].pop("511802")})
                for k in ("targets", "reads")]),
    ("faithful_004", "the 5 activities per station become 4", lambda p: ind(p, "xinfeng_per_station").update(per_unit_target=4)),
    ("faithful_004", "flip 不少于5次 from min to max", lambda p: ind(p, "xinfeng_per_station").update(direction="max")),
    ("faithful_004", "drop strict from 超过3.8万人次", lambda p: ind(p, "minors_reach").pop("strict")),
    ("faithful_004", "3.8万 person-times become 3.8 thousand", lambda p: ind(p, "minors_reach")["targets"].update({"5118": 3800})),
    ("faithful_004", "a per-station target read without 每个", lambda p: ind(p, "xinfeng_per_station").update(reads="开展婚丧嫁娶“新风弘扬”活动不少于5次")),
    ("faithful_004", "period year becomes plan", lambda p: ind(p, "xinfeng_per_station").update(period="plan")),
    ("faithful_004", "the cemeteries' due moves a month", lambda p: ind(p, "cemeteries").update(due=dt.date(2025, 11, 30))),
    ("faithful_004", "an undated target loses its assumption", lambda p: ind(p, "minors_points").pop("assumed")),
    ("faithful_004", "delete the cemeteries indicator", lambda p: drop(p, "cemeteries")),
    ("faithful_004", "delete the sessions indicator (its quote stays cited by another)", lambda p: drop(p, "minors_sessions")),
    ("faithful_004", "delete an [[encoded]] entry", lambda p: p["encoded"].pop(1)),
    ("faithful_004", "delete the [[not_encoded]] entry", lambda p: p.pop("not_encoded")),
    ("faithful_004", "an [[encoded]] entry names a field no kind has",
     lambda p: p["encoded"][1].update(by=["field:activity.minors_reached"])),
    ("faithful_004", "an [[encoded]] entry names an indicator the plan lacks",
     lambda p: p["encoded"][1].update(by=["indicator:trainings"])),
    ("faithful_004", "alter a quote", lambda p: ind(p, "minors_points").update(
        quote=ind(p, "minors_points")["quote"].replace("雨城区122个", "雨城区123个"))),
    ("faithful_004", "the rate per 100 becomes per 10,000", lambda p: ind(p, "elderly_visits")["spec"].update(per=10000)),
    ("faithful_004", "the plan's start moves a month", lambda p: p.update(start_date=dt.date(2023, 3, 14))),
    ("faithful_004", "the cemeteries' own start loses its reason", lambda p: ind(p, "cemeteries").pop("start_assumed")),
    # 000 天津示范
    ("faithful_000", "the 50,000 tier becomes 5", lambda p: ind(p, "joint_sites_fundraising")["spec"]["tiers"][0].update(target=5)),
    ("faithful_000", "a tier boundary 5 becomes 6", lambda p: ind(p, "joint_sites_fundraising")["spec"]["tiers"][0].update(to=6)),
    ("faithful_000", "a tier boundary 6 becomes 7", lambda p: ind(p, "joint_sites_fundraising")["spec"]["tiers"][1].update({"from": 7})),
    ("faithful_000", "swap the two tiers' targets", lambda p: [
        t.update(target=v) for t, v in zip(ind(p, "joint_sites_fundraising")["spec"]["tiers"], (20000, 50000))]),
    ("faithful_000", "the 50% milestone becomes 60%",
     lambda p: ind(p, "creation_completed")["spec"]["milestones"][0].update(share=0.6)),
    ("faithful_000", "the 2023-11 milestone moves a month",
     lambda p: ind(p, "creation_completed")["spec"]["milestones"][0].update(by=dt.date(2023, 10, 31))),
    ("faithful_000", "the final milestone moves a month",
     lambda p: ind(p, "creation_completed")["spec"]["milestones"][1].update(by=dt.date(2024, 5, 31))),
    ("faithful_000", "the plan's due moves a month", lambda p: ind(p, "creation_completed").update(due=dt.date(2024, 7, 31))),
    ("faithful_000", "swap 15% and 40%", lambda p: (ind(p, "volunteer_share").update(per_unit_target=40),
                                                   ind(p, "volunteer_hours_share").update(per_unit_target=15))),
    ("faithful_000", "15% per 100 becomes per 10,000", lambda p: ind(p, "volunteer_share")["spec"].update(per=10000)),
    ("faithful_000", "at least 2 social workers becomes 3",
     lambda p: ind(p, "station_social_workers")["spec"].update(min=3)),
    ("faithful_000", "swap 50 sites and 100 communities", lambda p: (
        ind(p, "creation_sites")["targets"].update({"12": 100}), ind(p, "creation_communities")["targets"].update({"12": 50}))),
    ("faithful_000", "a yearly standard loses its assumption", lambda p: ind(p, "volunteer_share").pop("assumed")),
    ("faithful_000", "delete the [[not_encoded]] entry", lambda p: p.pop("not_encoded")),
    # 001 浙江
    ("faithful_001", "swap 20 (urban) and 9 (rural)", lambda p: (
        ind(p, "csos_per_urban_community")["spec"].update(min=9), ind(p, "csos_per_rural_community")["spec"].update(min=20))),
    ("faithful_001", "drop strict from 突破60%", lambda p: ind(p, "certified_community_workers").pop("strict")),
    ("faithful_001", "1000 complexes become 100", lambda p: ind(p, "star_complexes")["targets"].update({"33": 100})),
    ("faithful_001", "the province's target sits on a county's code",
     lambda p: ind(p, "star_complexes").update(targets={"511802": 1000})),
    ("faithful_001", "delete the rural indicator that shares its quote", lambda p: drop(p, "csos_per_rural_community")),
    ("faithful_001", "the due 2025 becomes 2024", lambda p: ind(p, "star_complexes").update(due=dt.date(2024, 12, 31))),
    # 002 甘肃
    ("faithful_002", "drop the county level from the approval chain", lambda p: p["approval"]["levels"].pop(2)),
    ("faithful_002", "drop the province level from the approval chain", lambda p: p["approval"]["levels"].pop(4)),
    ("faithful_002", "drop the community level from the approval chain", lambda p: p["approval"]["levels"].pop(0)),
    ("faithful_002", "swap two approval levels", lambda p: swap(p["approval"]["levels"], 1, 2)),
    ("faithful_002", "three-to-five becomes five-to-three",
     lambda p: ind(p, "pilot_communities")["spec"].update(min=5, max=3)),
    ("faithful_002", "three-to-five becomes three-to-six", lambda p: ind(p, "pilot_communities")["spec"].update(max=6)),
    ("faithful_002", "a third becomes a quarter", lambda p: ind(p, "rural_social_work_coverage")["spec"].update(share="1/4")),
    ("faithful_002", "per 10,000 becomes per 100", lambda p: ind(p, "organizations_per_10k")["spec"].update(per=100)),
    ("faithful_002", "the due 2020 becomes 2019", lambda p: ind(p, "organizations_per_10k").update(due=dt.date(2019, 12, 31))),
    ("faithful_002", "period standing becomes year", lambda p: ind(p, "volunteer_rate").update(period="year")),
    ("faithful_002", "200 projects become 100", lambda p: ind(p, "pilot_projects")["targets"].update({"62": 100})),
    ("faithful_002", "10% volunteers become 15%", lambda p: ind(p, "volunteer_rate").update(per_unit_target=15)),
    ("faithful_002", "delete the stage entry", lambda p: p.pop("encoded")),
    ("faithful_002", "the filing window closes a month early",
     lambda p: p["approval"].update(filing_window=["2016-07-01", "2016-08-31"])),
    ("faithful_002", "the filing window opens a day late",
     lambda p: p["approval"].update(filing_window=["2016-07-02", "2016-09-30"])),
    ("faithful_002", "the plan's start moves a month", lambda p: p.update(start_date=dt.date(2016, 5, 13))),
]


def test_there_are_at_least_thirty_distinct_mutations():
    assert len({m[1] for m in MUTATIONS}) >= 30
    assert {m[0] for m in MUTATIONS} == set(FIXTURES)


@pytest.mark.parametrize("fixture, what, change", MUTATIONS, ids=[f"{m[0]}: {m[1]}" for m in MUTATIONS])
def test_the_check_catches_each_mutation_of_a_faithful_plan(fixture, what, change):
    original = read_plan_file(FIXTURES[fixture])
    assert fx.problems(original, fx.document(original["source_file"])) == []
    mutant = copy.deepcopy(original)
    change(mutant)
    assert mutant != original, f"the mutation {what!r} changed nothing"
    assert caught(original, mutant), f"not caught: {what}"


# ---- generic mutations, on every faithful plan -------------------------------------------------

def _numbers(phrase: str) -> set:
    return set().union(*(n.values for n in fx.numbers_in(phrase))) if phrase else set()


def _bump(value, phrase: str):
    """value + 1, unless the phrase states that too (then the change is not a misreading)."""
    new = Fraction(str(value)) + 1
    return None if new in _numbers(fx.compact(phrase)) else (int(new) if new.denominator == 1 else float(new))


def generic_mutations(plan: dict):
    """(name, change) for each mutation that applies to ``plan``."""
    out = []
    doc = fx.compact(fx.document(plan["source_file"]))
    others_bound = {}
    for n, i in enumerate(plan.get("indicators", [])):
        code = i["code"]
        get = lambda p, c=code: ind(p, c)  # noqa: E731
        reads = fx._targets_reads(i)
        targets = i.get("targets") or {}
        for place, value in targets.items():
            new = _bump(value, reads.get(place, ""))
            if new is not None:
                out.append((f"{code}: target of {place} +1", lambda p, g=get, pl=place, v=new: g(p)["targets"].update({pl: v})))
        values = list(targets.items())
        for (a, va), (b, vb) in zip(values, values[1:]):
            if va != vb:
                out.append((f"{code}: swap targets of {a} and {b}",
                            lambda p, g=get, a=a, b=b: swap(g(p)["targets"], a, b)))
        if i.get("per_unit_target") is not None and isinstance(i.get("reads"), str):
            new = _bump(i["per_unit_target"], i["reads"])
            if new is not None:
                out.append((f"{code}: per_unit_target +1", lambda p, g=get, v=new: g(p).update(per_unit_target=v)))
        spec = i.get("spec") or {}
        sreads = spec.get("reads") if isinstance(spec.get("reads"), dict) else {}
        for key in ("min", "max"):
            if key in spec and key in sreads:
                new = _bump(spec[key], sreads[key])
                if new is not None:
                    out.append((f"{code}: spec.{key} +1", lambda p, g=get, k=key, v=new: g(p)["spec"].update({k: v})))
        if "share" in spec and "share" in sreads:
            old = Fraction(spec["share"]) if isinstance(spec["share"], str) else Fraction(str(spec["share"]))
            new = old / 2
            if new not in _numbers(fx.compact(sreads["share"])):
                out.append((f"{code}: share halved", lambda p, g=get, v=str(new): g(p)["spec"].update(share=v)))
        for t, tier in enumerate(spec.get("tiers") or []):
            for key in ("from", "to", "target"):
                new = _bump(tier[key], tier.get("reads", ""))
                if new is not None:
                    out.append((f"{code}: tier {t + 1} {key} +1",
                                lambda p, g=get, t=t, k=key, v=new: g(p)["spec"]["tiers"][t].update({k: v})))
        for m, ms in enumerate(spec.get("milestones") or []):
            out.append((f"{code}: milestone {m + 1} a month earlier",
                        lambda p, g=get, m=m, d=month_earlier(fx._as_date(ms["by"])):
                        g(p)["spec"]["milestones"][m].update(by=d)))
            share = Fraction(str(ms["share"])) if not isinstance(ms["share"], str) else Fraction(ms["share"])
            if share < 1:
                out.append((f"{code}: milestone {m + 1} share +0.1",
                            lambda p, g=get, m=m, v=float(share) + 0.1: g(p)["spec"]["milestones"][m].update(share=v)))
        if spec.get("per") in (100, 10000):
            out.append((f"{code}: per changed", lambda p, g=get, v=10100 - spec["per"]: g(p)["spec"].update(per=v)))
        if i.get("due_reads") and i.get("due"):
            out.append((f"{code}: due a month earlier",
                        lambda p, g=get, d=month_earlier(fx._as_date(i["due"])): g(p).update(due=d)))
            if not i.get("assumed"):
                out.append((f"{code}: due_reads deleted", lambda p, g=get: g(p).pop("due_reads")))
        if i.get("assumed") and not i.get("due_reads") and not (
                i.get("period", "year") == "year" and fx.YEARLY.search(fx.compact(i.get("quote", "")))):
            out.append((f"{code}: assumption deleted", lambda p, g=get: g(p).pop("assumed")))
        bound = reads or i.get("per_unit_target") is not None or spec.get("tiers")
        quote = fx.compact(i.get("quote", ""))
        if bound and i.get("direction", "min") == "min" and not fx.MAX_WORDS.search(quote):
            out.append((f"{code}: direction min → max", lambda p, g=get: g(p).update(direction="max")))
        if i.get("strict"):
            out.append((f"{code}: strict dropped", lambda p, g=get: g(p).pop("strict")))
        elif bound and not fx.STRICT_WORDS.search(quote):
            out.append((f"{code}: strict added", lambda p, g=get: g(p).update(strict=True)))
        if i.get("period", "year") == "year" and not i.get("due") and bound:
            out.append((f"{code}: period year → plan", lambda p, g=get: g(p).update(period="plan")))
        if i.get("period") in ("plan", "standing") and not fx.YEARLY.search(quote) and not i.get("assumed"):
            out.append((f"{code}: period → year", lambda p, g=get: g(p).update(period="year")))
        if i.get("quote"):
            out.append((f"{code}: quote altered", lambda p, g=get: g(p).update(quote=g(p)["quote"] + "等")))
        for place, phrase in reads.items():
            if isinstance(i.get("reads"), dict):
                out.append((f"{code}: reads of {place} altered",
                            lambda p, g=get, pl=place: g(p)["reads"].update({pl: g(p)["reads"][pl] + "等"})))
        # deleting an indicator is caught when it alone binds a value of its document
        others = copy.deepcopy(plan)
        others["indicators"] = [x for k, x in enumerate(plan["indicators"]) if k != n]
        if _binds_alone(plan, others, doc):
            out.append((f"{code}: deleted", lambda p, c=code: drop(p, c)))
    for key in ("encoded", "not_encoded"):
        for n, entry in enumerate(plan.get(key) or []):
            others = copy.deepcopy(plan)
            others[key] = [x for k, x in enumerate(plan[key]) if k != n]
            if _binds_alone(plan, others, doc):
                out.append((f"{key}[{n}] deleted", lambda p, k=key, n=n: p[k].pop(n)))
            if entry.get("quote"):
                out.append((f"{key}[{n}] quote altered", lambda p, k=key, n=n: p[k][n].update(quote=p[k][n]["quote"] + "等")))
    for name, section in plan.items():
        if isinstance(section, dict) and isinstance(section.get("levels"), list) \
                and any("step" in lv for lv in section["levels"]):
            for n in range(len(section["levels"])):
                out.append((f"[{name}] level {n + 1} dropped", lambda p, s=name, n=n: p[s]["levels"].pop(n)))
    if plan.get("start_reads") and plan.get("start_date"):
        out.append(("plan start a month earlier",
                    lambda p, d=month_earlier(fx._as_date(plan["start_date"])): p.update(start_date=d)))
    return out


def _binds_alone(plan: dict, without: dict, doc: str) -> bool:
    """Whether ``plan`` binds a value trigger of its document that ``without`` does not."""
    def value_spans(p):
        _quoted, bound = fx.accounted(p, doc)
        return bound
    text = fx.document(plan["source_file"])
    triggers = [(a, b) for s in fx.requirement_sentences(text) for a, b, _t, kind in s.triggers
                if kind in fx.BINDABLE]
    full, less = value_spans(plan), value_spans(without)
    inside = lambda spans, a, b: any(x <= a and b <= y for x, y in spans)  # noqa: E731
    return any(inside(full, a, b) and not inside(less, a, b) for a, b in triggers)


def _generic_cases():
    out = []
    for stem, path in SUBJECTS.items():
        plan = read_plan_file(path)
        for name, change in generic_mutations(plan):
            out.append(pytest.param(path, name, change, id=f"{stem}: {name}"))
    return out


@pytest.mark.parametrize("path, what, change", _generic_cases())
def test_the_check_catches_every_generic_mutation_of_every_faithful_plan(path, what, change):
    original = read_plan_file(path)
    mutant = copy.deepcopy(original)
    change(mutant)
    assert mutant != original, f"the mutation {what!r} changed nothing"
    assert caught(original, mutant), f"not caught: {what}"


def test_the_generic_mutations_cover_every_kind_on_the_fixtures():
    kinds = {re.sub(r"^[^:]*: |\d+|\[[^]]*\]", "", name).strip()
             for path in FIXTURES.values() for name, _ in generic_mutations(read_plan_file(path))}
    assert {"target of  +", "swap targets of  and", "per_unit_target +", "spec.min +", "share halved",
            "tier  target +", "milestone  a month earlier", "per changed", "due a month earlier",
            "direction min → max", "strict dropped", "strict added", "period year → plan",
            "quote altered", "deleted", "level  dropped", "assumption deleted"} <= kinds, kinds

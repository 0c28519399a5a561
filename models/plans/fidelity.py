"""Is a plan file faithful to the document it cites?  Pure functions over a plan's TOML (as a
dict) and the document's text; no database, no web.

Two questions, both answered as lists a person can act on:

- ``uncovered(plan, text)``: the document's *requirement sentences* (a number with its unit, a
  ratio, a date, a required step) that the plan does not account for: each value must sit in a
  phrase that binds it (an indicator's ``reads``/``due_reads``, a quote of another section such
  as ``[approval]``, an ``[[encoded]]`` or ``[[not_encoded]]`` entry), each step word in some
  quote. So a requirement cannot be silently left out (models/plans/manifest.py).
- ``problems(plan, text)``: every binding rule the plan breaks (FIDELITY_SPEC / the plans'
  README): each number is bound by ``reads`` to the phrase that states it in the document's
  notation, next to the name of the place whose code carries it; direction (min/max/strict),
  period and due date (``due_reads`` or ``assumed``), ratio units (``per``), tiers, milestones,
  the approval chain and the ``by`` references of ``[[encoded]]`` all agree with the text.

``python -m models.plans.fidelity uncovered FILE`` / ``check FILE`` print them (exit 1 if any).
"""
from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from models.core.paths import DATA_DIR
# The text side (documents, numbers, dates) and the manifest side (the detector, what a plan
# accounts for, ``[[encoded]]`` references) live in their own modules; their names are
# importable from here, the one entry point.
from models.plans.manifest import (BINDABLE, Sentence, _all_quotes, _mark, accounted,  # noqa: F401
                                   reference_problem, requirement_sentences, uncovered)
from models.plans.policy_text import (DASHES, POLICIES_DIR, _as_date, _f, bind, compact,  # noqa: F401
                                      date_problem, dates_in, document, numbers_in)

PLACES_DIR = DATA_DIR / "places"


# ---- places -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
    """Code → name of every place in the shipped place files (any table with a code and a
    name; any table of name = code or code = name)."""
    out: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("code"), str) and isinstance(node.get("name"), str):
                out[node["code"]] = node["name"]
            for k, v in node.items():
                if isinstance(v, str) and re.fullmatch(r"\d{2,12}", v) and re.search(
                        r"[\u4e00-\u9fff]", k):
                    out.setdefault(v, k)      # 东城街道 = "511802001"
                elif isinstance(v, str) and re.fullmatch(r"\d{2,12}", k) and re.search(
                        r"[\u4e00-\u9fff]", v):
                    out.setdefault(k, v)      # "511802001" = "东城街道"
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted(PLACES_DIR.glob("*.toml")):
        walk(tomllib.loads(path.read_text("utf-8")))
    return {_short_code(k): v for k, v in out.items()}


def _short_code(code: str) -> str:
    """The short form of a statistical code: 510000000000 → 51, 511802001000 → 511802001."""
    if len(code) == 12:
        for n in (2, 4, 6, 9):
            if set(code[n:]) <= {"0"}:
                return code[:n]
    return code


SUFFIXES = ("特别行政区", "自治州", "自治县", "自治旗", "街道", "新区", "地区", "市", "省", "区", "县",
            "镇", "乡", "盟", "旗")
WHOLE_SCOPE = ("全市", "全省", "全区", "全县", "全国", "全域")


def short_name(name: str) -> str:
    """雨城区 → 雨城, 天津市 → 天津, 甘肃省 → 甘肃 (the name a sentence may use)."""
    for s in SUFFIXES:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[:-len(s)]
    return name


def names_place(phrase: str, name: str) -> bool:
    return name in phrase or short_name(name) in phrase


# ---- the binding rules ------------------------------------------------------------------------

MIN_WORDS = re.compile(r"不少于|不低于|以上|至少|达到|达|力争|≥|拥有|每.{0,6}有|(?<!不)超过|突破|"
                       r"(?<!不)高于|多于|全覆盖|覆盖|全部|建成|完成")
MAX_WORDS = re.compile(r"以内|不超过|不得超过|不高于|以下|(?<!不)低于|控制在|至多|最多|≤")
STRICT_WORDS = re.compile(r"(?<!不)(?<!不得)超过|突破|(?<!不)高于|多于")
YEARLY = re.compile(r"每年|年度|每季度|每半年|每月|全年|年均|当年")
PER_WORDS = {100: re.compile(r"%|％|百分之|[一二三四五六七八九十]成"),
             1000: re.compile(r"每千|千人|千名|‰"),
             10000: re.compile(r"每万|万人")}
PER_UNIT = re.compile(r"每个|每一|每[\u4e00-\u9fff]{0,4}(?:站|县|区|社区|街道|乡镇|街镇|项目|村)|各县|各区|各街|"
                      r"各乡|各社区|各[\u4e00-\u9fff]{0,3}(?:站|县|区)")


def _clause(quote: str, phrase: str) -> str:
    """The part of the quote (between commas/semicolons) that holds the phrase."""
    i = quote.find(phrase)
    if i < 0:
        return phrase
    a = max(quote.rfind(c, 0, i) for c in ",，;；。") + 1
    ends = [j for j in (quote.find(c, i + len(phrase)) for c in ",，;；。") if j >= 0]
    return quote[a:min(ends) if ends else len(quote)]


@dataclass
class _Ctx:
    plan: dict
    doc: str                  # compact document
    places: dict[str, str]
    out: list[str]

    def say(self, where: str, what: str):
        self.out.append(f"{where}: {what}")


def _phrase_ok(ctx: _Ctx, where: str, phrase, quotes: list[str]) -> str | None:
    """The compact phrase when it is a non-empty string inside one of ``quotes``, else None
    (and the problem said)."""
    if not isinstance(phrase, str) or not compact(phrase):
        ctx.say(where, "reads must be a non-empty phrase of the quote")
        return None
    p = compact(phrase)
    if not any(p in compact(q) for q in quotes if q):
        ctx.say(where, f"{phrase!r} is not in the quote")
        return None
    return p


def _check_direction(ctx: _Ctx, where: str, ind: dict, phrase: str, quote: str):
    direction = ind.get("direction", "min")
    strict = ind.get("strict", False)
    if direction not in ("min", "max"):
        ctx.say(where, f"direction must be min or max, not {direction!r}")
        return
    around = _clause(compact(quote), phrase)
    if direction == "max" and not MAX_WORDS.search(around):
        ctx.say(where, f"direction = max, but {around!r} says no 以内/不超过/以下/低于/控制在")
    if direction == "min" and MAX_WORDS.search(around) and not MIN_WORDS.search(
            MAX_WORDS.sub("", around)):
        ctx.say(where, f"{around!r} states a maximum: direction = \"max\"")
    if strict and not STRICT_WORDS.search(around):
        ctx.say(where, f"strict = true, but {around!r} says no 超过/突破/高于/多于")
    if not strict and STRICT_WORDS.search(around):
        ctx.say(where, f"{around!r} says {STRICT_WORDS.search(around).group()}: strict = true")


def _check_per(ctx: _Ctx, where: str, per, phrase: str, quote: str):
    if per in (None, 1):
        return
    rx = PER_WORDS.get(int(per)) if _f(per).denominator == 1 else None
    if rx is None:
        ctx.say(where, f"per = {per}: the documents state rates per 100, 1000 or 10000")
    elif not rx.search(phrase):
        ctx.say(where, f"per = {per}, but {phrase!r} does not state a rate per {per}")


def _check_target_place(ctx: _Ctx, where: str, code: str, phrase: str):
    scope = ctx.plan.get("scope")
    name = ctx.places.get(code)
    # other places a phrase on the whole scope must not name: the counties and cities inside it
    # (a township's short name can be any common word)
    others = [n for c, n in ctx.places.items()
              if c != code and scope and c.startswith(scope) and len(c) <= 6]
    if code == scope:
        if name and names_place(phrase, name):
            return
        if any(w in phrase for w in WHOLE_SCOPE):
            return
        named = [n for n in others if names_place(phrase, n)]
        if named:
            ctx.say(where, f"the target sits on the plan's scope {code}, but {phrase!r} names {named[0]}")
        return
    if name is None:
        if scope in ctx.places:
            ctx.say(where, f"no place has the code {code} in the place files")
        return
    if not names_place(phrase, name):
        ctx.say(where, f"{phrase!r} does not name {name} (the place of code {code})")


def _check_due(ctx: _Ctx, where: str, node: dict, quote: str, due_key="due",
               reads_key="due_reads", assumed_key="assumed", end=True):
    day = _as_date(node.get(due_key))
    phrase, assumed = node.get(reads_key), node.get(assumed_key)
    if day is None:
        if phrase:
            ctx.say(where, f"{reads_key} given but no {due_key}")
        return
    if phrase is not None:
        p = _phrase_ok(ctx, f"{where}.{reads_key}", phrase, [quote])
        if p is not None:
            why = date_problem(day, p, end=end)
            if why:
                ctx.say(where, f"{due_key} {why}")
    elif not (isinstance(assumed, str) and re.search(r"[\u4e00-\u9fff]", assumed)):
        ctx.say(where, f"{due_key} {day.isoformat()}: bind it ({reads_key} = a phrase of the quote "
                       f"naming the date) or say why it is assumed ({assumed_key} = \"…\" in Chinese)")


def _targets_reads(ind: dict) -> dict:
    reads = ind.get("reads")
    targets = ind.get("targets") or {}
    if isinstance(reads, dict):
        return reads
    if isinstance(reads, str) and len(targets) == 1:
        return {next(iter(targets)): reads}
    return {}


def check_indicator(ctx: _Ctx, ind: dict, *, counter: bool = False):
    code = ind.get("code", "?")
    quote = ind.get("quote")
    spec = ind.get("spec") or {}
    if not quote:
        if not counter:
            ctx.say(code, "cites no sentence (quote)")
        return
    cq = compact(quote)
    if cq not in ctx.doc:
        ctx.say(code, "quote is not verbatim in the document")
    quotes = [quote]
    if ind.get("quote_reads"):
        undash = lambda t: re.sub(rf"(?<=\d)[{DASHES}](?=\d)", "", compact(t))  # noqa: E731
        if undash(ind["quote_reads"]) != undash(quote):
            ctx.say(code, "quote_reads differs from the quote by more than a dash between digits")
        else:
            quotes.append(ind["quote_reads"])
    full = " ".join(quotes)

    def phrase(where, p):
        return _phrase_ok(ctx, f"{code}.{where}", p, quotes)

    # explicit targets: one phrase per code, with the number and the place's name
    targets = ind.get("targets") or {}
    reads = _targets_reads(ind)
    for place, value in targets.items():
        p = phrase(f"reads[{place}]", reads.get(place)) if place in reads else None
        if place not in reads:
            ctx.say(code, f"target {value} of {place}: no reads phrase binds it")
            continue
        if p is None:
            continue
        for miss in bind([(f"target of {place}", value)], p):
            ctx.say(code, f"{miss} is not in {p!r}")
        _check_target_place(ctx, f"{code}.reads[{place}]", place, p)
        _check_direction(ctx, f"{code}.reads[{place}]", ind, p, full)
    if isinstance(ind.get("reads"), dict):
        for place in ind["reads"]:
            if place not in targets and place != "per_unit_target":
                ctx.say(code, f"reads names {place}, which has no target")
    # a per-unit / uniform target
    put = ind.get("per_unit_target")
    if put is not None:
        r = ind.get("reads")
        if isinstance(r, dict):
            r = r.get("per_unit_target")
        if r is None:
            ctx.say(code, f"per_unit_target {put}: no reads phrase binds it")
        else:
            p = phrase("reads", r)
            if p is not None:
                for miss in bind([("per_unit_target", put)], p):
                    ctx.say(code, f"{miss} is not in {p!r}")
                _check_direction(ctx, f"{code}.reads", ind, p, full)
                _check_per(ctx, f"{code}.reads", spec.get("per"), p, full)
                basis = ind.get("target_basis")
                if basis in ("per_station", "per_county") and not PER_UNIT.search(p):
                    ctx.say(code, f"target_basis = {basis}, but {p!r} says no 每个…/各…")
    elif spec.get("per") not in (None, 1):
        r = (spec.get("reads") or {}).get("per") if isinstance(spec.get("reads"), dict) else None
        if r is None:
            ctx.say(code, f"per = {spec['per']}: no reads phrase binds it (spec.reads.per)")
        else:
            p = phrase("spec.reads.per", r)
            if p is not None:
                _check_per(ctx, f"{code}.spec.reads.per", spec.get("per"), p, full)
    # spec numbers: min, max, share
    sreads = spec.get("reads") if isinstance(spec.get("reads"), dict) else {}
    for key in ("min", "max", "share"):
        if key not in spec:
            continue
        value = _f(spec[key]) if not isinstance(spec[key], str) else Fraction(spec[key])
        if key == "share" and value == 1 and key not in sreads:
            continue
        if key not in sreads:
            ctx.say(code, f"spec.{key} = {spec[key]}: no reads phrase binds it (spec.reads.{key})")
            continue
        p = phrase(f"spec.reads.{key}", sreads[key])
        if p is None:
            continue
        if key == "share" and value == 1 and re.search(r"全部|全覆盖|所有|均|每个|100%", p):
            continue
        for miss in bind([(f"spec.{key}", value)], p):
            ctx.say(code, f"{miss} is not in {p!r}")
    if "min" in spec and "max" in spec and _f(spec["min"]) > _f(spec["max"]):
        ctx.say(code, f"spec.min {spec['min']} is above spec.max {spec['max']}")
    # tiers: each bound, from/to/target each its own number of the phrase
    for n, t in enumerate(spec.get("tiers") or []):
        if not t.get("reads"):
            ctx.say(code, f"tier {n + 1}: no reads phrase binds it")
            continue
        p = phrase(f"tiers[{n}].reads", t["reads"])
        if p is None:
            continue
        for miss in bind([("tier from", t.get("from")), ("tier to", t.get("to")),
                          ("tier target", t.get("target"))], p):
            ctx.say(code, f"tier {n + 1}: {miss} is not in {p!r}")
        _check_direction(ctx, f"{code}.tiers[{n}]", ind, p, full)
        if _f(t.get("from", 0)) > _f(t.get("to", 0)):
            ctx.say(code, f"tier {n + 1}: from {t.get('from')} is above to {t.get('to')}")
    # milestones: share and date
    for n, m in enumerate(spec.get("milestones") or []):
        if not m.get("reads"):
            ctx.say(code, f"milestone {n + 1}: no reads phrase binds it")
            continue
        p = phrase(f"milestones[{n}].reads", m["reads"])
        if p is None:
            continue
        share = Fraction(m["share"]) if isinstance(m.get("share"), str) else _f(m.get("share"))
        if not (share == 1 and re.search(r"全部|全面|所有|100%", p)):
            for miss in bind([("milestone share", share)], p):
                ctx.say(code, f"milestone {n + 1}: {miss} is not in {p!r}")
        day = _as_date(m.get("by"))
        why = date_problem(day, p) if day else "by is not a date"
        if why:
            ctx.say(code, f"milestone {n + 1}: by {why}")
    # period and due
    period = ind.get("period", "year")
    if period == "year":
        if not YEARLY.search(cq) and not ind.get("assumed") and not counter \
                and (targets or put is not None or ind.get("measure") in ("presence", "tier", "ratio")):
            ctx.say(code, "period = year, but the quote says no 每年/年度/每季度…: bind a due date "
                          "(period plan/standing + due_reads) or say why (assumed)")
    elif period in ("plan", "standing"):
        if ind.get("due") is None:
            ctx.say(code, f"period = {period} needs a due date")
        else:
            _check_due(ctx, code, ind, full)
    else:
        ctx.say(code, f"period must be year, plan or standing, not {period!r}")
    if ind.get("start_date") is not None:
        _check_due(ctx, code, ind, full, due_key="start_date", reads_key="start_reads",
                   assumed_key="start_assumed", end=False)


def _check_manifest(ctx: _Ctx):
    for n, e in enumerate(ctx.plan.get("encoded", []) or []):
        where = f"encoded[{n}]"
        q = e.get("quote")
        if not q:
            ctx.say(where, "has no quote")
        elif compact(q) not in ctx.doc:
            ctx.say(where, "quote is not verbatim in the document")
        by = e.get("by")
        if isinstance(by, str):
            by = [by]
        if not by:
            ctx.say(where, "says by what it is encoded (by = [...])")
        for ref in by or []:
            why = reference_problem(ctx.plan, ref)
            if why:
                ctx.say(where, why)
    for n, e in enumerate(ctx.plan.get("not_encoded", []) or []):
        where = f"not_encoded[{n}]"
        q = e.get("quote")
        if not q:
            ctx.say(where, "has no quote")
        elif compact(q) not in ctx.doc:
            ctx.say(where, "quote is not verbatim in the document")
        if not (isinstance(e.get("reason"), str) and re.search(r"[\u4e00-\u9fff]", e["reason"])):
            ctx.say(where, "says why it is not encoded (reason, in Chinese)")


def _check_chains(ctx: _Ctx):
    """An approval chain (a section with ``levels`` that have a ``step``) is the document's
    whole chain, in order: the steps joined by — are the quote's chain, nothing before or after."""
    for name, section in ctx.plan.items():
        if not isinstance(section, dict) or not isinstance(section.get("levels"), list):
            continue
        levels = section["levels"]
        if not any(isinstance(lv, dict) and "step" in lv for lv in levels):
            continue
        q = compact(section.get("quote") or "")
        if not q:
            ctx.say(name, "the chain quotes no sentence")
            continue
        steps = [compact(lv.get("step", "")) for lv in levels]
        if not all(steps):
            ctx.say(name, "every level names its step in the document's words (step)")
            continue
        chain = "—".join(steps)
        i = q.find(chain)
        if i < 0:
            ctx.say(name, f"the steps {chain!r} are not the chain of its quote")
        elif q[i - 1:i] in tuple(DASHES) or q[i + len(chain):i + len(chain) + 1] in tuple(DASHES):
            ctx.say(name, f"the quote's chain has a step before or after {chain!r}: a level is missing")
        for lv in levels:
            for key in ("opinion_row",):
                if lv.get(key) and compact(lv[key]) not in ctx.doc:
                    ctx.say(name, f"{key} {lv[key]!r} is not in the document")


def _check_windows(ctx: _Ctx):
    """A section's dated window (``filing_window = [start, end]``) is the dates of its quote
    (``filing_quote``): the first and the last it names."""
    for name, section in ctx.plan.items():
        if not isinstance(section, dict):
            continue
        for key, window in section.items():
            if not key.endswith("_window"):
                continue
            quote = section.get(key[:-len("_window")] + "_quote")
            if not quote:
                ctx.say(f"{name}.{key}", f"quotes no sentence ({key[:-len('_window')]}_quote)")
                continue
            days = [_as_date(d) for d in window] if isinstance(window, list) and len(window) == 2 else []
            if len(days) != 2 or None in days:
                ctx.say(f"{name}.{key}", "must be [start, end] dates")
                continue
            for day, end in zip(days, (False, True)):
                why = date_problem(day, compact(quote), end=end)
                if why:
                    ctx.say(f"{name}.{key}", why)


def problems(plan: dict, text: str, places: dict[str, str] | None = None) -> list[str]:
    """Every binding rule ``plan`` breaks against the document ``text`` (see module doc);
    ``places`` (code → name) defaults to the shipped place files."""
    ctx = _Ctx(plan, compact(text), place_names() if places is None else places, [])
    if plan.get("source_title") and compact(plan["source_title"]) not in ctx.doc:
        ctx.say("source_title", "is not in the document")
    for where, q in _all_quotes({k: v for k, v in plan.items()
                                 if k not in ("indicators", "counters", "encoded", "not_encoded")}):
        if compact(q) not in ctx.doc:
            ctx.say(where, "quote is not verbatim in the document")
    # the plan's start
    if plan.get("start_date") is not None:
        if plan.get("start_reads"):
            p = compact(plan["start_reads"])
            if p not in ctx.doc:
                ctx.say("start_reads", f"{plan['start_reads']!r} is not in the document")
            else:
                why = date_problem(_as_date(plan["start_date"]), p, end=False)
                if why:
                    ctx.say("start_date", why)
        elif not any(isinstance(plan.get(k), str) and re.search(r"[\u4e00-\u9fff]", plan[k])
                     for k in ("assumed_start", "start_assumed")):
            ctx.say("start_date", "bind it (start_reads = a phrase of the document) or say why it "
                                  "is assumed (assumed_start = \"…\" in Chinese)")
    for ind in plan.get("indicators", []):
        check_indicator(ctx, ind)
    for c in plan.get("counters", []):
        check_indicator(ctx, c, counter=True)
    _check_manifest(ctx)
    _check_chains(ctx)
    _check_windows(ctx)
    return ctx.out


def check_file(path) -> tuple[list[str], list[Sentence]]:
    """(problems, uncovered sentences) of a plan file, against the document it cites."""
    plan = tomllib.loads(Path(path).read_text("utf-8"))
    text = document(plan["source_file"])
    return problems(plan, text), uncovered(plan, text)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in ("uncovered", "check", "sentences"):
        print("usage: python -m models.plans.fidelity uncovered|check PLAN_FILE\n"
              "       python -m models.plans.fidelity sentences DOCUMENT_NAME", file=sys.stderr)
        return 2
    what, arg = argv
    if what == "sentences":
        found = requirement_sentences(document(arg))
        for s in found:
            print("- " + s.text)
        print(f"{len(found)} requirement sentences", file=sys.stderr)
        return 0
    found_problems, found_uncovered = check_file(arg)
    if what == "check":
        for p in found_problems:
            print(p)
        return 1 if found_problems else 0
    for s in found_uncovered:
        print(f"- {_mark(s)}")
    return 1 if found_uncovered else 0


if __name__ == "__main__":
    sys.exit(main())

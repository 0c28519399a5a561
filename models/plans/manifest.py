"""The completeness manifest: which sentences of a document state a requirement (the
detector), and which of them a plan file accounts for — an indicator binding the value, a
quote of another section, an ``[[encoded]]`` entry (whose ``by`` references are checked here)
or a ``[[not_encoded]]`` one."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from models.core.paths import DATA_DIR
from models.plans.policy_text import CN_NUM, DASHES, MEASURE_WORDS, compact

KINDS_FILE = DATA_DIR / "kinds.toml"


# ---- requirement sentences (the detector) -----------------------------------------------------

# Lines of a web page around the document (dates of publication, site ids, menus).
BOILERPLATE = re.compile(r"发布时间|浏览次数|标识码|ICP备|公网安备|索引号|发文字号|发布机构|成文日期|"
                         r"发文日期|政务网|扫一扫|^主办|^承办|投搞|打印|收藏|星期|主动公开|微博推荐|"
                         r"^名称:|^主题:|简体\||^\|")
# Words that contain a numeral but state no quantity: names of campaigns and meetings.
NOT_QUANTITIES = re.compile(r"[五三]社|[九十]项行动|十二字|十字工作|一家亲|[一二三四五六七八九十]+次全会|"
                            r"十[一二三四五六七八九]届|[二三四]中全会|三个着力|一级主体|十[三四五]五(?!”?(?:末|期间))|"
                            r"一批|一支|一线|一体|一网通|一老一小|二十大|第[一二三四五六七八九十]+批")
_NUM = rf"(?:\d+(?:\.\d+)?|[{CN_NUM}]+)"
TRIGGERS = [
    # a number with its unit or measure word: 316个, 3.8万人次, 至少一名, 3—5个, 15分钟, 4A级
    ("number", re.compile(rf"{_NUM}(?:[{DASHES}]{_NUM})?(?:余|多)?[万千亿]?(?:余|多)?"
                          rf"(?:人次|场次|分钟|小时|万元|[{MEASURE_WORDS}]|[天周]|A级?|星)")),
    # a rate: 15%, 百分之十, 三分之一
    ("ratio", re.compile(rf"\d+(?:\.\d+)?[%％‰]|百分之[{CN_NUM}\d]+|[{CN_NUM}]+分之[{CN_NUM}]+")),
    # words of a rate: 每万人, 每千名, 覆盖率, 比例
    ("rate", re.compile(r"百分之|每[万千]|[\u4e00-\u9fff]{2}(?<![效频概税汇利])率|比例|占比")),
    # a date: 2023年底, 2024年6月底, 11月底前, “十四五”末
    ("date", re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:底|末|前|以前|内)?|"
                        r"(?<![\d年])\d{1,2}月(?:\d{1,2}日)?(?:底|前)?|十[三四五]五”?(?:末|期间)")),
    # a rhythm: 每年, 年度, 季度, 半年, 年终, 每月
    ("rhythm", re.compile(r"每年|年度|每季度|季度|半年|年终|每月|月探访|年底|年末")),
    # a required step or a bound: 每个, 全覆盖, 必须, 应当, 不少于, 至少, 以上, 建立, 设立 ...
    ("step", re.compile(r"每个|每一|都设有|全覆盖|覆盖|全部|必须|须经|应当|不少于|至少|不低于|"
                        r"不超过|以内|以上|力争|确保每|建立|设立|成立|逐级|程序|阶段|评估|备案|登记|"
                        r"注册|公示|听证|审议|结项(?!目)|重点培育|优先发展|联动模式|约束性|积分|时间银行")),
]
# Triggers that state a value (a number, a rate, a date): each must sit inside a phrase that
# binds it (a ``reads``, ``due_reads``, ``start_reads``, a section's quote, or an
# ``[[encoded]]`` / ``[[not_encoded]]`` quote), not merely inside some indicator's quote; the
# others (rhythms, rate words, required steps) inside any quote.
BINDABLE = ("number", "ratio", "date")
SPLIT = re.compile(r"(?<=[。；;！!？?])|(?=(?<![\d.])\d{1,2}[.．、](?!\d))|"
                   r"(?=[(（][一二三四五六七八九十]+[)）])|(?=(?<![\u4e00-\u9fff])[一二三四五六七八九十]+、)|"
                   r"(?=——)|(?=[一二三]是)|(?=[一二三]要)")
_ONLY_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{8}")


@dataclass
class Sentence:
    """A requirement sentence: its compact text, where it sits in the compact document, and
    its trigger words ((start, end, text, kind) in the compact document)."""
    text: str
    start: int
    end: int
    triggers: list[tuple[int, int, str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset in the compact document, sentence) for each sentence of ``text``, boilerplate
    lines left out."""
    out, offset = [], 0
    for line in text.splitlines():
        c = compact(line)
        if c and not BOILERPLATE.search(c):
            pos = 0
            for part in SPLIT.split(c):
                if part:
                    out.append((offset + pos, part))
                pos += len(part)
        offset += len(c)
    return out


def requirement_sentences(text: str) -> list[Sentence]:
    """The sentences of a document that state a number, a ratio, a deadline, a tier or a
    required step, with the words that make them one (``triggers``)."""
    out = []
    for start, s in _sentences(text):
        if _ONLY_DATE.fullmatch(s.rstrip("。")):
            continue  # the date a document was signed
        masked = NOT_QUANTITIES.sub(lambda m: "\0" * len(m.group()), s)
        spans = []
        for kind, rx in TRIGGERS:
            for m in rx.finditer(masked):
                if "\0" in m.group() or not m.group():
                    continue
                spans.append((start + m.start(), start + m.end(), m.group(), kind))
        if spans:
            spans.sort()
            out.append(Sentence(s, start, start + len(s), spans))
    return out


# ---- where a plan quotes its document ---------------------------------------------------------

def _all_quotes(node, where: str = ""):
    """(where, quote) for every quote in a plan file: ``quote`` and ``*_quote`` keys at any depth."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and (k == "quote" or k.endswith("_quote")):
                yield (f"{where}.{k}" if where else k), v
            elif isinstance(v, list) and (k == "quote" or k.endswith("_quote")) \
                    and all(isinstance(x, str) for x in v):
                for n, x in enumerate(v):
                    yield f"{where}.{k}[{n}]", x
            else:
                yield from _all_quotes(v, f"{where}.{k}" if where else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _all_quotes(v, f"{where}[{i}]")


def _spans(needle: str, hay: str) -> list[tuple[int, int]]:
    out, i = [], hay.find(needle)
    while needle and i >= 0:
        out.append((i, i + len(needle)))
        i = hay.find(needle, i + 1)
    return out


def _undash(t: str) -> str:
    return re.sub(rf"(?<=\d)[{DASHES}](?=\d)", "", t)


def _inside(needle: str, spans: list[tuple[int, int]], doc: str) -> list[tuple[int, int]]:
    """Where ``needle`` (or it without a dash restored between digits) sits in the document
    inside one of ``spans`` (the occurrences of the quote it belongs to)."""
    out = []
    for n in {compact(needle), _undash(compact(needle))}:
        for a, b in spans:
            out += [(a + x, a + y) for x, y in _spans(n, doc[a:b])]
    return out


def _binding_phrases(ind: dict) -> list[str]:
    """The phrases of an indicator that bind a value: reads (all forms), due/start reads."""
    out = []
    reads = ind.get("reads")
    out += list(reads.values()) if isinstance(reads, dict) else [reads]
    spec = ind.get("spec") or {}
    if isinstance(spec.get("reads"), dict):
        out += list(spec["reads"].values())
    out += [t.get("reads") for t in spec.get("tiers") or [] if isinstance(t, dict)]
    out += [m.get("reads") for m in spec.get("milestones") or [] if isinstance(m, dict)]
    out += [ind.get("due_reads"), ind.get("start_reads")]
    return [p for p in out if isinstance(p, str) and p.strip()]


def accounted(plan: dict, doc: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(quoted, bound) spans of the compact document: every quote of the plan; and what binds a
    value — the binding phrases of its indicators inside their quotes, the quotes of
    ``[[encoded]]``, ``[[not_encoded]]`` and of the other sections, the plan's ``start_reads``."""
    quoted, bound = [], []
    for _where, q in _all_quotes(plan):
        quoted += _spans(compact(q), doc)
    for ind in list(plan.get("indicators", [])) + list(plan.get("counters", [])):
        if not isinstance(ind, dict) or not ind.get("quote"):
            continue
        spans = _spans(compact(ind["quote"]), doc)
        for p in _binding_phrases(ind):
            bound += _inside(p, spans, doc)
    others = {k: v for k, v in plan.items() if k not in ("indicators", "counters")}
    for _where, q in _all_quotes(others):
        bound += _spans(compact(q), doc)
    if isinstance(plan.get("start_reads"), str):
        bound += _spans(compact(plan["start_reads"]), doc)
    return quoted, bound


def uncovered(plan: dict, text: str) -> list[Sentence]:
    """The requirement sentences of ``text`` with a trigger the plan does not account for
    (``missing`` names them): a value (number, rate, date) outside every binding phrase, a
    rhythm or step word outside every quote. What the plan neither encodes nor lists as not
    encoded."""
    doc = compact(text)
    quoted, bound = accounted(plan, doc)
    out = []
    for s in requirement_sentences(text):
        missing = [t for a, b, t, kind in s.triggers
                   if not any(qa <= a and b <= qb for qa, qb in (bound if kind in BINDABLE else quoted))]
        if missing:
            s.missing = missing
            out.append(s)
    return out


def _mark(s: Sentence) -> str:
    out, last = [], s.start
    for a, b, t, _kind in s.triggers:
        if t in s.missing and a >= last:
            out += [s.text[last - s.start:a - s.start], "【", t, "】"]
            last = b
    out.append(s.text[last - s.start:])
    return "".join(out)


# ---- [[encoded]] references -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _kinds() -> dict[str, set[str]]:
    data = tomllib.loads(KINDS_FILE.read_text("utf-8"))
    return {k["code"]: {f["name"] for f in k.get("fields", [])} for k in data.get("kinds", [])}


def _plan_kinds(plan: dict) -> dict[str, set[str]]:
    out = {k: set(v) for k, v in _kinds().items()}
    for k in plan.get("kinds", []) if isinstance(plan.get("kinds"), list) else []:
        if isinstance(k, dict) and k.get("code"):
            out.setdefault(k["code"], set()).update(f.get("name") for f in k.get("fields", []))
    return out


def _has_step(node, code: str) -> bool:
    if isinstance(node, dict):
        if code in node:
            return True
        if any(node.get(k) == code for k in ("code", "level", "step", "name", "short")):
            return True
        return any(_has_step(v, code) for v in node.values())
    if isinstance(node, list):
        return any(_has_step(v, code) for v in node)
    return False


def _indicator_codes(plan: dict) -> set[str]:
    out = {i.get("code") for i in plan.get("indicators", [])}
    for c in plan.get("counters", []):
        out.add(c.get("code"))
        if c.get("per_line"):
            out |= {f"{c.get('code')}_{line.get('code')}" for line in plan.get("action_lines", [])}
    return out


def _attr_names(node) -> set[str]:
    """Attribute and column names a plan's specs use (attr = .., where = {name = ..})."""
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("attr", "sum", "distinct") and isinstance(v, str):
                out.add(v)
            if k in ("where", "among") and isinstance(v, dict):
                out |= set(v)
            out |= _attr_names(v)
    elif isinstance(node, list):
        for v in node:
            out |= _attr_names(v)
    return out


def reference_problem(plan: dict, ref) -> str | None:
    """Why a ``by`` reference of ``[[encoded]]`` names nothing real, or None."""
    if not isinstance(ref, str) or ":" not in ref:
        return f"{ref!r} is not kind:/field:/indicator:/step:/registry: + a name"
    what, name = ref.split(":", 1)
    if what == "kind":
        return None if name in _plan_kinds(plan) else f"no report kind {name!r}"
    if what == "field":
        kind, _, fname = name.partition(".")
        kinds = _plan_kinds(plan)
        if kind not in kinds:
            return f"no report kind {kind!r}"
        return None if fname in kinds[kind] else f"report kind {kind!r} has no field {fname!r}"
    if what == "indicator":
        return None if name in _indicator_codes(plan) else f"no indicator {name!r} in this plan"
    if what == "step":
        section, _, code = name.partition(".")
        if section not in plan or section in ("indicators", "counters", "encoded", "not_encoded"):
            return f"no section [{section}] in this plan file"
        return None if code and _has_step(plan[section], code) else f"[{section}] has no step {code!r}"
    if what == "registry":
        from models.plans.measures import REGISTRY_EXTRA_FILTERS, REGISTRY_MODELS, REGISTRY_SOURCES
        source, _, column = name.partition(".")
        if source not in REGISTRY_SOURCES:
            return f"no registry source {source!r}"
        if source == "units":
            from models.core.schema import OrgUnit
            known = set(OrgUnit._meta.fields) | _attr_names(plan)
        else:
            known = set(REGISTRY_MODELS[source]._meta.fields) | REGISTRY_EXTRA_FILTERS.get(source, set())
        return None if column in known else f"registry {source} has no column {column!r}"
    return f"{ref!r}: unknown reference kind {what!r}"

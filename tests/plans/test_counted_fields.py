"""Count what is collected (issue 13): every number a report kind asks for feeds at least one
indicator or counter of a shipped plan — summed from the reports (``field`` or
``spec.fields``), or read from the registry the kind stores into (``sum`` of a registry
spec) — so no worker types a number that nobody reads."""
from __future__ import annotations

import json
import tomllib

from models.core.paths import DATA_DIR
from models.plans.loading import read_plan_file, shipped_plan_files

#: Field types whose answer is a number.
NUMERIC = {"integer", "money", "hours"}
#: The registry a kind's ``stores`` writes, as a registry spec names it (its ``source``).
STORE_SOURCES = {"volunteer": "volunteers", "volunteer_hours": "volunteer_hours",
                 "application": "applications"}


def _kinds(text: str | None = None) -> list[dict]:
    text = text if text is not None else (DATA_DIR / "kinds.toml").read_text("utf-8")
    return tomllib.loads(text)["kinds"]


def _registry_sums(node, out: set):
    """Every (source, column) a registry spec anywhere in ``node`` sums."""
    if isinstance(node, dict):
        if node.get("source") and node.get("sum"):
            out.add((node["source"], node["sum"]))
        for v in node.values():
            _registry_sums(v, out)
    elif isinstance(node, list):
        for v in node:
            _registry_sums(v, out)


def read_fields(plans: list[dict]) -> tuple[set, set]:
    """(kind, field) summed from reports, and (registry source, column) summed, by any
    indicator or counter of ``plans``."""
    summed, registry = set(), set()
    for plan in plans:
        for ind in plan.get("indicators", []) + plan.get("counters", []):
            if ind.get("kind"):
                for name in [ind.get("field")] + list(ind.get("spec", {}).get("fields", [])):
                    if name:
                        summed.add((ind["kind"], name))
            _registry_sums(ind.get("spec", {}), registry)
    return summed, registry


def unread_numbers(kinds: list[dict], plans: list[dict]) -> list[str]:
    summed, registry = read_fields(plans)
    out = []
    for kind in kinds:
        source = STORE_SOURCES.get(kind.get("stores"))
        for field in kind.get("fields", []):
            if field["type"] not in NUMERIC:
                continue
            if (kind["code"], field["name"]) in summed or (source, field["name"]) in registry:
                continue
            out.append(f"{kind['code']}.{field['name']}")
    return out


def _plans() -> list[dict]:
    return [read_plan_file(p) for p in shipped_plan_files()]


def test_every_number_a_form_asks_for_feeds_an_indicator():
    assert unread_numbers(_kinds(), _plans()) == []


def test_the_check_sees_every_numeric_field_type_in_the_forms():
    """A numeric field type the check does not know would pass unread: every type used in
    kinds.toml is either numeric here or one that holds no number."""
    not_numbers = {"choice", "multi", "text", "date", "photo", "location", "phone", "id_number"}
    used = {f["type"] for k in _kinds() for f in k["fields"]}
    assert used <= NUMERIC | not_numbers, used - NUMERIC - not_numbers


def test_a_number_nobody_reads_is_named():
    """Break it once: a new integer on the activity form, and a counter dropped."""
    text = (DATA_DIR / "kinds.toml").read_text("utf-8")
    extra = text.replace('''  [[kinds.fields]]
  name = "summary"''', '''  [[kinds.fields]]
  name = "households"
  type = "integer"
  prompt = "How many households?"
  label = "Households"

  [[kinds.fields]]
  name = "summary"''', 1)
    assert extra != text
    assert unread_numbers(_kinds(extra), _plans()) == ["activity.households"]
    plans = _plans()
    for plan in plans:
        plan["counters"] = [c for c in plan.get("counters", []) if c.get("field") != "volunteers"]
    assert unread_numbers(_kinds(), plans) == ["activity.volunteers"]
    for plan in plans:
        for section in ("indicators", "counters"):
            plan[section] = [i for i in plan.get(section, [])
                             if '"volunteer_hours"' not in json.dumps(i.get("spec", {}), default=str)]
    assert "volunteer_hours.hours" in unread_numbers(_kinds(), plans)

"""Plans for tests: a small plan file with a 联动指数 (``plan``: loaded, with reports on both
sides of the county line) used by the plan and the admin tests, and where the policy documents
the shipped plans cite are found (``POLICIES``)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from models.core.schema import Plan
from models.plans.fidelity import POLICIES_DIR
from models.plans.loading import load_plan
from tests import factories as f

# The policy documents ship with the project (models/data/policies/), so every checkout has them.
POLICIES = POLICIES_DIR


YEAR = 2026
AS_OF = dt.date(2026, 11, 23)

PLAN = '''
code = "linkage-test"
name = "联动指数测试方案"
name_en = "Linkage index test plan"
source_file = "001_61aea6d432ceec82.txt"
source_title = "test"
start_date = 2026-01-01
action_lines = []

[[indicators]]
code = "events"
name = "新风活动"
name_en = "New-customs events"
measure = "count"
kind = "xinfeng"
targets = {{ "511802" = 4, "511803" = 2, "{c0}" = 1 }}
quote = "4"

[[indicators]]
code = "reach"
name = "服务人次"
name_en = "People reached"
measure = "sum"
kind = "activity"
field = "participants"
targets = {{ "511802" = 100, "511803" = 50 }}
quote = "100"

[[indicators]]
code = "gifts"
name = "捐赠次数"
name_en = "Donations"
measure = "count"
kind = "donation"
targets = {{ "511802" = 2 }}
quote = "2"

[[indicators]]
code = "ratio"
name = "参考比例"
name_en = "A reference ratio"
measure = "reference"
targets = {{ "511802" = 10 }}
quote = "10"

[[counters]]
code = "gift_money"
name = "捐赠金额"
name_en = "Money donated"
measure = "sum"
kind = "donation"
field = "amount"
'''

INDEX = {"elements": [
    {"code": "community", "name": "社区", "name_en": "Communities", "weight": 0.6,
     "indicators": ["events", "reach"]},
    {"code": "volunteers", "name": "志愿者", "name_en": "Volunteers", "weight": 0.4,
     "indicators": ["gifts", "gift_money"]},
    # only a reference ratio and a counter without a target: never measured
    {"code": "charity", "name": "慈善资源", "name_en": "Charitable resources", "weight": 0.2,
     "indicators": ["ratio", "gift_money"]},
]}


def index_toml(index: dict) -> str:
    """The ``[index]`` section of a plan file (JSON scalars and arrays are TOML too)."""
    out = ["[index]", 'name = "联动指数"']
    for e in index["elements"]:
        out.append("[[index.elements]]")
        out += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in e.items()]
    return "\n".join(out) + "\n"


def load_test_plan(tmp_path, index=INDEX) -> Plan:
    """The test plan loaded from its file, index and all, as a shipped plan is."""
    path = tmp_path / "linkage_test.toml"
    path.write_text(PLAN.format(c0=f.community("511802", 0).code) + index_toml(index), "utf-8")
    return load_plan(path).plan


@pytest.fixture
def plan(db, tmp_path):
    """In 雨城区 (511802): 2 of 4 events (one more rejected), 150 of 100 people reached, 1 of
    2 donations. In 名山区 (511803): 2 of 2 events, 0 of 50 people, no donation target.
    The first community of 雨城区 has its own target of 1 event and held 1."""
    plan = load_test_plan(tmp_path)
    c0, c5 = f.community("511802", 0), f.community("511802", 5)
    wang, zhao = f.worker("wang", place=c0), f.worker("zhao", place=c5)
    li = f.worker("li", place=f.community("511803"))
    f.report("xinfeng", by=wang, date=dt.date(2026, 3, 1))
    f.report("xinfeng", by=zhao, date=dt.date(2026, 9, 1), status="approved")
    f.report("xinfeng", by=zhao, date=dt.date(2026, 9, 2), status="rejected")
    for day in range(1, 6):
        f.report("activity", by=zhao, date=dt.date(2026, 5, day), participants=30)
    f.report("donation", by=wang, date=dt.date(2026, 6, 1), amount="800.00")
    f.report("xinfeng", by=li, date=dt.date(2026, 4, 1))
    f.report("xinfeng", by=li, date=dt.date(2026, 4, 2))
    f.report("xinfeng", by=wang, date=dt.date(2025, 12, 31))  # last year: not counted
    return plan

"""The demo on another plan's own places (`make demo PLAN=...`, `run_admin.py --demo
--plan CODE`): the plan's province or city with its real counties and townships, demo
communities (marked) under a sample of them, the plan's province-level targets on the
province, and that plan the default."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

import run_admin
from models.core.db import database, init_db
from models.core.schema import OrgUnit, Plan, Report, Target
from models.demo import UnknownPlan, build_demo, demo_plans
from models.org.places import PLACE_FILES, read_places
from models.plans import progress

TODAY = dt.date(2026, 11, 23)


def test_every_shipped_plan_has_its_ground():
    assert demo_plans() == {"yaan-jiuxiang": "5118", "tianjin-wushe-demo-2024": "12",
                            "tianjin-shequ-zuzhi": "12", "zhejiang-2025": "33",
                            "gansu-sanshe-pilot": "62"}


def test_the_zhejiang_demo_stands_on_zhejiang(tmp_path):
    url = f"sqlite:///{tmp_path / 'zj.sqlite3'}"
    info = build_demo(url, today=TODAY, scale=0.05, plan="zhejiang-2025")
    assert info["plan"] == "zhejiang-2025" and info["reports"] > 0
    init_db(url)
    with database.connection_context():
        assert [u.code for u in OrgUnit.select().where(OrgUnit.parent.is_null())] == ["33"]
        levels = Counter(u.level for u in OrgUnit.select())
        assert (levels["province"], levels["city"], levels["county"], levels["township"]) == (
            1, 11, 90, 1359)
        communities = list(OrgUnit.select().where(OrgUnit.level == "community"))
        assert communities and all(c.attrs.get("demo") for c in communities)
        real = {u["code"] for u in read_places(PLACE_FILES["33"])}
        assert all(c.parent.code in real for c in communities)
        sampled = {c.parent_id for c in communities}
        assert len(sampled) == 89  # one township in each county that has any
        assert not OrgUnit.select().where(OrgUnit.code.startswith("5118")).exists()
        plan = Plan.get(Plan.is_default == True)  # noqa: E712
        assert plan.code == "zhejiang-2025"
        province = OrgUnit.get(OrgUnit.code == "33")
        targets = {t.indicator.code: t.value for t in Target.select().where(
            Target.org_unit == province)}
        assert targets["star_complexes"] == Decimal(1000)
        assert targets["development_foundations"] == Decimal(200)
        rows = {r.indicator.code: r for r in progress.plan_progress(
            plan, province, 2025, TODAY).rows}
        assert rows["star_complexes"].target == Decimal(1000)
        assert Report.select().where(Report.org_path.startswith("/33/")).count() == \
            Report.select().count()
    database.close()


def test_an_unknown_plan_is_refused(tmp_path, monkeypatch, capsys):
    with pytest.raises(UnknownPlan):
        build_demo(f"sqlite:///{tmp_path / 'x.sqlite3'}", plan="hubei-2030")
    assert not (tmp_path / "x.sqlite3").exists()
    monkeypatch.setenv("DEFAULT_LOCALE", "zh_Hans")
    assert run_admin.main(["--demo", "--plan", "hubei-2030"]) == 2
    err = capsys.readouterr().err
    assert "没有可用于演示的方案 hubei-2030" in err and "zhejiang-2025" in err

"""The demo's pilot applications, at every stage of the approval chain."""
from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid

from models.applications import KIND, NEEDS_OPINION, from_report, move
from models.org import access
from models.core.db import database
from models.plans.loading import count_report
from models.core.schema import AdminUser, OrgUnit, Report, ReportKind, Worker

DEMO_PROJECTS = [
    ("“四点半课堂”困境儿童课后服务项目", "放学后无人看护的留守和困境儿童", "社区社工站联合青少年服务社会组织开展课业辅导、安全教育和亲子小组"),
    ("独居老人“邻里守望”关爱项目", "辖区80岁以上独居、空巢老人约60人", "社工个案评估，志愿者结对探访，开展健康讲座和互助小组"),
    ("精神障碍康复者社区融入项目", "在册精神障碍康复者及其家属", "个案管理、家属支持小组、社区康复活动与公众倡导"),
    ("流动人口子女社区融入项目", "随迁子女及其家庭约40户", "社区工作方法开展融入活动，建立互助网络"),
    ("“银龄互助”时间银行项目", "低龄老人志愿者与高龄老人", "以时间银行记录服务时长，组织低龄老人结对服务高龄老人"),
    ("残疾人就业辅导与支持项目", "有就业意愿的残疾人约25人", "职业能力评估、技能培训小组、就业跟踪辅导"),
    ("社区矫正对象社会适应项目", "社区矫正对象及其家庭", "个案辅导、心理疏导和社会关系修复"),
    ("“三留守”人员关爱服务项目", "留守儿童、留守妇女和留守老人", "入户走访建档，开展关爱小组和节日主题活动"),
]
# Each project's key service area (pilot_application's service_areas), in DEMO_PROJECTS' order.
DEMO_AREAS = ["left_behind", "elderly_orphans", "mental_health", "migrants", "elderly_orphans",
              "disability_schooling", "community_correction", "left_behind"]
# (where it ends up, the acts after filing): a spread over every stage of the chain.
DEMO_PATHS = [
    ("township", []),
    ("county", ["pass"]),
    ("city", ["pass", "pass"]),
    ("province", ["pass", "pass", "pass"]),
    ("approved", ["pass", "pass", "pass", "approve"]),
    ("returned", ["pass", "return"]),
    ("rejected", ["reject"]),
    ("county", ["pass"]),
]
DEMO_OPINIONS = {
    "township": "经初核，项目经居民听证和居民代表会议审议并已公示，材料齐全，同意上报。",
    "county": "经审核，项目需求明确、实施方案可行，同意上报市级民政部门复核。",
    "city": "经复核，同意推荐为省级“三社联动”试点项目。",
    "province": "同意列为“三社联动”试点项目，按规定拨付补助资金。",
    "return": "请补充服务对象的具体人数和项目预算明细后重新申报。",
    "reject": "项目内容与“三社联动”试点方向不符，不予推荐。",
}


def demo_applications(rng: random.Random, today: dt.date, *, create_user=None,
                      logins: list | None = None) -> dict[str, int]:
    """Pilot applications for the demo at every stage of the chain — some in 雨城区
    (511802), where the demo's county login works, one waiting in the street of each demo
    street officer, the rest across the city — filed as reports and moved through ``move``
    (no notices: demo workers have no real chats). With ``create_user``, a province login
    (appended to ``logins``). Deterministic for the rng's state; returns the count per
    status/level."""
    kind = ReportKind.get_or_none(ReportKind.code == KIND)
    if kind is None:
        return {}
    # Communities that have gone quiet stay quiet: only those reporting lately file.
    lately = (Report.select(Report.org_unit)
              .where(Report.activity_date > today - dt.timedelta(days=14)))
    leaders = list(Worker.select(Worker, OrgUnit).join(OrgUnit)
                   .where(Worker.status == "active", Worker.role == "leader",
                          Worker.org_unit.in_(lately))
                   .order_by(Worker.id))
    if not leaders:
        return {}
    yucheng = [w for w in leaders if w.org_unit.path.startswith("/5118/511802/")]
    others = [w for w in leaders if not w.org_unit.path.startswith("/5118/511802/")]
    chosen = rng.sample(yucheng, min(5, len(yucheng))) + rng.sample(others, min(3, len(others)))
    paths = [DEMO_PATHS[i % len(DEMO_PATHS)] for i in range(len(chosen))]
    for officer in (AdminUser.select().where(AdminUser.role == access.TOWNSHIP_OFFICER)
                    .order_by(AdminUser.id)):
        street = [w for w in leaders if w.org_unit.parent_id == officer.org_unit_id
                  and w not in chosen]
        if street:
            chosen.append(rng.choice(street))
            paths.append(("township", []))
    if create_user is not None:
        root = OrgUnit.get(OrgUnit.parent.is_null())
        password = secrets.token_urlsafe(12)
        create_user("shengting", password, role=access.PROVINCE_OFFICER, org_code=root.code,
                    display_name="演示·省民政厅", actor="demo")
        if logins is not None:
            logins.append({"username": "shengting", "password": password,
                           "role": access.PROVINCE_OFFICER, "scope": root.name})
    counts: dict[str, int] = {}
    offset = dt.timedelta(hours=8)  # stored as naive UTC, filed in office hours in Ya'an
    for i, (worker, (_, path)) in enumerate(zip(chosen, paths)):
        name, serves, methods = DEMO_PROJECTS[i % len(DEMO_PROJECTS)]
        area = DEMO_AREAS[i % len(DEMO_AREAS)]
        unit = worker.org_unit
        filed = today - dt.timedelta(days=4 * (len(path) + 1) + rng.randrange(0, 5))
        at = dt.datetime.combine(filed, dt.time(rng.randrange(9, 17), rng.randrange(60))) - offset
        subsidy = rng.choice([30000, 50000, 80000, 100000])
        values = {
            "project_name": name,
            "community_profile": f"{unit.name}共有居民约{rng.randrange(8, 40) * 100}户，"
                                 f"{'以农业人口为主' if unit.is_rural else '老旧小区较多'}，"
                                 "已建成社区综合服务站和社工室。",
            "needs": "经社区筹划征集和居民听证，居民对该类服务需求强烈，现有服务供给不足。",
            "beneficiaries": serves,
            "service_methods": methods,
            "period": f"{today.year}年{today.month}月至{today.year + 1}年{today.month}月",
            "funding": f"项目总需求{subsidy * 3 // 20000}万元：申请省级补助{subsidy // 10000}万元，"
                       "街道配套和社区慈善基金解决其余部分。",
            "subsidy": f"{subsidy}.00",
            "outcomes": "服务对象生活质量和社会参与明显改善，培育社区社会组织1个以上。",
            "service_areas": [area],
            "implementer": "辖区社区社会组织承接，街道社工站专职社工主导实施",
            # 社区筹划征集、居民听证、居民代表会议审议、张榜公示: in order, before filing
            **{name: (filed - dt.timedelta(days=days)).isoformat() for name, days in (
                ("needs_collected_on", 30), ("hearing_on", 20), ("review_on", 13),
                ("notice_on", 7))},
        }
        with database.atomic():
            report = Report.create(
                uid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), kind=kind,
                worker=worker, org_unit=unit, org_path=unit.path, activity_date=filed,
                values=values, status="submitted", created_at=at, updated_at=at)
            count_report(report)
            application = from_report(report, created=True, at=at, notify=False)
            level = application.level
            for n, action in enumerate(path, start=1):
                opinion = DEMO_OPINIONS[action if action in NEEDS_OPINION else level]
                when = max(at, min(at + dt.timedelta(days=3 * n, hours=rng.randrange(0, 6)),
                                   dt.datetime.combine(today, dt.time(0))))  # not after today
                move(application, level, action, actor="demo-reviewer", opinion=opinion,
                     at=when, notify=False)
                level = application.level
            if path:  # the chain's decision reviews the report now(): at the step's time instead
                Report.update(updated_at=when).where(Report.id == report.id).execute()
                Report.update(reviewed_at=when).where(Report.id == report.id,
                                                      Report.reviewed_at.is_null(False)).execute()
        key = application.status if application.status != "pending" else application.level
        counts[key] = counts.get(key, 0) + 1
    return counts

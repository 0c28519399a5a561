"""The demo's workers and reports: one to three workers per community with Chinese names,
and a plausible stretch of reports of every kind from 2025-01-01 to today. Counties differ
on purpose — some keep pace with their targets, some fall behind, a few communities have gone
quiet — so the dashboard has something to say. Rows are written with ``insert_many`` and the
contributions with ``count_all`` under ``rollup.suspended()``, so a build takes seconds."""
from __future__ import annotations

import datetime as dt
import random
import uuid

import peewee as pw

from models.demo import photos
from models.plans import rollup
from models.core.db import database
from models.forms.kinds import default_plan
from models.plans.loading import CONTRIBUTION_MEASURES, contribution_value, matches
from models.core.schema import (Contribution, Indicator, OrgUnit, Report, ReportKind, Station,
                                Target, Worker)

START = dt.date(2025, 1, 1)
SHANGHAI_OFFSET = dt.timedelta(hours=8)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["秀英", "桂英", "秀兰", "玉兰", "建华", "建国", "志强", "海燕", "丽娟", "红梅", "小红",
         "晓燕", "静", "敏", "磊", "伟", "芳", "娜", "军", "勇", "杰", "涛", "明", "超", "霞", "平",
         "刚", "桂兰", "文", "华", "春梅", "雪梅", "德明", "成刚", "明芳", "小燕", "思远", "婷",
         "佳怡", "子豪", "宇航", "欣怡", "浩然", "梓涵", "俊杰", "一鸣"]

LINE_TITLES = {
    "assistance": ["困难群众走访慰问", "低保对象政策宣讲", "临时救助入户核查", "“弱有众扶”帮扶结对"],
    "elderly": ["老年人健康讲座", "独居老人上门探访", "银发智能手机课堂", "重阳节敬老活动"],
    "children": ["四点半课堂", "未成年人防溺水安全教育", "留守儿童周末陪伴", "儿童之家读书会"],
    "mental": ["心理健康知识讲座", "精神康复者家属互助会", "“心灵守护”个案走访"],
    "neighbours": ["邻里议事会", "楼栋长协商会", "社区志愿服务日", "“友邻互助”共享集市"],
    "rural": ["村民夜校", "农技培训", "院坝会", "乡村环境整治行动"],
    "ethnic": ["民族团结进社区", "锅庄舞联欢", "双语政策宣讲"],
    "xinfeng": ["移风易俗宣传", "文明婚俗倡议"],
    "placename": ["地名故事进校园", "老地名寻访"],
}
LINE_WEIGHTS_URBAN = {"assistance": 12, "elderly": 20, "children": 22, "mental": 6,
                      "neighbours": 22, "rural": 2, "ethnic": 2, "xinfeng": 4, "placename": 4}
LINE_WEIGHTS_RURAL = {"assistance": 14, "elderly": 18, "children": 20, "mental": 4,
                      "neighbours": 3, "rural": 24, "ethnic": 3, "xinfeng": 6, "placename": 4}
ETHNIC_COUNTIES = {"511824", "511827"}  # 石棉县, 宝兴县: Tibetan and Yi townships
ACTIVITY_TYPES = [("service", 60), ("training", 7), ("publicity", 18), ("consultation", 10),
                  ("other", 5)]
PARTIES = ["community", "social_org", "social_worker", "volunteer", "charity"]
XINFENG_EVENTS = ["marriage_reform", "frugal_funeral", "green_burial", "council",
                  "village_rules", "red_black_list"]
REJECT_REASONS = ["照片不清晰，请补充活动现场照片", "参与人数与签到表不符，请核实后重新提交",
                  "活动日期有误，请更正", "请补充活动地点的具体位置", "捐赠金额与收据不一致"]
# The special groups a line's activity may serve, and the five aspects of a self-governance case.
SPECIAL_GROUPS = {"assistance": ["dibao", "tekun"],
                  "children": ["orphan", "unsupported_child", "disabled_child"],
                  "mental": ["mental_disorder"]}
SELFGOV_ASPECTS = ["consultation", "supervision", "three_governance", "scenes", "civility"]
PLACES = ["社区活动室", "村委会会议室", "党群服务中心", "文化广场", "小学操场", "老年活动中心"]

# How far each county keeps pace: the multiple of its annual new-customs target reached by
# year end, and the share of its 2023–2025 minors-protection points built. Spread so the
# ranking has leaders, laggards and one county in real trouble.
PACE = [1.2, 1.05, 0.95, 0.9, 0.8, 0.7, 0.55, 1.1]
POINTS = [1.0, 1.05, 0.92, 0.8, 1.0, 0.65, 0.85, 1.0]


def _reviewer(org_path: str) -> str:
    """Who reviewed a demo report, as ``admin.base.actor`` names an official: the demo's
    雨城区 official in their county, the city's demo administrator elsewhere."""
    return "admin:yucheng" if org_path.startswith("/5118/511802/") else "admin:demo"


def _weighted(rng: random.Random, pairs) -> str:
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _recent_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A date in [start, end], denser toward ``end`` (reporting picks up as the bot spreads)."""
    span = (end - start).days
    u = rng.random()
    # density ∝ 1 + 2x on [0, 1]: inverse CDF of (x + x²) / 2
    x = (-1 + (1 + 8 * u) ** 0.5) / 2
    return start + dt.timedelta(days=min(span, int(x * (span + 1))))


def _uniform_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


class _Builder:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.rows: list[dict] = []
        self.kinds = {k.code: k.id for k in ReportKind.select()}
        # The answers added for issue 13 (minors, visits, groups served, a case's aspect) draw
        # from their own generator, so the rest of the demo stays as it was.
        self.more = random.Random(today.toordinal())

    def add(self, kind: str, worker: dict, day: dt.date, values: dict, line: str | None,
            status: str | None = None) -> None:
        rng = self.rng
        age = (self.today - day).days
        if status is None:
            roll = rng.random()
            if roll < 0.03:
                status = "rejected"
            elif age > 21:
                status = "approved" if roll < 0.9 else "submitted"
            else:
                status = "approved" if roll < 0.3 else "submitted"
        filed = min(self.today, day + dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3))))
        # filed during the working day in Ya'an, stored as naive UTC like schema.now()
        created = (dt.datetime.combine(filed, dt.time(rng.randrange(8, 22), rng.randrange(60)))
                   - SHANGHAI_OFFSET)
        created = min(created, dt.datetime.combine(self.today, dt.time(0)))  # not in the future
        reviewed = None
        if status != "submitted":
            # reviewed after it was filed, and not after the start of today (UTC) either
            reviewed = min(created + dt.timedelta(hours=rng.randrange(2, 72)),
                           max(created, dt.datetime.combine(self.today, dt.time(0))))
        values = {**values, "date": day.isoformat()}
        self.rows.append(dict(
            uid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            kind=self.kinds[kind], worker=worker["id"], org_unit=worker["org_unit"],
            org_path=worker["org_path"], action_line=line, activity_date=day, values=values,
            status=status,
            reject_reason=rng.choice(REJECT_REASONS) if status == "rejected" else None,
            reviewed_by=(_reviewer(worker["org_path"]) if reviewed else None),
            reviewed_at=reviewed,
            created_at=created, updated_at=reviewed or created))

    def activity(self, worker: dict, day: dt.date, line: str, activity_type: str | None = None):
        rng = self.rng
        activity_type = activity_type or _weighted(rng, ACTIVITY_TYPES)
        participants = rng.randrange(8, 60) if activity_type != "training" else rng.randrange(15, 40)
        values = {"action_line": line, "activity_type": activity_type,
                  "title": rng.choice(LINE_TITLES[line]), "place": rng.choice(PLACES),
                  "participants": participants,
                  "parties": sorted(rng.sample(PARTIES, rng.randrange(1, 4)))}
        if rng.random() < 0.6:
            values["volunteers"] = rng.randrange(1, 12)
        more = self.more
        if line == "children":
            values["minors"] = more.randrange(participants // 2, participants + 1)
        if line == "elderly":
            values["elderly_visited"] = more.choice((0, 0, 1, 2, 3, 5, 8))
        if line in SPECIAL_GROUPS and more.random() < 0.5:
            values["groups"] = sorted(more.sample(SPECIAL_GROUPS[line],
                                                  more.randrange(1, len(SPECIAL_GROUPS[line]) + 1)))
        self.add("activity", worker, day, values, line)

    def xinfeng(self, worker: dict, day: dt.date):
        rng = self.rng
        self.add("xinfeng", worker, day, {"event_type": rng.choice(XINFENG_EVENTS),
                                          "place": rng.choice(PLACES),
                                          "participants": rng.randrange(15, 120)}, "xinfeng")

    def placename(self, worker: dict, day: dt.date):
        rng = self.rng
        audience = rng.randrange(20, 150)
        elderly = rng.randrange(0, audience // 3)
        children = rng.randrange(0, audience - elderly)
        self.add("placename", worker, day, {
            "setting": rng.choice(["estate", "community", "school", "other"]),
            "place_names": rng.choice(["上里古镇", "蒙顶山", "二郎山", "周公山", "青衣江", "碧峰峡"]),
            "stories": rng.randrange(0, 6), "audience": audience, "elderly": elderly,
            "children": children}, "placename")

    def donation(self, worker: dict, day: dt.date, fund: str):
        rng = self.rng
        values = {"donor_type": rng.choice(["individual", "individual", "enterprise",
                                            "organization"]), "fund": fund}
        if rng.random() < 0.7:
            values["form"] = "money"
            values["amount"] = f"{rng.choice([200, 500, 800, 1000, 2000, 5000, 12000])}.00"
        else:
            values["form"] = "goods"
            values["goods"] = rng.choice(["米面油", "冬衣", "学习用品", "轮椅两台"])
            values["goods_value"] = f"{rng.randrange(300, 6000)}.00"
        self.add("donation", worker, day, values, None)

    def milestone(self, worker: dict, day: dt.date, mtype: str, line: str, name: str,
                  count: int = 1):
        values = {"milestone_type": mtype, "name": name, "count": count}
        if mtype in ("provincial_selfgov_case", "municipal_selfgov_case"):
            values["aspect"] = self.more.choice(SELFGOV_ASPECTS)
        self.add("milestone", worker, day, values, line, status="approved")


def populate(rng: random.Random, today: dt.date, scale: float,
             media_dir: str | None = None) -> dict:
    """Workers, then their reports and contributions; returns what was made. With
    ``media_dir``, a realistic share of the reports get photos and locations
    (``models.demo.photos``, from a generator of their own)."""
    counties = list(OrgUnit.select().where(OrgUnit.level == "county").order_by(OrgUnit.code))
    communities = list(OrgUnit.select().where(OrgUnit.level == "community").order_by(OrgUnit.code))
    townships = list(OrgUnit.select().where(OrgUnit.level == "township").order_by(OrgUnit.code))
    county_of = {c.id: next(k for k in counties if c.path.startswith(k.path)) for c in communities}
    paces, shares = rng.sample(PACE, len(PACE)), rng.sample(POINTS, len(POINTS))
    pace = {c.code: paces[i % len(paces)] for i, c in enumerate(counties)}  # over 8: again
    points = {c.code: shares[i % len(shares)] for i, c in enumerate(counties)}

    # Workers: one to three per community; one village has only a worker awaiting approval.
    never = rng.choice(communities)
    worker_rows = []
    tg = 7_000_000_000
    for unit in communities:
        for i in range(rng.choice((1, 1, 2, 2, 3))):
            tg += 1
            worker_rows.append(dict(
                tg_user_id=tg, display_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                role="leader" if i == 0 else "worker", org_unit=unit.id,
                status="pending" if unit.id == never.id else "active", language="zh_Hans",
                created_at=dt.datetime.combine(START - dt.timedelta(days=rng.randrange(10, 60)),
                                               dt.time(9))))
    with database.atomic():
        Worker.insert_many(worker_rows).execute()
    workers: dict[int, list[dict]] = {}
    for w in Worker.select(Worker.id, Worker.org_unit, Worker.status).dicts():
        if w["status"] == "active":
            workers.setdefault(w["org_unit"], []).append(w)
    paths = {u.id: u.path for u in communities}
    for ws in workers.values():
        for w in ws:
            w["org_path"] = paths[w["org_unit"]]

    b = _Builder(rng, today)
    silent = rng.sample([c for c in communities if c.id != never.id], 2)
    quiet_since = {silent[0].id: today - dt.timedelta(days=rng.randrange(30, 45)),
                   silent[1].id: today - dt.timedelta(days=rng.randrange(16, 24))}

    # Activities, place-name promotions and donations, heavier toward today.
    for unit in communities:
        ws = workers.get(unit.id)
        if not ws:
            continue
        end = quiet_since.get(unit.id, today)
        factor = pace[county_of[unit.id].code]
        weekly = rng.uniform(0.45, 1.1) * (0.6 + 0.4 * factor)
        n = int(weekly * scale * ((end - START).days / 7))
        weights = LINE_WEIGHTS_RURAL if unit.is_rural else LINE_WEIGHTS_URBAN
        if county_of[unit.id].code in ETHNIC_COUNTIES:
            weights = {**weights, "ethnic": 14}
        fund = f"{unit.name}慈善基金"
        days = sorted(_recent_date(rng, START, end) for _ in range(n))
        if unit.id not in quiet_since and not any(d > today - dt.timedelta(days=13) for d in days):
            # An active place has reported in the last two weeks, so only the quiet ones
            # show up as silent.
            days.append(today - dt.timedelta(days=rng.randrange(0, 12)))
        for day in days:
            w = rng.choice(ws)
            roll = rng.random()
            if roll < 0.84:
                b.activity(w, day, _weighted(rng, weights))
            elif roll < 0.92:
                b.placename(w, day)
            else:
                b.donation(w, day, fund)

    # New-customs events per township: five per station a year, each county at its own pace.
    for township in townships:
        county = next(k for k in counties if township.path.startswith(k.path))
        members = [c for c in communities if c.parent_id == township.id and workers.get(c.id)
                   and c.id not in quiet_since]
        if not members:
            continue
        stations = Station.select().where(Station.township == township).count()
        for year in sorted({START.year, today.year}):
            window_end = min(today, dt.date(year, 12, 31))
            share = ((window_end - dt.date(year, 1, 1)).days + 1) / 365
            n = round(5 * stations * share * pace[county.code] * rng.uniform(0.85, 1.15))
            for _ in range(n):
                unit = rng.choice(members)
                b.xinfeng(rng.choice(workers[unit.id]), _uniform_date(rng, dt.date(year, 1, 1),
                                                                      window_end))

    # Milestones: minors-protection points (2025, each county its own share of its target),
    # rehabilitation stations, featured communities, cases, cemeteries, pilots.
    plan = default_plan()
    targets = _point_targets(plan)
    last_2025 = min(today, dt.date(2025, 12, 31))
    for county in counties:
        members = [c for c in communities if c.path.startswith(county.path)
                   and workers.get(c.id) and c.id not in quiet_since]
        goal = round(targets.get(county.code, 0) * points[county.code])
        while goal > 0 and members:
            count = min(goal, rng.choice((1, 1, 2, 3)))
            unit = rng.choice(members)
            b.milestone(rng.choice(workers[unit.id]), _uniform_date(rng, START, last_2025),
                        "minors_protection_point", "children", f"{unit.name}未成年人保护点", count)
            goal -= count
        if points[county.code] >= 0.9 and members:
            unit = rng.choice(members)
            b.milestone(rng.choice(workers[unit.id]), _uniform_date(rng, START, last_2025),
                        "mental_rehab_station", "mental", f"{county.name}社区精神康复服务站")

    def citywide(mtype: str, line: str, name: str, n: int, start: dt.date, end: dt.date):
        pool = [c for c in communities if workers.get(c.id) and c.id not in quiet_since]
        for _ in range(n):
            unit = rng.choice(pool)
            b.milestone(rng.choice(workers[unit.id]), _uniform_date(rng, start, min(end, today)),
                        mtype, line, f"{unit.name}{name}")

    citywide("minors_featured_community", "children", "未成年人贴心关爱型特色社区", 1, START, last_2025)
    citywide("rural_public_cemetery", "xinfeng", "公益性公墓", 31, START, last_2025)
    citywide("marriage_reform_pilot", "xinfeng", "婚俗改革试验区", 2, START, last_2025)
    # Annual city targets: last year's met; this year's featured community done, municipal
    # cases on pace, facility upgrades a little behind, provincial cases at risk. (The
    # children's-line trainings, one a year, come with the activities.)
    for year in range(START.year, today.year + 1):
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        elapsed = 1.0 if end < today else ((today - start).days + 1) / 365
        citywide("featured_community", "neighbours", "“友邻互助”特色社区", 1, start, end)
        citywide("village_facility_upgrade", "rural", "综合服务设施补短板项目",
                 5 if elapsed == 1 else int(5 * elapsed * 0.9), start, end)
        citywide("provincial_selfgov_case", "rural", "自治案例(省级)",
                 2 if elapsed == 1 else int(2 * elapsed * 0.6), start, end)
        citywide("municipal_selfgov_case", "rural", "自治案例(市级)",
                 10 if elapsed == 1 else round(10 * elapsed), start, end)

    # Elderly-care complexes in most streets (城市街道 coverage) and rural network sites.
    for township in townships:
        pool = [c for c in communities if c.parent_id == township.id and workers.get(c.id)]
        if pool and not township.is_rural and rng.random() < 0.7:
            unit = rng.choice(pool)
            b.milestone(rng.choice(workers[unit.id]), _uniform_date(rng, START, today),
                        "elderly_complex", "elderly", f"{township.name}社区养老服务综合体")
    citywide("rural_elderly_point", "elderly", "互助养老点", 8, START, today)

    media_rng = random.Random(f"demo-media-{len(b.rows)}-{today}")
    if media_dir is not None:
        photos.plan(b.rows, media_rng)
    with database.atomic():
        for i in range(0, len(b.rows), 1000):
            Report.insert_many(b.rows[i:i + 1000]).execute()
        with rollup.suspended():
            contributions = count_all()
        last = {wid: seen for wid, seen in Report.select(Report.worker, Report.created_at)
                .order_by(Report.created_at).tuples()}
        for wid, seen in last.items():
            Worker.update(last_report_at=seen).where(Worker.id == wid).execute()

    attached = photos.attach(media_dir, media_rng) if media_dir is not None else 0
    kinds = {code: 0 for code in b.kinds}
    statuses: dict[str, int] = {}
    for row in b.rows:
        code = next(c for c, k in b.kinds.items() if k == row["kind"])
        kinds[code] += 1
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    return {"reports": len(b.rows), "contributions": contributions, "workers": len(worker_rows),
            "communities": len(communities), "kinds": kinds, "statuses": statuses,
            "silent": [u.code for u in silent], "never_reported": never.code,
            "photos": attached,
            "located": sum(1 for row in b.rows if row.get("latitude") is not None)}


def count_all(batch: int = 5000) -> int:
    """Write every report's contributions, as ``plans.recount`` does (the same ``matches``
    and ``contribution_value``), but as plain parameter rows through the driver's
    ``executemany``: a fresh bulk load has no old rows to replace, and skipping the ORM's
    per-row SQL building makes it several times faster. Call under ``rollup.suspended()``."""
    indicators = list(Indicator.select().where(Indicator.measure.in_(CONTRIBUTION_MEASURES)))
    codes = {k.id: k.code for k in ReportKind.select()}
    table = Contribution._meta.table_name
    p = database.param
    sql = (f"INSERT INTO {table} (report_id, indicator_id, org_unit_id, org_path, activity_date, "
           f"status, value) VALUES ({', '.join([p] * 7)})")
    is_sqlite = not isinstance(database.obj, pw.PostgresqlDatabase)
    total = 0
    rows: list[tuple] = []
    cursor = database.cursor()
    query = (Report.select(Report.id, Report.kind, Report.org_unit, Report.org_path,
                           Report.activity_date, Report.status, Report.values, Report.action_line)
             .order_by(Report.id))
    for report in query.iterator():
        kind = codes[report.kind_id]
        for ind in indicators:
            if matches(ind, report, kind):
                value = contribution_value(ind, report)
                rows.append((report.id, ind.id, report.org_unit_id, report.org_path,
                             report.activity_date.isoformat() if is_sqlite else report.activity_date,
                             report.status, str(value) if is_sqlite else value))
        if len(rows) >= batch:
            cursor.executemany(sql, rows)
            total += len(rows)
            rows = []
    if rows:
        cursor.executemany(sql, rows)
        total += len(rows)
    return total


def _point_targets(plan) -> dict[str, int]:
    ind = Indicator.get(Indicator.plan == plan, Indicator.code == "minors_points")
    return {t.org_unit.code: int(t.value)
            for t in Target.select(Target, OrgUnit).join(OrgUnit).where(Target.indicator == ind)}

"""The demo's registry: organizations in every 备案 state, volunteers as imported rosters and
their hours, deterministic for a seed (bulk inserts, no audit rows)."""
from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid

import peewee as pw

from models.core.db import database
from models.core.schema import OrgUnit, SocialOrganization, Volunteer, VolunteerHours, now
from models.forms.particulars import id_check_character
from models.org import access

DEMO_NAMES = {
    "elderly_care": ["银发互助会", "夕阳红服务队", "老年餐桌志愿队", "助老陪伴团"],
    "community_service": ["邻里服务社", "楼门长联谊会", "环境美化队", "便民维修队"],
    "hardship_relief": ["帮困结对小组", "爱心帮扶队", "残疾人互助小组"],
    "charity_relief": ["慈善爱心社", "微心愿工作室", "爱心超市理事会"],
    "mutual_aid": ["邻里互助会", "时间银行互助社", "四点半课堂家长会"],
    "other": ["文体协会", "书画社", "太极拳队", "合唱团"],
}
DEMO_CATEGORY_WEIGHTS = {"elderly_care": 5, "community_service": 5, "hardship_relief": 3,
                         "charity_relief": 2, "mutual_aid": 3, "other": 4}
DEMO_SKILLS = ["理发", "陪护", "电脑维修", "心理疏导", "法律咨询", "文艺表演", "医疗护理",
               "家电维修", "课业辅导", "摄影", "书法", "垃圾分类宣传"]
DEMO_SERVICES = ["敬老院陪护", "独居老人探访", "社区环境整治", "四点半课堂辅导", "义诊义剪",
                 "防诈骗宣传", "垃圾分类督导", "文明交通劝导", "助残送餐", "邻里纠纷调解"]
DEMO_LEADERS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
DEMO_GIVEN = ["秀英", "桂英", "建华", "建国", "志强", "海燕", "丽娟", "红梅", "晓燕", "静",
              "敏", "磊", "伟", "芳", "军", "勇", "杰", "涛", "明", "霞", "平", "文", "华",
              "春梅", "德明", "小燕", "婷", "佳怡", "子豪", "欣怡", "浩然", "俊杰"]


def _demo_id(rng, region: str, year_range=(1950, 2004)) -> str:
    born = dt.date(rng.randrange(*year_range), rng.randrange(1, 13), rng.randrange(1, 29))
    body = f"{region[:6].ljust(6, '0')}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_check_character(body)


def demo_registry(seed: int, today: dt.date, *, scale: float = 1.0, create_user=None,
                  logins: list | None = None) -> dict:
    """Organizations (a hub per street, five or so per community, in every status), volunteers
    (6–22 % of residents, as imported rosters) and their hours, for the demo database; with
    ``create_user``, a 居委会 login and a street login (appended to ``logins``) to walk the
    备案 workflow. Deterministic for a seed; bulk inserts, no audit rows."""

    rng = random.Random(seed * 31 + 3)
    townships = list(OrgUnit.select().where(OrgUnit.level == "township").order_by(OrgUnit.path))
    communities = list(OrgUnit.select().where(OrgUnit.level == "community")
                       .order_by(OrgUnit.path))
    stamp = dt.datetime.combine(today, dt.time(1))
    orgs, people, hours = [], [], []
    statuses = [("filed", 70), ("reviewed", 8), ("pending", 10), ("returned", 4),
                ("deregistered", 3)]

    def person() -> str:
        return rng.choice(DEMO_LEADERS) + rng.choice(DEMO_GIVEN)

    def org_row(unit, name, category, status, *, hub=False, social_workers=0):
        founded = today - dt.timedelta(days=rng.randrange(90, 3650))
        reviewed = status in ("reviewed", "filed", "deregistered") and not hub
        filed = status in ("filed", "deregistered")
        return dict(name=name, category=category, org_unit=unit.id, org_path=unit.path,
                    leader=person(), leader_phone=f"13{rng.randrange(10**9):09d}",
                    members=rng.randrange(8, 120) if not hub else rng.randrange(10, 40),
                    founded_on=founded, status=status, is_hub=hub,
                    full_time_social_workers=social_workers,
                    active=status != "deregistered" and rng.random() < 0.85,
                    reviewed_by="demo-居委会" if reviewed else None,
                    reviewed_at=stamp if reviewed else None,
                    filed_by="demo-街道" if filed else None, filed_at=stamp if filed else None,
                    note="材料不全，请补充章程" if status == "returned" else None,
                    created_at=stamp)

    for t in townships:
        filed = rng.random() < 0.85
        orgs.append(org_row(t, f"{t.name}社区社会组织联合会", "community_service",
                            "filed" if filed else "pending", hub=True,
                            social_workers=rng.choice((2, 2, 3, 3)) if filed
                            else rng.choice((0, 1, 2))))
    for c in communities:
        n = rng.randrange(3, 9)
        names: set[str] = set()
        for _ in range(n):
            category = rng.choices(list(DEMO_CATEGORY_WEIGHTS),
                                   weights=list(DEMO_CATEGORY_WEIGHTS.values()))[0]
            name = c.name + rng.choice(DEMO_NAMES[category])
            if name in names:
                continue
            names.add(name)
            status = rng.choices([s for s, _ in statuses], weights=[w for _, w in statuses])[0]
            orgs.append(org_row(c, name, category, status))

    # Volunteers and hours are the bulk (tens of thousands of rows): built as plain tuples in
    # the driver's terms (dates as text on SQLite), inserted with executemany.
    sqlite = not isinstance(database.obj, pw.PostgresqlDatabase)
    as_db = str if sqlite else (lambda v: v)
    created = as_db(stamp)
    phones: set[str] = set()
    for c in communities:
        ratio = rng.uniform(0.06, 0.22)
        n = max(1, round((c.population or 1000) * ratio * scale))
        serving = rng.uniform(0.25, 0.65)
        teams = [f"{c.name}志愿服务队", f"{c.name}党员志愿服务队"]
        for _ in range(n):
            phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            if phone in phones:
                continue
            phones.add(phone)
            uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            registered = today - dt.timedelta(days=rng.randrange(0, 1100))
            with_id = rng.random() < 0.7
            people.append((uid, person(), rng.choice(("male", "female")),
                           "resident_id" if with_id else None,
                           _demo_id(rng, c.code) if with_id else None, phone, c.id, c.path,
                           rng.choice(teams), "、".join(rng.sample(DEMO_SKILLS, rng.randrange(1, 3))),
                           as_db(registered), "import", rng.random() < 0.96, created))
            if rng.random() < serving:
                for _ in range(rng.randrange(1, 4)):
                    day = max(registered, today - dt.timedelta(days=rng.randrange(0, 400)))
                    hours.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), uid,
                                  as_db(day), rng.choice(("1", "1.5", "2", "2", "3", "4")),
                                  rng.choice(DEMO_SERVICES), created))

    with database.atomic():
        SocialOrganization.insert_many(orgs).execute()
        _bulk_insert(Volunteer, ("uid", "name", "gender", "id_type", "id_number", "phone",
                                 "org_unit", "org_path", "team", "skills", "registered_on",
                                 "source", "active", "created_at"), people)
        ids = dict(Volunteer.select(Volunteer.uid, Volunteer.id).tuples())
        hours = [(u, ids[v], *rest) for u, v, *rest in hours]
        _bulk_insert(VolunteerHours, ("uid", "volunteer", "date", "hours", "activity",
                                      "created_at"), hours)
        _demo_workflow(communities, today)

    if create_user is not None and communities:
        community = communities[0]
        street = OrgUnit.get_by_id(community.parent_id)
        for username, role, unit, name in (
                ("juwei", access.COMMUNITY_STAFF, community, f"演示·{community.name}居委会"),
                ("jiedao", access.TOWNSHIP_OFFICER, street,
                 f"演示·{street.name}")):
            password = secrets.token_urlsafe(12)
            create_user(username, password, role=role, org_code=unit.code, display_name=name,
                        actor="demo")
            if logins is not None:
                logins.append({"username": username, "password": password, "role": role,
                               "scope": unit.name})
    return {"organizations": len(orgs), "hubs": len(townships), "volunteers": len(people),
            "hours_entries": len(hours)}


def _bulk_insert(model, names, rows: list[tuple]) -> None:
    """Rows of values for the columns ``names``, already as the driver takes them, through
    ``executemany`` (as ``demo.count_all`` does): a demo has tens of thousands of volunteers,
    and the ORM's per-row SQL building would take seconds."""
    if not rows:
        return
    fields = [model._meta.fields[n] for n in names]
    sql = (f"INSERT INTO {model._meta.table_name} ({', '.join(f.column_name for f in fields)}) "
           f"VALUES ({', '.join([database.param] * len(fields))})")
    database.cursor().executemany(sql, rows)


def _demo_workflow(communities, today: dt.date) -> None:
    """The first community of the demo has an application waiting for each level."""
    if not communities:
        return
    c = communities[0]
    for name, status in (("乐龄读书会", "pending"), ("邻里议事协商会", "pending"),
                         ("爱心理发队", "reviewed")):
        if not SocialOrganization.select().where(SocialOrganization.org_unit == c,
                                                 SocialOrganization.name == c.name + name).exists():
            SocialOrganization.create(
                name=c.name + name, category="community_service" if "议事" in name
                else "elderly_care", org_unit=c, org_path=c.path, leader="张秀英",
                leader_phone="13900000001", members=12, founded_on=today - dt.timedelta(days=60),
                status=status, reviewed_by="demo-居委会" if status == "reviewed" else None,
                reviewed_at=now() if status == "reviewed" else None)

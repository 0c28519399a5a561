"""The tables. Behaviour that belongs to a row lives here as methods; workflows live in the
domain modules named for them (reports.py, workers.py, plans.py, progress.py)."""
from __future__ import annotations

import datetime as dt
import uuid

import peewee as pw

from models.core.db import BaseModel, JSONField, database

LEVELS = ("province", "city", "county", "township", "community")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class OrgUnit(BaseModel):
    """A place in the tree city → county → township/street → community/village.

    ``path`` is the chain of codes from the root ("/5118/511802/..."), so a whole subtree is one
    indexed prefix match, the same query on SQLite and PostgreSQL.
    """

    code = pw.CharField(max_length=32, unique=True)
    name = pw.CharField(max_length=100)
    name_en = pw.CharField(max_length=100, null=True)
    level = pw.CharField(max_length=16, choices=[(x, x) for x in LEVELS])
    parent = pw.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    path = pw.CharField(max_length=255, index=True)
    is_rural = pw.BooleanField(default=False)
    population = pw.IntegerField(null=True)
    households = pw.IntegerField(null=True)
    # Facts about a place that plans test and no report carries: a site's tier, whether it
    # has a community fund, ... Set by import or the admin, read by presence/tier indicators.
    attrs = JSONField(default=dict)
    # Who set each value that is not the shipped file's: {field: {"by", "via", "at"}}
    # (models/core/owners.py). A field not named here follows the file on the next load.
    owners = JSONField(default=dict)

    def __str__(self):
        return self.name

    @property
    def stat_code(self) -> str | None:
        """The full 12-digit statistical code: the short code (2, 4, 6 or 9 digits) padded
        with zeros; None for a code that is not one (a locally made code keeps its form)."""
        code = self.code or ""
        return code.ljust(12, "0") if code.isdigit() and len(code) in (2, 4, 6, 9, 12) else None

    def subtree(self):
        return OrgUnit.select().where(OrgUnit.path.startswith(self.path))

    def contains(self, other: "OrgUnit") -> bool:
        return other.path.startswith(self.path)

    def ancestors(self) -> list["OrgUnit"]:
        codes = [c for c in self.path.strip("/").split("/")]
        by_code = {o.code: o for o in OrgUnit.select().where(OrgUnit.code.in_(codes))}
        return [by_code[c] for c in codes if c in by_code]

    def ancestor_at(self, level: str) -> "OrgUnit | None":
        return next((o for o in self.ancestors() if o.level == level), None)


class Station(BaseModel):
    """A social-work station (社工站), attached to one township or street."""

    code = pw.CharField(max_length=32, unique=True)
    name = pw.CharField(max_length=100)
    township = pw.ForeignKeyField(OrgUnit, backref="stations", on_delete="RESTRICT")
    path = pw.CharField(max_length=255, index=True)


class Worker(BaseModel):
    """A person who reports through the bot. Never ranked: places are compared, people are not."""

    tg_user_id = pw.BigIntegerField(unique=True)
    display_name = pw.CharField(max_length=100)
    username = pw.CharField(max_length=64, null=True)
    role = pw.CharField(max_length=16, default="worker")  # worker | leader
    org_unit = pw.ForeignKeyField(OrgUnit, backref="workers", on_delete="RESTRICT")
    status = pw.CharField(max_length=16, default="active", index=True)  # pending | active | disabled
    language = pw.CharField(max_length=16, null=True)
    created_at = pw.DateTimeField(default=now)
    last_report_at = pw.DateTimeField(null=True)

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class Invite(BaseModel):
    """A code (deep link ``?start=<code>``) that binds whoever uses it to one community."""

    code = pw.CharField(max_length=64, unique=True)
    org_unit = pw.ForeignKeyField(OrgUnit, backref="invites", on_delete="CASCADE")
    role = pw.CharField(max_length=16, default="worker")
    max_uses = pw.IntegerField(default=1)
    uses = pw.IntegerField(default=0)
    expires_at = pw.DateTimeField(null=True)
    requires_approval = pw.BooleanField(default=False)
    disabled = pw.BooleanField(default=False)
    created_by = pw.CharField(max_length=100, null=True)
    created_at = pw.DateTimeField(default=now)


class Plan(BaseModel):
    """A policy document turned into action lines, indicators and targets."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=200)
    name_en = pw.CharField(max_length=200, null=True)
    source_file = pw.CharField(max_length=200)
    source_title = pw.CharField(max_length=300)
    issuer = pw.CharField(max_length=100, null=True)
    issued_on = pw.DateField(null=True)
    start_date = pw.DateField()
    counted_statuses = JSONField(default=lambda: ["submitted", "approved"])
    is_default = pw.BooleanField(default=False)
    loaded_at = pw.DateTimeField(default=now)
    # The plan file's sections beyond indicators (an index's elements and weights, an
    # approval chain, ...), kept as loaded so the domain modules read them from one place.
    spec = JSONField(default=dict)
    # Who set each value that is not the shipped file's: {field: {"by", "via", "at"}}
    # (models/core/owners.py). A field not named here follows the file on the next load.
    owners = JSONField(default=dict)


class ActionLine(BaseModel):
    plan = pw.ForeignKeyField(Plan, backref="action_lines", on_delete="CASCADE")
    code = pw.CharField(max_length=64)
    number = pw.IntegerField()
    name = pw.CharField(max_length=100)
    name_en = pw.CharField(max_length=200)
    slogan = pw.CharField(max_length=50, null=True)

    class Meta:
        indexes = ((("plan", "code"), True),)

    def label(self, locale: str) -> str:
        return self.name if locale.startswith("zh") else self.name_en


class Indicator(BaseModel):
    """What to count or sum, from which report kind and field, with which filter.

    ``target_basis`` says how a scope's target is found: ``explicit`` (Target rows per place,
    summed over the subtree) or ``per_station`` / ``per_county`` (one value times the number
    of stations or counties in scope). ``period`` is ``year`` or ``plan`` (cumulative to
    ``due``).
    """

    plan = pw.ForeignKeyField(Plan, backref="indicators", on_delete="CASCADE")
    code = pw.CharField(max_length=64)
    name = pw.CharField(max_length=200)
    name_en = pw.CharField(max_length=200)
    action_line = pw.ForeignKeyField(ActionLine, null=True, backref="indicators", on_delete="CASCADE")
    unit = pw.CharField(max_length=32, default="")
    unit_en = pw.CharField(max_length=32, default="")
    measure = pw.CharField(max_length=16, default="count")  # count | sum | reference
    report_kind = pw.CharField(max_length=32, null=True)
    field = pw.CharField(max_length=64, null=True)
    filters = JSONField(default=dict)
    period = pw.CharField(max_length=16, default="year")
    due = pw.DateField(null=True)
    target_basis = pw.CharField(max_length=16, default="explicit")
    per_unit_target = pw.DecimalField(max_digits=14, decimal_places=2, null=True)
    source_quote = pw.TextField(default="")
    order = pw.IntegerField(default=0)
    # What a measure beyond count/sum needs (a ratio's denominator, a presence check's level,
    # a tier table, dated partial targets); read by models/plans/progress.py.
    spec = JSONField(default=dict)

    class Meta:
        indexes = ((("plan", "code"), True),)

    def label(self, locale: str) -> str:
        return self.name if locale.startswith("zh") else self.name_en


class Target(BaseModel):
    indicator = pw.ForeignKeyField(Indicator, backref="targets", on_delete="CASCADE")
    org_unit = pw.ForeignKeyField(OrgUnit, backref="targets", on_delete="CASCADE")
    year = pw.IntegerField(null=True)  # None: the indicator's whole period
    value = pw.DecimalField(max_digits=14, decimal_places=2)
    # {"value": {"by", "via", "at"}} when an official or an import set it; empty when the
    # plan file did (models/core/owners.py).
    owners = JSONField(default=dict)

    class Meta:
        indexes = ((("indicator", "org_unit", "year"), True),)


class ReportKind(BaseModel):
    """A report form as data: ordered field definitions walked by the one form engine."""

    code = pw.CharField(max_length=32, unique=True)
    name = pw.CharField(max_length=100)  # gettext msgid
    emoji = pw.CharField(max_length=8, default="")
    action_line = pw.CharField(max_length=64, null=True)
    fields = JSONField()
    checks = JSONField(default=list)
    order = pw.IntegerField(default=0)
    active = pw.BooleanField(default=True)
    # A registry this kind's reports also feed (volunteer, volunteer_hours, application):
    # the report is stored once and models/sinks.py keeps the registry row in step.
    stores = pw.CharField(max_length=32, null=True)


class Report(BaseModel):
    """One report, stored once. ``uid`` is the draft's id: submitting the same draft twice,
    or receiving the same Telegram update twice, finds the existing row instead of a second."""

    uid = pw.CharField(max_length=36, unique=True, default=lambda: str(uuid.uuid4()))
    kind = pw.ForeignKeyField(ReportKind, backref="reports", on_delete="RESTRICT")
    worker = pw.ForeignKeyField(Worker, null=True, backref="reports", on_delete="SET NULL")
    org_unit = pw.ForeignKeyField(OrgUnit, backref="reports", on_delete="RESTRICT")
    org_path = pw.CharField(max_length=255)
    action_line = pw.CharField(max_length=64, null=True)
    activity_date = pw.DateField()
    values = JSONField()
    latitude = pw.FloatField(null=True)
    longitude = pw.FloatField(null=True)
    status = pw.CharField(max_length=16, default="submitted")  # submitted | approved | rejected
    reject_reason = pw.TextField(null=True)
    reviewed_by = pw.CharField(max_length=100, null=True)
    reviewed_at = pw.DateTimeField(null=True)
    source_update_id = pw.BigIntegerField(null=True)
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = (
            (("org_path", "activity_date"), False),
            (("kind", "activity_date"), False),
            (("status", "activity_date"), False),
            # covers "reports per day inside a place" (the dashboard's weekly trend) without
            # reading the rows
            (("activity_date", "status", "org_path"), False),
            (("worker", "created_at"), False),
            # covers the review queue's count, "waiting inside a place" (170,000 reports
            # waiting in a city took seconds to count from the rows)
            (("status", "org_path", "kind"), False),
        )


class Photo(BaseModel):
    """A photo kept as a file with its hash, not only as a Telegram file id that may expire."""

    report = pw.ForeignKeyField(Report, null=True, backref="photos", on_delete="CASCADE")
    draft_uid = pw.CharField(max_length=36, null=True, index=True)
    field = pw.CharField(max_length=64, default="photos")
    sha256 = pw.CharField(max_length=64, index=True)
    path = pw.CharField(max_length=300)
    size = pw.IntegerField()
    tg_file_id = pw.CharField(max_length=200, null=True)
    tg_file_unique_id = pw.CharField(max_length=100, null=True)
    created_at = pw.DateTimeField(default=now)


class Contribution(BaseModel):
    """How much one report adds to one indicator: a report is entered once and counted in
    every plan and indicator it belongs to. Rebuilt when a plan is loaded or a report changes."""

    report = pw.ForeignKeyField(Report, backref="contributions", on_delete="CASCADE")
    indicator = pw.ForeignKeyField(Indicator, backref="contributions", on_delete="CASCADE")
    org_unit = pw.ForeignKeyField(OrgUnit, on_delete="CASCADE")
    org_path = pw.CharField(max_length=255)
    activity_date = pw.DateField()
    status = pw.CharField(max_length=16)
    value = pw.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = (
            (("report", "indicator"), True),
            (("indicator", "activity_date", "org_path"), False),
        )


class Draft(BaseModel):
    """An unfinished report, saved after every answer so a restart loses nothing."""

    uid = pw.CharField(max_length=36, unique=True, default=lambda: str(uuid.uuid4()))
    worker = pw.ForeignKeyField(Worker, backref="drafts", on_delete="CASCADE")
    kind = pw.ForeignKeyField(ReportKind, on_delete="CASCADE")
    answers = JSONField(default=dict)
    step = pw.CharField(max_length=64, null=True)  # the field being asked; None = confirmation card
    history = JSONField(default=list)  # fields answered, in order, for Back
    editing = pw.BooleanField(default=False)  # after an Edit, return to the card
    editing_report = pw.ForeignKeyField(Report, null=True, on_delete="SET NULL")
    # the Telegram update whose answer was saved last: a redelivery of it asks the question
    # again instead of recording the answer a second time (bot/questions.py)
    update_id = pw.BigIntegerField(null=True)
    updated_at = pw.DateTimeField(default=now)


class ChatState(BaseModel):
    """Per-user bot state that must survive restarts (language, last card message)."""

    tg_user_id = pw.BigIntegerField(unique=True)
    language = pw.CharField(max_length=16, null=True)
    data = JSONField(default=dict)
    updated_at = pw.DateTimeField(default=now)


class ProcessedUpdate(BaseModel):
    """Telegram update ids already handled: a redelivered update is acknowledged, not redone."""

    update_id = pw.BigIntegerField(primary_key=True)
    processed_at = pw.DateTimeField(default=now)


class AuditLog(BaseModel):
    """Who changed what, when: before → after, for every change to a report or a worker."""

    at = pw.DateTimeField(default=now, index=True)
    actor = pw.CharField(max_length=100)
    action = pw.CharField(max_length=32)
    entity = pw.CharField(max_length=32)
    entity_id = pw.CharField(max_length=64)
    before = JSONField(null=True)
    after = JSONField(null=True)


class AdminUser(BaseModel):
    """An official using the web admin. ``org_unit`` is the root of everything they may see:
    the city for a city admin, their county for a county official."""

    username = pw.CharField(max_length=64, unique=True)
    display_name = pw.CharField(max_length=100, default="")
    password_hash = pw.CharField(max_length=255)
    role = pw.CharField(max_length=16, default="viewer")  # city_admin | county_official | viewer
    org_unit = pw.ForeignKeyField(OrgUnit, on_delete="RESTRICT")
    language = pw.CharField(max_length=16, default="zh_Hans")
    active = pw.BooleanField(default=True)
    failed_logins = pw.IntegerField(default=0)
    locked_until = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=now)
    last_login_at = pw.DateTimeField(null=True)
    # Bumped to end every session of the account (sign-out, password or role change, disabled).
    session_version = pw.IntegerField(default=0)
    # Set for an account made or reset with a one-time password: the next sign-in leads to
    # the change-password page before any other.
    must_change_password = pw.BooleanField(default=False)

    @property
    def can_edit(self) -> bool:
        return self.active and self.role in ("city_admin", "county_official")

    def in_scope(self, unit_or_path) -> bool:
        path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
        return path.startswith(self.org_unit.path)


class Group(BaseModel):
    """A Telegram group the bot is in. Bound to an org unit, it receives that subtree's pushes
    (the kinds it subscribes to, ``Subscription``) in its own language; a kicked bot or a
    vanished chat makes it inactive, not deleted."""

    chat_id = pw.BigIntegerField(unique=True)
    title = pw.CharField(max_length=255, default="")
    org_unit = pw.ForeignKeyField(OrgUnit, null=True, backref="groups", on_delete="SET NULL")
    plan = pw.ForeignKeyField(Plan, null=True, on_delete="SET NULL")  # None: the default plan
    language = pw.CharField(max_length=16, default="zh_Hans")
    active = pw.BooleanField(default=True, index=True)
    bound_by = pw.CharField(max_length=100, null=True)
    bound_at = pw.DateTimeField(null=True)
    inactive_reason = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)


class Subscription(BaseModel):
    """A kind of push a group receives (a code of ``models.pushes.kinds.KINDS``): a set of
    rows per group, not a column per kind, so a new kind needs no new column."""

    group = pw.ForeignKeyField(Group, backref="subscriptions", on_delete="CASCADE")
    kind = pw.CharField(max_length=16)

    class Meta:
        indexes = ((("group", "kind"), True),)


class Delivery(BaseModel):
    """One push to one group for one period — the exactly-once log. The unique key makes a
    second run for the same (group, kind, period) find this row instead of sending again."""

    group = pw.ForeignKeyField(Group, backref="deliveries", on_delete="CASCADE")
    kind = pw.CharField(max_length=16)  # a code of models.pushes.kinds.KINDS
    period = pw.CharField(max_length=16)  # 2026-W48 | 2026Q3 | 2026H1
    status = pw.CharField(max_length=16, default="queued", index=True)  # queued | sent | failed
    requested_by = pw.CharField(max_length=100, null=True)  # None: the schedule
    error = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=now)
    sent_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("group", "kind", "period"), True),)


class Outbox(BaseModel):
    """Messages other processes ask the bot to send (rejection notices, pushes)."""

    key = pw.CharField(max_length=128, unique=True)
    chat_id = pw.BigIntegerField()
    text = pw.TextField()
    payload = JSONField(default=dict)
    status = pw.CharField(max_length=16, default="pending", index=True)  # pending | sent | failed
    attempts = pw.IntegerField(default=0)
    last_error = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=now)
    sent_at = pw.DateTimeField(null=True)
    # A push's messages belong to its delivery and go out in ``seq`` order; ``not_before``
    # holds a row back after a 429 or a transient error (backoff).
    delivery = pw.ForeignKeyField(Delivery, null=True, backref="messages", on_delete="CASCADE")
    seq = pw.IntegerField(default=0)
    not_before = pw.DateTimeField(null=True)


class SocialOrganization(BaseModel):
    """A community social organization (社区社会组织) in the 备案 registry: first reviewed by
    the 居(村)委会, filed by the 街道."""

    name = pw.CharField(max_length=200)
    category = pw.CharField(max_length=32)
    org_unit = pw.ForeignKeyField(OrgUnit, backref="organizations", on_delete="RESTRICT")
    org_path = pw.CharField(max_length=255, index=True)
    leader = pw.CharField(max_length=100)
    leader_phone = pw.CharField(max_length=32, null=True)
    members = pw.IntegerField(default=0)
    founded_on = pw.DateField(null=True)
    status = pw.CharField(max_length=16, default="pending", index=True)  # pending | reviewed | filed | registered | returned | deregistered
    # 登记 vs 备案 (津民发〔2018〕61号 三(二)–(四)): filed (备案 only) | candidate (filed, on the
    # district's 拟登记台账 as a 培育示范点) | registered (登记 with the registration authority).
    registration = pw.CharField(max_length=16, default="filed", index=True)
    is_hub = pw.BooleanField(default=False)  # 枢纽型社区社会组织联合会 of its street
    full_time_social_workers = pw.IntegerField(default=0)
    # 甘肃 002: an organization "有专兼职专业社工或接纳民办社工机构" counts with part-time
    # professional social workers, or with the private social-work agency it takes in.
    part_time_social_workers = pw.IntegerField(default=0)
    social_work_agency = pw.CharField(max_length=200, null=True)
    rating = pw.CharField(max_length=8, null=True)  # 1A … 5A
    active = pw.BooleanField(default=True)
    reviewed_by = pw.CharField(max_length=100, null=True)
    reviewed_at = pw.DateTimeField(null=True)
    filed_by = pw.CharField(max_length=100, null=True)
    filed_at = pw.DateTimeField(null=True)
    note = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("org_unit", "name"), True),)


class Volunteer(BaseModel):
    """A registered community volunteer; ``uid`` makes a bot registration exactly-once."""

    uid = pw.CharField(max_length=36, unique=True, default=lambda: str(uuid.uuid4()))
    name = pw.CharField(max_length=100)
    gender = pw.CharField(max_length=8, null=True)
    id_type = pw.CharField(max_length=16, null=True)
    id_number = pw.CharField(max_length=32, null=True)
    phone = pw.CharField(max_length=32, null=True)
    org_unit = pw.ForeignKeyField(OrgUnit, backref="volunteers", on_delete="RESTRICT")
    org_path = pw.CharField(max_length=255, index=True)
    team = pw.CharField(max_length=100, null=True)
    skills = pw.CharField(max_length=200, null=True)
    registered_on = pw.DateField()
    registered_by = pw.ForeignKeyField(Worker, null=True, on_delete="SET NULL")
    source = pw.CharField(max_length=16, default="bot")  # bot | import | admin
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=now)


class VolunteerHours(BaseModel):
    """Service hours in the time bank (时间银行), one row per volunteer per service."""

    uid = pw.CharField(max_length=36, unique=True, default=lambda: str(uuid.uuid4()))
    volunteer = pw.ForeignKeyField(Volunteer, backref="hours", on_delete="CASCADE")
    date = pw.DateField()
    hours = pw.DecimalField(max_digits=7, decimal_places=1)
    activity = pw.CharField(max_length=200, default="")
    report = pw.ForeignKeyField(Report, null=True, on_delete="SET NULL")
    logged_by = pw.ForeignKeyField(Worker, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("volunteer", "date"), False),)


class Application(BaseModel):
    """A pilot-project 申报表 moving up 社区申报 → 街道初核 → 县级审核 → 市级复核 → 省厅审批.
    ``level`` is where it waits now; each level sees only what has reached it in its subtree."""

    uid = pw.CharField(max_length=36, unique=True, default=lambda: str(uuid.uuid4()))
    plan = pw.ForeignKeyField(Plan, null=True, on_delete="SET NULL")
    org_unit = pw.ForeignKeyField(OrgUnit, backref="applications", on_delete="RESTRICT")
    org_path = pw.CharField(max_length=255, index=True)
    title = pw.CharField(max_length=200)
    answers = JSONField(default=dict)
    subsidy = pw.DecimalField(max_digits=14, decimal_places=2, null=True)
    level = pw.CharField(max_length=16, default="community", index=True)
    status = pw.CharField(max_length=16, default="draft", index=True)  # draft | pending | returned | approved | rejected
    submitted_by = pw.ForeignKeyField(Worker, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)
    submitted_at = pw.DateTimeField(null=True)
    decided_at = pw.DateTimeField(null=True)


class ApplicationStep(BaseModel):
    """One level's act on an application, with its opinion (意见): the chain's own record."""

    application = pw.ForeignKeyField(Application, backref="steps", on_delete="CASCADE")
    level = pw.CharField(max_length=16)
    action = pw.CharField(max_length=16)  # submit | pass | return | reject | approve
    actor = pw.CharField(max_length=100)
    opinion = pw.TextField(default="")
    at = pw.DateTimeField(default=now)


class Heartbeat(BaseModel):
    """When a process last did its job, one row per ``name`` (``bot_poll``: the bot's last
    successful contact with the Bot API), read by the admin's ``/healthz``."""

    name = pw.CharField(max_length=32, unique=True)
    at = pw.DateTimeField()


class SharedCache(BaseModel):
    """A value one process computed, kept for every process of this database until
    ``expires_at`` (``models.core.shared_cache``): the admin's dashboard pages, so that each of
    gunicorn's workers does not compute each page again. Never the source of a figure: any
    row may be dropped at any time."""

    key = pw.CharField(max_length=64, primary_key=True)  # a digest of what the value is of
    value = pw.BlobField()
    expires_at = pw.DateTimeField(index=True)


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    applied_at = pw.DateTimeField(default=now)


TABLES = [
    OrgUnit, Station, Worker, Invite, Plan, ActionLine, Indicator, Target, ReportKind, Report,
    Photo, Contribution, Draft, ChatState, ProcessedUpdate, AuditLog, Group, Subscription, Delivery, Outbox,
    AdminUser, SocialOrganization, Volunteer, VolunteerHours, Application, ApplicationStep,
    Heartbeat, SharedCache, SchemaVersion,
]
# SCHEMA_VERSION, create_schema and the migrations between versions: models/core/migrations.py


def audit(actor: str, action: str, entity: str, entity_id, before=None, after=None) -> AuditLog:
    return AuditLog.create(actor=actor, action=action, entity=entity, entity_id=str(entity_id),
                           before=before, after=after)

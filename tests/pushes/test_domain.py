"""Pushes, domain side: groups bound to places, the schedule, exactly-once enqueueing into
the outbox, and a delivery's status from its rows."""
from __future__ import annotations

import datetime as dt
import json
import threading
from itertools import islice

import pytest

from tests import factories as f
from charts.pushes import render
from models.pushes import deliveries as pushes, kinds
from models.core.db import database
from models.core.i18n import translator
from models.plans.progress import Window
from models.pushes.deliveries import PeriodError, Schedule, period_window
from models.core.schema import AuditLog, Delivery, Group, OrgUnit, Outbox
from models.core.settings import SettingsError, load_settings

UTC = dt.timezone.utc
MONDAY_9 = dt.datetime(2026, 11, 23, 1, 0)  # Monday 09:00 in Shanghai, as naive UTC
AFTER_W47 = dt.datetime(2026, 11, 24, 2, 0)
BOUND = dt.datetime(2026, 11, 1)


def _group(chat_id: int, unit: OrgUnit, *, language: str = "zh_Hans", **fields) -> Group:
    """A bound group; ``fields`` are columns, or push kinds turned on or off."""
    group = pushes.bind_group(chat_id, unit, actor="test", language=language)
    taken = {k: fields.pop(k) for k in list(fields) if k in pushes.KINDS}
    Group.update(bound_at=BOUND, **fields).where(Group.id == group.id).execute()
    if taken:
        pushes.change_group(chat_id, actor="test", **taken)
    return Group.get_by_id(group.id)


def _rows(group: Group, kind: str = "weekly") -> list[Outbox]:
    return list(Outbox.select().join(Delivery)
                .where(Delivery.group == group, Delivery.kind == kind).order_by(Outbox.seq))


# ---- the schedule (no database) --------------------------------------------------------------

def test_it_fires_the_weekly_push_on_monday_at_nine_shanghai_time():
    due = dict(Schedule().due(MONDAY_9))
    assert due["weekly"] == "2026-W47"  # the week that ended on Sunday 22 November


def test_it_does_not_fire_a_minute_early():
    assert dict(Schedule().due(MONDAY_9 - dt.timedelta(minutes=1)))["weekly"] == "2026-W46"


def test_on_sunday_night_the_latest_push_is_still_mondays():
    sunday_night = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert dict(Schedule().due(sunday_night))["weekly"] == "2026-W47"


def test_it_reads_aware_and_naive_utc_alike():
    assert Schedule().due(MONDAY_9) == Schedule().due(MONDAY_9.replace(tzinfo=UTC))


def test_a_quarter_is_due_on_the_first_push_day_after_it_ends():
    # Q3 2026 ends on Wednesday 30 September; the first Monday after is 5 October.
    before = dict(Schedule().due(dt.datetime(2026, 10, 5, 0, 59)))
    after = dict(Schedule().due(dt.datetime(2026, 10, 5, 1, 0)))
    assert before["quarterly"] == "2026Q2" and after["quarterly"] == "2026Q3"
    assert after["weekly"] == "2026-W40"


def test_the_half_year_is_due_with_the_second_quarter():
    before = dict(Schedule().due(dt.datetime(2026, 7, 6, 0, 59)))
    after = dict(Schedule().due(dt.datetime(2026, 7, 6, 1, 0)))
    assert (before["half"], after["half"]) == ("2025H2", "2026H1")
    assert (before["quarterly"], after["quarterly"]) == ("2026Q1", "2026Q2")


def test_at_the_turn_of_the_year_the_last_week_quarter_and_half_are_due():
    # 2026 has an ISO week 53 (28 Dec – 3 Jan); 4 January 2027 is a Monday.
    due = Schedule().due(dt.datetime(2027, 1, 4, 1, 0))
    assert due == [("weekly", "2026-W53"), ("quarterly", "2026Q4"), ("half", "2026H2")]


def test_only_the_latest_period_of_each_kind_is_due_after_a_long_outage():
    due = Schedule().due(dt.datetime(2027, 3, 20, 12, 0))
    assert due == [("weekly", "2027-W10"), ("quarterly", "2026Q4"), ("half", "2026H2")]


def test_the_push_day_and_time_are_configurable():
    friday = Schedule(weekday=4, time="17:30")
    assert dict(friday.due(dt.datetime(2026, 11, 27, 9, 29)))["weekly"] == "2026-W46"
    assert dict(friday.due(dt.datetime(2026, 11, 27, 9, 30)))["weekly"] == "2026-W47"


def test_the_schedule_comes_from_settings(tmp_path):
    settings = load_settings({"PUSH_WEEKDAY": "2", "PUSH_TIME": "08:15", "TIMEZONE": "UTC"},
                             env_file=tmp_path / "none.env")
    schedule = Schedule(settings)
    assert (schedule.weekday, schedule.time, schedule.timezone) == (2, dt.time(8, 15), "UTC")
    assert Schedule(load_settings({}, env_file=tmp_path / "none.env")) == Schedule()


@pytest.mark.parametrize("env, name", [({"PUSH_WEEKDAY": "7"}, "PUSH_WEEKDAY"),
                                       ({"PUSH_TIME": "9am"}, "PUSH_TIME"),
                                       ({"PUSH_TIME": "25:00"}, "PUSH_TIME")])
def test_it_refuses_a_bad_push_setting_naming_it(env, name, tmp_path):
    with pytest.raises(SettingsError, match=name):
        load_settings(env, env_file=tmp_path / "none.env")


def test_it_knows_when_a_period_fires():
    assert Schedule().fires_at("weekly", "2026-W47") == MONDAY_9
    assert Schedule().fires_at("quarterly", "2026Q3") == dt.datetime(2026, 10, 5, 1, 0)


# ---- periods ---------------------------------------------------------------------------------

def test_it_reads_weeks_quarters_and_halves():
    week, as_of = period_window("weekly", "2026-W48")
    assert (week.start, week.end, as_of) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29),
                                             dt.date(2026, 11, 29))
    assert period_window("quarterly", "2026Q3") == (Window.quarter(2026, 3), dt.date(2026, 9, 30))
    assert period_window("half", "2026h1") == (Window.half(2026, 1), dt.date(2026, 6, 30))
    assert period_window("weekly", "2026-W01")[0].start == dt.date(2025, 12, 29)


@pytest.mark.parametrize("kind, period", [
    ("weekly", "2026-W54"), ("weekly", "2025-W53"), ("weekly", "2026W48"), ("weekly", "2026Q3"),
    ("quarterly", "2026Q5"), ("quarterly", "2026-Q3"), ("quarterly", "2026H1"),
    ("half", "2026H3"), ("half", ""), ("half", "1999H1"), ("yearly", "2026")])
def test_it_refuses_a_bad_period_with_a_localizable_message(kind, period):
    with pytest.raises(PeriodError) as err:
        period_window(kind, period)
    assert isinstance(err.value, ValueError)
    assert err.value.msgid in (pushes.BAD_PERIOD, pushes.BAD_KIND)
    shown = kind if err.value.msgid == pushes.BAD_KIND else period
    assert f"“{shown}”" in err.value.message(translator("en"))


# ---- groups ----------------------------------------------------------------------------------

def test_it_tracks_a_group_and_its_removal(db):
    group = pushes.track_group(-100123, "雨城区五社群")
    assert group.active and group.title == "雨城区五社群"
    pushes.track_group(-100123, "雨城区五社群", active=False, reason="kicked")
    group = Group.get(Group.chat_id == -100123)
    assert (group.active, group.inactive_reason) == (False, "kicked")
    pushes.track_group(-100123, "新名字")
    group = Group.get(Group.chat_id == -100123)
    assert (group.active, group.inactive_reason, group.title) == (True, None, "新名字")
    assert Group.select().count() == 1
    actions = [a.action for a in AuditLog.select().where(AuditLog.entity == "group")
               .order_by(AuditLog.id)]
    assert actions == ["track", "deactivate", "activate"]


def test_binding_is_audited_and_sets_the_language(db):
    county = f.county()
    pushes.track_group(-1001, "group")
    group = pushes.bind_group(-1001, county, actor="tg:42", language="en-US")
    assert (group.org_unit_id, group.language, group.bound_by) == (county.id, "en", "tg:42")
    assert group.bound_at is not None
    log = AuditLog.get(AuditLog.entity == "group", AuditLog.action == "bind")
    assert (log.actor, log.after["org_unit"], log.after["language"]) == ("tg:42", county.id, "en")


def test_deactivate_is_audited_and_keeps_the_binding(db):
    group = _group(-1002, f.county())
    pushes.deactivate(-1002, "Forbidden: bot was kicked from the group chat")
    group = Group.get_by_id(group.id)
    assert not group.active and group.org_unit_id == f.county().id
    assert "kicked" in group.inactive_reason
    assert AuditLog.select().where(AuditLog.action == "deactivate").count() == 1
    pushes.deactivate(-999, "chat not found")  # unknown: nothing to do


def test_who_may_bind_a_group(db):
    home = f.community()
    township, county = home.parent, f.county()
    other_township = (OrgUnit.select()
                      .where(OrgUnit.parent == county, OrgUnit.id != township.id).first())
    worker = f.worker("ailin", place=home)
    leader = f.worker("bowen", place=home, role="leader")
    disabled = f.worker("chunhua", place=home, status="disabled")
    sibling = OrgUnit.select().where(OrgUnit.parent == township, OrgUnit.id != home.id).first()
    assert pushes.can_bind(worker, home)
    assert not pushes.can_bind(worker, township)
    assert not pushes.can_bind(worker, sibling)
    assert pushes.can_bind(leader, home) and pushes.can_bind(leader, township)
    assert not pushes.can_bind(leader, sibling)
    assert not pushes.can_bind(leader, other_township) and not pushes.can_bind(leader, county)
    assert not pushes.can_bind(disabled, home)


# ---- enqueue ---------------------------------------------------------------------------------

def test_enqueue_queues_a_text_and_a_chart_once(db):
    f.report("activity", by=f.worker("ailin"))
    group = _group(-2001, f.county())
    created = pushes.enqueue("weekly", "2026-W47", now=AFTER_W47)
    assert [d.group_id for d in created] == [group.id]
    rows = _rows(group)
    assert [(r.seq, r.key, r.chat_id) for r in rows] == [
        (0, f"push:{created[0].id}:0", -2001), (1, f"push:{created[0].id}:1", -2001)]
    assert rows[0].payload["parse_mode"] == "HTML" and len(rows[0].text) <= 4096
    photo = rows[1].payload["photo"]
    assert photo["chart"] == "weekly" and photo["period"] == "2026-W47"
    assert json.loads(json.dumps(photo)) == photo
    assert rows[1].payload["caption"] == rows[1].text
    assert render(photo)[:8] == b"\x89PNG\r\n\x1a\n"

    assert pushes.enqueue("weekly", "2026-W47", now=AFTER_W47) == []
    assert pushes.enqueue("weekly", "2026-W47", now=AFTER_W47, groups=[group]) == []
    assert Delivery.select().count() == 1 and Outbox.select().count() == 2


def test_concurrent_runs_queue_each_group_once(db_url):
    database.connect(reuse_if_open=True)
    groups = [_group(-2100 - i, f.county()) for i in range(6)]
    database.close()
    barrier = threading.Barrier(3)
    results, errors = [], []

    def run():
        try:
            database.connect(reuse_if_open=True)
            barrier.wait()
            results.append(pushes.enqueue("weekly", "2026-W47", now=AFTER_W47))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            database.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(d.group_id for batch in results for d in batch) == sorted(g.id for g in groups)
    database.connect(reuse_if_open=True)
    assert Delivery.select().count() == 6 and Outbox.select().count() == 12
    database.close()


def test_each_group_gets_its_own_places_numbers(db):
    ailin = f.worker("ailin", place=f.community("511802"))
    bowen = f.worker("bowen", place=f.community("511803"))
    f.report("activity", by=ailin)
    for _ in range(3):
        f.report("xinfeng", by=bowen)
    yucheng = _group(-3001, f.county("511802"), language="en")
    mingshan = _group(-3002, f.county("511803"), language="en")
    pushes.enqueue("weekly", "2026-W47", now=AFTER_W47)
    y, m = _rows(yucheng)[0].text, _rows(mingshan)[0].text
    assert "Yucheng" in y and "<b>1 report this week</b>" in y and "New customs" not in y
    assert "Mingshan" in m and "<b>3 reports this week</b>" in m and "Activity held" not in m
    assert _rows(yucheng)[1].payload["photo"]["scope"] == "511802"
    assert _rows(mingshan)[1].payload["photo"]["scope"] == "511803"


def test_each_group_reads_its_own_language(db):
    f.report("activity", by=f.worker("ailin"))
    zh = _group(-4001, f.county(), language="zh_Hans")
    en = _group(-4002, f.county(), language="en")
    pushes.enqueue("weekly", "2026-W47", now=AFTER_W47)
    zh_text, en_text = _rows(zh)[0].text, _rows(en)[0].text
    assert "雨城区" in zh_text and translator("zh_Hans").gettext("Activity held") in zh_text
    assert "开展活动" in zh_text and "Yucheng" not in zh_text
    assert "Yucheng" in en_text and "Activity held" in en_text and "开展活动" not in en_text
    assert _rows(zh)[1].payload["photo"]["locale"] == "zh_Hans"
    assert _rows(en)[1].payload["photo"]["locale"] == "en"


def test_inactive_unbound_and_opted_out_groups_get_nothing(db):
    county = f.county()
    pushes.track_group(-5001, "not bound yet")
    kicked = _group(-5002, county, active=False, inactive_reason="kicked")
    _group(-5003, county, weekly=False)
    no_digest = _group(-5004, county, quarterly=False, half=False)
    assert [d.group.chat_id for d in pushes.enqueue("weekly", "2026-W47", now=AFTER_W47)] == [-5004]
    assert pushes.enqueue("quarterly", "2026Q3", now=AFTER_W47) and \
        Delivery.get_or_none(Delivery.group == no_digest, Delivery.kind == "quarterly") is None
    # asked for by name, an inactive group still cannot receive
    assert pushes.enqueue("half", "2026H1", now=AFTER_W47, groups=[kicked]) == []


def test_on_demand_groups_get_it_whatever_their_flags(db):
    group = _group(-5101, f.county(), quarterly=False, half=False)
    created = pushes.enqueue("half", "2026H1", now=AFTER_W47, groups=[group], requested_by="admin")
    assert [(d.group_id, d.kind, d.requested_by) for d in created] == [(group.id, "half", "admin")]


def test_a_digest_queues_its_text_then_its_charts(db):
    f.report("donation", by=f.worker("ailin"), date=dt.date(2026, 8, 3))
    city = _group(-6001, OrgUnit.get(OrgUnit.level == "city"))
    community = _group(-6002, f.community())
    pushes.enqueue("quarterly", "2026Q3", now=AFTER_W47)
    charts = [r.payload["photo"]["chart"] for r in _rows(city, "quarterly")[1:]]
    assert charts == ["digest_lines", "digest_trend", "digest_ranking", "digest_figures"]
    # a community has no targets of its own and no places below it to rank
    assert [r.payload["photo"]["chart"] for r in _rows(community, "quarterly")[1:]] == [
        "digest_trend", "digest_figures"]
    assert "¥5,000.00" in _rows(city, "quarterly")[0].text or \
        "￥5,000.00" in _rows(city, "quarterly")[0].text


def test_it_refuses_a_period_that_has_not_ended(db):
    _group(-6101, f.county())
    with pytest.raises(PeriodError) as err:
        pushes.enqueue("weekly", "2026-W48", now=AFTER_W47)
    assert err.value.msgid == pushes.NOT_ENDED
    assert Delivery.select().count() == 0


def test_run_due_queues_what_is_due_once(db):
    settings = load_settings({})
    early = _group(-7001, f.county())
    Group.update(bound_at=dt.datetime(2026, 9, 1)).where(Group.id == early.id).execute()
    late = _group(-7002, f.county())  # bound 1 November: after Q3's digest went out
    created = pushes.run_due(MONDAY_9, settings)
    got = sorted((d.group.chat_id, d.kind, d.period) for d in created)
    assert got == [(-7002, "weekly", "2026-W47"), (-7001, "quarterly", "2026Q3"),
                   (-7001, "weekly", "2026-W47")]
    assert pushes.run_due(MONDAY_9 + dt.timedelta(minutes=1), settings) == []
    assert late.id not in [d.group_id for d in Delivery.select().where(Delivery.kind != "weekly")]


# ---- settle ----------------------------------------------------------------------------------

def test_settle_follows_the_rows(db):
    _group(-8001, f.county())
    delivery = pushes.enqueue("weekly", "2026-W47", now=AFTER_W47)[0]
    first, second = list(Outbox.select().where(Outbox.delivery == delivery).order_by(Outbox.seq))
    assert pushes.settle(delivery.id) == "queued"
    Outbox.update(status="sent", sent_at=dt.datetime(2026, 11, 23, 1, 0, 5)).where(
        Outbox.id == first.id).execute()
    assert pushes.settle(delivery.id) == "queued"
    Outbox.update(status="sent", sent_at=dt.datetime(2026, 11, 23, 1, 0, 9)).where(
        Outbox.id == second.id).execute()
    assert pushes.settle(delivery.id) == "sent"
    d = Delivery.get_by_id(delivery.id)
    assert (d.status, d.sent_at, d.error) == ("sent", dt.datetime(2026, 11, 23, 1, 0, 9), None)
    Outbox.update(status="failed", last_error="Forbidden: bot was kicked").where(
        Outbox.id == second.id).execute()
    assert pushes.settle(delivery.id) == "failed"
    d = Delivery.get_by_id(delivery.id)
    assert (d.status, d.error, d.sent_at) == ("failed", "Forbidden: bot was kicked", None)


def test_a_run_that_loses_the_race_for_a_group_skips_it(db, monkeypatch):
    """Another process creates the delivery between this run's check and its insert: the
    unique (group, kind, period) makes this run's transaction fail and change nothing."""
    group = _group(-2201, f.county())
    build = pushes._messages

    def racing(*args):
        out = build(*args)
        with database.atomic():  # the other process, committed first
            other = Delivery.create(group=group, kind="weekly", period="2026-W47")
            Outbox.create(key=f"push:{other.id}:0", chat_id=group.chat_id, text="theirs",
                          delivery=other)
        return out

    monkeypatch.setattr(pushes, "_messages", racing)
    assert pushes.enqueue("weekly", "2026-W47", now=AFTER_W47) == []
    assert Delivery.select().count() == 1
    assert [r.text for r in Outbox.select()] == ["theirs"]


def test_groups_of_one_place_and_language_share_one_computation(db, monkeypatch):
    calls = []
    build = pushes._messages
    monkeypatch.setattr(pushes, "_messages", lambda *a: calls.append(a[2:]) or build(*a))
    for i in range(3):
        _group(-2300 - i, f.county())
    _group(-2310, f.county(), language="en")
    assert len(pushes.enqueue("weekly", "2026-W47", now=AFTER_W47)) == 4
    assert len(calls) == 2


@pytest.mark.parametrize("period, kind", [("2026-W48", "weekly"), ("2026q3", "quarterly"),
                                          ("2026H2", "half")])
def test_it_tells_the_kind_from_the_period(period, kind):
    assert pushes.kind_of(period) == kind


@pytest.mark.parametrize("period", ["2026", "2026Q9", "W48", "soon"])
def test_it_refuses_a_period_of_no_kind(period):
    with pytest.raises(PeriodError):
        pushes.kind_of(period)


def test_the_digest_command_prints_writes_the_pdf_and_queues_the_push(db_url, tmp_path, capsys):
    from wushe.cli import main

    database.connect(reuse_if_open=True)
    f.report("donation", by=f.worker("ailin"), date=dt.date(2026, 8, 3))
    group = _group(-9001, f.county())
    database.close()
    pdf = tmp_path / "q3.pdf"
    args = ["--database-url", db_url, "digest", "2026Q3", "--scope", "511802", "--locale", "en"]
    assert main(args + ["--pdf", str(pdf), "--push"]) == 0
    out = capsys.readouterr().out
    assert "Quarterly digest: Yucheng, 2026, quarter 3" in out and "queued for 1 of 1" in out
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert main(args + ["--push"]) == 0 and "queued for 0 of 1" in capsys.readouterr().out
    database.connect(reuse_if_open=True)
    assert Delivery.get(Delivery.group == group.id).requested_by == "cli"
    assert main(["--database-url", db_url, "digest", "2026Q5"]) == 2
    assert "2026Q5" in capsys.readouterr().err


def test_a_group_upgraded_to_a_supergroup_keeps_its_binding_and_pending_messages(db):
    group = _group(-7101, f.county(), language="en")
    delivery = pushes.enqueue("weekly", "2026-W47", now=AFTER_W47)[0]
    first = Outbox.get(Outbox.delivery == delivery, Outbox.seq == 0)
    Outbox.update(status="sent").where(Outbox.id == first.id).execute()
    pushes.track_group(-1007101, "the same group, upgraded")  # the bot saw the new id first
    moved = pushes.migrate(-7101, -1007101)
    assert (moved.id, moved.chat_id, moved.language) == (group.id, -1007101, "en")
    assert moved.org_unit_id == f.county().id and Group.select().count() == 1
    assert [(r.seq, r.chat_id) for r in Outbox.select().order_by(Outbox.seq)] == [
        (0, -7101), (1, -1007101)]  # what was sent stays as it was sent
    assert pushes.migrate(-7101, -1007101) is None  # already done
    assert pushes.enqueue("weekly", "2026-W47", now=AFTER_W47) == []  # the log came along


def test_a_zone_with_summer_time_keeps_the_local_push_time():
    berlin = Schedule(timezone="Europe/Berlin")
    # Summer time starts on Sunday 29 March 2026: Monday 09:00 is 07:00 UTC, a week
    # earlier it was 08:00 UTC.
    assert dict(berlin.due(dt.datetime(2026, 3, 30, 6, 59)))["weekly"] == "2026-W12"
    assert dict(berlin.due(dt.datetime(2026, 3, 30, 7, 0)))["weekly"] == "2026-W13"
    assert berlin.fires_at("weekly", "2026-W12") == dt.datetime(2026, 3, 23, 8, 0)


# ---- the registry of push kinds --------------------------------------------------------------

def test_each_kind_reads_back_the_labels_of_its_periods():
    for kind in kinds.KINDS.values():
        for window in islice(kind.ended(dt.date(2026, 11, 24)), 3):
            assert kinds.parse(window.label) == (kind, window)
            assert kinds.parse(window.label.lower()) == (kind, window)
            assert pushes.kind_of(window.label) == kind.code


@pytest.mark.parametrize("period", ["", "2026", "2026-Q3", "2026Q5", "2026H3", "2026W48",
                                    "1999Q1", "2026-W54", None])
def test_the_registry_refuses_what_is_not_a_period(period):
    with pytest.raises(PeriodError) as err:
        kinds.parse(period)
    assert err.value.msgid == pushes.BAD_PERIOD


def test_a_kind_names_its_periods_in_the_readers_language():
    en, zh = translator("en"), translator("zh_Hans")
    assert kinds.period_name("2026Q3", en) == "2026, quarter 3"
    assert kinds.period_name("2026H1", en) == "2026, first half"
    assert kinds.period_name("2026H2", zh) == zh.gettext("{year}, second half", year="2026")
    assert kinds.period_name("2026", en) == "2026, whole year"
    assert [en.gettext(k.label) for k in kinds.KINDS.values()] == [
        "Weekly summary", "Quarterly digest", "Half-year digest"]


def test_a_new_kind_is_one_entry_in_the_registry(monkeypatch):
    def month(year: int, n: int) -> Window:
        end = dt.date(year + n // 12, n % 12 + 1, 1) - dt.timedelta(days=1)
        return Window(dt.date(year, n, 1), end, f"{year}M{n}")

    monthly = kinds.DigestPush("monthly", "Monthly digest", "Monthly digest: {place}, {period}",
                               "M", month, ("{year}, month {q}",) * 12)
    monkeypatch.setitem(kinds.KINDS, "monthly", monthly)
    # October ends on a Saturday; its digest goes out with the Monday 2 November summary
    assert ("monthly", "2026M10") not in Schedule().due(dt.datetime(2026, 11, 2, 0, 59))
    assert ("monthly", "2026M10") in Schedule().due(dt.datetime(2026, 11, 2, 1, 0))
    assert pushes.period_window("monthly", "2026m2")[0].end == dt.date(2026, 2, 28)
    assert kinds.parse("2026M12")[1].end == dt.date(2026, 12, 31)
    assert kinds.period_name("2026M7", translator("en")) == "2026, month 7"
    with pytest.raises(PeriodError):
        kinds.parse("2026M13")


def test_a_groups_subscriptions_change_one_kind_at_a_time_audited(db):
    group = _group(-5201, f.county())
    assert pushes.subscriptions(group) == set(pushes.KINDS)
    assert pushes.change_group(-5201, actor="admin:bob", half=False)
    assert not pushes.change_group(-5201, actor="admin:bob", half=False)  # nothing changes
    assert pushes.subscriptions(group) == {"weekly", "quarterly"}
    assert pushes.enqueue("half", "2026H1", now=AFTER_W47) == []
    entry = AuditLog.select().where(AuditLog.entity_id == "-5201",
                                    AuditLog.action == "update").get()
    assert (entry.actor, entry.before, entry.after) == ("admin:bob", {"half": True}, {"half": False})
    with pytest.raises(TypeError, match="monthly"):
        pushes.change_group(-5201, actor="admin:bob", monthly=True)

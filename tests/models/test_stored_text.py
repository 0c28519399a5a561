"""The upgrade cleans text stored before the door did (models.forms.stored_text): rows
written dirty straight into the database come out as the bot would have stored them, a value
that says nothing is kept and counted, and a second run changes nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from models.core.schema import Application, Draft, OrgUnit, Report, Volunteer, Worker
from models.forms.stored_text import clean_stored_text
from models.registry import register_volunteer
from models.reports.filing import save_draft, start_draft
from tests import factories as f
from tests.factories import APPLICATION_ANSWERS


@pytest.fixture
def bad(db_url) -> str:
    """What got in: PostgreSQL holds no NUL in a text, so it gets the rest."""
    dirty = "\x00\x1b[31m\u202e\u200b"
    return dirty if db_url.startswith("sqlite") else dirty.replace("\x00", "\x07")


def test_dirty_rows_are_cleaned_counted_and_kept(db, bad):
    wang = f.worker("wang", place=f.community("511802"))
    Worker.update(display_name=f"王{bad}芳").where(Worker.id == wang.id).execute()
    place = f.community("511802")
    OrgUnit.update(name=f"{place.name}{bad}").where(OrgUnit.id == place.id).execute()
    report = f.report("activity", by=wang, summary="入户")
    Report.update(values={**report.values, "title": f"四点半{bad}课堂",
                          "place": "🎉\u202e\u200b\x1b",
                          "summary": f"1. 入户{bad}\n\n\n\n2. 宣传"},
                  reject_reason=f"请补充{bad}照片").where(Report.id == report.id).execute()
    draft = start_draft(wang, "activity")
    draft.answers = {"action_line": "children", "title": f"\u202e{bad}"}
    save_draft(draft)
    volunteer = register_volunteer(place, {"name": "李桂英", "gender": "female",
                                           "phone": "13900001111"}, actor="t",
                                   registered_on=dt.date(2026, 3, 1))
    Volunteer.update(name=f"李{bad}桂英", skills=bad).where(Volunteer.id == volunteer.id).execute()
    application = f.application(f.worker("li", place=place))
    Application.update(title=f"项目{bad}", answers={
        **APPLICATION_ANSWERS, "project_name": f"项目{bad}名称",
        "community_profile": f"概况{bad}\n第二行"}).where(
        Application.id == application.id).execute()

    counts = clean_stored_text(batch_size=2)  # several batches on every table

    report = Report.get_by_id(report.id)
    assert report.values["title"] == "四点半[31m课堂"
    assert report.values["place"] == "🎉"  # says nothing now: kept as cleaned, counted
    assert report.values["summary"] == "1. 入户[31m\n\n2. 宣传"  # a story keeps its lines
    assert report.values["action_line"] == "children"  # codes untouched
    assert report.reject_reason == "请补充[31m照片"
    assert Draft.get_by_id(draft.id).answers == {"action_line": "children", "title": "[31m"}
    assert Worker.get_by_id(wang.id).display_name == "王[31m芳"
    assert OrgUnit.get_by_id(place.id).name == f"{place.name}[31m"
    volunteer = Volunteer.get_by_id(volunteer.id)
    assert (volunteer.name, volunteer.skills) == ("李[31m桂英", "[31m")
    application = Application.get_by_id(application.id)
    assert application.title == "项目[31m"
    assert application.answers["project_name"] == "项目[31m名称"
    assert application.answers["community_profile"] == "概况[31m\n第二行"

    assert counts["report"] == {"rows": 1, "values": 4, "not_meaningful": 1}
    assert counts["draft"] == {"rows": 1, "values": 1, "not_meaningful": 0}
    assert counts["volunteer"] == {"rows": 1, "values": 2, "not_meaningful": 0}
    assert counts["worker"]["rows"] == counts["org_unit"]["rows"] == 1
    assert counts["application"] == {"rows": 1, "values": 3, "not_meaningful": 0}

    again = clean_stored_text()
    assert all(c == {"rows": 0, "values": 0, "not_meaningful": 0} for c in again.values())


def test_clean_rows_are_not_touched(db):
    wang = f.worker("wang")
    report = f.report("activity", by=wang)
    before = Report.get_by_id(report.id).updated_at
    counts = clean_stored_text()
    assert sum(c["rows"] for c in counts.values()) == 0
    assert Report.get_by_id(report.id).updated_at == before

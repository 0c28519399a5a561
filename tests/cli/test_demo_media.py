"""The demo shows everything the report page can: photos (drawn, stored through the photo
pipeline) on about 30 % of the reports and a location on about half of those that ask for
one, near their community's county; and its times are in order (filed, reviewed, updated;
a delivery queued, then sent)."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from models.core.db import database, init_db
from models.demo import build_demo
from models.demo.photos import COUNTY_SEATS
from models.reports.photos import JPEG_MAGIC
from models.core.schema import Delivery, Outbox, Photo, Report, ReportKind

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo_media")
    url = f"sqlite:///{root / 'demo.sqlite3'}"
    info = build_demo(url, today=TODAY, scale=0.3, media_dir=root / "media")
    init_db(url)
    database.connect(reuse_if_open=True)
    yield SimpleNamespace(info=info, media=root / "media")
    database.close()


def asks(field_type: str) -> set[int]:
    return {k.id for k in ReportKind.select() if any(f.get("type") == field_type
                                                     for f in k.fields or [])}


def test_about_a_third_of_the_reports_have_photos_stored_as_the_bot_stores_them(demo):
    total = Report.select().count()
    pictured = Report.select().where(Report.id.in_(Photo.select(Photo.report)))
    assert 0.2 < pictured.count() / total < 0.4
    assert set(r.kind_id for r in pictured) <= asks("photo")
    for report in pictured.limit(50):  # the count in the answers is the photos attached
        assert report.values["photos"] == Photo.select().where(Photo.report == report).count()
    files = {p.path for p in Photo.select(Photo.path).distinct()}
    assert len(files) > 10  # varied, not one picture everywhere
    for path in files:
        data = Path(path).read_bytes()
        assert Path(path).is_relative_to(demo.media) and data[:3] == JPEG_MAGIC
        assert Path(path).stem == hashlib.sha256(data).hexdigest()  # stored under its hash
        assert b"Exif" not in data[:200]


def test_about_half_of_the_reports_that_ask_have_a_location_near_their_county(demo):
    asking = Report.select().where(Report.kind.in_(asks("location")))
    located = asking.where(Report.latitude.is_null(False))
    assert 0.4 < located.count() / asking.count() < 0.6
    assert Report.select().where(Report.latitude.is_null(False),
                                 Report.kind.not_in(asks("location"))).count() == 0
    for r in located:
        lat, lon = COUNTY_SEATS[r.org_path.strip("/").split("/")[1]]
        assert abs(r.latitude - lat) * 111 < 12 and abs(r.longitude - lon) * 96 < 12  # km


def test_the_demos_times_are_in_order(demo):
    start_of_today = dt.datetime.combine(TODAY, dt.time(0))  # naive UTC, as stored
    assert Report.select().where(Report.reviewed_at < Report.created_at).count() == 0
    assert Report.select().where(Report.reviewed_at > start_of_today).count() == 0
    assert Report.select().where(Report.updated_at < Report.created_at).count() == 0
    assert Report.select().where(Report.created_at > start_of_today).count() == 0
    sent = list(Delivery.select().where(Delivery.sent_at.is_null(False)))
    assert sent and all(d.sent_at >= d.created_at for d in sent)
    assert all(o.sent_at >= o.created_at for o in Outbox.select().where(
        Outbox.sent_at.is_null(False)))
    chain = ReportKind.select(ReportKind.id).where(ReportKind.stores == "application")
    everyday = Report.select(Report.reviewed_by).where(Report.kind.not_in(chain)).distinct()
    assert {r.reviewed_by for r in everyday if r.reviewed_by} == {"admin:demo", "admin:yucheng"}


def test_make_demo_takes_a_port_and_the_readme_says_so():
    import shutil
    import subprocess

    root = Path(__file__).resolve().parents[2]
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "-W", "pyproject.toml", "demo", "PORT=8123"], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    assert "run_admin.py --demo --port 8123" in out
    readme = (root / "README.md").read_text()
    assert readme.count("make demo PORT=8080") == 2  # the Chinese and the English section

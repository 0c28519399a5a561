"""Photos are kept on disk under their hash and linked to the report; locations are stored."""
from __future__ import annotations

import hashlib
from pathlib import Path

from models.core.schema import Photo

from tests.botkit import draft_of, open_at, reports_of

XINFENG = dict(event_type="council", date="2026-11-20", place="村委会", participants=20)


def jpeg(n: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + f"photo {n}".encode() * 50


async def test_it_stores_photos_with_their_hash_and_links_them_to_the_report(bot_app):
    bowen = bot_app.chat("bowen")
    draft = open_at(bowen, "xinfeng", **XINFENG)
    await bowen.send("/report")
    await bowen.press("Continue")
    assert "Photos if you have them" in bowen.last and bowen.keyboard() == ["⬅ Back", "Skip"]
    await bowen.photo(jpeg(1))
    assert "Photo 1 of 5 saved" in bowen.last and "Done" in bowen.keyboard()
    await bowen.photo(jpeg(2))
    assert "Photo 2 of 5 saved" in bowen.last and len(bowen.live()) == 1
    await bowen.press("Done")
    assert "Photos: 2 photos" in bowen.last
    await bowen.press("Submit")
    [report] = reports_of(bowen)
    assert report.values["photos"] == 2
    photos = list(Photo.select().where(Photo.report == report).order_by(Photo.id))
    assert [p.sha256 for p in photos] == [hashlib.sha256(jpeg(n)).hexdigest() for n in (1, 2)]
    for n, photo in enumerate(photos, start=1):
        path = Path(photo.path)
        assert path.is_relative_to(bot_app.settings.media_dir)
        assert path.read_bytes() == jpeg(n) and photo.size == len(jpeg(n))
        assert photo.draft_uid == draft.uid and photo.tg_file_unique_id


async def test_it_refuses_photos_beyond_the_limit(bot_app):
    dan = bot_app.chat("dan")
    open_at(dan, "donation", donor_type="individual", form="money", amount="100.00", fund="f",
            date="2026-11-20")
    for n in (1, 2, 3):
        await dan.photo(jpeg(n))
    assert "Photo 3 of 3 saved" in dan.last
    replies = await dan.photo(jpeg(4))
    assert replies[-1]["text"].startswith(
        "⚠️ That is the most photos this report takes (3). Tap Done.")
    assert Photo.select().count() == 3
    await dan.press("Done")
    await dan.press("Submit")
    assert reports_of(dan)[0].photos.count() == 3


async def test_it_discards_the_photos_of_a_cancelled_report(bot_app):
    bowen = bot_app.chat("bowen")
    open_at(bowen, "xinfeng", **XINFENG)
    await bowen.photo(jpeg(1))
    await bowen.send("/cancel")
    assert Photo.select().count() == 0 and draft_of(bowen) is None


async def test_it_stores_a_shared_location(bot_app):
    ailin = bot_app.chat("ailin")
    open_at(ailin, "activity", action_line="rural", activity_type="publicity", title="t",
            date="2026-11-20", place="p", participants=12, parties=["community"],
            volunteers=None, summary=None, photos=0)
    await ailin.send("/report")
    await ailin.press("Continue")
    assert "Share the location" in ailin.last and "tap 📎 and choose Location" in ailin.last
    await ailin.location(30.0123, 103.0011)
    assert "Location: 30.01230, 103.00110" in ailin.last
    await ailin.press("Submit")
    [report] = reports_of(ailin)
    assert (report.latitude, report.longitude) == (30.0123, 103.0011)
    assert "location" not in report.values


async def test_it_takes_a_photo_sent_as_a_file(bot_app):
    bowen = bot_app.chat("bowen")
    open_at(bowen, "xinfeng", **XINFENG)
    update_id = await bowen.user.send_document(jpeg(7), "IMG_0007.jpg", "image/jpeg")
    await bowen.done.until(update_id)
    assert "Photo 1 of 5 saved" in bowen.last
    assert Photo.get().sha256 == hashlib.sha256(jpeg(7)).hexdigest()

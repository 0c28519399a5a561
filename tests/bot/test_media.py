"""Photos are checked (only pictures, at most 10 MB), stripped of their metadata, kept on disk
under their hash and linked to the report; locations are stored."""
from __future__ import annotations

import hashlib
import random
from pathlib import Path

from models.core.schema import Photo
from models.reports.photos import clean

from tests.botkit import draft_of, only_the_newest_acts, open_at, reports_of, unchanged
from tests.images import GPS_IFD, HTML, RED, jpeg, opened

XINFENG = dict(event_type="council", date="2026-11-20", place="村委会", participants=20)
NOT_A_PICTURE = "⚠️ That file is not a picture I can read. Please send a photo (JPEG or PNG)."


async def test_it_stores_photos_with_their_hash_and_links_them_to_the_report(bot_app):
    bowen = bot_app.chat("bowen")
    draft = open_at(bowen, "xinfeng", **XINFENG)
    await bowen.send("/report")
    await bowen.press("Continue")
    assert "Photos if you have them" in bowen.last and bowen.keyboard() == ["⬅ Back", "Skip"]
    await bowen.photo(jpeg(1))
    assert "Photo 1 of 5 saved" in bowen.last and "Done" in bowen.keyboard()
    await bowen.photo(jpeg(2))
    assert "Photo 2 of 5 saved" in bowen.last
    await only_the_newest_acts(bowen)  # the question's Skip and photo 1's Done: refused
    await bowen.press("Done")
    assert "Photos: 2 photos" in bowen.last
    await bowen.press("Submit")
    [report] = reports_of(bowen)
    assert report.values["photos"] == 2
    photos = list(Photo.select().where(Photo.report == report).order_by(Photo.id))
    assert [p.sha256 for p in photos] == [hashlib.sha256(clean(jpeg(n))).hexdigest()
                                          for n in (1, 2)]
    for n, photo in enumerate(photos, start=1):
        path = Path(photo.path)
        assert path.is_relative_to(bot_app.settings.media_dir)
        assert path.read_bytes() == clean(jpeg(n)) and photo.size == len(clean(jpeg(n)))
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
    assert Photo.get().sha256 == hashlib.sha256(clean(jpeg(7))).hexdigest()


async def test_it_stores_a_photo_without_its_gps_and_turned_upright(bot_app):
    bowen = bot_app.chat("bowen")
    open_at(bowen, "xinfeng", **XINFENG)
    sent = jpeg(8, orientation=6, gps=True, comment=b"Wang's flat")
    update_id = await bowen.user.send_document(sent, "IMG_0008.jpg", "image/jpeg")
    await bowen.done.until(update_id)  # as a file: Telegram keeps the camera's EXIF
    assert "Photo 1 of 5 saved" in bowen.last
    stored = Path(Photo.get().path).read_bytes()
    image = opened(stored)
    assert image.format == "JPEG" and not image.getexif() and b"Wang" not in stored
    assert not image.getexif().get_ifd(GPS_IFD)
    # orientation 6: turned a quarter clockwise, the red corner now top right
    assert image.size == (40, 60)
    assert all(abs(a - b) < 40 for a, b in zip(image.getpixel((39, 0)), RED))


async def test_it_refuses_a_file_that_is_not_a_picture_and_asks_again(bot_app):
    bowen = bot_app.chat("bowen")
    draft = open_at(bowen, "xinfeng", **XINFENG)
    await bowen.send("/report")
    await bowen.press("Continue")
    for data, name, mime in ((HTML, "IMG_0001.jpg", "image/jpeg"),  # a page posing as a photo
                             (random.Random(2).randbytes(50_000), "IMG_0002.png", "image/png"),
                             (b"%PDF-1.4\n", "plan.pdf", "application/pdf")):
        update_id = await bowen.user.send_document(data, name, mime)
        await bowen.done.until(update_id)
        assert bowen.last.startswith(NOT_A_PICTURE)
        assert "Photos if you have them" in bowen.last and bowen.keyboard() == ["⬅ Back", "Skip"]
        assert unchanged(draft) and Photo.select().count() == 0
    assert not any(Path(bot_app.settings.media_dir).rglob("*.*"))
    await bowen.photo(jpeg(1))  # a real photo is still taken, and Done goes on
    assert "Photo 1 of 5 saved" in bowen.last
    await bowen.press("Done")
    assert "Photos: 1 photo" in bowen.last


async def test_a_refused_file_leaves_skip_and_done_working(bot_app):
    bowen = bot_app.chat("bowen")
    draft = open_at(bowen, "xinfeng", **XINFENG)
    await bowen.send("/report")
    await bowen.press("Continue")
    await bowen.photo(HTML)  # bytes sent as a photo are checked too
    assert bowen.last.startswith(NOT_A_PICTURE) and unchanged(draft)
    await bowen.press("Skip")
    assert "Photos: —" in bowen.last


async def test_it_refuses_a_file_over_10_mb_before_downloading_it(bot_app):
    bowen = bot_app.chat("bowen")
    open_at(bowen, "xinfeng", **XINFENG)
    await bowen.photo(jpeg(1))
    big = jpeg(2) + b"\0" * (11 * 1024 * 1024)
    update_id = await bowen.user.send_document(big, "IMG_0002.jpg", "image/jpeg")
    await bowen.done.until(update_id)
    assert bowen.last.startswith("⚠️ That photo is too large: at most 10 MB.")
    assert "Done" in bowen.keyboard()  # the photo sent before is kept
    assert len(bot_app.api.calls_for("getFile")) == 1  # only the first photo's
    assert Photo.select().count() == 1


async def test_it_explains_a_refused_photo_in_chinese(bot_app):
    mei = bot_app.chat("mei", language_code="zh-hans")
    open_at(mei, "xinfeng", **XINFENG)
    update_id = await mei.user.send_document(HTML, "照片.jpg", "image/jpeg")
    await mei.done.until(update_id)
    assert mei.last.startswith("⚠️ 这个文件不是能识别的图片。请发送照片（JPEG 或 PNG 格式）。")


async def test_a_file_the_bot_api_will_not_serve_is_refused_as_too_large(bot_app):
    # Telegram serves bots files up to 20 MB; past that getFile answers "file is too big"
    bowen = bot_app.chat("bowen")
    draft = open_at(bowen, "xinfeng", **XINFENG)
    bot_app.api.fail_next("getFile", error_code=400, description="Bad Request: file is too big")
    await bowen.photo(jpeg(1))
    assert bowen.last.startswith("⚠️ That photo is too large: at most 10 MB.")
    assert unchanged(draft) and Photo.select().count() == 0

"""A photo is kept only when it is a picture: decoded with Pillow, at most 10 MB and 50
megapixels, turned upright, stripped of its metadata (EXIF GPS above all) and re-encoded as an
RGB JPEG; anything else is refused with a code the bot and the admin explain."""
from __future__ import annotations

import hashlib
import random

import pytest
from PIL import Image, ImageCms

from models.core.errors import ValidationError
from models.core.i18n import translator
from models.core.messages import VALIDATION, explain
from models.core.schema import Photo
from models.reports import photos
from models.reports.filing import start_draft, store_photo
from tests import factories as f
from tests.images import (GPS_IFD, HTML, ORIENTATION, RED, encoded, jpeg, opened, picture,
                          png_bomb)


def refused(data: bytes) -> str:
    with pytest.raises(ValidationError) as e:
        photos.clean(data, "photos")
    assert e.value.field == "photos"
    return e.value.code


def near(pixel, colour) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour))


def test_it_strips_the_gps_and_turns_the_photo_upright():
    sent = jpeg(orientation=6, gps=True, comment=b"Wang's flat, 3rd floor")
    assert opened(sent).getexif().get_ifd(GPS_IFD)  # the camera wrote where it was
    kept = photos.clean(sent)
    image = opened(kept)
    assert image.format == "JPEG" and image.mode == "RGB"
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in kept and b"Wang" not in kept and "comment" not in image.info
    # orientation 6: the 60×40 picture is shown turned a quarter clockwise, its red corner
    # (top left as stored by the camera) now top right
    assert image.size == (40, 60)
    assert near(image.getpixel((39, 0)), RED) and not near(image.getpixel((0, 0)), RED)
    assert ORIENTATION not in image.getexif()


def test_a_photo_without_orientation_keeps_its_shape():
    image = opened(photos.clean(jpeg(gps=True)))
    assert image.size == (60, 40) and near(image.getpixel((0, 0)), RED)


@pytest.mark.parametrize("fmt, mode", [("PNG", "RGBA"), ("PNG", "P"), ("PNG", "L"),
                                       ("PNG", "I;16"), ("GIF", "P"), ("WEBP", "RGB"),
                                       ("BMP", "RGB"), ("TIFF", "RGB"), ("JPEG", "CMYK"),
                                       ("JPEG", "L")])
def test_every_picture_is_stored_as_an_rgb_jpeg(fmt, mode):
    source = picture().convert(mode) if mode != "I;16" else picture().convert("L").convert("I;16")
    kept = photos.clean(encoded(source, fmt))
    image = opened(kept)
    assert kept.startswith(photos.JPEG_MAGIC)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (60, 40))
    if mode not in ("L", "I;16"):  # a grey picture stays grey
        assert near(image.getpixel((0, 0)), RED)


def test_a_png_is_stored_as_a_jpeg_with_its_transparency_white():
    source = picture().convert("RGBA")
    source.putpixel((59, 39), (0, 0, 0, 0))
    source.paste((0, 0, 0, 0), (40, 20, 60, 40))
    image = opened(photos.clean(encoded(source, "PNG")))
    assert image.format == "JPEG" and near(image.getpixel((55, 35)), (255, 255, 255))


def test_a_16_bit_grey_picture_is_scaled_not_clipped():
    grey = Image.new("I;16", (8, 8), 32768)  # mid-grey in 16 bits
    image = opened(photos.clean(encoded(grey, "PNG")))
    assert 110 < image.getpixel((4, 4))[0] < 145


def test_it_keeps_the_colour_profile():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = opened(photos.clean(encoded(picture(), "JPEG", icc_profile=srgb)))
    assert image.info.get("icc_profile") == srgb


def test_the_same_photo_is_cleaned_to_the_same_bytes():
    assert photos.clean(jpeg(3, gps=True)) == photos.clean(jpeg(3, gps=True))
    assert photos.clean(jpeg(3)) != photos.clean(jpeg(4))


@pytest.mark.parametrize("data", [
    HTML,  # the 38-byte page of the issue, sent as IMG_0001.jpg
    random.Random(11).randbytes(200_000),
    b"",
    photos.JPEG_MAGIC + b"\xe0" + HTML,  # a JPEG's first bytes, then a page
    jpeg()[:300],  # cut short
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",  # Pillow would run Ghostscript
    b"%PDF-1.4\n1 0 obj<<>>endobj\n",
], ids=["html", "random", "empty", "jpeg-magic-then-html", "truncated", "svg", "eps", "pdf"])
def test_it_refuses_what_is_not_a_picture(data):
    assert refused(data) == "not_an_image"


def test_it_refuses_a_file_over_10_mb_even_a_picture():
    assert refused(random.Random(1).randbytes(11 * 1024 * 1024)) == "photo_too_big"
    # a real JPEG padded past the limit (Pillow would read it): refused by its size alone
    padded = jpeg() + b"\0" * (photos.MAX_BYTES + 1 - len(jpeg()))
    assert refused(padded) == "photo_too_big"
    assert photos.clean(jpeg() + b"\0" * 1000)  # trailing bytes under the limit: read


def test_it_checks_a_declared_size_before_any_download():
    photos.check_size(None)
    photos.check_size(photos.MAX_BYTES)
    with pytest.raises(ValidationError) as e:
        photos.check_size(photos.MAX_BYTES + 1, "photos")
    assert e.value.code == "photo_too_big" and e.value.args_ == {"max": 10}


@pytest.mark.parametrize("width, height, rows", [
    (8000, 8000, None),  # 62 KB that decode to 64 megapixels: past ours
    (10000, 10000, 2),  # past Pillow's warning
    (100000, 100000, 2),  # past Pillow's own refusal: ten gigapixels
])
@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")  # as strict as can be
def test_it_refuses_a_decompression_bomb_before_decoding_it(width, height, rows):
    bomb = png_bomb(width, height, rows=rows)
    assert len(bomb) < 100_000
    assert refused(bomb) == "photo_too_many_pixels"


def test_a_picture_of_exactly_the_most_pixels_is_taken(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 1_000_000)  # the same rule, at a size to decode
    assert opened(photos.clean(png_bomb(50, 20_000))).size == (50, 20_000)
    assert refused(png_bomb(50, 20_001)) == "photo_too_many_pixels"


def test_every_format_named_is_one_pillow_opens():
    Image.init()
    assert set(photos.FORMATS) <= set(Image.OPEN)


def test_every_refusal_has_its_message_in_both_languages():
    for code, args in (("not_an_image", {}), ("photo_too_big", {"max": 10}),
                       ("photo_too_many_pixels", {"max": 50})):
        assert code in VALIDATION
        error = ValidationError("photos", code, **args)
        zh, en = explain(error, translator("zh_Hans")), explain(error, translator("en"))
        assert zh != en and "cannot be accepted" not in en
        for value in args.values():
            assert str(value) in zh and str(value) in en
    assert "照片" in explain(ValidationError(None, "not_an_image"), translator("zh_Hans"))


def test_the_admin_serves_a_stored_photo_as_a_jpeg_and_anything_else_as_bytes(tmp_path):
    (tmp_path / "a.jpg").write_bytes(photos.clean(jpeg()))
    (tmp_path / "b.jpg").write_bytes(HTML)
    assert photos.media_type(tmp_path / "a.jpg") == "image/jpeg"
    assert photos.media_type(tmp_path / "b.jpg") == "application/octet-stream"


# -- storing ------------------------------------------------------------------------------------

def test_it_stores_the_cleaned_photo_under_the_hash_of_what_is_stored(db, tmp_path):
    draft = start_draft(f.worker(), "xinfeng")
    sent = jpeg(5, orientation=6, gps=True)
    photo = store_photo(tmp_path, sent, draft_uid=draft.uid, field="photos")
    kept = photos.clean(sent)
    assert photo.sha256 == hashlib.sha256(kept).hexdigest() != hashlib.sha256(sent).hexdigest()
    assert (tmp_path / photo.sha256[:2] / f"{photo.sha256}.jpg").read_bytes() == kept
    assert photo.size == len(kept)
    assert not opened(kept).getexif().get_ifd(GPS_IFD)
    # already cleaned (off the bot's event loop): stored as it is, not encoded again
    again = store_photo(tmp_path, kept, draft_uid=draft.uid, field="photos")
    assert again.path == photo.path and Photo.select().count() == 2


def test_a_refused_file_stores_nothing(db, tmp_path):
    draft = start_draft(f.worker(), "xinfeng")
    media = tmp_path / "media"
    for data in (HTML, png_bomb(100000, 100000, rows=2)):
        with pytest.raises(ValidationError):
            store_photo(media, data, draft_uid=draft.uid, field="photos")
    assert Photo.select().count() == 0 and not media.exists()

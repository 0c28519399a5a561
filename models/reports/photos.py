"""What a report's photo may be: an image that decodes, at most 10 MB, not a decompression
bomb; what is kept is that image re-encoded as a plain JPEG, turned upright and without its
metadata (EXIF holds the GPS position of the place it was taken, often someone's home).

Whatever a worker sends (a photo, or any file "as a document") passes through ``clean``
before a byte reaches the media folder, so the admin only ever serves JPEGs it wrote itself.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageOps

from models.core.errors import ValidationError

#: The largest file taken, in bytes (before and after downloading).
MAX_BYTES = 10 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
#: The most pixels decoded: a 48-megapixel phone photo fits, a small file that expands to
#: gigabytes of pixels (a decompression bomb) does not.
MAX_PIXELS = 50_000_000
#: The quality of the stored JPEG: indistinguishable on a phone or a report page.
QUALITY = 85
#: The formats a phone or a camera sends. Pillow opens more (EPS, for one, runs Ghostscript);
#: nothing else is tried. (The JPEG opener also reads MPO, the JPEG many phones write.)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")

JPEG_MAGIC = b"\xff\xd8\xff"
#: How a file that is not (wholly) a picture fails inside Pillow: unknown or truncated
#: (OSError), broken headers (SyntaxError, ValueError, struct.error, IndexError...), broken
#: compressed data (zlib.error), or sizes it cannot allocate.
UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
              struct.error, zlib.error, MemoryError)


class CleanPhoto(bytes):
    """Bytes that ``clean`` wrote: a caller that cleaned a photo off the event loop hands
    them to ``filing.store_photo``, which then does not clean them a second time."""


def check_size(size: int | None, field: str | None = None) -> None:
    """Refuse a file by the size it declares (Telegram gives it before the download), or by
    its length once read. ``None``: the size is not known yet."""
    if size is not None and size > MAX_BYTES:
        raise ValidationError(field, "photo_too_big", max=MAX_MB)


def clean(data: bytes, field: str | None = None) -> CleanPhoto:
    """The photo as it is kept: ``data`` decoded, turned as its EXIF orientation says, and
    re-encoded as an RGB JPEG carrying no metadata but its colour profile.

    Raises ValidationError ``photo_too_big`` (over MAX_BYTES), ``photo_too_many_pixels``
    (over MAX_PIXELS, decompression bombs included) or ``not_an_image`` (anything that does
    not decode completely as one of FORMATS)."""
    check_size(len(data), field)
    try:
        # Pillow itself refuses past twice its MAX_IMAGE_PIXELS while opening (only reading the
        # header); MAX_PIXELS, below its limit, refuses the rest before a pixel is decoded
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(field, "photo_too_many_pixels",
                                      max=MAX_PIXELS // 1_000_000)
            image.seek(0)  # an animation: its first frame
            upright = ImageOps.exif_transpose(image)  # loads (decodes) the pixels
            # the colour profile describes RGB pixels only when the source was RGB
            icc = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
            rgb = _rgb(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # (the warning is an exception only where warnings are made errors)
        raise ValidationError(field, "photo_too_many_pixels",
                              max=MAX_PIXELS // 1_000_000) from None
    except UNREADABLE:
        raise ValidationError(field, "not_an_image") from None
    rgb.info.clear()  # no comment, EXIF, XMP carried over by the encoder
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=QUALITY, optimize=True,
             **({"icc_profile": icc} if icc else {}))
    return CleanPhoto(out.getvalue())


def _rgb(image: Image.Image) -> Image.Image:
    """``image`` (a copy already) in RGB; what is transparent shows white, as on a page."""
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit greyscale (a scan, a medical or astronomy PNG): scaled to 8 bits, not clipped
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "RGBa", "P", "PA", "LA", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def media_type(path: str | Path) -> str:
    """The content type to serve a stored file with: a JPEG as image/jpeg; anything else (a
    file stored before photos were checked) as bytes to download, never as a page."""
    with open(path, "rb") as f:
        head = f.read(len(JPEG_MAGIC))
    return "image/jpeg" if head == JPEG_MAGIC else "application/octet-stream"

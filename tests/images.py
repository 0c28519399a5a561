"""Pictures for the tests, made with Pillow when a test runs (none is committed): a camera JPEG
with EXIF (GPS and orientation), other formats, and decompression bombs."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

RED, BLUE = (220, 30, 30), (30, 60, 220)
#: Where a camera took the picture: 30°40'12.5" N, 103°0'4" E (a worker's street).
GPS = {1: "N", 2: (30.0, 40.0, 12.5), 3: "E", 4: (103.0, 0.0, 4.0)}
GPS_IFD = 0x8825
ORIENTATION = 0x0112
HTML = b"<html><script>alert(1)</script></html>"


def picture(n: int = 0, size: tuple[int, int] = (60, 40)) -> Image.Image:
    """A blue picture with a red top-left quarter (so a rotation shows) and a shade that
    differs with ``n`` (so two pictures are two files)."""
    w, h = size
    image = Image.new("RGB", size, (BLUE[0], BLUE[1] + n % 100, BLUE[2]))
    image.paste(RED, (0, 0, w // 2, h // 2))
    return image


def jpeg(n: int = 0, *, size: tuple[int, int] = (60, 40), orientation: int | None = None,
         gps: bool = False, comment: bytes | None = None) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, and optionally its orientation tag
    and the GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "Wushe Camera"  # Make
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = GPS
    out = io.BytesIO()
    picture(n, size).save(out, "JPEG", quality=95, exif=exif,
                          **({"comment": comment} if comment else {}))
    return out.getvalue()


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bomb(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A greyscale PNG of ``width`` × ``height`` black pixels, whose data compresses about a
    thousandfold: a small file that decodes to ``width * height`` bytes or more. Only the
    first ``rows`` are written when given (Pillow reads the size before any data)."""
    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # a filter byte, then the pixels
    data = b"".join(packer.compress(row) for _ in range(height if rows is None else rows))
    data += packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", data)
            + png_chunk(b"IEND", b""))


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image

"""The demo's photos and locations: pictures drawn with Pillow (a room or a square, a banner,
people in a row, a table), each passed through the same pipeline as a worker's photo
(``models.reports.filing.store_photo``: checked, re-encoded, stored under its hash), and
positions near each community's county seat, so the report page's photos and map links
can be seen on a realistic share of reports (about 30 % with photos, 50 % with a place).

A generator of its own (seeded from the demo's seed) picks which reports get them, so the
rest of the demo (counts, statuses) stays as it was without them.
"""
from __future__ import annotations

import functools
import io
import random
from pathlib import Path

from PIL import Image, ImageDraw

from models.core.db import database
from models.core.schema import Photo, Report, ReportKind
from models.reports.filing import store_photo
from models.reports.photos import CleanPhoto, clean

PHOTO_SHARE = 0.3
LOCATION_SHARE = 0.5
DISTINCT_PHOTOS = 24
SIZE = (640, 480)
# The eight counties' seats (WGS84, about): reports fall within a few km of their community,
# communities within ~8 km of their county's seat.
COUNTY_SEATS = {"511802": (29.9805, 103.0133), "511803": (30.0847, 103.1093),
                "511822": (29.7954, 102.8467), "511823": (29.3443, 102.6520),
                "511824": (29.2274, 102.3592), "511825": (30.0667, 102.7582),
                "511826": (30.1448, 102.9280), "511827": (30.3686, 102.8142)}
CITY_SEAT = COUNTY_SEATS["511802"]
PALETTE = [(214, 48, 49), (232, 67, 147), (9, 132, 227), (0, 184, 148), (253, 203, 110),
           (108, 92, 231), (225, 112, 85), (45, 52, 54)]


def draw(rng: random.Random) -> bytes:
    """One picture of an activity: indoors (a wall, a floor, a table) or outdoors (sky,
    ground, trees), a red banner, a row of people; as a PNG for the pipeline to re-encode."""
    w, h = SIZE
    indoor = rng.random() < 0.5
    image = Image.new("RGB", SIZE)
    pen = ImageDraw.Draw(image)
    top = (rng.randrange(200, 240), rng.randrange(200, 230), rng.randrange(170, 210)) if indoor \
        else (rng.randrange(110, 160), rng.randrange(170, 210), rng.randrange(220, 250))
    floor = (rng.randrange(150, 190), rng.randrange(120, 150), rng.randrange(90, 120)) if indoor \
        else (rng.randrange(80, 120), rng.randrange(140, 180), rng.randrange(70, 100))
    horizon = rng.randrange(h // 2, h * 2 // 3)
    for y in range(horizon):  # a soft gradient
        k = y / horizon
        pen.line([(0, y), (w, y)], fill=tuple(int(c * (1 - 0.25 * k)) for c in top))
    pen.rectangle([0, horizon, w, h], fill=floor)
    if not indoor:
        for _ in range(rng.randrange(2, 6)):
            x = rng.randrange(0, w)
            pen.rectangle([x - 4, horizon - 60, x + 4, horizon], fill=(101, 67, 33))
            pen.ellipse([x - 35, horizon - 120, x + 35, horizon - 40],
                        fill=(34, rng.randrange(110, 150), 34))
    banner = rng.randrange(40, 90)
    pen.rectangle([w // 8, banner, w * 7 // 8, banner + 50], fill=(200, 16, 46))
    letters = rng.randrange(6, 12)
    for i in range(letters):  # the banner's characters, as blocks
        x = w // 8 + 20 + i * (w * 3 // 4 - 62) // (letters - 1)
        pen.rectangle([x, banner + 12, x + 22, banner + 38], fill=(255, 221, 0))
    if indoor:
        pen.rectangle([w // 5, horizon + 30, w * 4 // 5, horizon + 60], fill=(120, 80, 50))
    people = rng.randrange(3, 9)
    for i in range(people):
        x = int(w * (i + 1) / (people + 1)) + rng.randrange(-12, 13)
        y = horizon + rng.randrange(-10, 40)
        body = rng.choice(PALETTE)
        pen.rectangle([x - 16, y - 50, x + 16, y + 30], fill=body)
        pen.ellipse([x - 13, y - 80, x + 13, y - 54], fill=(240, 200, 160))
        pen.ellipse([x - 13, y - 82, x + 13, y - 68], fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def near(rng: random.Random, seat: tuple[float, float], km: float) -> tuple[float, float]:
    """A point within about ``km`` of ``seat`` (1° of latitude ≈ 111 km; Ya'an's ≈ 96 km
    per degree of longitude)."""
    return (round(seat[0] + rng.uniform(-km, km) / 111, 6),
            round(seat[1] + rng.uniform(-km, km) / 96, 6))


def plan(rows: list[dict], rng: random.Random) -> None:
    """Mark about half of the reports of kinds that ask for a location with one near their
    community, and about 30 % of those that take photos with a count in ``values``
    (``attach`` stores the pictures once the reports have ids)."""
    kinds = {k.id: k for k in ReportKind.select()}
    takes = {kid: {f.get("type") for f in (k.fields or [])} for kid, k in kinds.items()}
    communities: dict[str, tuple[float, float]] = {}
    for row in rows:
        fields = takes.get(row["kind"], set())
        row["latitude"] = row["longitude"] = None  # one set of columns for insert_many
        if "location" in fields and rng.random() < LOCATION_SHARE:
            path = row["org_path"]
            if path not in communities:
                codes = path.strip("/").split("/")
                seat = COUNTY_SEATS.get(codes[1] if len(codes) > 1 else "", CITY_SEAT)
                communities[path] = near(random.Random(path), seat, 8)
            row["latitude"], row["longitude"] = near(rng, communities[path], 1.5)
        if "photo" in fields and rng.random() < PHOTO_SHARE:
            row["values"] = {**row["values"], "photos": rng.choice((1, 1, 2, 2, 3))}


@functools.cache
def pictures() -> tuple[CleanPhoto, ...]:
    """The same ``DISTINCT_PHOTOS`` pictures for every demo (so a media folder holds them
    once), drawn and passed through the photo pipeline's check and re-encoding once."""
    rng = random.Random("wushe-demo-photos")
    return tuple(clean(draw(rng)) for _ in range(DISTINCT_PHOTOS))


def attach(media_dir: str | Path, rng: random.Random) -> int:
    """Store the ``pictures`` as a worker's photos are stored and give each report ``plan``
    marked its count of them; returns the photos attached."""
    stored = []
    for picture in pictures():
        photo = store_photo(media_dir, picture, draft_uid="demo", field="photos")
        stored.append((photo.sha256, photo.path, photo.size))
        photo.delete_instance()  # the file stays; the rows below point at it
    rows = []
    for rid, values, created in Report.select(Report.id, Report.values,
                                              Report.created_at).tuples():
        for _ in range(int(values.get("photos") or 0) if isinstance(values, dict) else 0):
            sha, path, size = rng.choice(stored)
            rows.append(dict(report=rid, field="photos", sha256=sha, path=path, size=size,
                             created_at=created))
    with database.atomic():
        for i in range(0, len(rows), 1000):
            Photo.insert_many(rows[i:i + 1000]).execute()
    return len(rows)

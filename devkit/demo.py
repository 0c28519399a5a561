"""A whole conversation without Telegram: the real application against a local fake Bot API.

``run_demo`` (``run_bot.py --demo``) registers a scripted worker, files an activity report and
asks for /mystats, printing the chat as the worker sees it. It drives the bot with
devkit's fake Bot API and conversation driver, the same the end-to-end tests use.
"""
from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from PIL import Image

from devkit.botapi import LocalBotAPI
from devkit.conversation import Conversation, running, track
from models import bootstrap
from models.core.db import database
from models.core.schema import OrgUnit
from models.core.settings import ROOT, Settings
from models.org.workers import create_invite

from bot.app import build_application

DEMO_TOKEN = "424242:DEMO-not-a-real-token"


def demo_photo() -> bytes:
    """A small picture for the photo question (only pictures are taken): a sky over a field."""
    image = Image.new("RGB", (320, 240), (120, 170, 225))
    image.paste((90, 160, 70), (0, 150, 320, 240))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def run_demo(settings: Settings, out: io.TextIOBase, *, language_code: str = "zh-hans",
                   var: Path = ROOT / "var") -> int:
    """Register a worker, file an activity report and ask for /mystats, printing the chat.

    The demo database (SQLite) and its photos are made afresh under ``var``.
    """
    db_file = Path(var) / "demo.sqlite3"
    for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
        path.unlink(missing_ok=True)
    url = f"sqlite:///{db_file}"
    bootstrap(url)
    with database.connection_context():
        place = (OrgUnit.select().where(OrgUnit.level == "community")
                 .order_by(OrgUnit.code).first())
        invite = create_invite(place, created_by="demo")

    async with LocalBotAPI(token=DEMO_TOKEN) as api:
        settings = dataclasses.replace(
            settings, database_url=url, telegram_bot_token=DEMO_TOKEN,
            telegram_api_base_url=api.base_url, telegram_file_base_url=api.base_file_url,
            media_dir=str(Path(var) / "demo-media"))
        app = build_application(settings, outbox_interval=None)
        done = track(app)
        async with running(app):
            chat = Conversation(api.user(7001, "小李", language_code=language_code), done)
            await chat.send(f"/start {invite.code}")
            await chat.send("/report")
            await chat.press("k:activity")
            await chat.press("a:action_line:2")  # 儿童关爱 (children)
            await chat.press("a:activity_type:0")  # service
            await chat.send("四点半课堂")
            await chat.press(f"d:date:{app.bot_data['clock'].today()}")
            await chat.send("社区活动室")
            await chat.send("30人")
            await chat.send("二十")  # of them minors (a child-care activity)
            await chat.press("s:groups")
            await chat.press("mt:parties:1")
            await chat.press("mt:parties:9")
            await chat.press("md:parties:9")
            await chat.send("五")
            await chat.press("s:summary")
            await chat.photo(demo_photo())
            await chat.press("ok:photos")
            await chat.location(30.0123, 103.0011)
            await chat.press(next(data for data in chat.callbacks() if data.startswith("sub:")))
            await chat.send("/mystats")
        out.write(chat.transcript() + "\n")
    database.close()
    return 0

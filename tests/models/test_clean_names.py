"""Names that come from Telegram (a worker's name, a group's title) are typed text too: they
are cleaned as answers are before officials read them."""
from __future__ import annotations

from models.org.workers import redeem_invite
from models.pushes.deliveries import track_group
from tests import factories as f


def test_a_workers_telegram_name_is_stored_cleaned(db):
    invite = f.invite()
    worker = redeem_invite(invite.code, tg_user_id=4242, display_name="王\u202e芳\x1b\u200b ")
    assert worker.display_name == "王芳"


def test_a_groups_title_is_stored_cleaned(db):
    group = track_group(-100123, "和平社区\u202e工作群\x00\u2066")
    assert group.title == "和平社区工作群"
    assert track_group(-100123, "新\u200b名字\u202e").title == "新名字"

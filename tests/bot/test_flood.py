"""Which flood limit applies to what (bot/flood.py): a worker's replies in a private chat do
not wait in the broadcast window; pushes and anything in a group do. Counted, not timed: the
real application with the real FloodLimiter, against the local Bot API server."""
from __future__ import annotations

from bot import outbox
from bot.flood import FloodLimiter, Window

from models.core.schema import Outbox

from tests.botkit import ACTIVITY, walk


class CountingLimiter(FloodLimiter):
    """The shipped limiter; it records which window each request waited for room in."""

    def __init__(self):
        super().__init__()
        self.waited: list[str] = []
        limiter = self

        class Counted(Window):
            async def room(self) -> None:
                limiter.waited.append("overall" if self is limiter.overall else "group")
                await super().room()

        self.overall.__class__ = Counted
        self._counted = Counted

    def _group_window(self, group):
        window = super()._group_window(group)
        window.__class__ = self._counted
        return window


async def test_a_workers_replies_pass_the_broadcast_window_but_pushes_do_not(bot_app):
    limiter = CountingLimiter()
    await bot_app.restart(rate_limiter=limiter)
    ailin = bot_app.chat("ailin")
    calls = len(bot_app.api.calls)
    await walk(ailin, ACTIVITY + [("press", "Submit")])
    assert "Your report is saved" in ailin.last
    assert len(bot_app.api.calls) - calls > 20  # a full report's replies went out ...
    assert limiter.waited == []  # ... none of them through a flood window

    # A push to the same private chat counts against the overall 30/s.
    Outbox.create(key="notice:1", chat_id=ailin.user.id, text="通知")
    assert await outbox.drain(bot_app.app) == 1
    assert limiter.waited == ["overall"]

    # A group summary counts against the group's 20/min and the overall 30/s.
    limiter.waited.clear()
    bot_app.api.group(-7001, "和平社区工作群")
    Outbox.create(key="push:1:0", chat_id=-7001, text="周报")
    assert await outbox.drain(bot_app.app) == 1
    assert sorted(limiter.waited) == ["group", "overall"]

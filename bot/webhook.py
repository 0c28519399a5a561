"""Webhook mode that answers Telegram only once an update was handled: at-least-once delivery.

python-telegram-bot's webhook server answers 200 as soon as an update is queued, so a bot
killed before handling it never sees it again. This small aiohttp server handles the update
first (concurrently across chats, in order within a chat: ``PerChatUpdateProcessor``) and
answers 200 once its effects are committed and it is marked handled, 500 if a handler failed
or the update could not be handled (Telegram then delivers it again; the handlers are
idempotent and a handled update is dropped, bot/gate.py). A post of an update still in flight
(Telegram retrying a slow one) waits for the same handling. The secret is checked as PTB
checks it: a post without ``X-Telegram-Bot-Api-Secret-Token`` or with another value gets 403.

The 200 carries the update's answer to its button, if it has one (``bot.chat.answer``): a
webhook's answer may hold one Bot API method, which Telegram then calls without reporting
its result ("Making requests when getting updates" in the Bot API; tdlib's telegram-bot-api
runs a method named in any 2xx answer but get*, setWebhook, deleteWebhook, close, logOut).
Nothing rides a 500: the redelivered update answers its button itself.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from collections.abc import Sequence

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from .polling import parse_update
from .updates import HANDLING, Handling

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_CONNECTIONS = 40  # PTB's default for setWebhook


class WebhookHandler:
    """The aiohttp view: secret checked, update handled, then the status Telegram needs."""

    def __init__(self, app: Application, secret: str):
        if not secret:
            raise ValueError("a webhook needs its secret")
        self.app = app
        self.secret = secret
        self._inflight: dict[int, asyncio.Task] = {}

    async def __call__(self, request: web.Request) -> web.Response:
        token = request.headers.get(SECRET_HEADER)
        if not token:
            return web.Response(status=403, text="Request did not include the secret token")
        if not hmac.compare_digest(token.encode(), self.secret.encode()):
            return web.Response(status=403, text="Request had the wrong secret token")
        if request.content_type != "application/json":
            return web.Response(status=403)
        try:
            update = parse_update(await request.json(), self.app.bot)
        except Exception:  # noqa: BLE001 - anything unreadable
            log.warning("webhook: a post that is not an update was refused", exc_info=True)
            return web.Response(status=400, text="Update could not be processed")
        if update is None:
            return web.Response(status=200)
        ok, reply = await asyncio.shield(self._task(update))
        if not ok:
            return web.Response(status=500)
        return web.json_response(reply) if reply else web.Response(status=200)

    def _task(self, update: Update) -> asyncio.Task:
        task = self._inflight.get(update.update_id)
        if task is None:
            task = asyncio.create_task(self._handle(update), name=f"update {update.update_id}")
            self._inflight[update.update_id] = task
            task.add_done_callback(lambda _: self._inflight.pop(update.update_id, None))
        return task

    async def _handle(self, update: Update) -> tuple[bool, dict | None]:
        """Whether the update was handled, and the Bot API call to ride the answer."""
        state = Handling(update.update_id, replies=True)
        HANDLING.set(state)  # this task's own context: process_update reports into it
        app = self.app
        try:
            await app.update_processor.process_update(update, app.process_update(update))
        except Exception:  # not a handler's error (those reach the error handler): the database
            log.exception("update %s could not be handled; Telegram will send it again",
                          update.update_id)
            return False, None
        if state.failed:
            log.warning("update %s failed; answered 500 so that Telegram sends it again",
                        update.update_id)
            return False, None
        return True, state.reply

    async def drain(self) -> None:
        """Wait for the updates in flight (at shutdown)."""
        if self._inflight:
            await asyncio.gather(*self._inflight.values(), return_exceptions=True)


async def serve_webhook(app: Application, *, listen: str, port: int, url_path: str,
                        webhook_url: str, secret: str,
                        allowed_updates: Sequence[str] | None = None,
                        stop_signals=(signal.SIGINT, signal.SIGTERM),
                        stop: asyncio.Event | None = None) -> None:
    """Run ``app`` on a webhook as ``Application.run_webhook`` does, answering after commit,
    until a stop signal (or ``stop`` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in stop_signals:
        loop.add_signal_handler(sig, stop.set)
    handler = WebhookHandler(app, secret)
    web_app = web.Application()
    web_app.router.add_post("/" + url_path.lstrip("/"), handler.__call__)
    runner = web.AppRunner(web_app, access_log=None)
    try:
        await app.initialize()  # getMe: retried while start-up lasts (bot/startup.py)
        try:
            if app.post_init:
                await app.post_init(app)
            await runner.setup()
            await web.TCPSite(runner, listen, port).start()
            await app.bot.set_webhook(url=webhook_url, allowed_updates=allowed_updates,
                                      secret_token=secret, drop_pending_updates=False,
                                      max_connections=MAX_CONNECTIONS)
            await app.start()
            try:
                await stop.wait()
            finally:
                await runner.cleanup()  # no new posts; those in flight are answered
                await handler.drain()
                await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
        finally:
            await runner.cleanup()  # a second time changes nothing
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)

def run_webhook(app: Application, **options) -> None:
    asyncio.run(serve_webhook(app, **options))

"""An aiohttp transport for python-telegram-bot.

The bot spends most of its time in HTTP calls to the Bot API (answer the tap, edit the
question, send the next one). httpx, PTB's default, costs several times more CPU per call
than aiohttp on this hardware, which bounds how many workers one bot process serves
(bench/bot_burst.py measures both). Behaviour is the same: same parameters, same error
mapping (timeouts → TimedOut, connection errors → NetworkError). A call without files goes
as one JSON body (the Bot API takes ``application/json``), not as a form: aiohttp's form
encoding (FormData, then percent-encoding every byte of the question's text and keyboard)
cost the bot ~4 % of its CPU in a burst (bench/bot_burst.py --profile).
"""
from __future__ import annotations

import asyncio
import json

import aiohttp
from telegram import Bot
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from .startup import StartupRetries

JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` over one ``aiohttp.ClientSession`` with a bounded connection pool."""

    def __init__(self, *, connection_pool_size: int = 64, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 media_write_timeout: float | None = 20.0,
                 startup: StartupRetries | None = None):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self.startup = startup  # retries the calls of start-up (bot/startup.py)

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def post(self, url: str, request_data: RequestData | None = None, *args, **kwargs):
        if self.startup is None or not self.startup.active:
            return await super().post(url, request_data, *args, **kwargs)
        return await self.startup.call(url.rsplit("/", 1)[-1],
                                       lambda: super(AiohttpRequest, self).post(
                                           url, request_data, *args, **kwargs))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE,
                         write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else self._write_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = None
        total = None
        if read_timeout is not None and write_timeout is not None:
            total = read_timeout + write_timeout + (connect_timeout or 0) + (pool_timeout or 0)
        timeout = aiohttp.ClientTimeout(total=total, connect=connect_timeout,
                                        sock_read=read_timeout)
        headers = None
        if files:
            data = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                data.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                data.add_field(name, content, filename=filename, content_type=mimetype)
        else:
            params = request_data.parameters if request_data else None
            data = json.dumps(params, ensure_ascii=False).encode() if params else None
            headers = JSON if params else None
        try:
            async with self._session.request(method, url, data=data, headers=headers,
                                             timeout=timeout) as resp:
                return resp.status, await resp.read()
        except asyncio.TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


async def call(bot: Bot, method: str, **params):
    """The Bot API's answer to ``method`` as JSON (a dict, or True), not parsed into PTB objects.

    For the calls whose answer the bot barely reads: ``sendMessage`` and the edits answer with
    the whole message, keyboard included, and parsing that into a ``Message`` cost the bot
    ~6 % of its CPU in a burst (bench/bot_burst.py --profile) when all it needs is the
    ``message_id``. The call is otherwise the one ``Bot.send_message`` makes: ``Bot._post``
    drops the None parameters, the rate limiter (bot/flood.py: 429's retry_after honoured)
    wraps it, and ``BaseRequest.post`` maps refusals to BadRequest, Forbidden, RetryAfter...
    """
    return await bot._post(method, params)

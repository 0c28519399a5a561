"""The HTTP side of the fake Bot API: decoding requests as PTB sends them, faults, rate
limits and 403s set by a test, the getUpdates long poll, and file downloads."""
from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import deque
from typing import Any

from aiohttp import web

from .records import RATE_LIMITED, STRING_PARAMS, BotAPIError, Call, bad_request, wake


class HTTPLayer:
    """Mixin of LocalBotAPI: answers the requests of the real application over HTTP."""

    @staticmethod
    def _decode(key: str, value: Any) -> Any:
        if not isinstance(value, str) or key in STRING_PARAMS:
            return value
        if not value:
            return value
        c = value[0]
        if c in "{[\"-0123456789tfn":
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    async def _read_params(self, request: web.Request) -> tuple[dict, dict]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes, str | None]] = {}
        for k, v in request.query.items():
            params[k] = self._decode(k, v)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.read()
                if body:
                    data = json.loads(body)
                    if isinstance(data, dict):
                        params.update(data)
            elif ctype == "multipart/form-data":
                reader = await request.multipart()
                async for part in reader:
                    if part.filename is not None:
                        files[part.name] = (
                            part.filename,
                            bytes(await part.read()),
                            part.headers.get("Content-Type"),
                        )
                    else:
                        params[part.name] = self._decode(part.name, await part.text())
            else:
                form = await request.post()
                for k, v in form.items():
                    if isinstance(v, str):
                        params[k] = self._decode(k, v)
                    else:  # FileField
                        files[k] = (v.filename, v.file.read(), v.content_type)
        return params, files

    @staticmethod
    def _json(status: int, payload: dict) -> web.Response:
        return web.Response(status=status, body=json.dumps(payload).encode(),
                            content_type="application/json")

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params, files = await self._read_params(request)
        except Exception as exc:  # malformed body
            return self._json(400, bad_request(f"can't parse request: {exc}").payload())
        if request.match_info["token"] != self.token:
            call = self._record(method, params, files)
            call.status, call.error = 401, "Unauthorized"
            wake(self._call_waiters)
            return self._json(401, BotAPIError(401, "Unauthorized").payload())
        status, payload = await self._execute(method, params, files, request=request)
        return self._json(status, payload)

    def _record(self, method: str, params: dict, files: dict, via: str = "http") -> Call:
        rec_params = dict(params)
        for k, (fname, data, _) in files.items():
            rec_params.setdefault(k, {"filename": fname, "size": len(data)})
        call = Call(method, rec_params, time.monotonic(), via=via)
        self.calls.append(call)
        return call

    async def _execute(self, method: str, params: dict, files: dict, *,
                       request: web.Request | None = None, via: str = "http") -> tuple[int, dict]:
        """Record and run one Bot API call (faults, 403s, rate limits, then the method): the
        status and the JSON payload Telegram would answer."""
        mkey = method.lower()
        call = self._record(method, params, files, via)
        try:
            handler = self._custom.get(mkey) or self._handlers.get(mkey)
            if handler is None:
                raise BotAPIError(404, "Not Found: method not found")
            self._check_faults(mkey, params)
            if mkey != "getupdates":
                if self.latency:
                    await asyncio.sleep(self.latency)
                self._check_forbidden(params)
                self._check_rate(mkey, params)
            if mkey == "getupdates":
                result = await self._get_updates(params, request)
            else:
                result = handler(params, files)
                if asyncio.iscoroutine(result):
                    result = await result
        except BotAPIError as err:
            call.status, call.error = err.error_code, err.description
            answer = (err.error_code, err.payload())
        except Exception as exc:  # bug in the fake or bad params: make it visible
            call.status, call.error = 500, f"Internal Server Error: {exc!r}"
            answer = (500, {"ok": False, "error_code": 500, "description": call.error})
        else:
            call.status, call.result = 200, result
            answer = (200, {"ok": True, "result": result})
        wake(self._call_waiters)
        return answer

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._json(401, BotAPIError(401, "Unauthorized").payload())
        path = request.match_info["path"]
        rec = self._files_by_path.get(path)
        if rec is not None:
            return web.Response(body=rec.data,
                                content_type=(rec.mime_type or "application/octet-stream").split(";")[0])
        return self._json(404, BotAPIError(404, "Not Found").payload())

    def _check_faults(self, mkey: str, params: dict) -> None:
        if not self._faults:
            return
        for i, f in enumerate(self._faults):
            if f.method != mkey and (f.method != "*" or mkey == "getupdates"):
                continue
            if f.chat_id is not None and str(params.get("chat_id")) != str(f.chat_id):
                continue
            del self._faults[i]
            raise BotAPIError(f.error_code, f.description, f.parameters)

    def _check_forbidden(self, params: dict) -> None:
        cid = params.get("chat_id")
        if cid is None:
            return
        chat = self._chats.get(cid) if isinstance(cid, int) else None
        if chat is not None and chat.forbidden:
            raise BotAPIError(403, chat.forbidden)

    def _check_rate(self, mkey: str, params: dict) -> None:
        if not self._limits or mkey not in RATE_LIMITED:
            return
        now = time.monotonic()
        cid = params.get("chat_id")
        checks = []
        g = self._limits.get("global_per_sec")
        if g:
            checks.append((self._global_window, 1.0, g))
        pm = self._limits.get("per_chat_per_min")
        if pm:
            checks.append((self._chat_windows.setdefault(cid, deque()), 60.0, pm))
        ps = self._limits.get("per_chat_per_sec")
        if ps:
            checks.append((self._chat_sec_windows.setdefault(cid, deque()), 1.0, ps))
        wait = 0.0
        for window, span, limit in checks:
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[0] + span - now)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise BotAPIError(429, f"Too Many Requests: retry after {retry}",
                              {"retry_after": retry})
        for window, _, _ in checks:
            window.append(now)

    # ------------------------------------------------------------------ getUpdates
    def _take_batch(self, offset: Any, limit: int) -> list[dict]:
        pending = self._pending
        if isinstance(offset, int):
            if offset < 0:
                while len(pending) > -offset:
                    pending.popleft()
            else:
                confirmed = pending and pending[0]["update_id"] < offset
                while pending and pending[0]["update_id"] < offset:
                    pending.popleft()
                if confirmed:  # as Telegram: confirmed when the request arrives, not when
                    wake(self._call_waiters)  # its long poll ends (wait_delivered returns)
        allowed = self._allowed_updates
        if allowed:
            keep = deque()
            for u in pending:
                if any(k in u for k in allowed):
                    keep.append(u)
            self._pending = pending = keep
        batch = list(itertools.islice(self._redeliver, limit))
        if len(batch) < limit:
            batch.extend(itertools.islice(pending, limit - len(batch)))
        return batch

    async def _get_updates(self, params: dict, request: web.Request) -> list[dict]:
        if self.webhook is not None:
            raise BotAPIError(409, "Conflict: can't use getUpdates method while webhook is "
                                   "active; use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        limit = int(params.get("limit") or 100)
        limit = min(max(limit, 1), 100)
        timeout = float(params.get("timeout") or 0)
        if "allowed_updates" in params and params["allowed_updates"] is not None:
            self._allowed_updates = list(params["allowed_updates"]) or None
        # a newer getUpdates terminates an older waiting one, like Telegram does
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("conflict")
        me = asyncio.get_running_loop().create_future()
        self._poller = me
        deadline = time.monotonic() + timeout
        while True:
            batch = self._take_batch(offset, limit)
            if batch:
                transport = request.transport
                if transport is None or transport.is_closing():
                    return []  # client went away: don't consume redeliveries
                n_re = min(len(self._redeliver), len(batch))
                for _ in range(n_re):
                    self._redeliver.popleft()
                return batch
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return []
            fut = asyncio.get_running_loop().create_future()
            self._update_waiters.append(fut)
            done, _ = await asyncio.wait({fut, me}, timeout=remaining,
                                         return_when=asyncio.FIRST_COMPLETED)
            if me in done:
                raise BotAPIError(409, "Conflict: terminated by other getUpdates request; "
                                       "make sure that only one bot instance is running")


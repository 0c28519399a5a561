"""Rendered charts kept for a short while, so a page's reloads and its neighbours' requests do
not redraw the same PNG; served with a matching browser cache time. ``SharedPages``: the
same for values every worker process shares (the dashboard's page data, the menu's counts).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import threading
import time
import zlib
from functools import lru_cache
from pathlib import Path

import peewee
from flask import Response, current_app, g

from models.core import shared_cache
from models.plans import progress

from .downloads import image

CHART_TTL = 120  # seconds a rendered chart is reused for the same inputs
CHART_CACHE_SIZE = 256


class ChartCache:
    """Rendered PNGs for a short while, per (chart, plan, place, year, period, day, locale)."""

    def __init__(self, size: int = CHART_CACHE_SIZE):
        self.size = size
        self._items: dict[tuple, tuple[float, bytes]] = {}
        self._lock = threading.Lock()
        self._rendering: dict[tuple, threading.Lock] = {}

    def _hit(self, key: tuple):
        with self._lock:
            hit = self._items.get(key)
            return hit if hit and hit[0] > time.monotonic() else None

    def get_or_render(self, key: tuple, ttl: float, render) -> bytes:
        if ttl <= 0:  # kept for no time: the cache is off, neither read nor written
            return render()
        hit = self._hit(key)
        if hit:
            return hit[1]
        with self._lock:
            rendering = self._rendering.setdefault(key, threading.Lock())
        with rendering:  # one thread renders a key; the others of this process wait for it
            hit = self._hit(key)
            if hit:
                return hit[1]
            data = render()
            with self._lock:
                if len(self._items) >= self.size:
                    for old in sorted(self._items,
                                      key=lambda k: self._items[k][0])[: self.size // 4]:
                        del self._items[old]
                self._items[key] = (time.monotonic() + ttl, data)
                self._rendering.pop(key, None)
        return data

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


chart_cache = ChartCache()

log = logging.getLogger("wushe.admin")


class SharedPages(ChartCache):
    """``ChartCache`` in front of ``models.core.shared_cache``: a page one of gunicorn's
    workers computed serves the others too (each worker computed each page once before).
    The same key and time to live; what the key holds is read from the database by every
    worker, so a report, a review or a target changes it for all of them at once.

    A value is pickled, compressed and signed with the app's secret key: a row this app did
    not write is a miss, never unpickled. The key includes a digest of the code
    (``code_stamp``), so a deploy never reads objects another version pickled."""

    def get_or_render(self, key: tuple, ttl: float, render):
        if ttl <= 0:  # kept for no time: neither cache read nor written
            return render()

        def from_database():
            row_key = shared_cache.digest((code_stamp(), key))
            secret = current_app.config["SECRET_KEY"].encode()
            blob = shared_cache.get(row_key)
            if blob is not None:
                try:
                    return unsealed(blob, secret)
                except Exception as e:  # not this app's, or not readable by this code:
                    log.warning("shared page %s not read: %r", row_key, e)  # a miss
            value = render()
            shared_cache.put(row_key, sealed(value, secret), ttl)
            return value

        return super().get_or_render(key, ttl, from_database)

    def clear(self, shared: bool = False) -> None:
        """Forget this process's pages; with ``shared``, every process's too."""
        super().clear()
        if shared:
            shared_cache.clear()


def sealed(value, secret: bytes) -> bytes:
    """``value`` pickled, compressed and signed (a 32-byte HMAC before the data)."""
    data = zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1)
    return hmac.new(secret, data, hashlib.sha256).digest() + data


def unsealed(blob: bytes, secret: bytes):
    """What ``sealed`` kept; ``ValueError`` for a signature that is not this app's."""
    signature, data = blob[:32], blob[32:]
    if not hmac.compare_digest(signature, hmac.new(secret, data, hashlib.sha256).digest()):
        raise ValueError("not signed with this app's secret key")
    return pickle.loads(zlib.decompress(data))


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """A digest of the source the pickled pages' classes come from (admin/, models/) and of
    peewee's version: pages another version of the code kept are never read."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(peewee.__version__.encode())
    for path in sorted([*root.glob("admin/**/*.py"), *root.glob("models/**/*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_chart(key: tuple, render) -> Response:
    """The PNG for ``key`` from the shared cache (rendered by ``render()`` on a miss), for
    ``DASHBOARD_CHART_TTL`` seconds."""
    ttl = current_app.config.get("DASHBOARD_CHART_TTL", CHART_TTL)
    return image(chart_cache.get_or_render(key, ttl, render), ttl)


def data_version() -> tuple:
    """``progress.data_version``, read once per request: the page, its charts and the menu's
    waiting counts all key their caches by it."""
    if "wushe_data_version" not in g:
        g.wushe_data_version = progress.data_version()
    return g.wushe_data_version

"""Rendered charts kept for a short while, so a page's reloads and its neighbours' requests do
not redraw the same PNG; served with a matching browser cache time.
"""
from __future__ import annotations

import threading
import time

from flask import Response, current_app, g

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

    def get_or_render(self, key: tuple, ttl: float, render) -> bytes:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit and hit[0] > now:
                return hit[1]
        data = render()
        with self._lock:
            if len(self._items) >= self.size:
                for old in sorted(self._items, key=lambda k: self._items[k][0])[: self.size // 4]:
                    del self._items[old]
            self._items[key] = (now + ttl, data)
        return data

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


chart_cache = ChartCache()


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

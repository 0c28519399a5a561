"""When pushes are due: one push moment a week, in the project's local time.

Each push kind says when its period's push falls (``PushKind.due_on``, in
``models.pushes.kinds``); the schedule supplies the moment and the clock arithmetic.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import islice
from zoneinfo import ZoneInfo

from models.pushes import kinds

DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True, init=False)
class Schedule:
    """When pushes are due, in local time (no DST in Asia/Shanghai, but any zone works).

    - weekly: every ``weekday`` (0 = Monday) at ``time``; the push covers the last complete
      ISO week before it (a Monday 09:00 push covers Monday to Sunday just ended).
    - quarterly / half: at ``time`` on the first ``weekday`` on or after the first day of
      the next quarter (half-year), i.e. together with that week's summary: Q3 2026 ends on
      Wednesday 30 September, its digest goes out on Monday 5 October at 09:00. Q2 and H1
      (Q4 and H2) fall on the same day.

    ``due`` returns only the latest period of each kind whose time has come: after an
    outage the missed periods are not sent in a burst; ``enqueue`` makes a period already
    delivered a no-op, so calling it every minute is cheap and safe.
    """

    weekday: int
    time: dt.time
    timezone: str

    def __init__(self, settings=None, *, weekday: int | None = None,
                 time: str | dt.time | None = None, timezone: str | None = None):
        weekday = weekday if weekday is not None else getattr(settings, "push_weekday", 0)
        time = time if time is not None else getattr(settings, "push_time", "09:00")
        if isinstance(time, str):
            hour, _, minute = time.partition(":")
            time = dt.time(int(hour), int(minute or 0))
        object.__setattr__(self, "weekday", int(weekday))
        object.__setattr__(self, "time", time)
        object.__setattr__(self, "timezone", timezone or getattr(settings, "timezone", DEFAULT_TZ))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, now_utc: dt.datetime) -> dt.datetime:
        """``now_utc`` (naive values are UTC, as ``schema.now()``) in local time, naive."""
        if now_utc.tzinfo is None:
            now_utc = now_utc.replace(tzinfo=dt.timezone.utc)
        return now_utc.astimezone(self.tz).replace(tzinfo=None)

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        """A naive local time as naive UTC, the way the database stores times."""
        return local.replace(tzinfo=self.tz).astimezone(dt.timezone.utc).replace(tzinfo=None)

    def on_or_after(self, day: dt.date) -> dt.datetime:
        """The push moment on the first push weekday on or after ``day``."""
        day = day + dt.timedelta(days=(self.weekday - day.weekday()) % 7)
        return dt.datetime.combine(day, self.time)

    def fires_at(self, kind: str, period: str) -> dt.datetime:
        """When the push of (``kind``, ``period``) is scheduled, as naive UTC."""
        return self.to_utc(kinds.get(kind).due_on(kinds.window_of(kind, period), self))

    def due(self, now_utc: dt.datetime) -> list[tuple[str, str]]:
        """The (kind, period) pairs whose push time has come: the latest of each kind. Two
        periods back are enough: the one before the latest ended is always due."""
        local = self.local(now_utc)
        out = []
        for kind in kinds.KINDS.values():
            for window in islice(kind.ended(local.date()), 2):
                if kind.due_on(window, self) <= local:
                    out.append((kind.code, window.label))
                    break
        return out

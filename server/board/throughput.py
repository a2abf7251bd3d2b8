"""Throughput per hour today (picks, packages, dispatched orders, returns), counted from the
committed events as they go by, so keeping it costs nothing per board push. Read once from
the event log when the board starts (today's events of those types), then counted."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from server.models import Event

SERIES = {
    "pick.confirmed": "picks",
    "package.labelled": "packages",
    "order.dispatched": "dispatched",
    "return.received": "returns",
}


class Throughput:
    def __init__(self) -> None:
        self._day: dt.date | None = None
        self._counts: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()

    def load(self, now: dt.datetime) -> None:
        """Today's counts from the log (one query on the type index; read once)."""
        midnight = dt.datetime.combine(now.date(), dt.time())
        query = (
            Event.select(Event.type, Event.occurred_at)
            .where(Event.type.in_(list(SERIES)), Event.occurred_at >= midnight)
            .tuples()
        )
        counts: Counter[tuple[str, int]] = Counter()
        rows: list[Any] = list(query)
        for type_, at in rows:
            counts[(SERIES[type_], at.hour)] += 1
        with self._lock:
            self._day, self._counts = now.date(), counts

    def add(self, events: Iterable[dict[str, Any]], now: dt.datetime) -> bool:
        """Count committed events; True if any counted."""
        counted = False
        with self._lock:
            if self._day != now.date():
                self._day, self._counts = now.date(), Counter()
            for event in events:
                series = SERIES.get(event["type"])
                if series is not None:
                    self._counts[(series, now.hour)] += 1
                    counted = True
        return counted

    def view(self, now: dt.datetime) -> dict[str, Any]:
        with self._lock:
            counts = dict(self._counts) if self._day == now.date() else {}
        hours = list(range(0, now.hour + 1))
        series = {
            name: [counts.get((name, h), 0) for h in hours]
            for name in dict.fromkeys(SERIES.values())
        }
        return {"hours": hours, "series": series, "today": {k: sum(v) for k, v in series.items()}}

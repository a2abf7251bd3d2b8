"""What the server's own serial devices (scanners, scales) share: a board of their status,
readable from any thread, and handing one event to its device route from a reader thread,
retried while the database is briefly away (the same input id makes a retry harmless)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import peewee
from flask import Flask

from server.hardware.routes import DeviceEvent, Route
from server.spine import Spine

log = logging.getLogger(__name__)


class Status(Protocol):
    @property
    def id(self) -> str: ...


S = TypeVar("S", bound=Status)
# An event waits in the reader thread (the device's bytes wait in the tty) meanwhile.
FEED_ATTEMPTS = 5


class Board(Generic[S]):
    """The status of each device (a frozen dataclass with an `id`), by id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: dict[str, S] = {}

    def add(self, status: S) -> None:
        with self._lock:
            self._status[status.id] = status

    def update(self, device_id: str, **changes: Any) -> None:
        with self._lock:
            current = self._status.get(device_id)
            if current is not None:
                self._status[device_id] = replace(current, **changes)  # type: ignore[type-var]

    def remove(self, device_id: str) -> None:
        with self._lock:
            self._status.pop(device_id, None)

    def get(self, device_id: str) -> S | None:
        with self._lock:
            return self._status.get(device_id)


def naive_utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def route_retrying(app: Flask, spine: Spine, route: Route, event: DeviceEvent) -> None:
    """Run the event's route in an app context, retrying while the database is away."""
    delay = 0.2
    for attempt in range(1, FEED_ATTEMPTS + 1):
        try:
            with app.app_context():
                route(spine, event)
            return
        # the database is busy or away (InterfaceError: a connection it closed, e.g. a
        # PostgreSQL restart; the scan was dropped at once): retry
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            if attempt == FEED_ATTEMPTS:
                raise
            log.warning(
                "%s %s not taken yet (%s), retrying in %.1f s", event.type, event.event_id,
                exc, delay,
            )  # fmt: skip
            time.sleep(delay)
            delay *= 2

"""Collects what device readers deliver (from their threads) and waits for it."""

from __future__ import annotations

import threading
from collections.abc import Callable


class DeviceRecorder:
    def __init__(self) -> None:
        self.scans: list = []
        self.errors: list = []
        self.readings: list = []
        self.statuses: list[str] = []
        self._changed = threading.Condition()

    def _add(self, items: list, item: object) -> None:
        with self._changed:
            items.append(item)
            self._changed.notify_all()

    def on_scan(self, event: object) -> None:
        self._add(self.scans, event)

    def on_error(self, event: object) -> None:
        self._add(self.errors, event)

    def on_reading(self, _device_id: str, reading: object) -> None:
        self._add(self.readings, reading)

    def on_status(self, _device_id: str, status: str, _ts: float) -> None:
        self._add(self.statuses, status)

    def wait(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        with self._changed:
            ok = self._changed.wait_for(condition, timeout)
            assert ok, (self.scans[-3:], self.errors[-3:], self.readings[-3:], self.statuses)

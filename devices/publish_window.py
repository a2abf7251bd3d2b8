"""Accounting of unacknowledged publishes, bounded (docs/performance.md, trap 3).

paho's message ids wrap at 65,535 and a full queue makes ``publish()`` fail quietly, so
the client hands out at most ``limit`` QoS 1/2 publishes before the broker has
acknowledged them. paho may call ``on_publish`` on its network thread before
``publish()`` has returned the mid to us; such early acknowledgements are parked until
:meth:`PublishWindow.track` sees their mid.
"""

from __future__ import annotations

import threading


class WindowFull(Exception):
    """No slot became free in time."""


class PublishWindow:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._changed = threading.Condition()
        self._pending: set[int] = set()
        self._qos0: set[int] = set()
        self._early: dict[int, bool] = {}
        self._reserved = 0

    def __len__(self) -> int:
        with self._changed:
            return len(self._pending) + self._reserved

    def take(self, timeout: float) -> None:
        """Reserve a slot for a QoS 1/2 publish, waiting up to ``timeout`` seconds."""
        with self._changed:
            free = self._changed.wait_for(
                lambda: len(self._pending) + self._reserved < self.limit, timeout
            )
            if not free:
                raise WindowFull(f"{self.limit} publishes still unacknowledged")
            self._reserved += 1

    def give_back(self) -> None:
        """Release a reserved slot whose publish was not handed over."""
        with self._changed:
            self._reserved -= 1
            self._changed.notify_all()

    def track(self, mid: int, qos: int) -> bool | None:
        """Record a handed-over publish; if its ack came early, return that ack's outcome."""
        with self._changed:
            early = self._early.pop(mid, None)
            if qos == 0:
                if early is None:
                    self._qos0.add(mid)
                return None
            self._reserved -= 1
            if early is None:
                self._pending.add(mid)
            else:
                self._changed.notify_all()
            return early

    def settle(self, mid: int, ok: bool) -> bool:
        """An acknowledgement arrived; True when it ends a tracked QoS 1/2 publish."""
        with self._changed:
            if mid in self._qos0:
                self._qos0.discard(mid)
                return False
            if mid not in self._pending:
                self._early[mid] = ok
                return False
            self._pending.discard(mid)
            self._changed.notify_all()
            return True

"""MQTT partitions that outlive a dead process: each partition's ingest runs in the process
that holds the partition's lease (server/leases.py), and a survivor takes over the share
of a member that stays dead.

With `[mqtt] partitions = N` on PostgreSQL every process watches all N partitions:

- its own (`[mqtt] partition`): it holds the lease `mqtt member <i>` (it is alive) and runs
  partition i's ingest once it holds `mqtt partition <i>`;
- each other one, j: when nobody has held `mqtt member <j>` for `takeover_after_s` (the
  process is dead, not restarting), it takes `mqtt partition <j>` and runs partition j's
  ingest as well: the same client id, so the same broker session, whose queued messages
  it drains (QoS 1: none lost; one consumer at a time: each device's order kept; a message
  committed but not acknowledged when its process died is redelivered and skipped as a
  duplicate). When member j is back, the survivor stops that ingest and lets the lease go;
  j takes its partition again at its next turn (within `TURN_S`).

At most one process runs a partition's ingest at a time: the lease is held on a connection
of its own and goes when that process's connection closes (kill -9 included). A process
that loses its connection to PostgreSQL stops the partitions it can no longer prove it
holds. Two processes configured with the same partition are an active and a standby.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from flask import Flask

from server import db
from server.hardware.ingest import MqttIngest
from server.leases import Lease

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)

TURN_S = 0.5


class Slot:
    """One partition as this process sees it: its leases and its ingest while it runs here."""

    def __init__(self, number: int, own: bool) -> None:
        self.number, self.own = number, own
        self.lease = Lease(f"mqtt partition {number}")
        self.member = Lease(f"mqtt member {number}")  # its own process is alive
        self.ingest: MqttIngest | None = None
        self.absent_since: float | None = None  # when its member was first seen gone

    def wanted(self, now: float, takeover_after_s: float) -> bool:
        """Whether this process should run the partition now."""
        if self.own:
            self.member.held()  # says "alive" to the others (a standby waits for it)
            return True
        if takeover_after_s <= 0 or not self.member.vacant():
            self.absent_since = None
            return False
        if self.absent_since is None:
            self.absent_since = now
        return now - self.absent_since >= takeover_after_s


class PartitionFailover:
    name = "mqtt-ingest"

    def __init__(self, app: Flask, runtime: Runtime) -> None:
        self.app, self.runtime = app, runtime
        settings = runtime.settings.section("mqtt")
        self.takeover_after_s = settings.takeover_after_s
        self.slots = [Slot(j, j == settings.partition) for j in range(settings.partitions)]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mqtt-partitions", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(15)
        for slot in self.slots:
            self._let_go(slot)
            slot.member.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            for slot in self.slots:
                if self._stop.is_set():
                    return
                try:
                    self._turn(slot)
                except Exception:
                    log.exception("MQTT partition %s: turn failed", slot.number)
            self._stop.wait(TURN_S)

    def _turn(self, slot: Slot) -> None:
        wanted = slot.wanted(time.monotonic(), self.takeover_after_s)
        if wanted and slot.lease.held():  # held() also proves a running one still holds it
            if slot.ingest is None:
                self._take(slot)
        elif slot.ingest is not None or slot.lease.held_here:
            self._let_go(slot)

    def _take(self, slot: Slot) -> None:
        if not slot.own:
            log.warning(
                "MQTT partition %s: its process is gone; taking its devices over", slot.number
            )
        slot.ingest = MqttIngest(self.app, self.runtime, None if slot.own else slot.number)
        slot.ingest.start()

    def _let_go(self, slot: Slot) -> None:
        ingest, slot.ingest = slot.ingest, None
        if ingest is not None:
            ingest.stop()  # what it has not acknowledged stays in the broker session
            if not slot.own:
                log.info("MQTT partition %s: its process is back; handing it over", slot.number)
        slot.lease.release()


def build(app: Flask, runtime: Runtime) -> list[Any]:
    """The hardware area's MQTT service: one ingest, or N partitions with failover on
    PostgreSQL (SQLite has one `serve`, so one partition)."""
    settings = runtime.settings.section("mqtt")
    if not settings.enabled:
        return []
    if settings.partitions > 1 and db.is_postgres():
        return [PartitionFailover(app, runtime)]
    return [MqttIngest(app, runtime)]

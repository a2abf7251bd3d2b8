"""The serial devices' status, shared through the database with the site's other processes.

A serial scanner or scale is read by one process of the host it is plugged into (the
others of that host see its port held elsewhere; other hosts do not have it at all), and
its status lives in that process's memory (scanners.BOARD, scales.BOARD). So that GET
/api/v1/devices answers the same whichever process behind the load balancer answers it,
and the CLI's `floorlink devices list` sees serial devices too, each process writes the
status of the serial devices it does not see held elsewhere to `hardware_device` (its
`session` is "serial@<host>", which tells these rows from MQTT devices): when it changes,
checked every `INTERVAL_S`, and every `HEARTBEAT_S` while the device is online. A row not
refreshed within `FRESH_S` is the status of a process that died: shown offline.

Pure rules (`shared_row`, `as_status`, `fresh`) and the one service that writes (`Share`).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import peewee

from server import db
from server.hardware import scales, scanners
from server.models import utcnow
from server.models.hardware import HardwareDevice

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime

log = logging.getLogger(__name__)

INTERVAL_S = 1.0
HEARTBEAT_S = 5.0
FRESH_S = 15.0
MARK = "serial@"
# The status fields a row carries in its `state`, by kind (the rest are columns or config).
FIELDS = {
    "scanner": ("station", "port", "last_scan"),
    "scale": ("station", "port", "grams", "stable", "last_weight", "last_error"),
}

Status = scanners.ScannerStatus | scales.ScaleStatus


def is_shared(row: HardwareDevice) -> bool:
    return bool(row.session and str(row.session).startswith(MARK))


def shared_row(kind: str, status: Status, host: str) -> dict[str, Any]:
    """The `hardware_device` row that says `status` to the other processes."""
    return {
        "id": status.id,
        "kind": kind,
        "bridge_id": None,
        "availability": status.availability,
        "session": f"{MARK}{host}"[:64],
        "state": {name: getattr(status, name) for name in FIELDS[kind]},
        "last_seen": status.last_seen,
    }


def fresh(row: HardwareDevice, now: datetime) -> bool:
    return row.state_at is not None and now - row.state_at <= timedelta(seconds=FRESH_S)


def as_status(row: HardwareDevice, now: datetime, held_elsewhere: bool) -> Status:
    """The status a shared row says (offline once its writer stopped refreshing it)."""
    fields = {k: v for k, v in dict(row.state or {}).items() if k in FIELDS[row.kind]}
    cls = scales.ScaleStatus if row.kind == "scale" else scanners.ScannerStatus
    defaults = {"station": None, "port": ""}
    return cls(
        id=row.id,
        availability=str(row.availability or "offline") if fresh(row, now) else "offline",
        held_elsewhere=held_elsewhere,
        last_seen=row.last_seen,
        **(defaults | fields),
    )


def read_by(row: HardwareDevice) -> str:
    return str(row.session).removeprefix(MARK)


class Share:
    """Writes this process's serial device statuses (those it does not see held elsewhere)."""

    name = "serial-status"

    def __init__(self, runtime: Runtime) -> None:
        self.host = socket.gethostname()
        self.devices = [("scanner", s.id) for s in runtime.settings.section("scanners")] + [
            ("scale", s.id) for s in runtime.settings.section("scales")
        ]
        self._written: dict[str, tuple[dict[str, Any], float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL_S):
            try:
                self.turn(time.monotonic())
            except (peewee.OperationalError, peewee.InterfaceError) as exc:
                log.warning("serial device statuses not shared: %s; trying again", exc)
            except Exception:  # a bug must not stop the sharing for good
                log.exception("serial device statuses not shared")

    def due(self, now: float) -> list[dict[str, Any]]:
        """The rows to write now: changed, or online and not refreshed for HEARTBEAT_S."""
        out = []
        for kind, device_id in self.devices:
            board = scanners.BOARD if kind == "scanner" else scales.BOARD
            status = board.get(device_id)
            if status is None or status.held_elsewhere:
                continue  # the process that reads it says it
            row = shared_row(kind, status, self.host)
            last = self._written.get(device_id)
            online = row["availability"] == "online"
            if last is None or last[0] != row or (online and now - last[1] >= HEARTBEAT_S):
                out.append(row)
        return out

    def turn(self, now: float) -> None:
        rows = self.due(now)
        if not rows:
            return
        at = utcnow()
        with db.connection(), db.database.atomic():
            for row in rows:
                values = row | {"state_at": at}
                update = {getattr(HardwareDevice, k): v for k, v in values.items() if k != "id"}
                HardwareDevice.insert(**values).on_conflict(
                    conflict_target=[HardwareDevice.id], update=update
                ).execute()
        for row in rows:
            self._written[row["id"]] = (row, now)


def build(app: Flask, runtime: Runtime) -> list[Share]:
    del app
    settings = runtime.settings
    if not settings.section("scanners") and not settings.section("scales"):
        return []
    return [Share(runtime)]

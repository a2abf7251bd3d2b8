"""Dock doors on the floor: a door sensor's reading changes the dispatchers' screens at its
dock at once, and a door left open with nothing loaded raises a supervisor exception
(`dock_door_open`: security, heating, cold chain), resolved when the door closes.

A door's state is the registry's (its retained `device/<door>/state` `{"open"}`), not an
event of its own; the `door` event the sensor sends with each change is the device route
that re-renders the dispatchers at the dock (server/hardware/routes.py). The sweep runs in
one process (`floorlink serve`) every `door_sweep_interval_s`, idempotent: at most one open
exception per door.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from server.db import connection
from server.dispatch import docks
from server.floor import inputs
from server.hardware.routes import DeviceEvent
from server.models import HardwareDevice, Location, SupervisorException, isoformat, utcnow
from server.models.dispatch import Manifest, ManifestPackage
from server.models.sync import ExceptionStatus
from server.spine import Actor, Handlers, Spine, Unit
from server.supervision.exceptions import raise_exception, resolve_open
from server.sweeps import Sweep

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)
HANDLERS = Handlers()
DOOR_OPEN = "dock_door_open"
WATCH = Actor("system", "dock-doors")


@dataclass(frozen=True)
class SweepDockDoors:
    door: str | None = None  # one door (after its event), or every configured door
    now: datetime | None = None  # naive UTC; None: now


def idle_since(opened_at: datetime | None, last_load: datetime | None) -> datetime | None:
    """Since when an open door has seen no loading (the later of its opening and the last
    package loaded at its dock): pure, for the rule's tests."""
    found = [t for t in (opened_at, last_load) if t is not None]
    return max(found) if found else None


def _last_load(dock: str) -> datetime | None:
    row = (
        ManifestPackage.select(ManifestPackage.loaded_at)
        .join(Manifest, on=(ManifestPackage.manifest == Manifest.id))
        .join(Location, on=(Manifest.dock == Location.id))
        .where(Location.code == dock)
        .order_by(ManifestPackage.loaded_at.desc())
        .first()
    )
    return row.loaded_at if row is not None else None


@HANDLERS.handles(SweepDockDoors)
def sweep_dock_doors(cmd: SweepDockDoors, unit: Unit) -> dict[str, list[str]]:
    settings = unit.env.settings
    alert_s = settings.section("dispatch").door_open_alert_s
    now = cmd.now or utcnow()
    raised, resolved = [], []
    for device, dock in sorted(docks.doors(settings).items()):
        if cmd.door is not None and device != cmd.door:
            continue
        row = HardwareDevice.get_or_none(HardwareDevice.id == device)
        status = docks.door_status(settings, row, now)
        subject = f"location:{dock}"
        is_open = SupervisorException.select().where(
            SupervisorException.kind == DOOR_OPEN,
            SupervisorException.subject == subject,
            SupervisorException.status == ExceptionStatus.OPEN,
        )
        if status == "closed" and is_open.exists():
            resolve_open(unit, kind=DOOR_OPEN, subject=subject, resolution="the door was closed")
            resolved.append(dock)
        if status != "open" or row is None:
            continue
        since = idle_since(row.state_at, _last_load(dock))
        if since is None or (now - since).total_seconds() < alert_s or is_open.exists():
            continue
        minutes = int((now - since).total_seconds() // 60)
        raise_exception(
            unit,
            kind=DOOR_OPEN,
            subject=subject,
            message=(
                f"The door of {dock} has been open for {minutes} min with nothing loaded: "
                "close it (security, heating, cold chain)"
            ),
            data={
                "dock": dock,
                "door": device,
                "open_since": isoformat(row.state_at),
                "idle_since": isoformat(since),
                "alert_after_s": alert_s,
            },  # fmt: skip
        )
        raised.append(dock)
    return {"raised": raised, "resolved": resolved}


def door_changed(spine: Spine, event: DeviceEvent) -> None:
    """Device route "door": the dispatchers at the dock see the door as it is now (their
    screens re-rendered from the registry and pushed), and a closed door resolves its
    open-door exception at once. Idempotent: a redelivery renders the same screens."""
    dock = event.location or docks.doors(spine.env.settings).get(event.device_id)
    if not dock:
        return
    with connection():
        sessions = [sid for sid, _ in docks.dispatchers(dock=dock)]
    inputs.refresh(spine, sessions)
    if not event.data.get("open"):
        spine.execute(SweepDockDoors(door=event.device_id), WATCH)


def _routed(row: HardwareDevice | None, status: str) -> bool:
    """The door's last event said what its state says: the route re-rendered already."""
    last = (row.last_event or {}) if row is not None else {}
    said = (last.get("data") or {}).get("open")
    return (
        last.get("type") == "door" and status in ("open", "closed") and (said == (status == "open"))
    )


class DoorWatch(Sweep):
    """The open-door sweep of `floorlink serve` (server/sweeps.py), which also follows the
    doors whose status changed without a `door` event."""

    def __init__(self, runtime: Runtime) -> None:
        def every() -> float:
            return float(runtime.settings.section("dispatch").door_sweep_interval_s)

        super().__init__(runtime, "dock-doors", every, SweepDockDoors, WATCH)
        self._seen: dict[str, str] = {}  # door -> the status the last sweep saw

    def run_once(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] | None = super().run_once()
        if result is None:
            return {"raised": [], "resolved": []}
        try:
            self._follow()
        except Exception:
            log.exception("following the dock doors failed")
        if result["raised"] or result["resolved"]:
            log.info("dock doors: raised %s, resolved %s", result["raised"], result["resolved"])
        return result

    sweep = run_once

    def _follow(self) -> None:
        """A door whose status changed since the last sweep without its `door` event (a
        sensor that publishes only its state, a sensor gone stale): its dock's dispatchers
        are re-rendered, as the route does at once for the event."""
        settings, now = self.runtime.settings, utcnow()
        changed: list[str] = []
        with connection():
            for device, dock in docks.doors(settings).items():
                row = HardwareDevice.get_or_none(HardwareDevice.id == device)
                status = docks.door_status(settings, row, now)
                if self._seen.get(device, status) != status and not _routed(row, status):
                    changed.extend(sid for sid, _ in docks.dispatchers(dock=dock))
                self._seen[device] = status
        inputs.refresh(self.runtime.spine, changed)

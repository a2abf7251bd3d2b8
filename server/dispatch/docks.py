"""Docks and their doors: which door sensor serves a dock (config `[[devices]]`, kind
`door`, `location` the dock's code), what it says (the device registry: its retained state
`{"open"}` and its availability), and which dispatchers work at a dock (their sessions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.config import Settings
from server.dispatch.rules import DoorFacts
from server.hardware.store import shown_availability
from server.models import FloorSession, HardwareDevice, Location, isoformat, utcnow

FLOW = "dispatch"


def door_of(settings: Settings, dock: str) -> str | None:
    """The door sensor configured at this dock, if any."""
    devices = settings.section("devices")
    return next((d.id for d in devices if d.kind == "door" and d.location == dock), None)


def doors(settings: Settings) -> dict[str, str]:
    """Every configured door sensor with its dock: device id -> dock code."""
    return {d.id: d.location for d in settings.section("devices") if d.kind == "door"}


def door_facts(settings: Settings, dock: str, now: datetime | None = None) -> DoorFacts:
    device = door_of(settings, dock)
    if device is None:
        return DoorFacts(None, "none")
    row = HardwareDevice.get_or_none(HardwareDevice.id == device)
    return DoorFacts(device, door_status(settings, row, now or utcnow()))


def door_status(settings: Settings, row: HardwareDevice | None, now: datetime) -> Any:
    """open | closed | offline, from the registry row (None: never heard)."""
    if row is None or not isinstance(row.state, dict) or "open" not in row.state:
        return "offline"
    if shown_availability(row, settings.section("mqtt").stale_after_s, now) == "offline":
        return "offline"
    return "open" if row.state.get("open") else "closed"


def door_view(settings: Settings, dock: str) -> dict[str, Any]:
    """The door as the dispatcher's screen shows it: {"device", "status", "since"}."""
    device = door_of(settings, dock)
    if device is None:
        return {"device": None, "status": "none", "since": None}
    row = HardwareDevice.get_or_none(HardwareDevice.id == device)
    status = door_status(settings, row, utcnow())
    since = isoformat(row.state_at) if row is not None else None
    return {"device": device, "status": status, "since": since}


def dock_of(text: str) -> Location | None:
    """The dock a scan names (by code or barcode), or None when it is no dock."""
    row = Location.get_or_none((Location.code == text) | (Location.barcode == text))
    return row if row is not None and row.kind == "dock" else None


def dispatchers(*, dock: str | None = None, manifests: set[str] | None = None) -> list[Any]:
    """Open dispatch sessions at this dock or on these manifests, as (session id, badge);
    few sessions, so their scratch state is read in Python."""
    query = FloorSession.select(
        FloorSession.session_id, FloorSession.badge, FloorSession.state
    ).where(FloorSession.ended_at.is_null(), FloorSession.flow == FLOW)
    found = []
    for row in query:
        state = (row.state or {}).get(FLOW) or {}
        if (dock is not None and state.get("dock") == dock) or (
            manifests is not None and state.get("manifest") in manifests
        ):
            found.append((row.session_id, row.badge))
    return found

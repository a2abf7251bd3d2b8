"""What a pack station has (config `[[devices]]` at the station, or a `[[scales]]` scale on
this server) and what its devices say: the scale's last reading and whether it is online
(the device registry for a bridge's scale, the serial scales' board for one of this
server), the printer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.config import Settings
from server.hardware import scales
from server.hardware.store import shown_availability
from server.models import HardwareDevice


@dataclass(frozen=True)
class StationDevices:
    scale: str | None
    printer: str | None


def devices_at(settings: Settings, station: str | None) -> StationDevices:
    if station is None:
        return StationDevices(None, None)
    devices = [d for d in settings.section("devices") if d.station == station]
    scale = next((d.id for d in devices if d.kind == "scale"), None)
    if scale is None:  # a scale on this server's serial port
        scale = next((s.id for s in settings.section("scales") if s.station == station), None)
    printer = next((d.id for d in devices if d.kind == "printer"), None)
    return StationDevices(scale, printer)


def scale_stations(settings: Settings, device_ids: set[str]) -> set[str]:
    """The stations whose scale is one of `device_ids`, or is behind one of them (a bridge)."""
    at = {d.id: d.station for d in settings.section("devices") if d.kind == "scale" and d.station}
    if not at:
        return set()
    behind = HardwareDevice.select(HardwareDevice.id).where(
        HardwareDevice.bridge_id.in_(list(device_ids)), HardwareDevice.id.in_(list(at))
    )
    return {at[d] for d in device_ids | {row.id for row in behind} if d in at}


def printer_address(settings: Settings, printer: str) -> str | None:
    found = next((d for d in settings.section("devices") if d.id == printer), None)
    return found.address if found is not None and found.address else None


def scale_reading(scale: str, stale_after_s: float = 120.0) -> dict[str, Any]:
    """The scale as the screen shows it: {"device", "status": offline|live|stable, "grams"}.
    A bridge's scale is offline when it or its bridge is (`[mqtt] stale_after_s`)."""
    serial = scales.BOARD.get(scale)  # a scale this process reads
    if serial is not None:
        if serial.availability != "online" or serial.grams is None:
            return {"device": scale, "status": "offline", "grams": None}
        shown = "stable" if serial.stable else "live"
        return {"device": scale, "status": shown, "grams": serial.grams}
    # availability is the bridge's retained word (with its last will): an idle scale
    # publishes nothing new, and is still online
    row = HardwareDevice.get_or_none(HardwareDevice.id == scale)
    if row is None or row.state is None or shown_availability(row, stale_after_s) == "offline":
        return {"device": scale, "status": "offline", "grams": None}
    grams = row.state.get("grams")
    stable = bool(row.state.get("stable"))
    status = "stable" if stable else "live"
    return {"device": scale, "status": status, "grams": grams}

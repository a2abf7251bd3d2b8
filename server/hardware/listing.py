"""Every device of the site in one list: MQTT devices and bridges (registry + config),
serial scanners and scales of this server, and the kiosks the caller passes (the floor's
`list_kiosks()`: hardware does not reach into the floor)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from server.config import Settings
from server.hardware import scales, scanners, serial_share
from server.hardware.availability import Seen, availability, is_stale
from server.hardware.link import MqttLink
from server.hardware.settings import DeviceSettings
from server.models import isoformat, utcnow
from server.models.hardware import HardwareDevice

log = logging.getLogger(__name__)


def list_devices(
    settings: Settings,
    link: MqttLink | None,
    kiosks: Callable[[], Iterable[Any]] = lambda: (),
    printers: Callable[[], Mapping[str, dict[str, Any]]] = dict,
    *,
    last_known: bool = False,
) -> list[dict[str, Any]]:
    """Every device; `last_known` shows MQTT devices as last heard (for the CLI, which has
    no broker connection of its own) instead of offline while the server hears no broker."""
    now = utcnow()
    everything = list(HardwareDevice.select())
    rows = {row.id: row for row in everything if not serial_share.is_shared(row)}
    shared = {row.id: row for row in everything if serial_share.is_shared(row)}
    devices = settings.section("devices")
    configured = {d.id: d for d in devices if d.kind != "printer"}
    connected = last_known or (link is not None and link.connected)
    out = [
        _mqtt_device(
            device_id, rows, configured, connected, now, settings.section("mqtt").stale_after_s
        )
        for device_id in sorted(set(rows) | set(configured))
    ]
    out.extend(_serial(settings, shared, now))
    out.extend(_printers([d for d in devices if d.kind == "printer"], printers()))
    try:
        out.extend(_kiosk(k) for k in kiosks())
    except Exception:  # a broken kiosk listing must not hide the other devices
        log.exception("kiosks could not be listed with the devices")
    return out


def _printers(
    devices: list[DeviceSettings], states: Mapping[str, dict[str, Any]]
) -> Iterable[dict[str, Any]]:
    """Network label printers: online once a label went through, offline after a failure
    (what the sending process saw), unknown before the first label."""
    for device in devices:
        state = states.get(device.id, {})
        yield {
            "id": device.id,
            "kind": "printer",
            "source": "network",
            "assigned": bool(device.station),
            "station": device.station or None,
            "location": device.location or None,
            "bridge": None,
            "availability": state.get("availability", "unknown"),
            "stale": False,
            "last_seen": state.get("last_seen"),
            "state": {"address": device.address, "last_error": state.get("last_error")},
            "last_event": None,
            "last_command": None,
        }


def _mqtt_device(
    device_id: str,
    rows: dict[str, HardwareDevice],
    configured: dict[str, DeviceSettings],
    connected: bool,
    now: datetime,
    stale_after_s: float,
) -> dict[str, Any]:
    row, config = rows.get(device_id), configured.get(device_id)
    bridge_id = (config.bridge if config else "") or (row.bridge_id if row else None)
    bridge = rows.get(bridge_id) if bridge_id else None
    seen = _seen(row)
    bridge_seen = None if not bridge_id else _seen(bridge)
    kind = (config.kind if config else "") or (row.kind if row else "") or "unknown"
    return {
        "id": device_id,
        "kind": kind,
        "source": "mqtt",
        "assigned": config is not None,
        "station": (config.station or None) if config else None,
        "location": (config.location or None) if config else None,
        "bridge": bridge_id or None,
        "availability": availability(seen, bridge_seen, connected, now, stale_after_s),
        "stale": is_stale(seen.last_seen, now, stale_after_s),
        "last_seen": isoformat(seen.last_seen),
        "state": row.state if row else None,
        "last_event": row.last_event if row else None,
        "last_command": row.last_command if row else None,
    }


def _seen(row: HardwareDevice | None) -> Seen:
    return Seen(None, None) if row is None else Seen(row.availability, row.last_seen)


def _serial(
    settings: Settings, shared: Mapping[str, HardwareDevice], now: datetime
) -> Iterable[dict[str, Any]]:
    """Serial scanners and scales: as this process reads them, or, where another process
    reads the port (held elsewhere) or the device is another host's, as that process
    shares it through the database (server/hardware/serial_share.py)."""
    local: dict[str, Any] = {}  # id -> this process's reading of it, None if it reads none
    unread: dict[str, Any] = {}  # what to show of a device nobody shares a status of
    for scanner in settings.section("scanners"):
        local[scanner.id] = scanners.BOARD.get(scanner.id)
        unread[scanner.id] = scanners.ScannerStatus(
            scanner.id, scanner.station or None, scanner.port
        )
    for scale in settings.section("scales"):
        local[scale.id] = scales.BOARD.get(scale.id)
        unread[scale.id] = scales.ScaleStatus(scale.id, scale.station or None, scale.port)
    for device_id, status in local.items():
        row = shared.get(device_id)
        elsewhere = status is None or status.held_elsewhere  # the CLI reads no port
        if elsewhere and row is not None and serial_share.fresh(row, now):
            held = status is not None and status.held_elsewhere
            yield _serial_device(serial_share.as_status(row, now, held_elsewhere=held), row)
        else:
            yield _serial_device(status or unread[device_id], None)
    for device_id, row in sorted(shared.items()):
        if device_id not in local:  # another host's
            yield _serial_device(serial_share.as_status(row, now, held_elsewhere=True), row)


def _serial_device(status: Any, row: HardwareDevice | None) -> dict[str, Any]:
    scale = isinstance(status, scales.ScaleStatus)
    state: dict[str, Any] = {"port": status.port}
    if scale:
        grams = status.grams
        state |= {
            "held_elsewhere": status.held_elsewhere,
            "grams": grams,
            "stable": status.stable if grams is not None else None,
            "last_error": status.last_error,
        }
    else:
        state |= {"last_scan": status.last_scan, "held_elsewhere": status.held_elsewhere}
    state["read_by"] = serial_share.read_by(row) if row is not None else None
    return {
        "id": status.id,
        "kind": "scale" if scale else "scanner",
        "source": "serial",
        "assigned": bool(status.station),
        "station": status.station or None,
        "location": None,
        "bridge": None,
        "availability": status.availability,
        "stale": False,
        "last_seen": isoformat(status.last_seen) if status.last_seen else None,
        "state": state,
        "last_event": status.last_weight if scale else None,
        "last_command": None,
    }


def _kiosk(kiosk: Any) -> dict[str, Any]:
    data = kiosk if isinstance(kiosk, dict) else vars(kiosk)
    last_seen = data.get("last_seen")
    return {
        "id": str(data.get("id")),
        "kind": data.get("kind") or "kiosk",
        "source": "kiosk",
        "assigned": bool(data.get("station")),
        "station": data.get("station"),
        "location": None,
        "bridge": None,
        "availability": data.get("availability") or "offline",
        "stale": False,
        "last_seen": isoformat(last_seen) if isinstance(last_seen, datetime) else last_seen,
        "state": data.get("state"),
        "last_event": None,
        "last_command": None,
    }

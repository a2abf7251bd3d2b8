"""Devices for supervisors: every device with its availability, and the MQTT ingest figures."""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint
from pydantic import BaseModel

from server.api.routing import operation
from server.floor.kiosks import list_kiosks
from server.hardware.listing import list_devices
from server.packing.printing import printer_states
from server.runtime import runtime

bp = Blueprint("devices", __name__, url_prefix="/api/v1")


class DeviceOut(BaseModel):
    id: str
    kind: str
    source: Literal["mqtt", "serial", "kiosk"]
    assigned: bool
    station: str | None
    location: str | None
    bridge: str | None
    availability: Literal["online", "offline"]
    stale: bool
    last_seen: str | None
    state: dict[str, Any] | None
    last_event: dict[str, Any] | None
    last_command: dict[str, Any] | None


class MqttStatus(BaseModel):
    enabled: bool
    connected: bool


class DeviceList(BaseModel):
    data: list[DeviceOut]
    next_cursor: str | None
    has_more: bool
    mqtt: MqttStatus


class DeviceStats(BaseModel):
    mqtt: MqttStatus
    ingest: dict[str, Any]


def _mqtt_status() -> dict[str, bool]:
    rt = runtime()
    return {"enabled": rt.settings.section("mqtt").enabled, "connected": rt.mqtt.connected}


@operation(
    bp,
    "/devices",
    "GET",
    access="admin",
    tag="devices",
    summary="Every device (MQTT devices and bridges, serial scanners, kiosks) and its availability",
    responses={200: ("The devices", DeviceList)},
)
def get_devices() -> Any:
    rt = runtime()
    data = list_devices(rt.settings, rt.mqtt, list_kiosks, printer_states)
    return {"data": data, "next_cursor": None, "has_more": False, "mqtt": _mqtt_status()}


@operation(
    bp,
    "/devices/stats",
    "GET",
    access="admin",
    tag="devices",
    summary="MQTT ingest counters: received, ingested, duplicates, malformed, ...",
    responses={200: ("The counters", DeviceStats)},
)
def get_device_stats() -> Any:
    ingest = runtime().mqtt.stats.snapshot()
    return {"mqtt": _mqtt_status(), "ingest": ingest}

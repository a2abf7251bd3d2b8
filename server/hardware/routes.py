"""Where a device event goes on the floor: a registry keyed by event type (routing is data).

    EVENT_ROUTES["scan"]  -> the session open at the device's station (feed_station_scan)
    EVENT_ROUTES["press"] -> registered by picking (pick-to-light button confirms a pick)

A route gets the spine and a :class:`DeviceEvent` (the MQTT event plus where the device
serves, from the `[[devices]]` config). It runs after the ingest batch committed and
before the MQTT message is acked, so it MUST be idempotent on `event.input_id`: pass it as
the input id / `Dedupe` key of the command it runs, and a redelivery has no second effect.
An event type without a route only updates the registry (last event, last seen).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from devices import device_data
from devices.payloads import DeviceEvent as MqttEvent
from server.config import DeviceSettings
from server.spine import Dedupe, Spine

log = logging.getLogger(__name__)

FLOOR_SCANS = "server.floor.stations"  # where the floor machinery keeps feed_station_scan


@dataclass(frozen=True)
class DeviceEvent:
    """One event of a device, with the device's assignment from config."""

    device_id: str
    type: str
    event_id: str
    ts: datetime
    historical: bool
    data: dict[str, Any]
    kind: str | None = None
    station: str | None = None
    location: str | None = None
    bridge: str | None = None

    @property
    def input_id(self) -> str:
        """The stable id to de-duplicate the command this event causes."""
        return f"mqtt:{self.event_id}"

    @property
    def source(self) -> str:
        return f"mqtt:{self.device_id}"

    def dedupe(self) -> Dedupe:
        return Dedupe(self.input_id)


Route = Callable[[Spine, DeviceEvent], None]
EVENT_ROUTES: dict[str, Route] = {}


def route(event_type: str) -> Callable[[Route], Route]:
    """Register the route of an event type (a second registration replaces the first)."""

    def register(fn: Route) -> Route:
        EVENT_ROUTES[event_type] = fn
        return fn

    return register


def device_event(event: MqttEvent, config: DeviceSettings | None) -> DeviceEvent:
    return DeviceEvent(
        device_id=event.device_id,
        type=event.type,
        event_id=event.event_id,
        ts=event.ts,
        historical=event.historical,
        data=device_data.as_dict(event.data),
        kind=config.kind if config else None,
        station=(config.station or None) if config else None,
        location=(config.location or None) if config else None,
        bridge=(config.bridge or None) if config else None,
    )


def feed_station_scan() -> Callable[..., Any] | None:
    """The floor machinery's `feed_station_scan(spine, station, raw, input_id, source)`."""
    if importlib.util.find_spec(FLOOR_SCANS) is None:
        return None
    return getattr(importlib.import_module(FLOOR_SCANS), "feed_station_scan", None)


def scan_to_station(spine: Spine, event: DeviceEvent) -> None:
    """A bridge scanner's scan goes to the session open at its station, like a kiosk scan."""
    if event.station is None:
        log.warning(
            "scan from %s dropped: the device has no station in [[devices]]", event.device_id
        )
        return
    feed = feed_station_scan()
    if feed is None:
        log.error("scan from %s not delivered: the floor has no feed_station_scan", event.device_id)
        return
    feed(spine, event.station, str(event.data.get("raw", "")), event.input_id, event.source)


def scan_error_to_station(spine: Spine, event: DeviceEvent) -> None:
    """A line the bridge could not decode: the station's screen shows the decode error."""
    if event.data.get("raw"):
        scan_to_station(spine, event)


EVENT_ROUTES["scan"] = scan_to_station
EVENT_ROUTES["scan_error"] = scan_error_to_station

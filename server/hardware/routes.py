"""Where a device event goes on the floor: routes keyed by event type (routing is data).

Areas declare their routes (`Area.device_routes`, server/area.py); the bootstrap merges
them and hands them to the MQTT ingest:

    "scan", "scan_error" -> the floor: the session open at the device's station
    "press"              -> picking: a pick-to-light button confirms a pick

A route gets the spine and a :class:`DeviceEvent` (the MQTT event plus where the device
serves, from the `[[devices]]` config). It runs after the ingest batch committed and
before the MQTT message is acked, so it MUST be idempotent on `event.input_id`: pass it as
the input id / `Dedupe` key of the command it runs, and a redelivery has no second effect.
An event type without a route only updates the registry (last event, last seen).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from devices import device_data
from devices.payloads import DeviceEvent as MqttEvent
from server.hardware.settings import DeviceSettings
from server.spine import Dedupe, Spine

log = logging.getLogger(__name__)


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
    origin: str = "mqtt"  # "mqtt" (a bridge or sensor) or "serial" (a scanner on this host)

    @property
    def input_id(self) -> str:
        """The stable id to de-duplicate the command this event causes."""
        return f"{self.origin}:{self.event_id}"

    @property
    def source(self) -> str:
        return f"{self.origin}:{self.device_id}"

    def dedupe(self) -> Dedupe:
        return Dedupe(self.input_id)


Route = Callable[[Spine, DeviceEvent], None]
# The one route keyed by no event type: fn(spine, device ids whose state changed in a
# committed batch), for showing a state live (server/hardware/dispatch.py `_states`).
STATES = "state"


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

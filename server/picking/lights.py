"""Pick-to-light, through a narrow port: which light serves a location, and send it a command.

The flow records `light.commanded` (subject `device:<id>`) in the input's transaction; the
after-commit listener sends it, so a light never shows what was rolled back. The port is
built at bootstrap (server/hardware/lights.py `MqttLights`, MQTT `cmd/show` / `cmd/off`);
tests give their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from server.hardware.lights import LightPort
from server.picking.events import LightCommanded
from server.spine import Unit

log = logging.getLogger(__name__)
COMMANDED = LightCommanded.type


class Lights:
    """Picking's lights: the commands a pick records, sent after commit."""

    def __init__(self, port: Callable[[], LightPort], ttl_s: float) -> None:
        self._port = port  # the running server's port (runtime.lights), read at each use
        self.ttl_s = ttl_s

    @property
    def port(self) -> LightPort:
        return self._port()

    def light_at_location(self, location: str) -> str | None:
        return self.port.light_at_location(location)

    def show(self, unit: Unit, location: str, qty: int, sku: str) -> None:
        device = self.port.light_at_location(location)
        if device is not None:
            payload = {"text": f"{qty} {sku}"[:16], "color": "green", "qty": qty}
            unit.record(LightCommanded(device, "show", payload))

    def off(self, unit: Unit, location: str) -> None:
        device = self.port.light_at_location(location)
        if device is not None:
            unit.record(LightCommanded(device, "off", {}))

    def send_committed(self, events: list[dict[str, Any]]) -> None:
        """After-commit listener (for `light.commanded`): send the commands that committed."""
        for event in events:
            if event["type"] != COMMANDED:
                continue
            device = event["subject"].removeprefix("device:")
            data = event["data"]
            try:
                self.port.send_command(device, data["name"], data["payload"], self.ttl_s)
            except Exception:
                log.exception("light command %s to %s failed", data["name"], device)

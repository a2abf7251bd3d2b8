"""Pick-to-light, through a narrow port: which light serves a location, and send it a command.

The flow records `light.commanded` (subject `device:<id>`) in the input's transaction; the
after-commit listener sends it, so a light never shows what was rolled back. The default
port is server.hardware.lights (MQTT `cmd/show` / `cmd/off`); tests install their own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from server.spine import Unit

log = logging.getLogger(__name__)
COMMANDED = "light.commanded"


class LightPort(Protocol):
    def light_at_location(self, location_code: str) -> str | None: ...

    def send_command(
        self, device_id: str, name: str, payload: Mapping[str, Any], ttl_s: float
    ) -> str | None: ...


class HardwareLights:
    """The real lights: server.hardware.lights over MQTT."""

    def light_at_location(self, location_code: str) -> str | None:
        from server.hardware import lights

        return lights.light_at_location(location_code)

    def send_command(
        self, device_id: str, name: str, payload: Mapping[str, Any], ttl_s: float
    ) -> str | None:
        from server.hardware import lights

        return lights.send_command(device_id, name, payload, ttl_s)


_port: list[LightPort] = [HardwareLights()]
_ttl_s: list[float] = [600.0]


def install(port: LightPort, ttl_s: float | None = None) -> None:
    _port[0] = port
    if ttl_s is not None:
        _ttl_s[0] = ttl_s


def port() -> LightPort:
    return _port[0]


def show(unit: Unit, location: str, qty: int, sku: str) -> None:
    device = port().light_at_location(location)
    if device is not None:
        payload = {"text": f"{qty} {sku}"[:16], "color": "green", "qty": qty}
        unit.record(COMMANDED, f"device:{device}", {"name": "show", "payload": payload})


def off(unit: Unit, location: str) -> None:
    device = port().light_at_location(location)
    if device is not None:
        unit.record(COMMANDED, f"device:{device}", {"name": "off", "payload": {}})


def send_committed(events: list[dict[str, Any]]) -> None:
    """After-commit listener: send the light commands that just committed."""
    for event in events:
        if event["type"] != COMMANDED:
            continue
        device = event["subject"].removeprefix("device:")
        data = event["data"]
        try:
            port().send_command(device, data["name"], data["payload"], _ttl_s[0])
        except Exception:
            log.exception("light command %s to %s failed", data["name"], device)

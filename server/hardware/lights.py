"""Commands to light devices (pick-to-light `show`/`off`, stack light `set`) for workflows.

    lights = MqttLights(link)                           # built at bootstrap (runtime.lights)
    device_id = lights.light_at_location("A-01-02")    # from the [[devices]] config
    cmd_id = lights.send_command(device_id, "show", {"text": "3", "color": "green", "qty": 3})

Call `send_command` AFTER the command that decided it has committed (an after-commit
listener): a light must never show something that was rolled back. It publishes
`floorlink/<site>/device/<id>/cmd/<name>` with a `cmd_id` and an `expires_at` (the bridge
does not execute an expired command); the reply on `.../reply` is kept on the device's
registry row (`last_command`, shown by GET /api/v1/devices). MQTT offline: logged, None.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

from devices import mqtt_topics
from devices.mqtt_client import PublishError
from devices.payloads import command_payload, encode, utc_timestamp
from server.db import connection
from server.hardware import store
from server.hardware.link import MqttLink
from server.ids import new_id

log = logging.getLogger(__name__)

LIGHT_KINDS = ("pick_to_light", "stack_light")
DEFAULT_TTL_S = 30.0


class LightPort(Protocol):
    """What a flow needs of the lights (tests give their own)."""

    def light_at_location(self, location_code: str) -> str | None: ...

    def send_command(
        self, device_id: str, name: str, payload: Mapping[str, Any], ttl_s: float
    ) -> str | None: ...


class MqttLights:
    """The real lights, over the server's MQTT link."""

    def __init__(self, link: MqttLink) -> None:
        self.link = link

    def light_at_location(self, location_code: str) -> str | None:
        """The light (pick-to-light, else stack light) configured at a location, if any."""
        devices = self.link.settings.section("devices")
        found = [d for d in devices if d.location == location_code and d.kind in LIGHT_KINDS]
        found.sort(key=lambda d: LIGHT_KINDS.index(d.kind))
        return found[0].id if found else None

    def send_command(
        self, device_id: str, name: str, payload: Mapping[str, Any], ttl_s: float = DEFAULT_TTL_S
    ) -> str | None:
        """Publish a command (QoS 1) to a device; its cmd_id, or None when MQTT is offline."""
        current = self.link
        if current.client is None or not current.connected:
            log.warning("command %s to %s not sent: MQTT is offline", name, device_id)
            return None
        cmd_id = new_id("cmd")
        expires_at = time.time() + ttl_s
        topic = mqtt_topics.command(current.settings.site, device_id, name)
        try:
            current.client.publish(topic, encode(command_payload(cmd_id, payload, expires_at)))
        except PublishError as exc:
            log.warning("command %s to %s not sent: %s", name, device_id, exc)
            return None
        _remember(
            device_id,
            {
                "cmd_id": cmd_id,
                "name": name,
                "args": dict(payload),
                "sent_at": utc_timestamp(),
                "expires_at": utc_timestamp(expires_at),
                "status": "sent",
            },
        )
        return cmd_id


def _remember(device_id: str, command: dict[str, Any]) -> None:
    try:
        with connection():
            store.remember_command(device_id, command)
    except Exception:
        log.exception("command %s to %s sent but not recorded", command["cmd_id"], device_id)

"""What a running Floorlink holds: its settings, its spine, the ports built at bootstrap
(the server's MQTT link, the lights) and its background services."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import current_app

from server.area import Env
from server.config import Settings
from server.hardware.lights import LightPort
from server.hardware.link import MqttLink
from server.spine import Spine

log = logging.getLogger(__name__)


class Service(Protocol):
    """A background part (relay, MQTT ingest, serial readers) started with the server."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    spine: Spine
    mqtt: MqttLink
    lights: LightPort
    env: Env = field(default_factory=Env)
    # device event type -> route(spine, DeviceEvent), from every area (server/hardware/routes.py)
    device_routes: Mapping[str, Any] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    # What an area builds once per runtime and shares between its factories (e.g. packing's
    # print service: its after-commit listener and its background service), by name.
    parts: dict[str, Any] = field(default_factory=dict)

    def start(self) -> None:
        for service in self.services:
            log.info("starting %s", service.name)
            service.start()

    def stop(self) -> None:
        for service in reversed(self.services):
            try:
                service.stop()
            except Exception:
                log.exception("stopping %s failed", service.name)


def runtime() -> Runtime:
    """The runtime of the app serving this request (edges only: HTTP and Socket.IO)."""
    return current_app.extensions["floorlink"]

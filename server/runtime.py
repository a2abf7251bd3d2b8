"""What a running Floorlink holds: its settings, its spine and its background services."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app

from server.config import Settings
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
    services: list[Service] = field(default_factory=list)

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
    return current_app.extensions["floorlink"]

"""The hardware area: the device registry, MQTT ingest and the server's serial scanners and
scales (docs/devices-server.md). Where a device event goes is declared by the areas that use it
(`Area.device_routes`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area
from server.hardware import events, failover, scales, scanners, serial_share
from server.hardware.handlers import HANDLERS
from server.hardware.settings import DeviceSettings, MqttSettings, ScaleSettings, ScannerSettings

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return [
        *failover.build(app, runtime),
        *scanners.build(app, runtime),
        *scales.build(app, runtime),
        *serial_share.build(app, runtime),
    ]


AREA = Area(
    name="hardware",
    handlers=[HANDLERS],
    events=events.EVENTS,
    settings={
        "mqtt": (MqttSettings, MqttSettings()),
        "scanners": (list[ScannerSettings], []),
        # MT-SICS scales on this server's serial ports (a bridge's are [[devices]] scales).
        "scales": (list[ScaleSettings], []),
        # Which sensor or light serves which station/location (docs/devices.md).
        "devices": (list[DeviceSettings], []),
    },
    services=_services,
)

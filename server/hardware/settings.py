"""Devices' settings: `[mqtt]`, `[[scanners]]`, `[[scales]]` and `[[devices]]`
(docs/devices-server.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from server.config import Section


class MqttSettings(Section):
    enabled: bool = True
    client_id: str = ""
    stale_after_s: float = Field(default=120.0, gt=0)


class ScannerSettings(Section):
    id: str
    port: str
    station: str = ""
    baudrate: int = 9600
    terminator: str = Field(default="CR", pattern="^(CR|LF|CRLF)$")


class ScaleSettings(Section):
    """An MT-SICS scale plugged into this server (docs/devices.md, Scales)."""

    id: str = Field(min_length=1, max_length=64)
    port: str
    station: str = ""  # the pack station it weighs for (PACK-01)
    baudrate: int = 9600
    mode: Literal["poll", "continuous"] = "poll"  # poll: SI every poll_interval; SIR stream
    poll_interval: float = Field(default=0.5, gt=0)


DEVICE_KINDS = (
    "scanner",
    "scale",
    "door",
    "probe",
    "pick_to_light",
    "stack_light",
    "bridge",
    "printer",
)


class DeviceSettings(Section):
    """A device heard over MQTT and where it serves: a station (PACK-01) or a location."""

    id: str = Field(min_length=1, max_length=64)
    kind: Literal[
        "scanner", "scale", "door", "probe", "pick_to_light", "stack_light", "bridge", "printer"
    ]
    station: str = ""
    location: str = ""
    bridge: str = ""
    # a network device (a label printer): host:port, ZPL over raw TCP (9100 by default)
    address: str = ""

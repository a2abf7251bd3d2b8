"""Devices' settings: `[mqtt]`, `[[scanners]]`, `[[scales]]` and `[[devices]]`
(docs/devices-server.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from server.config import Section


class MqttSettings(Section):
    enabled: bool = True
    client_id: str = ""
    # several `floorlink serve` of one site: how many, and which one this is; each takes in
    # its own devices' messages (server/hardware/partition.py)
    partitions: int = Field(default=1, ge=1, le=64)
    partition: int = Field(default=0, ge=0)
    # on PostgreSQL, a partition whose process has been gone this long is taken over by a
    # surviving process until it is back (server/hardware/failover.py); 0: never
    takeover_after_s: float = Field(default=10.0, ge=0)

    @model_validator(mode="after")
    def _partition_in_range(self) -> MqttSettings:
        if self.partition >= self.partitions:
            raise ValueError(
                f"partition {self.partition} is not below partitions {self.partitions}"
            )
        return self

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

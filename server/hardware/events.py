"""The hardware area's events (server/events.py): the registry's changes worth an event, a
device heard for the first time and its availability flips (readings are not events,
docs/devices-server.md). The data is what the registry shows of the device: its `kind`,
`availability` and `bridge_id`, as far as they are known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class RegistryEvent(DomainEvent):
    device_id: str
    shown: dict[str, Any]  # kind, availability, bridge_id: those known

    @property
    def subject(self) -> str:
        return f"device:{self.device_id}"

    @property
    def data(self) -> dict[str, Any]:
        return self.shown


@dataclass(frozen=True)
class DeviceDiscovered(RegistryEvent):
    type: ClassVar[str] = "device.discovered"


@dataclass(frozen=True)
class DeviceOnline(RegistryEvent):
    type: ClassVar[str] = "device.online"


@dataclass(frozen=True)
class DeviceOffline(RegistryEvent):
    type: ClassVar[str] = "device.offline"


AVAILABILITY: dict[str, type[RegistryEvent]] = {
    "online": DeviceOnline,
    "offline": DeviceOffline,
}
EVENTS = (DeviceDiscovered, DeviceOnline, DeviceOffline)

"""The server's own MQTT connection as the rest of the server sees it: is it up, what has
it counted, and how to publish a command. Built at bootstrap (runtime.mqtt); the ingest
service attaches its client while it runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from devices.mqtt_client import MqttClient
from server.config import Settings
from server.hardware.settings import DeviceSettings


@dataclass
class IngestStats:
    """Counters shown by GET /api/v1/devices/stats (monotonic since the server started)."""

    received: int = 0
    ingested: int = 0
    duplicates: int = 0
    malformed: int = 0
    ignored: int = 0
    routed: int = 0
    route_failures: int = 0
    batches: int = 0
    largest_batch: int = 0
    commit_retries: int = 0
    held: int = 0  # a bridge's events after a gap, waiting for its resend
    last_malformed: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def note_batch(self, size: int) -> None:
        with self._lock:
            self.largest_batch = max(self.largest_batch, size)

    def note_malformed(self, topic: str, message: str) -> None:
        with self._lock:
            self.malformed += 1
            self.last_malformed = f"{topic}: {message}"[:300]

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {k: v for k, v in vars(self).items() if not k.startswith("_")}


@dataclass
class MqttLink:
    settings: Settings
    client: MqttClient | None = None
    stats: IngestStats = field(default_factory=IngestStats)

    @property
    def connected(self) -> bool:
        """Connected to the broker and subscribed to the site (devices/mqtt_client.py)."""
        return self.client is not None and self.client.is_connected

    def device(self, device_id: str) -> DeviceSettings | None:
        for device in self.settings.section("devices"):
            if device.id == device_id:
                return device
        return None

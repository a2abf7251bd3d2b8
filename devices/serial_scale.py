"""MT-SICS scales on a serial port: poll (``SI`` every interval) or continuous (``SIR``).

A :class:`SerialScaleReader` delivers every reading to ``on_reading(scale_id, reading)``
(weights, tare/zero acknowledgements and :class:`~devices.mtsics.ScaleError`). A scale
that stops answering for ``stale_after`` seconds is reported offline, although its port is
still open (a powered-off scale behind a USB adapter); it is online again with its next
reading.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from devices import mtsics
from devices.framing import LineFramer, Overflow
from devices.serial_link import Backoff, SerialLink, StatusCallback, call_safely

logger = logging.getLogger(__name__)

ScaleMode = Literal["poll", "continuous"]


@dataclass(frozen=True)
class ScaleConfig:
    id: str
    port: str
    baudrate: int = 9600
    mode: ScaleMode = "poll"
    poll_interval: float = 0.5

    def __post_init__(self) -> None:
        if self.mode not in ("poll", "continuous"):
            raise ValueError(f"scale mode must be 'poll' or 'continuous', not {self.mode!r}")
        if self.poll_interval <= 0:
            raise ValueError("poll_interval must be positive")

    @property
    def stale_after(self) -> float:
        return max(3 * self.poll_interval, 2.0)


class SerialScaleReader(SerialLink):
    """Reads one scale until :meth:`stop`; :meth:`send` issues ``Z``, ``T`` and the like."""

    def __init__(
        self,
        config: ScaleConfig,
        on_reading: Callable[[str, mtsics.Reading], None],
        on_status: StatusCallback | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(config.id, config.port, config.baudrate, on_status, backoff)
        self.config = config
        self._on_reading = on_reading
        self._framer = LineFramer("CRLF", 128)
        self._last_poll = 0.0
        self._last_heard = 0.0

    def send(self, name: str) -> bool:
        """Send an MT-SICS command; False when the scale is not connected."""
        return self.write(mtsics.command(name))

    def on_open(self) -> None:
        self._framer = LineFramer("CRLF", 128)
        self._last_heard = time.monotonic()
        if self.config.mode == "continuous":
            self.send("SIR")

    def on_data(self, chunk: bytes) -> None:
        for line in self._framer.feed(chunk):
            if isinstance(line, Overflow):
                logger.warning("Scale %s sent an overlong line %r", self.device_id, line.head)
                continue
            self._deliver(mtsics.parse_line(line))
        self.on_idle()

    def on_idle(self) -> None:
        now = time.monotonic()
        if now - self._last_heard > self.config.stale_after:
            self.set_status("offline")
            if self.config.mode == "continuous":  # a scale that was off forgot its SIR
                self._last_heard = now
                self.send("SIR")
        if self.config.mode == "poll" and now - self._last_poll >= self.config.poll_interval:
            self._last_poll = now
            self.send("SI")

    def _deliver(self, reading: mtsics.Reading) -> None:
        if isinstance(reading, mtsics.ScaleError) and reading.code == "line":
            logger.warning("Scale %s: %s", self.device_id, reading.message)
            return
        self._last_heard = time.monotonic()
        self.set_status("online")
        call_safely(self._on_reading, self.device_id, reading)

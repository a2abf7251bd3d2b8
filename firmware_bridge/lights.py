"""Light drivers the bridge drives from MQTT commands: virtual or on a serial port.

A serial light receives one ASCII line per command (CRLF framed)::

    SHOW <color> <qty or -> <text>      pick-to-light: light up and display
    OFF                                 pick-to-light: dark
    SET <color> <BLINK|STEADY>          stack light

which a small microcontroller next to the lights (or a serial relay board's firmware)
turns into outputs. ``port = "virtual"`` keeps the state in memory only (demos, tests).
"""

from __future__ import annotations

import logging
import threading

import serial

from devices.device_data import PickLightData, StackLightData
from devices.light_commands import LightCommand, SetStack, Show, state_after
from firmware_bridge.config import LightConfig

logger = logging.getLogger(__name__)


class LightFailed(RuntimeError):
    """The command could not be delivered to the light."""


def wire_line(command: LightCommand) -> bytes:
    """The serial line for ``command``."""
    if isinstance(command, Show):
        qty = "-" if command.qty is None else str(command.qty)
        return f"SHOW {command.color} {qty} {command.text}\r\n".encode()
    if isinstance(command, SetStack):
        return f"SET {command.color} {'BLINK' if command.blink else 'STEADY'}\r\n".encode()
    return b"OFF\r\n"


class Light:
    """One light; :meth:`apply` executes a validated command and returns the new state."""

    def __init__(self, config: LightConfig) -> None:
        self.config = config
        self._port: serial.SerialBase | None = None
        self._lock = threading.Lock()

    @property
    def virtual(self) -> bool:
        return self.config.port == "virtual"

    def apply(self, command: LightCommand) -> PickLightData | StackLightData:
        if not self.virtual:
            self._write(wire_line(command))
        logger.info("Light %s: %s", self.config.id, command)
        return state_after(command)

    def _write(self, line: bytes) -> None:
        with self._lock:
            try:
                if self._port is None:
                    self._port = serial.serial_for_url(
                        self.config.port, baudrate=self.config.baudrate, timeout=1
                    )
                self._port.write(line)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._close_port()
                raise LightFailed(f"light {self.config.id} on {self.config.port}: {exc}") from exc

    def _close_port(self) -> None:
        if self._port is not None:
            self._port.close()
            self._port = None

    def close(self) -> None:
        with self._lock:
            self._close_port()

"""The campaign starts its own Mosquitto and pseudo-terminals."""

from tests.fixtures.mosquitto import mosquitto_factory
from tests.fixtures.serialpty import serial_pty

__all__ = ["mosquitto_factory", "serial_pty"]

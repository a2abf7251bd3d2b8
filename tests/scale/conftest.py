"""The scale tests start their own Mosquitto where they need one, and real ptys."""

from tests.fixtures.mosquitto import mosquitto_factory
from tests.fixtures.mqtt_probe import mqtt_probe
from tests.fixtures.serialpty import serial_pty

__all__ = ["mosquitto_factory", "mqtt_probe", "serial_pty"]

"""Fixtures for the device layer: pseudo-terminal serial devices and a real Mosquitto.

Imported rather than named in ``pytest_plugins``, which pytest accepts only in the
top-level conftest.
"""

from tests.fixtures.mosquitto import mosquitto, mosquitto_factory, mosquitto_session  # noqa: F401
from tests.fixtures.mqtt_probe import mqtt_probe  # noqa: F401
from tests.fixtures.serialpty import serial_pty  # noqa: F401

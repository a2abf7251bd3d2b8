"""Fixtures for the device layer: pseudo-terminal serial devices and a real Mosquitto.

Imported (not ``pytest_plugins``), which pytest only accepts in the top-level conftest.
"""

from tests.fixtures.serialpty import serial_pty  # noqa: F401

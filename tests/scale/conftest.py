"""The scale tests start their own Mosquitto where they need one."""

from tests.fixtures.mosquitto import mosquitto_factory

__all__ = ["mosquitto_factory"]

"""Fixtures for the bridge: a real Mosquitto, MQTT probes and pseudo-terminal devices.

Imported rather than named in ``pytest_plugins``, which pytest accepts only in the
top-level conftest.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from firmware_bridge.bridge import Bridge
from firmware_bridge.config import BridgeConfig
from tests.fixtures.confirmer import server_confirmer  # noqa: F401
from tests.fixtures.mosquitto import mosquitto, mosquitto_factory, mosquitto_session  # noqa: F401
from tests.fixtures.mqtt_probe import mqtt_probe  # noqa: F401
from tests.fixtures.serialpty import serial_pty  # noqa: F401


@pytest.fixture
def run_bridge(tmp_path: Path) -> Iterator[Callable[..., Bridge]]:
    """Start in-process bridges (site "main", spool in tmp_path); stopped at the end."""
    bridges: list[Bridge] = []

    def start(mqtt_url: str, **devices: object) -> Bridge:
        config = BridgeConfig(
            bridge_id="edge-1",
            site="main",
            mqtt_url=mqtt_url,
            spool_path=str(tmp_path / "spool.db"),
            **devices,  # type: ignore[arg-type]
        )
        bridge = Bridge(config, reconnect=(0.1, 0.5))
        bridge.start()
        bridges.append(bridge)
        return bridge

    yield start
    for bridge in bridges:
        bridge.stop()

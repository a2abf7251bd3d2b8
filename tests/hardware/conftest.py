"""Fixtures for the server side of devices: a real Mosquitto, real ptys, a running server.

Imported rather than named in ``pytest_plugins`` (pytest accepts that only at the top).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from devices.mqtt_client import MqttClient, MqttSettings
from devices.payloads import encode, event_payload
from server.app import create_app
from server.areas import load_settings
from server.config import Settings
from server.db import database as db_proxy
from tests.fixtures.areas import WITH_TESTS
from tests.fixtures.mosquitto import (  # noqa: F401
    MosquittoBroker,
    mosquitto,
    mosquitto_factory,
    mosquitto_session,
)
from tests.fixtures.mqtt_probe import mqtt_probe  # noqa: F401
from tests.fixtures.serialpty import serial_pty  # noqa: F401


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or condition}")


class Server:
    """A Floorlink app with its services running (MQTT ingest on the test broker)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: Flask | None = None

    def start(self) -> Server:
        self.app = create_app(self.settings, areas=WITH_TESTS)
        self.app.config["TESTING"] = True
        self.app.extensions["floorlink"].start()
        return self

    def stop(self) -> None:
        if self.app is not None:
            self.app.extensions["floorlink"].stop()
            self.app = None

    @property
    def runtime(self) -> Any:
        assert self.app is not None, "the server is not started"
        return self.app.extensions["floorlink"]

    @property
    def stats(self) -> dict[str, Any]:
        return self.runtime.mqtt.stats.snapshot() if self.app else {}

    @property
    def connected(self) -> bool:
        return self.app is not None and self.runtime.mqtt.connected


@pytest.fixture
def hw_site() -> str:
    """A site of its own per test, so retained messages of other tests stay out."""
    return f"hw-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def hw_settings(
    db_url: str,
    hw_site: str,
    mosquitto: MosquittoBroker,  # noqa: F811
) -> Callable[..., Settings]:
    client_id = f"floorlink-test-{uuid.uuid4().hex[:8]}"

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": db_url,
            "secret_key": "test-secret-key",
            "site": hw_site,
            "mqtt_url": mosquitto.url,
            "relay": {"enabled": False},
            "mqtt": {"enabled": True, "client_id": client_id, "stale_after_s": 60},
        }
        values.update(overrides)
        return load_settings(env={}, **values)

    return make


@pytest.fixture
def server_factory() -> Iterator[Callable[[Settings], Server]]:
    servers: list[Server] = []

    def start(settings: Settings) -> Server:
        server = Server(settings).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
    if db_proxy.obj is not None:
        db_proxy.obj.close_all()


class Publisher:
    """A device side: publishes envelopes of docs/architecture.md, MQTT, with QoS 1."""

    def __init__(self, url: str, site: str) -> None:
        self.site = site
        self.client = MqttClient(
            MqttSettings(url=url, client_id=f"pub-{uuid.uuid4().hex[:8]}", max_inflight=5000)
        )
        self.client.start()
        assert self.client.wait_connected(5)

    def event(
        self, device: str, type_: str, seq: int, data: dict[str, Any], session: str = "s1"
    ) -> str:
        payload = event_payload(device, session, seq, data)
        self.client.publish(f"floorlink/{self.site}/device/{device}/event/{type_}", encode(payload))
        return str(payload["event_id"])

    def raw(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(f"floorlink/{self.site}/{topic}", payload, retain=retain)

    def settle(self, timeout: float = 10.0) -> None:
        wait_for(lambda: self.client.inflight == 0, timeout, "publishes acked by the broker")

    def stop(self) -> None:
        self.client.stop()


@pytest.fixture
def publisher(mosquitto: MosquittoBroker, hw_site: str) -> Iterator[Publisher]:  # noqa: F811
    pub = Publisher(mosquitto.url, hw_site)
    yield pub
    pub.stop()


@pytest.fixture
def admin_key_for() -> Callable[[Server], Any]:
    """GET /api/v1/devices of a running server, with a fresh admin key."""
    from server.api import keys

    def get(server: Server, path: str = "/devices") -> Any:
        assert server.app is not None
        with db_proxy.connection_context():
            secret = keys.create(f"hw-{uuid.uuid4().hex[:6]}", "admin").secret
        response = server.app.test_client().get(
            "/api/v1" + path, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return get

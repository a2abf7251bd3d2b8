"""A live Floorlink on loopback with a real Mosquitto, a fridge zone watched by a probe,
and a webhook receiver: the cold chain end to end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devices import mqtt_topics
from devices.payloads import encode
from server.app import create_app
from server.areas import load_settings
from server.db import database as db_proxy
from tests.fixtures.areas import WITH_TESTS
from tests.fixtures.mosquitto import MosquittoBroker, mosquitto, mosquitto_session  # noqa: F401
from tests.fixtures.mqtt_probe import MqttProbe
from tests.fixtures.site import LOCATIONS, PRODUCTS
from tests.hardware.conftest import wait_for
from tests.picking import live
from tests.sync.receiver import Receiver

PROBE = "probe-F1"
FRIDGE = [
    {"code": "F-01", "zone": "FRIDGE", "kind": "pick", "walk_sequence": 300},
    {"code": "Q-01", "zone": "Q", "kind": "quarantine", "walk_sequence": 990},
]


@dataclass
class ColdFloor:
    app: Any
    base: str
    oms: live.Http
    admin: live.Http
    receiver: Receiver
    sensor: MqttProbe
    site: str

    def celsius(self, value: float) -> None:
        """The probe publishes its retained state, as a real probe (or bridge) does."""
        topic = mqtt_topics.state(self.site, PROBE)
        self.sensor.client.publish(topic, encode({"celsius": value}), retain=True)

    def events(self, type_: str) -> list[dict[str, Any]]:
        return [r.event for r in list(self.receiver.accepted) if r.event.get("type") == type_]

    def wait_event(self, type_: str, what: str, **match: Any) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            for event in self.events(type_):
                if all(event["data"].get(k) == v for k, v in match.items()):
                    return event
            return None

        return dict(wait_for(found, timeout=20, what=what))


@pytest.fixture
def cold_floor(db_url: str, mosquitto: MosquittoBroker) -> Iterator[ColdFloor]:  # noqa: F811
    site = f"cold-{uuid.uuid4().hex[:6]}"
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        site=site,
        mqtt_url=mosquitto.url,
        mqtt={"enabled": True, "client_id": f"floorlink-{uuid.uuid4().hex[:8]}"},
        relay={"enabled": True, "poll_interval_s": 0.2},
        devices=[{"id": PROBE, "kind": "probe", "location": "F-01"}],
        coldchain={
            "grace_s": 1.0,
            "expire_after_s": 3.0,
            "check_interval_s": 0.2,
            "quarantine_location": "Q-01",
            "ranges": [{"zone": "FRIDGE", "min_c": 2.0, "max_c": 8.0}],
        },
    )
    app = create_app(settings, areas=WITH_TESTS)
    receiver = Receiver().start()
    live.add_receiver(app, receiver)
    sensor = MqttProbe(mosquitto.url, f"floorlink/{site}/none").start()
    try:
        with live.serve(app) as base:
            floor = ColdFloor(
                app,
                base,
                live.Http(base, live.new_key("oms")),
                live.Http(base, live.new_key("admin")),
                receiver,
                sensor,
                site,
            )
            wait_for(lambda: app.extensions["floorlink"].mqtt.connected, what="MQTT connected")
            assert floor.oms.put("/products", {"products": PRODUCTS}).status_code == 200
            body = {"locations": LOCATIONS + FRIDGE}
            assert floor.oms.put("/locations", body).status_code == 200
            stock = [{"sku": "MUG", "location": "F-01", "delta": 5, "reason": "count"}]
            assert floor.oms.post("/stock/adjustments", {"adjustments": stock}).status_code == 200
            yield floor
    finally:
        sensor.client.stop()
        app.extensions["floorlink"].stop()
        receiver.stop()
        db_proxy.obj.close_all()

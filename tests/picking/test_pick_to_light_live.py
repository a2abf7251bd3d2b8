"""Pick-to-light through a real Mosquitto: the light is lit when the picker is sent to its
location, a press on it confirms the pick (pushed to the picker's socket), a redelivered
press has no second effect, and the light goes off."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from devices.payloads import encode, event_payload
from server.db import database as db_proxy
from server.models import OrderLine, ProcessedInput
from tests.fixtures.mosquitto import MosquittoBroker, mosquitto, mosquitto_session  # noqa: F401
from tests.fixtures.mqtt_probe import MqttProbe, mqtt_probe  # noqa: F401
from tests.hardware.conftest import wait_for
from tests.picking.live import LiveFloor

pytestmark = pytest.mark.slow
LIGHT = "ptl-A-01-01-1"
SITE = f"ptl-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def floor_overrides(mosquitto: MosquittoBroker) -> dict[str, Any]:  # noqa: F811
    return {
        "site": SITE,
        "mqtt_url": mosquitto.url,
        "mqtt": {"enabled": True, "client_id": f"floorlink-{uuid.uuid4().hex[:8]}"},
        "devices": [{"id": LIGHT, "kind": "pick_to_light", "location": "A-01-01-1"}],
    }


def commands(probe: MqttProbe) -> list[tuple[str, dict[str, Any]]]:
    return [(m.topic.rsplit("/", 1)[1], json.loads(m.payload)) for m in probe.on("")]


def test_a_press_on_the_light_confirms_the_pick(
    live_floor: LiveFloor,
    mosquitto: MosquittoBroker,  # noqa: F811
    mqtt_probe: Callable[..., MqttProbe],  # noqa: F811
) -> None:
    f = live_floor
    link = f.app.extensions["floorlink"].mqtt
    wait_for(lambda: link.connected, what="MQTT connected")
    probe = mqtt_probe(mosquitto.url, f"floorlink/{SITE}/device/{LIGHT}/cmd/+")
    f.load_site()
    f.order("WEB-1", MUG=3)
    p = f.picker("P1")
    p.connect_socket()
    p.emit(action="pick")
    screen = p.emit(scan=p.next_scan(p.screen) or "")
    assert screen["name"] == "pick.scan_location" and screen["target"]["location"] == "A-01-01-1"
    probe.wait(lambda msgs: len(msgs) == 1)
    assert commands(probe)[0][0] == "show" and commands(probe)[0][1]["qty"] == 3

    while not p.pushed.empty():
        p.pushed.get_nowait()
    press = encode(event_payload(LIGHT, "s1", 1, {"button": "confirm"}))
    topic = f"device/{LIGHT}/event/press"
    publisher = mqtt_probe(mosquitto.url, f"floorlink/{SITE}/none")
    publisher.client.publish(f"floorlink/{SITE}/{topic}", press)
    pushed = p.wait_push()
    assert pushed["name"] == "pick.scan_tote_put" and pushed["target"]["qty"] == 3, pushed
    probe.wait(lambda msgs: len(msgs) == 2)
    assert commands(probe)[1][0] == "off"

    publisher.client.publish(f"floorlink/{SITE}/{topic}", press)  # redelivered: no effect
    wait_for(lambda: link.stats.snapshot()["routed"] >= 2, what="the redelivery")
    assert p.current()["name"] == "pick.scan_tote_put"
    with db_proxy.connection_context():
        keys = [r.key for r in ProcessedInput.select().where(ProcessedInput.key.contains(":mqtt:"))]
    assert len(keys) == 1 and keys[0].startswith(f"floor:{p.session_id}:mqtt:")
    p.emit(scan=p.next_scan(p.screen) or "")
    with db_proxy.connection_context():
        assert OrderLine.get().picked == 3
    p.close()

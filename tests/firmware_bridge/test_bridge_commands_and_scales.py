import time
import uuid
from pathlib import Path

import pytest

from devices import mqtt_topics as topics
from devices.mqtt_client import MqttClient, MqttSettings
from devices.payloads import command_payload, encode
from devices.serial_scale import ScaleConfig
from devices.simulated import SimulatedScale
from firmware_bridge.config import LightConfig

LIGHTS = (
    LightConfig("ptl-A01", "pick_to_light"),
    LightConfig("stack-PACK-01", "stack_light"),
)


@pytest.fixture
def server(mosquitto):
    client = MqttClient(MqttSettings(url=mosquitto.url, client_id=f"srv-{uuid.uuid4().hex[:6]}"))
    client.start()
    assert client.wait_connected(5)
    yield client
    client.stop()


def send(server: MqttClient, device: str, name: str, args: dict, expires_in: float | None = 30):
    cmd_id = uuid.uuid4().hex[:8]
    expires_at = None if expires_in is None else time.time() + expires_in
    payload = encode(command_payload(cmd_id, args, expires_at))
    server.publish(topics.command("main", device, name), payload)
    return cmd_id


def replies(probe) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for message in probe.on("/reply"):
        body = message.json()
        out.setdefault(body["cmd_id"], []).append(body)
    return out


def test_commands_run_once_and_expired_ones_not_at_all(mosquitto, mqtt_probe, server, run_bridge):
    probe = mqtt_probe(mosquitto.url, "floorlink/main/device/#")
    bridge = run_bridge(mosquitto.url, lights=LIGHTS)
    assert bridge.client.wait_connected(5)
    time.sleep(0.2)  # subscriptions in place

    expired = send(server, "ptl-A01", "show", {"text": "9", "color": "red", "qty": 9}, -1)
    probe.wait(lambda _: expired in replies(probe))
    assert replies(probe)[expired][0]["status"] == "expired"
    assert not [m for m in probe.on("ptl-A01/state") if m.json().get("lit")]

    shown = send(server, "ptl-A01", "show", {"text": "3", "color": "green", "qty": 3})
    probe.wait(lambda _: shown in replies(probe))
    assert replies(probe)[shown][0]["status"] == "ok"
    assert probe.on("ptl-A01/state")[-1].json() == {
        "lit": True,
        "text": "3",
        "color": "green",
        "qty": 3,
    }

    stack = send(server, "stack-PACK-01", "set", {"color": "red", "blink": True}, None)
    bad = send(server, "stack-PACK-01", "set", {"color": "ultraviolet"})
    unknown = send(server, "ptl-A01", "dance", {})
    probe.wait(lambda _: {stack, bad, unknown} <= set(replies(probe)))
    assert replies(probe)[stack][0]["status"] == "ok"
    assert probe.on("stack-PACK-01/state")[-1].json() == {"color": "red", "blink": True}
    assert replies(probe)[bad][0]["status"] == "rejected"
    assert "'color' must be one of" in replies(probe)[bad][0]["message"]
    assert replies(probe)[unknown][0]["status"] == "rejected"


def test_a_redelivered_command_is_answered_again_but_not_executed_twice(
    mosquitto, mqtt_probe, server, run_bridge
):
    probe = mqtt_probe(mosquitto.url, "floorlink/main/device/ptl-A01/#")
    bridge = run_bridge(mosquitto.url, lights=LIGHTS)
    assert bridge.client.wait_connected(5)
    time.sleep(0.2)
    payload = encode(command_payload("c-1", {"text": "1"}))
    server.publish(topics.command("main", "ptl-A01", "show"), payload)
    probe.wait(lambda _: len(probe.on("/reply")) == 1)
    server.publish(topics.command("main", "ptl-A01", "off"), encode(command_payload("c-2", {})))
    probe.wait(lambda _: len(probe.on("/reply")) == 2)
    server.publish(topics.command("main", "ptl-A01", "show"), payload)  # again, c-1
    probe.wait(lambda _: len(probe.on("/reply")) == 3)
    assert [m.json()["status"] for m in probe.on("/reply")] == ["ok", "ok", "ok"]
    assert probe.on("ptl-A01/state")[-1].json() == {"lit": False}  # c-1 did not run again


def test_scale_state_is_retained_and_stable_changes_are_events(
    tmp_path: Path, mosquitto, mqtt_probe, run_bridge
):
    scale = SimulatedScale("scale-1", tmp_path / "by-id" / "usb-scale-1", stream_interval=0.05)
    scale.start()
    try:
        probe = mqtt_probe(mosquitto.url, "floorlink/main/device/scale-1/#")
        config = ScaleConfig("scale-1", scale.path, mode="continuous")
        run_bridge(mosquitto.url, scales=(config,))
        scale.set_weight(800.0, stable=False)
        probe.wait(
            lambda _: any(m.json() == {"grams": 800.0, "stable": False} for m in probe.on("/state"))
        )
        scale.set_weight(1234.5)
        settled = {"grams": 1234.5, "stable": True}
        probe.wait(lambda _: any(m.json()["data"] == settled for m in probe.on("/event/weight")))
        time.sleep(0.3)  # more readings of the same weight: no more events
        weights = [m.json()["data"] for m in probe.on("/event/weight")]
        assert weights[-1] == settled and weights.count(settled) == 1
        assert all(w["stable"] for w in weights)  # a moving pan is state, never an event
        states = [m.json() for m in probe.on("/state")]
        assert len(states) == len({tuple(s.items()) for s in states})  # only on change
        assert probe.on("/state")[-1].json() == {"grams": 1234.5, "stable": True}
        assert probe.on("/state")[-1].retain is False  # live delivery of a retained publish
        assert probe.on("/availability")[-1].json()["state"] == "online"
    finally:
        scale.stop()

"""The broker's ACL made by `floorlink devices mqtt-acl` from the server's [[devices]], in a
real Mosquitto configured with deploy/mosquitto/floorlink.conf: a bridge's login publishes
for its own devices only; the server's ingest refuses a device's message naming a bridge
that is not the device's."""

from __future__ import annotations

import queue
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt

from devices import mqtt_topics
from devices.payloads import encode, event_payload, new_session_id
from server.hardware.acl import bridges_and_devices, foreign_bridge, mosquitto_acl
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.site_parts import FLOORLINK, ROOT

DEPLOY_CONF = ROOT / "deploy" / "mosquitto" / "floorlink.conf"


@dataclass(frozen=True)
class Dev:
    id: str
    bridge: str


DEVICES = [Dev("SCAN-1", "edge-1"), Dev("SCAN-2", "edge-2"), Dev("DOOR-9", "")]


def test_each_bridge_gets_its_own_devices_and_a_foreign_bridge_is_named() -> None:
    assert bridges_and_devices(DEVICES) == {"edge-1": ["SCAN-1"], "edge-2": ["SCAN-2"]}
    acl = mosquitto_acl("s1", DEVICES)
    block = acl.split("user edge-1\n")[1].split("\n\n")[0]
    assert "floorlink/s1/device/SCAN-1/event/+" in block and "SCAN-2" not in block
    bridge_of = {"SCAN-1": "edge-1"}
    assert foreign_bridge("SCAN-1", "edge-1", bridge_of) is None
    assert foreign_bridge("SCAN-1", None, bridge_of) is None
    assert "behind bridge edge-1" in str(foreign_bridge("SCAN-1", "edge-2", bridge_of))


def test_the_cli_prints_the_acl_of_the_config(tmp_path: Path) -> None:
    config = tmp_path / "floorlink.toml"
    config.write_text(
        'secret_key = "t"\nsite = "s1"\n'
        '[[devices]]\nid = "SCAN-1"\nkind = "scanner"\nbridge = "edge-1"\n'
    )
    done = subprocess.run(
        [FLOORLINK, "--config", str(config), "devices", "mqtt-acl"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == mosquitto_acl("s1", [Dev("SCAN-1", "edge-1")])


def login(broker: MosquittoBroker, user: str, password: str) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=user, protocol=mqtt.MQTTv5)
    client.username_pw_set(user, password)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client


def test_a_bridge_login_publishes_only_for_its_own_devices(tmp_path: Path) -> None:
    passwd, acl = tmp_path / "floorlink.passwd", tmp_path / "floorlink.acl"
    acl.write_text(mosquitto_acl("s1", DEVICES))
    for user in ("floorlink-server", "edge-1", "edge-2"):
        subprocess.run(
            ["mosquitto_passwd", "-b", *(["-c"] if user == "floorlink-server" else [])]
            + [str(passwd), user, f"pw-{user}"],
            check=True,
            capture_output=True,
        )
    passwd.chmod(0o600)
    acl.chmod(0o600)
    shipped = DEPLOY_CONF.read_text()
    shipped = shipped.replace("/etc/mosquitto/floorlink.passwd", str(passwd))
    shipped = shipped.replace("/etc/mosquitto/floorlink.acl", str(acl))
    shipped = "\n".join(
        line for line in shipped.splitlines() if not line.startswith(("listener", "persistence"))
    )
    broker = MosquittoBroker(tmp_path / "broker", extra=shipped + "\n")
    broker.start()
    try:
        got: queue.Queue[str] = queue.Queue()
        server = login(broker, "floorlink-server", "pw-floorlink-server")
        server.on_message = lambda _c, _u, m: got.put(m.topic)
        server.subscribe("floorlink/s1/#", qos=1)
        time.sleep(0.5)
        edge = login(broker, "edge-1", "pw-edge-1")
        session = new_session_id()
        for device in ("SCAN-2", "SCAN-1"):  # another bridge's device first: refused
            payload = encode(event_payload(device, session, 1, {"raw": "X"}, bridge="edge-1"))
            edge.publish(mqtt_topics.event("s1", device, "scan"), payload, qos=1).wait_for_publish(
                5
            )
        assert got.get(timeout=5) == "floorlink/s1/device/SCAN-1/event/scan"
        time.sleep(0.5)
        assert got.empty()
        for client in (edge, server):
            client.loop_stop()
            client.disconnect()
    finally:
        broker.stop()

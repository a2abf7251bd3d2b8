"""MQTT ingest with two `floorlink serve` processes of one site on a real Mosquitto: each
takes in its own partition of the devices (server/hardware/partition.py). 50 simulated
devices publish; every event is applied once, each device's in its order, and a process
killed -9 mid-stream loses nothing: restarted, it takes in what its broker session kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
import peewee
import pytest

from devices import mqtt_topics
from devices.payloads import encode, event_payload, new_session_id
from server.hardware import partition
from server.models.hardware import HardwareDevice, HardwareInput
from tests.fixtures.database import on_postgres
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.site_parts import Serve, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not on_postgres, reason="several processes need PostgreSQL"),
]

DEVICES = [f"SENS-{i:02d}" for i in range(50)]
EVENTS = 20  # per device


def test_owner_is_stable_and_spreads_devices() -> None:
    owners = [partition.owner(d, 2) for d in DEVICES]
    assert owners == [partition.owner(d, 2) for d in DEVICES]
    assert 15 < owners.count(0) < 35
    assert partition.is_mine(mqtt_topics.event("s", "SENS-01", "scan"), 0, 1)
    topic = mqtt_topics.event("s", "SENS-01", "scan")
    assert [partition.is_mine(topic, p, 2) for p in (0, 1)].count(True) == 1
    assert partition.is_mine(mqtt_topics.bridge_status("s", "B1"), 0, 2)
    assert not partition.is_mine(mqtt_topics.bridge_status("s", "B1"), 1, 2)
    assert partition.client_id("s", 1, 2) == "floorlink-server-s-p1"


def publisher(broker: MosquittoBroker) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="sim-50", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client


def test_50_devices_applied_once_each_in_order_across_two_processes_and_a_kill_9(
    tmp_path: Path,
    db_url: str,
    database: peewee.Database,
    mosquitto_factory: Callable[..., MosquittoBroker],
) -> None:
    broker = mosquitto_factory()
    config = tmp_path / "floorlink.toml"
    config.write_text(
        f'database_url = "{db_url}"\nsecret_key = "test"\nsite = "s1"\n'
        f'mqtt_url = "{broker.url}"\n'
        "[relay]\nenabled = false\n[mqtt]\npartitions = 2\n"
    )
    procs = [
        Serve(f"serve-p{p}", tmp_path, config, {"FLOORLINK_MQTT__PARTITION": str(p)})
        for p in (0, 1)
    ]
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.wait_healthy()
        time.sleep(1.0)  # both subscribed (their sessions exist before the first event)
        session = new_session_id()
        client = publisher(broker)
        published = threading.Event()

        def publish() -> None:
            for seq in range(1, EVENTS + 1):
                for device in DEVICES:
                    payload = event_payload(device, session, seq, {"celsius": seq / 10})
                    topic = mqtt_topics.event("s1", device, "temperature")
                    client.publish(topic, encode(payload), qos=1).wait_for_publish(10)
                time.sleep(0.02)
            published.set()

        sender = threading.Thread(target=publish, daemon=True)
        sender.start()
        time.sleep(0.3)
        procs[1].kill()  # its devices' events queue in its broker session meanwhile
        time.sleep(1.0)
        restarted = Serve("serve-p1-again", tmp_path, config, {"FLOORLINK_MQTT__PARTITION": "1"})
        procs.append(restarted.start())
        restarted.wait_healthy()
        assert published.wait(60)
        client.loop_stop()
        client.disconnect()

        total = len(DEVICES) * EVENTS

        def taken_in() -> int:
            with database.connection_context():
                return int(HardwareInput.select().count())

        try:
            wait_until(lambda: taken_in() >= total, 60, "not every event was taken in")
        except AssertionError:
            with database.connection_context():
                ids = [r.event_id for r in HardwareInput.select(HardwareInput.event_id)]
            by = [partition.owner(i.split(":")[0], 2) for i in ids]
            raise AssertionError(
                f"{len(ids)} of {total}: p0 {by.count(0)}, p1 {by.count(1)}\n" + restarted.tail()
            ) from None
        time.sleep(1.0)
        with database.connection_context():
            ids = [r.event_id for r in HardwareInput.select(HardwareInput.event_id)]
            assert len(ids) == len(set(ids)) == total  # once each
            for row in HardwareDevice.select().where(HardwareDevice.id.in_(DEVICES)):
                # applied in order: the last one applied is the device's last event
                assert row.last_event["event_id"] == f"{row.id}:{session}:{EVENTS}", row.id
    finally:
        for proc in procs:
            proc.kill()

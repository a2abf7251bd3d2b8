"""MQTT partition failover on a real Mosquitto and PostgreSQL (server/hardware/failover.py):
two `floorlink serve` processes, `[mqtt] partitions = 2`; partition 1's process is killed
-9 while 50 simulated devices publish and is NOT restarted. The survivor takes its
partition over (its broker session, with what queued there meanwhile): every event is
applied once, each device's in its order. When the dead process is started again, the
survivor hands the partition back and the events published after are applied there."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import peewee
import pytest

from devices import mqtt_topics
from devices.payloads import encode, event_payload, new_session_id
from server.models.hardware import HardwareDevice, HardwareInput
from tests.fixtures.database import on_postgres
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.site_parts import Serve, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not on_postgres, reason="several processes need PostgreSQL"),
]

DEVICES = [f"SENS-{i:02d}" for i in range(50)]


def publish(broker: MosquittoBroker, session: str, events: int, pause: float) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="sim-50", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        for seq in range(1, events + 1):
            for device in DEVICES:
                payload = event_payload(device, session, seq, {"celsius": seq / 10})
                topic = mqtt_topics.event("s1", device, "temperature")
                client.publish(topic, encode(payload), qos=1).wait_for_publish(10)
            time.sleep(pause)
    finally:
        client.loop_stop()
        client.disconnect()


def applied(database: peewee.Database, session: str, events: int) -> None:
    """Each event of the session once; per device in its order (a later batch never holds
    an earlier event); the registry's last event each device's last."""
    total = len(DEVICES) * events

    def taken_in() -> list[HardwareInput]:
        with database.connection_context():
            query = HardwareInput.select().where(HardwareInput.event_id.contains(f":{session}:"))
            return list(query)

    wait_until(lambda: len(taken_in()) >= total, 60, f"not all {total} events taken in")
    time.sleep(1.0)  # a duplicate would be counted by now (the key is the event id anyway)
    rows = taken_in()
    assert len(rows) == total
    by_device: dict[str, list[tuple[int, object]]] = defaultdict(list)
    for row in rows:
        device, _, seq = row.event_id.split(":")
        by_device[device].append((int(seq), row.received_at))
    for device, seen in by_device.items():
        times = [at for _, at in sorted(seen)]
        assert times == sorted(times), device  # type: ignore[type-var]
    with database.connection_context():
        for row in HardwareDevice.select().where(HardwareDevice.id.in_(DEVICES)):
            assert row.last_event["event_id"] == f"{row.id}:{session}:{events}", row.id


def test_a_dead_members_partition_is_taken_over_and_handed_back(
    tmp_path: Path,
    db_url: str,
    database: peewee.Database,
    mosquitto_factory: Callable[..., MosquittoBroker],
    mqtt_probe: Callable[..., Any],
) -> None:
    broker = mosquitto_factory()
    statuses = mqtt_probe(broker.url, "floorlink/s1/server/status/+")

    def status(partition: int) -> tuple[str, str]:
        """(state, session) of the partition's last status, ("", "") before any."""
        said = statuses.on(f"/server/status/p{partition}")
        return (said[-1].json()["state"], said[-1].json()["session"]) if said else ("", "")

    config = tmp_path / "floorlink.toml"
    config.write_text(
        f'database_url = "{db_url}"\nsecret_key = "test"\nsite = "s1"\n'
        f'mqtt_url = "{broker.url}"\n'
        "[relay]\nenabled = false\n[mqtt]\npartitions = 2\ntakeover_after_s = 1.0\n"
    )

    def serve(name: str, partition: int) -> Serve:
        return Serve(name, tmp_path, config, {"FLOORLINK_MQTT__PARTITION": str(partition)})

    survivor, doomed = serve("serve-p0", 0), serve("serve-p1", 1)
    procs = [survivor, doomed]
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.wait_healthy()
        wait_until(
            lambda: all("now runs the mqtt partition" in p.tail(100_000) for p in procs),
            20,
            "each process did not take its own partition",
        )
        time.sleep(1.0)  # both sessions subscribed before the first event
        # Each partition its own retained status: one process's last will is not the site's.
        wait_until(lambda: status(0)[0] == status(1)[0] == "online", 10, "no statuses")
        p0, first = status(0), status(1)
        session = new_session_id()
        sender = threading.Thread(target=publish, args=(broker, session, 30, 0.1), daemon=True)
        sender.start()
        time.sleep(0.8)
        doomed.kill()  # its devices' events queue in its broker session meanwhile
        sender.join(90)
        assert not sender.is_alive()
        applied(database, session, 30)
        assert "taking its devices over" in survivor.tail(100_000)
        # partition 1's will said offline; the survivor, taking it in, said online again
        states = [m.json()["state"] for m in statuses.on("/server/status/p1")]
        assert "offline" in states[states.index("online") :]
        wait_until(lambda: status(1)[0] == "online", 10, "no takeover")
        assert status(1)[1] != first[1]  # the survivor's own session
        assert status(0) == p0  # partition 0 never said offline

        back = serve("serve-p1-again", 1)
        procs.append(back.start())
        back.wait_healthy()
        wait_until(
            lambda: "now runs the mqtt partition 1" in back.tail(100_000),
            20,
            "the restarted process did not get its partition back:\n" + survivor.tail(),
        )
        assert "handing it over" in survivor.tail(100_000)
        wait_until(lambda: status(1)[0] == "online", 10, "not back")
        later = new_session_id()
        publish(broker, later, 5, 0.0)
        applied(database, later, 5)
    finally:
        for proc in procs:
            proc.kill()

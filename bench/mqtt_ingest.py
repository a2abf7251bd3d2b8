"""MQTT events/s ingested by the server (QoS 1, de-duplicated, acked after commit) into a
SQLite file, beside a raw paho subscriber on the same broker, measured in the same run.

    /tmp/probe-venv/bin/python bench/mqtt_ingest.py [--events 20000] [--devices 20]

Starts its own Mosquitto on a free port (max_queued_messages raised, PERFORMANCE trap 2).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devices.mqtt_client import MqttClient, MqttSettings  # noqa: E402
from devices.payloads import encode, event_payload  # noqa: E402
from server import db, migrations  # noqa: E402
from server.app import create_app  # noqa: E402
from server.config import load_settings  # noqa: E402
from server.hardware import link as hwlink  # noqa: E402
from tests.fixtures.mosquitto import MosquittoBroker  # noqa: E402

SITE = "bench"


def publish_all(url: str, events: int, devices: int) -> None:
    client = MqttClient(MqttSettings(url=url, client_id=f"pub-{uuid.uuid4().hex[:6]}"))
    client.start()
    client.wait_connected(5)
    payloads = []
    for seq in range(1, events // devices + 1):
        for d in range(devices):
            device = f"scale-{d:02d}"
            body = event_payload(device, "s1", seq, {"grams": float(seq), "stable": True})
            payloads.append((f"floorlink/{SITE}/device/{device}/event/weight", encode(body)))
    for topic, payload in payloads:
        client.publish(topic, payload, timeout=30)
    deadline = time.monotonic() + 60
    while client.inflight and time.monotonic() < deadline:
        time.sleep(0.01)
    client.stop()


def raw_rate(url: str, events: int, devices: int) -> float:
    """A plain paho subscriber (QoS 1, auto-ack, TCP_NODELAY) counting what arrives."""
    done, count = threading.Event(), [0]
    first: list[float] = []

    def on_message(_c: object, _u: object, _m: mqtt.MQTTMessage) -> None:
        if not first:
            first.append(time.perf_counter())
        count[0] += 1
        if count[0] >= events:
            done.set()

    sub = MqttClient(
        MqttSettings(
            url=url,
            client_id=f"raw-{uuid.uuid4().hex[:6]}",
            subscriptions=((f"floorlink/{SITE}/#", 1),),
        )
    )
    sub.paho.on_message = on_message
    sub.start()
    sub.wait_connected(5)
    start = time.perf_counter()
    publish_all(url, events, devices)
    done.wait(120)
    elapsed = time.perf_counter() - start
    sub.stop()
    return count[0] / elapsed


def ingest_rate(url: str, events: int, devices: int, workdir: Path) -> tuple[float, dict[str, int]]:
    url_db = f"sqlite:///{workdir / 'bench.db'}"
    db.bind(url_db)
    migrations.upgrade()
    settings = load_settings(
        env={},
        database_url=url_db,
        secret_key="bench",
        site=SITE,
        mqtt_url=url,
        relay={"enabled": False},
        mqtt={"enabled": True, "client_id": f"bench-{uuid.uuid4().hex[:6]}"},
    )
    app = create_app(settings)
    runtime = app.extensions["floorlink"]
    runtime.start()
    link = hwlink.current()
    assert link is not None
    deadline = time.monotonic() + 10
    while not link.connected and time.monotonic() < deadline:
        time.sleep(0.01)
    start = time.perf_counter()
    publish_all(url, events, devices)
    deadline = time.monotonic() + 300
    while link.stats.ingested < events and time.monotonic() < deadline:
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    stats = link.stats.snapshot()
    runtime.stop()
    db.database.obj.close_all()
    return stats["ingested"] / elapsed, stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--devices", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        broker = MosquittoBroker(Path(tmp) / "mosquitto")
        with broker.config.open("a") as fh:
            fh.write("max_inflight_messages 1000\n")
        broker.start()
        try:
            raw = raw_rate(broker.url, args.events, args.devices)
            ingest, stats = ingest_rate(broker.url, args.events, args.devices, Path(tmp))
        finally:
            broker.stop()
    print(f"load (uptime): {os.getloadavg()}")
    print(f"events: {args.events} from {args.devices} devices, QoS 1")
    print(f"raw paho subscriber:      {raw:8.0f} msg/s")
    print(f"ingested (dedup, ack after commit, SQLite FULL): {ingest:8.0f} events/s")
    print(f"ratio ingest/raw: {ingest / raw:.2f}   target >= 2000 events/s")
    print(
        f"batches: {stats['batches']}, largest {stats['largest_batch']}, "
        f"avg {stats['received'] / max(stats['batches'], 1):.0f} msgs/batch, "
        f"duplicates {stats['duplicates']}, malformed {stats['malformed']}"
    )
    return 0 if stats["ingested"] == args.events else 1


if __name__ == "__main__":
    sys.exit(main())

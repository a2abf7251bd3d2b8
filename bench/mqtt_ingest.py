"""MQTT events/s ingested by the server (QoS 1, de-duplicated, acked after commit) into a
SQLite file, beside a raw paho subscriber on the same broker, measured in the same run.

    .venv/bin/python bench/mqtt_ingest.py [--events 20000] [--devices 20]

Starts its own Mosquitto on a free port (max_queued_messages raised: docs/performance.md,
trap 2).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devices.mqtt_client import MqttClient, MqttSettings  # noqa: E402
from devices.payloads import encode, event_payload  # noqa: E402
from server import db, migrations  # noqa: E402
from server.app import create_app  # noqa: E402
from server.areas import load_settings  # noqa: E402
from server.hardware.link import MqttLink  # noqa: E402
from tests.fixtures.mosquitto import MosquittoBroker  # noqa: E402

SITE = "bench"


def publish_all(url: str, events: int, devices: int, session: str = "s1") -> None:
    """Publish from another process, as devices are (no GIL shared with the consumer)."""
    process = multiprocessing.get_context("spawn").Process(
        target=_publish, args=(url, events, devices, session)
    )
    process.start()
    process.join(300)


def _publish(url: str, events: int, devices: int, session: str) -> None:
    client = MqttClient(MqttSettings(url=url, client_id=f"pub-{uuid.uuid4().hex[:6]}"))
    client.start()
    client.wait_connected(5)
    payloads = []
    for seq in range(1, events // devices + 1):
        for d in range(devices):
            device = f"scale-{d:02d}"
            body = event_payload(device, session, seq, {"grams": float(seq), "stable": True})
            payloads.append((f"floorlink/{SITE}/device/{device}/event/weight", encode(body)))
    for topic, payload in payloads:
        client.publish(topic, payload, timeout=30)
    deadline = time.monotonic() + 60
    while client.inflight and time.monotonic() < deadline:
        time.sleep(0.01)
    client.stop()


class RawSubscriber:
    """A plain paho subscriber (QoS 1, auto-ack, TCP_NODELAY, persistent session)."""

    def __init__(self, url: str, events: int) -> None:
        self.events, self.count, self.done = events, 0, threading.Event()
        self.client = MqttClient(
            MqttSettings(
                url=url,
                client_id=f"raw-{uuid.uuid4().hex[:6]}",
                subscriptions=((f"floorlink/{SITE}/#", 1),),
            )
        )
        self.client.paho.on_message = self._on_message

    def _on_message(self, _c: object, _u: object, _m: mqtt.MQTTMessage) -> None:
        self.count += 1
        if self.count >= self.events:
            self.done.set()

    def start(self) -> None:
        self.client.start()
        self.client.wait_connected(5)

    def stop(self) -> None:
        self.client.stop()


def raw_rates(url: str, events: int, devices: int) -> tuple[float, float]:
    """(live, backlog): publishing while subscribed; draining a backlog after reconnect."""
    sub = RawSubscriber(url, events)
    sub.start()
    start = time.perf_counter()
    publish_all(url, events, devices)
    sub.done.wait(120)
    live = sub.count / (time.perf_counter() - start)
    sub.stop()
    sub = RawSubscriber(url, events)
    sub.start()  # the persistent session exists from here on
    sub.stop()
    publish_all(url, events, devices, session="s2")
    sub.count = 0
    start = time.perf_counter()
    sub.start()
    sub.done.wait(120)
    backlog = sub.count / (time.perf_counter() - start)
    sub.stop()
    return live, backlog


def start_server(settings: Any) -> tuple[Any, MqttLink]:
    app = create_app(settings)
    runtime = app.extensions["floorlink"]
    runtime.start()
    link = runtime.mqtt
    deadline = time.monotonic() + 10
    while not link.connected and time.monotonic() < deadline:
        time.sleep(0.01)
    return runtime, link


def wait_ingested(link: MqttLink, events: int) -> None:
    deadline = time.monotonic() + 300
    while link.stats.ingested < events and time.monotonic() < deadline:
        time.sleep(0.005)


def ingest_rates(
    url: str, events: int, devices: int, workdir: Path
) -> tuple[float, float, dict[str, int]]:
    """(live, backlog, stats of the live run) for the server's ingest into a SQLite file."""
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
    runtime, link = start_server(settings)
    start = time.perf_counter()
    publish_all(url, events, devices)
    wait_ingested(link, events)
    live = link.stats.ingested / (time.perf_counter() - start)
    stats = link.stats.snapshot()
    runtime.stop()
    publish_all(url, events, devices, session="s2")  # while the server is down
    start = time.perf_counter()
    runtime, link = start_server(settings)
    wait_ingested(link, events)
    backlog = link.stats.ingested / (time.perf_counter() - start)
    runtime.stop()
    db.database.obj.close_all()
    return live, backlog, stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument(
        "--max-inflight", type=int, default=1000, help="the broker's max_inflight_messages"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        broker = MosquittoBroker(Path(tmp) / "mosquitto")
        with broker.config.open("a") as fh:
            fh.write(f"max_inflight_messages {args.max_inflight}\n")
        broker.start()
        try:
            raw_live, raw_backlog = raw_rates(broker.url, args.events, args.devices)
            live, backlog, stats = ingest_rates(broker.url, args.events, args.devices, Path(tmp))
        finally:
            broker.stop()
    print(f"load (uptime): {os.getloadavg()}")
    print(
        f"events: {args.events} from {args.devices} devices, QoS 1, SQLite synchronous=FULL, "
        f"broker max_inflight_messages {args.max_inflight}"
    )
    print("                      live (publisher running)   backlog (drain after restart)")
    print(f"raw paho subscriber:  {raw_live:8.0f} msg/s            {raw_backlog:8.0f} msg/s")
    print(f"server ingest:        {live:8.0f} events/s         {backlog:8.0f} events/s")
    print(
        f"ratio ingest/raw:     {live / raw_live:8.2f}                  {backlog / raw_backlog:8.2f}"
    )
    print("target: ingest >= 2000 events/s (de-duplicated, acked after commit)")
    print(
        f"live run batches: {stats['batches']}, largest {stats['largest_batch']}, "
        f"avg {stats['received'] / max(stats['batches'], 1):.0f} msgs/batch, "
        f"duplicates {stats['duplicates']}, malformed {stats['malformed']}"
    )
    return 0 if stats["ingested"] == args.events else 1


if __name__ == "__main__":
    sys.exit(main())

"""MQTT ingest against N `floorlink serve` processes of one site on PostgreSQL through one
Mosquitto (`bench/scale_out.py --mqtt`): events/s taken in by the N partitions together.

For each N: a fresh database, a Mosquitto on a free port (max_queued_messages and
max_inflight raised, as bench/mqtt_ingest.py), N processes with `[mqtt] partitions = N` and
each its `partition`. Once every process is connected, `--mqtt-publishers` processes
publish `--mqtt-events` events (QoS 1) of `--mqtt-devices` simulated devices; the rate is
from the first event committed to the last (counted in `hardware_input`), with the CPU of
the servers per event. Every process receives every message of the site (each subscribes
to it and keeps its own partition's), so the broker's fan-out grows with N.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SITE = "bench"

from orders import Server, request  # noqa: E402

from devices.payloads import encode, event_payload  # noqa: E402
from tests.fixtures.mosquitto import MosquittoBroker  # noqa: E402


def connected(server: Server, key: str) -> bool:
    status, body = request(
        server.port, "GET", "/api/v1/devices/stats", None, {"Authorization": f"Bearer {key}"}
    )
    return status == 200 and bool(body["mqtt"]["connected"])


def hardware_inputs(url: str) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM hardware_input")
            return int(cur.fetchone()[0])
    finally:
        conn.close()


def publish(port: int, events: int, devices: int, session: str, site: str = SITE) -> None:
    """Simulated probes' readings (`<site>-dev-<n>`, `events // devices` each), QoS 1, each
    publish waited for at the end."""
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{session}", protocol=mqtt.MQTTv5
    )
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", port)
    client.loop_start()
    sent = []
    for seq in range(1, events // devices + 1):
        for d in range(devices):
            device = f"{site}-dev-{d:04d}"
            body = event_payload(device, session, seq, {"celsius": 4 + seq / 100})
            topic = f"floorlink/{site}/device/{device}/event/temperature"
            sent.append(client.publish(topic, encode(body), qos=1))
    for info in sent:
        info.wait_for_publish(60)
    client.loop_stop()
    client.disconnect()


def publishers(broker: MosquittoBroker, args: Any) -> list[multiprocessing.process.BaseProcess]:
    """Each its own session (event ids never collide), the same devices."""
    spawn = multiprocessing.get_context("spawn")
    share = args.mqtt_events // args.mqtt_publishers
    procs = [
        spawn.Process(target=publish, args=(broker.port, share, args.mqtt_devices, f"p{k}"))
        for k in range(args.mqtt_publishers)
    ]
    for proc in procs:
        proc.start()
    return procs


def run_mqtt(n: int, args: Any, url: str, workdir: Path, cpu: Any) -> dict[str, Any]:
    """The events/s of N partitions; `url` is a fresh database (created and dropped by the
    caller), `cpu(pid)` a process tree's CPU seconds."""
    broker = MosquittoBroker(workdir / f"mosquitto-{n}")
    with broker.config.open("a") as fh:
        fh.write("max_inflight_messages 1000\nmax_queued_messages 1000000\n")
    broker.start()
    servers: list[Server] = []
    try:
        for i in range(n):
            server = Server(url, workdir)
            server.env |= {
                "FLOORLINK_SITE": SITE,
                "FLOORLINK_MQTT_URL": broker.url,
                "FLOORLINK_MQTT__ENABLED": "true",
                "FLOORLINK_MQTT__PARTITIONS": str(n),
                "FLOORLINK_MQTT__PARTITION": str(i),
                "FLOORLINK_SERVER__CPU": "off",
            }
            server.start()
            servers.append(server)
        key = servers[0].cli("apikey", "create", "bench", "--scope", "admin").splitlines()[0]
        deadline = time.monotonic() + 30
        while not all(connected(s, key) for s in servers):
            if time.monotonic() > deadline:
                raise RuntimeError("the serve processes did not connect to the broker")
            time.sleep(0.2)
        time.sleep(1.0)  # every partition subscribed
        pids = [s.proc.pid for s in servers if s.proc is not None]
        before = sum(cpu(p) for p in pids)
        procs = publishers(broker, args)
        share = args.mqtt_events // args.mqtt_publishers // args.mqtt_devices
        total = share * args.mqtt_devices * args.mqtt_publishers
        first, started = 0, 0.0
        deadline = time.monotonic() + 300
        while (count := hardware_inputs(url)) < total and time.monotonic() < deadline:
            if not started and count:
                first, started = count, time.perf_counter()
            time.sleep(0.05)
        elapsed = time.perf_counter() - started if started else float("inf")
        cpu_s = sum(cpu(p) for p in pids) - before
        for proc in procs:
            proc.join(60)
        return {
            "n": n,
            "events": count,
            "expected": total,
            "rate": (count - first) / elapsed if elapsed else 0.0,
            "server_ms": cpu_s * 1000 / max(count, 1),
        }
    finally:
        for server in servers:
            server.stop()
        broker.stop()


def show(result: dict[str, Any], raw: float) -> None:
    lost = result["expected"] - result["events"]
    print(
        f"MQTT ingest {result['rate']:7.0f} events/s by {result['n']} partition(s) "
        f"({result['events']} of {result['expected']}{', NOT ALL' if lost else ''}); "
        f"servers' CPU {result['server_ms']:.2f} ms per event; raw PostgreSQL {raw:.0f} commits/s"
    )

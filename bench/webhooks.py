"""Webhook delivery rate vs the raw POST rate of one client, and backlog drain after an outage.

    /tmp/probe-venv/bin/python bench/webhooks.py [--events 10000] [--subjects 500]
        [--backlog 100000] [--database-url sqlite:////tmp/x.db]

Prints events/s delivered to a loopback receiver with 1 and 8 endpoints beside the raw
rate of one keep-alive client POSTing to the same receiver in the same run, then the time
to drain a backlog after an outage (checked in order per subject).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from server import db, migrations  # noqa: E402
from server.app import load_handlers  # noqa: E402
from server.models import WebhookDelivery  # noqa: E402
from server.spine import Actor, Spine, Unit, handles  # noqa: E402
from server.sync.endpoints import CreateEndpoint, SetEndpointStatus  # noqa: E402
from server.sync.relay import Relay  # noqa: E402
from server.sync.service import RelayService  # noqa: E402

BENCH = Actor("system", "bench")
BATCH = int(os.environ.get("BENCH_BATCH", "100"))


@dataclass(frozen=True)
class BenchEmit:
    events: list[tuple[str, str, dict[str, Any]]]


@handles(BenchEmit)
def _emit(cmd: BenchEmit, unit: Unit) -> None:
    for type_, subject, data in cmd.events:
        unit.record(type_, subject, data)


class Sink:
    """Counts requests and checks per-subject order (seq never goes back)."""

    def __init__(self) -> None:
        self.count = 0
        self.inversions = 0
        self.last: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()

    def take(self, path: str, body: bytes) -> None:
        with self.lock:
            self.count += 1
            if path == "/raw":
                return
            event = json.loads(body)
            key = (path, event["subject"])
            if event["seq"] < self.last.get(key, 0):
                self.inversions += 1
            self.last[key] = event["seq"]


def serve(sink: Sink) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            sink.take(self.path, body)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def raw_rate(port: int, n: int = 3000) -> float:
    body = json.dumps({"id": "evt_x", "type": "order.picked", "data": {"i": 1}}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start = time.perf_counter()
    for _ in range(n):
        conn.request("POST", "/raw", body, {"content-type": "application/json"})
        conn.getresponse().read()
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


def emit(spine: Spine, events: int, subjects: int) -> None:
    batch: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(events):
        batch.append(("order.picked", f"order:B-{i % subjects}", {"i": i}))
        if len(batch) == 500:
            spine.execute(BenchEmit(batch), BENCH)
            batch = []
    if batch:
        spine.execute(BenchEmit(batch), BENCH)


def pending() -> int:
    with db.database.connection_context():
        return WebhookDelivery.select().where(WebhookDelivery.status != "delivered").count()


def fresh_db(url: str | None) -> str:
    url = url or f"sqlite:///{tempfile.mkdtemp(prefix='flbench-')}/bench.db"
    db.bind(url, max_connections=32)
    migrations.upgrade()
    return url


def deliver(url: str | None, port: int, endpoints: int, events: int, subjects: int) -> float:
    fresh_db(url)
    spine = Spine()
    for e in range(endpoints):
        target = f"http://127.0.0.1:{port}/run{endpoints}/ep{e}"
        spine.execute(CreateEndpoint(target, ["order.*"]), BENCH)
    emit(spine, events, subjects)
    service = RelayService(Relay(spine, batch_size=BATCH), workers=8, poll_interval_s=0.05)
    start = time.perf_counter()
    service.start()
    while pending() or not _fanned_out():
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    service.stop()
    return endpoints * events / elapsed


def _fanned_out() -> bool:
    with db.database.connection_context():
        return WebhookDelivery.select().exists()


def backlog(url: str | None, port: int, events: int, subjects: int) -> tuple[float, float]:
    fresh_db(url)
    spine = Spine()
    endpoint = spine.execute(CreateEndpoint(f"http://127.0.0.1:{port}/backlog", ["*"]), BENCH)
    spine.execute(SetEndpointStatus(endpoint.result["id"], "pause", "outage"), BENCH)
    emit(spine, events, subjects)
    relay = Relay(spine, batch_size=BATCH)
    start = time.perf_counter()
    relay.catch_up()
    fanout_s = time.perf_counter() - start
    spine.execute(SetEndpointStatus(endpoint.result["id"], "resume"), BENCH)
    service = RelayService(relay, workers=8, poll_interval_s=0.05)
    start = time.perf_counter()
    service.start()
    while pending():
        time.sleep(0.1)
    drain_s = time.perf_counter() - start
    service.stop()
    return fanout_s, drain_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subjects", type=int, default=500)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    load_handlers()
    sink = Sink()
    server = serve(sink)
    port = server.server_port
    print(f"load: {os.getloadavg()}")
    raw = raw_rate(port)
    print(f"raw: one keep-alive client POSTs {raw:,.0f}/s to the receiver")
    for endpoints in (1, 8):
        rate = deliver(args.database_url, port, endpoints, args.events, args.subjects)
        print(
            f"relay, {endpoints} endpoint(s), {args.events:,} events over {args.subjects} "
            f"subjects: {rate:,.0f} deliveries/s = {rate / raw:.0%} of raw"
        )
    if args.backlog:
        fanout_s, drain_s = backlog(args.database_url, port, args.backlog, args.subjects)
        print(
            f"backlog: {args.backlog:,} events after an outage: fan-out {fanout_s:.1f} s, "
            f"drained in {drain_s:.1f} s ({args.backlog / drain_s:,.0f}/s)"
        )
    print(f"order inversions seen by the receiver: {sink.inversions}")
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()

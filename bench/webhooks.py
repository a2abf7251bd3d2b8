"""Webhook delivery rate vs the raw POST rate of one client, and backlog drain after an outage.

    .venv/bin/python bench/webhooks.py [--events 10000] [--subjects 500]
        [--backlog 100000] [--database-url sqlite:////tmp/x.db] [--workers 8]

The loopback receiver runs in its own process (`--serve`, http.server with
disable_nagle_algorithm and keep-alive), so it does not compete for the relay's GIL.
Prints the load average, the raw rate of one keep-alive http.client POSTing bodies and
headers of the relay's size to that receiver, events/s delivered with 1 and 8 endpoints,
then the time to drain a backlog after an outage (the receiver checks order per subject).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from server import db, eventlog, migrations  # noqa: E402
from server.areas import AREAS  # noqa: E402
from server.ids import new_id  # noqa: E402
from server.models import WebhookDelivery, utcnow  # noqa: E402
from server.spine import Actor, Handlers, Spine, Unit, merge_handlers  # noqa: E402
from server.sync import signing  # noqa: E402
from server.sync.endpoints import CreateEndpoint, SetEndpointStatus  # noqa: E402
from server.sync.relay import Relay  # noqa: E402
from server.sync.service import RelayService  # noqa: E402

BENCH = Actor("system", "bench")
BENCH_HANDLERS = Handlers()  # the bench's own command, beside every area's
BATCH = int(os.environ.get("BENCH_BATCH", "100"))


@dataclass(frozen=True)
class BenchEvent:
    """The bench's own event of any type (its spine is bare: no catalogue to check)."""

    type: str
    subject: str
    data: dict[str, Any]


@dataclass(frozen=True)
class BenchEmit:
    events: list[tuple[str, str, dict[str, Any]]]


@BENCH_HANDLERS.handles(BenchEmit)
def _emit(cmd: BenchEmit, unit: Unit) -> None:
    for type_, subject, data in cmd.events:
        unit.record(BenchEvent(type_, subject, data))


# --- the receiver (its own process) ------------------------------------------------------


class Sink:
    """Counts requests and checks per-subject order (seq never goes back)."""

    def __init__(self) -> None:
        self.count = 0
        self.inversions = 0
        self.last: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()

    def take(self, path: str, body: bytes) -> None:
        event = json.loads(body)
        with self.lock:
            self.count += 1
            key = (path, event["subject"])
            if event["seq"] < self.last.get(key, 0):
                self.inversions += 1
            self.last[key] = event["seq"]

    def stats(self) -> bytes:
        with self.lock:
            return json.dumps({"count": self.count, "inversions": self.inversions}).encode()


def serve_forever() -> None:
    """`--serve`: print the port, answer 200 to every POST until stdin closes."""
    sink = Sink()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            sink.take(self.path, body)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802
            body = sink.stats()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_port, flush=True)
    sys.stdin.read()  # the parent closes stdin (or dies): stop
    server.shutdown()


class ReceiverProcess:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def stats(self) -> dict[str, int]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", "/stats")
        stats: dict[str, int] = json.loads(conn.getresponse().read())
        conn.close()
        return stats

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


# --- the figures ---------------------------------------------------------------------------


def raw_rate(port: int, path: str, n: int = 5000) -> tuple[float, float]:
    """One keep-alive client POSTing what the relay POSTs: same body and header sizes.

    Bodies and signatures are made before the clock starts: this is the transport's limit.
    Returns requests/s and the client's CPU seconds per request.
    """
    key = signing.secret_key(signing.new_secret())
    now = utcnow()
    requests = []
    for i in range(n):
        event_id = new_id("evt")
        row = {
            "event_id": event_id,
            "type": "order.picked",
            "subject": f"order:B-{i % 500}",
            "seq": i // 500 + 1,
            "occurred_at": now,
            "actor": str(BENCH),
            "data": {"i": i},
        }
        body = json.dumps(eventlog.public(row), separators=(",", ":")).encode()
        headers = signing.headers([key], event_id, int(time.time()), body)
        headers["user-agent"] = "Floorlink-Webhooks/1"
        requests.append((body, headers))
    conn = http.client.HTTPConnection("127.0.0.1", port)
    start, cpu = time.perf_counter(), time.process_time()
    for body, headers in requests:
        conn.request("POST", path, body, headers)
        conn.getresponse().read()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return n / elapsed, cpu / n


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
    if url.startswith("postgres"):
        _reset_postgres()
    migrations.upgrade()
    return url


def bench_spine() -> Spine:
    tables = [t.table for area in AREAS for t in area.handlers] + [BENCH_HANDLERS.table]
    return Spine(merge_handlers(tables))


def _reset_postgres() -> None:
    with db.database.connection_context():
        db.database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def deliver(args: argparse.Namespace, port: int, endpoints: int) -> tuple[float, float]:
    """Deliveries/s and the relay process's CPU seconds per delivery (fan-out included)."""
    fresh_db(args.database_url)
    spine = bench_spine()
    for e in range(endpoints):
        target = f"http://127.0.0.1:{port}/run{endpoints}/ep{e}"
        spine.execute(CreateEndpoint(target, ["order.*"]), BENCH)
    emit(spine, args.events, args.subjects)
    relay = Relay(spine, batch_size=BATCH)
    service = RelayService(relay, workers=args.workers, poll_interval_s=0.25)
    start, cpu = time.perf_counter(), time.process_time()
    service.start()
    while pending() or not _fanned_out():
        time.sleep(0.02)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    service.stop()
    return endpoints * args.events / elapsed, cpu / (endpoints * args.events)


def _fanned_out() -> bool:
    with db.database.connection_context():
        return WebhookDelivery.select().exists()


def backlog(args: argparse.Namespace, port: int) -> tuple[float, float]:
    fresh_db(args.database_url)
    spine = bench_spine()
    endpoint = spine.execute(CreateEndpoint(f"http://127.0.0.1:{port}/backlog", ["*"]), BENCH)
    spine.execute(SetEndpointStatus(endpoint.result["id"], "pause", "outage"), BENCH)
    emit(spine, args.backlog, args.subjects)
    relay = Relay(spine, batch_size=BATCH)
    start = time.perf_counter()
    relay.catch_up()
    fanout_s = time.perf_counter() - start
    spine.execute(SetEndpointStatus(endpoint.result["id"], "resume"), BENCH)
    service = RelayService(relay, workers=args.workers, poll_interval_s=0.25)
    start = time.perf_counter()
    service.start()
    while pending():
        time.sleep(0.05)
    drain_s = time.perf_counter() - start
    service.stop()
    return fanout_s, drain_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subjects", type=int, default=500)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_forever()
        return
    receiver = ReceiverProcess()
    port = receiver.port
    print(f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    raw, raw_cpu = raw_rate(port, "/raw/before")
    print(
        f"raw: one keep-alive client POSTs {raw:,.0f}/s to the receiver "
        f"(client CPU {raw_cpu * 1e6:.0f} us/request)",
        flush=True,
    )
    for endpoints in (1, 8):
        rate, cpu = deliver(args, port, endpoints)
        print(
            f"relay, {endpoints} endpoint(s), {args.events:,} events over {args.subjects} "
            f"subjects: {rate:,.0f} deliveries/s = {rate / raw:.0%} of raw "
            f"(relay CPU {cpu * 1e6:.0f} us/delivery)",
            flush=True,
        )
    if args.backlog:
        fanout_s, drain_s = backlog(args, port)
        print(
            f"backlog: {args.backlog:,} events after an outage: fan-out {fanout_s:.1f} s, "
            f"drained in {drain_s:.1f} s ({args.backlog / drain_s:,.0f}/s)",
            flush=True,
        )
    raw_after, cpu_after = raw_rate(port, "/raw/after")
    print(f"raw again at the end: {raw_after:,.0f}/s ({cpu_after * 1e6:.0f} us/request)")
    stats = receiver.stats()
    print(f"order inversions seen by the receiver: {stats['inversions']}")
    print(f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    receiver.stop()


if __name__ == "__main__":
    main()

"""Three sites on one machine, one OMS: every site's events arrive complete and in order.

    .venv/bin/python bench/multi_site.py [--sites 3] [--orders 60] [--devices 5]

Each site is a Floorlink of its own, as docs/scale.md (Fifty sites) says: its own SQLite
database, its own Mosquitto on a free port, its own `floorlink serve` (relay on), its own
OMS key and webhook endpoint. One OMS webhook receiver on loopback takes every site's
webhooks (a path per site, each site's secret verified). The OMS places orders at every
site at once and cancels every third; each site's simulated probes publish readings to
its broker. Then, per site: every order's events arrived, once, signed, and every
subject's events in `seq` order with no gap; no event of one site reached another's path.
Exit status 0 when all hold. Not a benchmark: the time it took is printed, nothing more.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from orders import Server, request
from scale_out_mqtt import publish
from standardwebhooks.webhooks import Webhook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.mosquitto import MosquittoBroker  # noqa: E402
from tests.fixtures.site import LOCATIONS, PRODUCTS  # noqa: E402


class Oms:
    """One webhook receiver for every site: POST /<site> with that site's signature."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.received: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.invalid: list[str] = []
        self._lock = threading.Lock()
        oms = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                site = self.path.strip("/")
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(oms.secrets[site]).verify(body, headers)
                except Exception:
                    with oms._lock:
                        oms.invalid.append(f"{site}: {headers.get('webhook-id')}")
                    self.send_response(400)
                    self.end_headers()
                    return
                with oms._lock:
                    oms.received[site].append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, site: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received[site])


class Site:
    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.broker = MosquittoBroker(workdir / "mosquitto")
        self.server = Server(f"sqlite:///{workdir / 'floorlink.db'}", workdir)
        self.server.env |= {
            "FLOORLINK_SITE": name,
            "FLOORLINK_MQTT__ENABLED": "true",
            "FLOORLINK_MQTT_URL": self.broker.url,
            "FLOORLINK_RELAY__ENABLED": "true",
            "FLOORLINK_RELAY__POLL_INTERVAL_S": "0.2",
            "FLOORLINK_SERVER__CPU": "off",
        }
        self.key = ""

    def start(self, oms: Oms) -> None:
        self.broker.start()
        self.server.start()
        self.key = self.server.cli("apikey", "create", "oms", "--scope", "admin").splitlines()[0]
        endpoint = {"url": f"{oms.url}/{self.name}", "events": ["*"]}
        status, body = self.call("POST", "/webhook-endpoints", endpoint)
        assert status == 201, body
        oms.secrets[self.name] = body["secret"]
        for path, data in (
            ("/products", {"products": PRODUCTS}),
            ("/locations", {"locations": LOCATIONS}),
        ):
            assert self.call("PUT", path, data)[0] == 200
        stock = [
            {"sku": "PEN", "location": "A-01-02-1", "delta": 10_000, "reason": "count"},
        ]
        assert self.call("POST", "/stock/adjustments", {"adjustments": stock})[0] == 200

    def call(self, method: str, path: str, body: Any, key: str = "") -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.key}"}
        if key:
            headers["Idempotency-Key"] = key
        return request(self.server.port, method, "/api/v1" + path, body, headers)

    def place_orders(self, count: int) -> list[str]:
        placed = []
        for i in range(count):
            external_id = f"{self.name}-W{i}"
            body = {
                "external_id": external_id,
                "channel": "web",
                "ship_by": "2030-01-01T12:00:00Z",
                "lines": [{"line_id": "1", "sku": "PEN", "qty": 1}],
            }
            status, answer = self.call("POST", "/orders", body, external_id)
            assert status == 201, answer
            placed.append(external_id)
            if i % 3 == 0:
                cancel = {"reason": "customer"}
                assert self.call("POST", f"/orders/{external_id}/cancel", cancel)[0] == 200
        return placed

    def publish_readings(self, devices: int, readings: int) -> None:
        publish(self.broker.port, devices * readings, devices, f"{self.name}-s1", self.name)

    def stop(self) -> None:
        self.server.stop()
        self.broker.stop()


def check(site: Site, oms: Oms, placed: list[str], others: list[str]) -> list[str]:
    """What is wrong with what the OMS got from this site (empty: complete, in order)."""
    problems = []
    events = oms.events(site.name)
    ids = [e["id"] for e in events]
    if len(ids) != len(set(ids)):
        problems.append(f"{len(ids) - len(set(ids))} events delivered twice")
    by_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        by_subject[event["subject"]].append(event)
    for subject, got in by_subject.items():
        seqs = [e["seq"] for e in got]
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            problems.append(f"{subject}: seq {seqs} out of order or with a gap")
    for i, external_id in enumerate(placed):
        expected = ["order.accepted", "order.cancelled"] if i % 3 == 0 else ["order.accepted"]
        types = [e["type"] for e in by_subject.get(f"order:{external_id}", [])]
        if types != expected:
            problems.append(f"order:{external_id}: {types}, expected {expected}")
    foreign = [s for s in by_subject if any(s.startswith(f"order:{o}-") for o in others)]
    if foreign:
        problems.append(f"other sites' subjects delivered here: {foreign[:3]}")
    return problems


def complete(site: Site, oms: Oms, placed: list[str]) -> bool:
    subjects = {e["subject"] for e in oms.events(site.name)}
    return all(f"order:{p}" in subjects for p in placed) and len(
        [e for e in oms.events(site.name) if e["type"] == "order.cancelled"]
    ) >= len(range(0, len(placed), 3))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=3)
    parser.add_argument("--orders", type=int, default=60, help="per site")
    parser.add_argument("--devices", type=int, default=5, help="probes per site")
    args = parser.parse_args()
    oms = Oms()
    names = [f"site{k}" for k in range(1, args.sites + 1)]
    with tempfile.TemporaryDirectory(prefix="floorlink-sites-") as tmp:
        sites = [Site(name, Path(tmp) / name) for name in names]
        try:
            for site in sites:
                site.start(oms)
            started = time.monotonic()
            with ThreadPoolExecutor(len(sites) * 2) as pool:  # every site at once
                readings = [pool.submit(s.publish_readings, args.devices, 20) for s in sites]
                placed = list(pool.map(lambda s: s.place_orders(args.orders), sites))
                for future in readings:
                    future.result()
            deadline = time.monotonic() + 120
            while not all(complete(s, oms, p) for s, p in zip(sites, placed, strict=True)):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            time.sleep(1.0)  # a duplicate or a late one would be here by now
            took = time.monotonic() - started
        finally:
            for site in sites:
                site.stop()
    failed = bool(oms.invalid)
    for site, orders in zip(sites, placed, strict=True):
        others = [n for n in names if n != site.name]
        problems = check(site, oms, orders, others)
        failed = failed or bool(problems)
        events = oms.events(site.name)
        subjects = len({e["subject"] for e in events})
        verdict = "complete, in order" if not problems else "; ".join(problems[:5])
        print(f"{site.name}: {len(events)} events on {subjects} subjects: {verdict}")
    if oms.invalid:
        print(f"signatures refused: {oms.invalid[:5]}")
    print(f"{len(sites)} sites, {args.orders} orders each, delivered within {took:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

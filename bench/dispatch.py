"""Dispatch through the real server: a 1,000-package manifest loaded by 4 dispatchers at once,
then closed.

    .venv/bin/python bench/dispatch.py [--packages 1000] [--orders 400] [--dispatchers 4]

Starts `floorlink serve` (gunicorn, threaded) on a free port against a fresh SQLite file.
The packed packages are seeded straight into the database for speed (orders `packed`, their
lines picked and packed, one pack job and 2-3 packages each with SSCC, carrier DHL and
weight, as packing leaves them; the pick and pack flows have their own benchmarks), and
the manifest is created with the same command the API runs. Then every dispatcher logs in
on a handheld over the floor HTTP API, scans DOCK-1 and scans its share of the SSCCs back
to back over keep-alive HTTP (each order's packages are all loaded, by whichever
dispatcher), from its own process. Then one dispatcher closes the manifest: the seal input
runs the close (1,000 packages dispatched, every order's lines shipped, one
`order.dispatched` per order and `manifest.closed`) in one transaction.

It prints load scans committed per second, p50/p99 from a scan to its new screen, the time
of the close (the seal input's round trip: the close's transaction and the screen), beside the
raw durable commit rate (SQLite WAL, synchronous=FULL, one row per commit) of this run.
Targets on 2 cores (docs/performance.md, "Dispatch"): p99 scan->screen <= 50 ms; closing
1,000 packages <= 2 s.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from orders import Server, raw_sqlite
from picking import post_retrying

FLOOR = "/api/floor/v1"
PREFIX = "0614141"
SKUS = 50


# --- the seed, straight into the database ---------------------------------------------------


def seed(database_url: str, packages: int, orders: int, dispatchers: int) -> dict[str, Any]:
    """Products, DOCK-1, `orders` packed orders with `packages` packages in all, the DHL
    manifest at DOCK-1, the dispatchers and their handhelds (enrollment codes)."""
    from server import db
    from server.areas import load_settings
    from server.bootstrap import build_runtime
    from server.dispatch.manifests import CreateManifest
    from server.floor import operators
    from server.floor.kiosks import AddKiosk
    from server.models import Location, Order, OrderLine, Package, PackageItem, PackJob, Product
    from server.models import utcnow as now_
    from server.packing.sscc import compose
    from server.spine import SYSTEM

    database = db.bind(database_url)
    spine = build_runtime(load_settings(env={}, demo=True, database_url=database_url)).spine
    now = now_()
    ssccs: list[list[str]] = []  # per order
    with database.connection_context(), database.atomic():
        Product.insert_many(
            [{"sku": f"D-{i}", "name": f"Item {i}", "weight_g": 300, "length_mm": 100,
              "width_mm": 100, "height_mm": 100} for i in range(SKUS)]
        ).execute()  # fmt: skip
        Location.insert_many(
            [{"code": "DOCK-1", "zone": "D", "kind": "dock", "walk_sequence": 1},
             {"code": "PACK-01", "zone": "P", "kind": "pack", "walk_sequence": 2}]
        ).execute()  # fmt: skip
        products = [p.id for p in Product.select(Product.id).order_by(Product.id)]
        serial = 1
        for n in range(orders):
            count = packages // orders + (1 if n < packages % orders else 0)
            order = Order.create(external_id=f"B-{n:05d}", channel="web", status="packed",
                                 carrier="DHL", service="Paket", ship_to={"country": "DE"})  # fmt: skip
            job = PackJob.create(order=order, station="PACK-01", packer="bench", status="done",
                                 done_at=now)  # fmt: skip
            mine = []
            for seq in range(1, count + 1):
                product = products[(n + seq) % SKUS]
                line = OrderLine.create(order=order, line_id=str(seq), product=product, qty=1,
                                        picked=1, packed=1)  # fmt: skip
                sscc = compose(0, PREFIX, serial)
                serial += 1
                package = Package.create(
                    job=job, order=order, seq=seq, box="M", dims_mm=[300, 250, 150],
                    status="packed", expected_weight_g=400, measured_weight_g=402,
                    weight_source="scale", sscc=sscc, carrier="DHL", service="Paket",
                    carrier_rule="oms", tracking=sscc, packed_at=now,
                )  # fmt: skip
                PackageItem.create(package=package, line=line, product=product, qty=1)
                mine.append(sscc)
            ssccs.append(mine)
    pin_hash, codes = operators.new_pin_hash("1234"), []
    with database.connection_context():
        manifest = spine.execute(CreateManifest("DHL", "DOCK-1", "Paket", "TR-BENCH"), SYSTEM)
        for i in range(dispatchers):
            cmd = operators.AddOperator(f"D{i:02d}", f"Dispatcher {i}", ("dispatcher",), pin_hash)
            spine.execute(cmd, SYSTEM)
            kiosk = spine.execute(AddKiosk(f"HH-D{i:02d}", "handheld", None, 3600.0), SYSTEM)
            codes.append(kiosk.result["enrollment_code"])
    database.close_all()  # type: ignore[attr-defined]
    return {"manifest": manifest.result["id"], "ssccs": ssccs, "codes": codes}


# --- one dispatcher -------------------------------------------------------------------------


class Dispatcher:
    def __init__(self, port: int, index: int, code: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.headers = {"Content-Type": "application/json"}
        self.retries, self.n = 0, 0
        token = self.post(f"{FLOOR}/enroll", {"code": code})["device_token"]
        self.headers["X-Device-Token"] = token
        login = self.post(f"{FLOOR}/sessions", {"badge": f"D{index:02d}", "pin": "1234"})
        self.headers["Authorization"] = f"Bearer {login['token']}"
        self.inputs = f"{FLOOR}/sessions/{login['session_id']}/inputs"

    def post(self, path: str, body: Any) -> Any:
        answer, retries = post_retrying(self.conn, path, body, self.headers, attempts=40)
        self.retries += retries
        return answer

    def send(self, **body: Any) -> dict[str, Any]:
        self.n += 1
        screen: dict[str, Any] = self.post(self.inputs, {"input_id": f"i{self.n}", **body})[
            "screen"
        ]
        return screen


def worker(port: int, index: int, code: str, ssccs: list[str], ready: Any, go: Any,
           results: Any) -> None:  # fmt: skip
    d = Dispatcher(port, index, code)
    d.send(action="dispatch")
    screen = d.send(scan="DOCK-1")
    assert screen["name"] == "dispatch.load", screen
    ready.put(index)
    go.wait()
    samples, errors = [], []
    for sscc in ssccs:
        began = time.perf_counter()
        screen = d.send(scan=f"00{sscc}")
        samples.append(time.perf_counter() - began)
        if (screen.get("feedback") or {}).get("level") == "error":
            errors.append(screen["feedback"]["message"])
    results.put((index, time.time(), samples, errors, d.retries))


def close(port: int, index: int, code: str) -> tuple[float, dict[str, Any]]:
    """A fifth handheld closes the manifest: the close input's round trip, and its screen."""
    d = Dispatcher(port, index, code)
    d.send(action="dispatch")
    d.send(scan="DOCK-1")
    screen = d.send(action="close")
    assert screen["name"] == "dispatch.seal", screen
    began = time.perf_counter()
    screen = d.send(scan="SEAL-BENCH-1")
    return time.perf_counter() - began, screen


# --- the run --------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def run(args: Any, workdir: Path) -> None:
    db_path = workdir / "dispatch.db"
    database_url = f"sqlite:///{db_path}"
    raw = raw_sqlite(workdir / "raw.db", 3.0)
    server = Server(database_url, workdir)
    server.cli("db", "upgrade")
    t0 = time.perf_counter()
    seeded = seed(database_url, args.packages, args.orders, args.dispatchers + 1)
    print(f"seeded {args.packages} packages of {args.orders} orders in "
          f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
    server.start()
    try:
        shares: list[list[str]] = [[] for _ in range(args.dispatchers)]
        for n, order_ssccs in enumerate(seeded["ssccs"]):  # an order's packages: any dispatcher
            for k, sscc in enumerate(order_ssccs):
                shares[(n + k) % args.dispatchers].append(sscc)
        ctx = mp.get_context("spawn")
        ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        procs = [
            ctx.Process(
                target=worker,
                args=(server.port, i, seeded["codes"][i], shares[i], ready, go, results),
            )  # fmt: skip
            for i in range(args.dispatchers)
        ]
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=120)
        start = time.time()
        go.set()
        done = [results.get(timeout=600) for _ in procs]
        for p in procs:
            p.join(30)
        end = max(d[1] for d in done)
        latencies = [s for d in done for s in d[2]]
        errors = [e for d in done for e in d[3]]
        retries = sum(d[4] for d in done)
        elapsed = end - start
        close_s, screen = close(server.port, args.dispatchers, seeded["codes"][args.dispatchers])
        assert screen["name"] == "dispatch.closed", screen
    finally:
        server.stop()
    dispatched = verify(database_url, seeded["manifest"])
    print(f"load: {os.getloadavg()}  cores: {os.cpu_count()}")
    print(f"raw SQLite commits/s {raw:7.0f} (WAL, synchronous=FULL, one row per commit)")
    print(f"load scans/s         {len(latencies) / elapsed:7.0f} ({len(latencies)} scans by "
          f"{args.dispatchers} dispatchers in {elapsed:.1f} s; {len(errors)} refused, "
          f"{retries} 503 retried)")  # fmt: skip
    print(f"scan->screen p50 {pct(latencies, 0.5) * 1000:.1f} ms  p99 "
          f"{pct(latencies, 0.99) * 1000:.1f} ms  max {max(latencies) * 1000:.1f} ms")  # fmt: skip
    print(f"close: {close_s:.2f} s (the seal input, HTTP round trip; {dispatched['packages']} "
          f"packages, {dispatched['orders']} orders, {dispatched['events']} order.dispatched, "
          f"one transaction)")  # fmt: skip
    print(f"targets: p99 <= 50 ms: {'met' if pct(latencies, 0.99) <= 0.05 else 'NOT met'}; "
          f"close <= 2 s: {'met' if close_s <= 2.0 else 'NOT met'}")  # fmt: skip
    if errors:
        print("refusals:", errors[:5])


def verify(database_url: str, manifest_id: str) -> dict[str, int]:
    """What the close left: dispatched packages and orders, and order.dispatched events."""
    from server import db
    from server.models import Event, Order, Package

    database = db.bind(database_url)
    with database.connection_context():
        counts = {
            "packages": Package.select().where(Package.status == "dispatched").count(),
            "orders": Order.select().where(Order.status == "dispatched").count(),
            "events": Event.select().where(Event.type == "order.dispatched").count(),
        }
    database.close_all()  # type: ignore[attr-defined]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--dispatchers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="floorlink-bench-dispatch-") as tmp:
        run(args, Path(tmp))


if __name__ == "__main__":
    main()

"""Packing while picking, through the real server (issue 11): pack stations pack what
pickers pick; and the box suggestion's time for orders of 1 to 50 units.

    .venv/bin/python bench/packing.py [--stations 20] [--pickers 100] [--seconds 15]
        [--rate 200] [--seed-orders 200] [--orders 2000] [--threads 64]
        [--carton-orders 200] [--gc-off] [--only floor|cartonize] [--samples FILE]

The floor part starts its own Mosquitto and `floorlink serve` (gunicorn, one gthread
worker, as bench/picking.py does) against a fresh SQLite file (WAL, synchronous=FULL), with
the MQTT ingest on and, in `[[devices]]`, a scale and a label printer at each station
PACK-01, PACK-02, ... It loads a catalogue of mixed sizes, stock, totes and the box
catalogue through the OMS API, adds operators and kiosks through the spine's commands
(bench/picking.py `seed_floor`), and, before the clock starts, has seeding pickers pick
--seed-orders orders (with a ship-to) into totes at the pack zone, so no station starves.
Then, in load generator processes:
  - the pickers walk their batches over keep-alive HTTP (bench/picking.py `Picker`); every
    tote they drop at the pack zone goes on a shared conveyor, after the seeded ones;
  - each station is a kiosk on Socket.IO (as kiosk_ui is: the screens its scale changes
    reach it only as pushes), a virtual ZPL printer (devices/virtual_printer.py) at the
    station's [[devices]] address, and a scale whose readings travel as a bridge sends
    them (firmware_bridge/bridge.py): the retained state and a `weight` event, MQTT QoS 1,
    taken in by the server's ingest and routed to the station's session
    (server/packing/routes.py). The packer takes the next tote off the conveyor, scans it,
    takes the suggested box (or follows a split), scans every unit, puts the package on
    the scale (its expected weight +- 3 g), waits for the label at the printer, scans its
    SSCC, lifts the package off (a reading of 0 g) and goes on.
Two phases: saturated (every operator sends its next input as soon as it has its screen),
then paced (--rate inputs/s in all, each operator an equal share, pickers and stations
together). Latency, scan -> screen: a picker's HTTP POST to its answer; a station's
Socket.IO `input` to its ack (the screen); a scale reading from its MQTT publish to the
pushed screen it causes (the label screen). The load generators run with their cyclic GC
off during the phases (`quiet_gc`). Printed beside the raw durable commit rate (one row
per commit, SQLite WAL, synchronous=FULL) measured in the same run, before and after,
with the slowest steps. The cartonization part times server/packing/cartonize.choose over
the same box catalogue for --carton-orders fixed-seed orders of each size, 1 to 50 units.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import logging
import math
import multiprocessing as mp
import os
import pstats
import queue
import random
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import socketio  # noqa: E402
from floor import Http  # noqa: E402
from orders import Server, gtin13, raw_sqlite, request  # noqa: E402
from picking import FLOOR, Picker, _worker_pid, cpu_seconds, seed_floor  # noqa: E402

from devices import mqtt_topics  # noqa: E402
from devices.mqtt_client import MqttClient, MqttSettings  # noqa: E402
from devices.payloads import encode, event_payload, new_session_id, status_payload  # noqa: E402
from devices.virtual_printer import ReceivedLabel, VirtualPrinter  # noqa: E402
from server.packing.cartonize import Box, Packing, Unit, choose  # noqa: E402

SKUS = 200
SITE = "site1"
PIN = "1234"
PREFIX = "0614141"
SHIP_TO = {"name": "Jane Doe", "line1": "5 Elm St", "city": "Hamburg", "country": "DE"}

# A parcel warehouse's boxes: inner mm, tare g, max load g.
BOXES: list[dict[str, Any]] = [
    {"code": "XS", "inner_dims_mm": [150, 100, 50], "tare_g": 40, "max_load_g": 2000},
    {"code": "FLAT", "inner_dims_mm": [350, 250, 30], "tare_g": 50, "max_load_g": 1000},
    {"code": "S", "inner_dims_mm": [200, 150, 100], "tare_g": 90, "max_load_g": 5000},
    {"code": "M", "inner_dims_mm": [300, 250, 150], "tare_g": 180, "max_load_g": 10000},
    {"code": "L", "inner_dims_mm": [400, 300, 250], "tare_g": 300, "max_load_g": 20000},
    {"code": "LONG", "inner_dims_mm": [800, 150, 150], "tare_g": 350, "max_load_g": 15000},
    {"code": "XL", "inner_dims_mm": [500, 400, 300], "tare_g": 450, "max_load_g": 25000},
    {"code": "XXL", "inner_dims_mm": [600, 400, 400], "tare_g": 600, "max_load_g": 30000},
]
for _box in BOXES:
    _box["barcode"] = f"BOX-{_box['code']}"
BIGGEST_BOX = "BOX-XXL"
SSCC_IN_ZPL = re.compile(rb">;>800(\d{18})")


# --- pure helpers (tests/bench/test_packing_helpers.py) --------------------------------------


def catalogue(count: int = SKUS, seed: int = 11) -> list[tuple[tuple[int, int, int], int]]:
    """(dims mm, weight g) of each SKU B-0 ...: 60 % small goods (20-120 mm, 20-400 g), 30 %
    medium (80-250 mm, 0.2-1.5 kg), 10 % large (150-450 mm, 1-5 kg); longest side first."""
    rng, items = random.Random(seed), []
    for _ in range(count):
        r = rng.random()
        low, high, grams = (
            (20, 120, (20, 400))
            if r < 0.6
            else (80, 250, (200, 1500))
            if r < 0.9
            else (150, 450, (1000, 5000))
        )
        a, b, c = sorted((rng.randint(low, high) for _ in range(3)), reverse=True)
        # what the site stocks, it can ship: every unit fits the biggest box (600x400x400)
        items.append(((a, min(b, 400), min(c, 400)), rng.randint(*grams)))
    return items


def order_lines(rng: random.Random, units: int, most_lines: int = 12) -> list[tuple[int, int]]:
    """(SKU index, qty) of an order of `units` units: 1 to `most_lines` distinct SKUs, the
    units spread over them at random (a big order has several of some)."""
    count = rng.randint(1, min(units, most_lines))
    qty = [1] * count
    for _ in range(units - count):
        qty[rng.randrange(count)] += 1
    return list(zip(rng.sample(range(SKUS), count), qty, strict=True))


def carton_order(
    products: Sequence[tuple[tuple[int, int, int], int]], units: int, seed: int
) -> list[Unit]:
    rng = random.Random(seed)
    return [
        Unit(f"B-{sku}", products[sku][0], products[sku][1])
        for sku, qty in order_lines(rng, units)
        for _ in range(qty)
    ]


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile by nearest rank (bench/picking.py's p99: the 99th of 100); nan for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def package_quota(units_left: int, plan: str, package: int) -> int:
    """How many units go in package `package` when the suggestion splits the order into
    the boxes of `plan` ("M + S"): what is left, spread evenly over the packages left."""
    boxes = len([b for b in plan.split(" + ") if b.strip()])
    return math.ceil(units_left / max(1, boxes - package + 1))


def sscc_of(zpl: bytes) -> str | None:
    """The SSCC a label carries (the GS1-128 barcode with AI 00, server/packing/labels)."""
    found = SSCC_IN_ZPL.search(zpl)
    return found.group(1).decode() if found else None


def devices_toml(stations: int, printers: dict[int, tuple[str, int]]) -> str:
    """The config of the run: packing's settings and each station's scale and printer."""
    lines = [
        "[packing]",
        f'gs1_company_prefix = "{PREFIX}"',
        'ship_from = { name = "Floorlink DC", lines = ["1 Dock Rd"], postcode = "10115", '
        'city = "Berlin", country = "DE" }',
        "",
        "[[packing.carrier_rules]]",
        'id = "small"\ncarrier = "DHL"\nservice = "Paket"\nmax_weight_g = 2000',
        "",
        "[[packing.carrier_rules]]",
        'id = "any"\ncarrier = "UPS"\nservice = "Standard"',
        "",
    ]
    for n in range(1, stations + 1):
        host, port = printers[n]
        lines += [
            "[[devices]]",
            f'id = "{scale_id(n)}"\nkind = "scale"\nstation = "{station_code(n)}"',
            "",
            "[[devices]]",
            f'id = "printer-pack-{n:02d}"\nkind = "printer"\nstation = "{station_code(n)}"',
            f'address = "{host}:{port}"',
            "",
        ]
    return "\n".join(lines)


def station_code(n: int) -> str:
    return f"PACK-{n:02d}"


def scale_id(n: int) -> str:
    return f"scale-pack-{n:02d}"


def barcode(sku: str) -> str:
    return gtin13(int(sku.removeprefix("B-")))


# --- the site ------------------------------------------------------------------------------


def load_site(port: int, key: str, stations: int, totes: list[str]) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    locations = [
        {"code": f"A-{i // 20 + 1:02d}-{i % 20 + 1:02d}-1", "zone": "A", "kind": "pick",
         "walk_sequence": i}
        for i in range(SKUS)
    ] + [
        {"code": station_code(n), "zone": "P", "kind": "pack", "walk_sequence": 9000 + n}
        for n in range(1, max(stations, 1) + 1)  # the pickers drop at PACK-01
    ]  # fmt: skip
    products = [
        {"sku": f"B-{i}", "name": f"Item {i}", "barcodes": [gtin13(i)], "weight_g": grams,
         "dims_mm": list(dims)}
        for i, (dims, grams) in enumerate(catalogue())
    ]  # fmt: skip
    stock = [
        {"sku": f"B-{i}", "location": locations[i]["code"], "delta": 1_000_000, "reason": "bench"}
        for i in range(SKUS)
    ]
    calls = [
        ("/api/v1/locations", "PUT", {"locations": locations}),
        ("/api/v1/products", "PUT", {"products": products}),
        ("/api/v1/stock/adjustments", "POST", {"adjustments": stock}),
        ("/api/v1/boxes", "PUT", {"boxes": BOXES}),
    ]
    calls += [
        ("/api/v1/totes", "PUT", {"totes": [{"code": c} for c in totes[i : i + 1000]]})
        for i in range(0, len(totes), 1000)
    ]
    for path, method, body in calls:
        status, answer = request(port, method, path, body, auth)
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status} {answer}")


def post_orders(port: int, key: str, prefix: str, orders: int) -> None:
    """Parcel orders with a ship-to: 1 to 4 lines of 1 to 3 units of mixed sizes."""
    auth = {"Authorization": f"Bearer {key}"}

    def post(part: range) -> None:
        rng = random.Random(f"{prefix}{part.start}")
        for n in part:
            count = rng.choices((1, 2, 3, 4), (40, 30, 20, 10))[0]
            lines = [
                {"line_id": str(j), "sku": f"B-{s}", "qty": rng.choices((1, 2, 3), (60, 30, 10))[0]}
                for j, s in enumerate(rng.sample(range(SKUS), count))
            ]
            body = {
                "external_id": f"{prefix}-{n}",
                "channel": "web",
                "priority": 5,
                "ship_by": "2030-01-01T12:00:00Z",
                "ship_to": SHIP_TO | {"postal_code": f"{20000 + n % 900:05d}"},
                "lines": lines,
            }
            headers = auth | {"Idempotency-Key": f"{prefix}-{n}"}
            status, answer = request(port, "POST", "/api/v1/orders", body, headers)
            if status != 201:
                raise RuntimeError(f"order {prefix}-{n}: {status} {answer}")

    threads = [threading.Thread(target=post, args=(range(i, orders, 8),)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def seed_stations(database_url: str, stations: int) -> list[str]:
    """Packers K01... (PIN 1234) and a station kiosk at each PACK-nn; enrollment codes."""
    from server import db
    from server.areas import load_settings
    from server.bootstrap import build_runtime
    from server.floor import operators
    from server.floor.kiosks import AddKiosk
    from server.spine import SYSTEM

    database = db.bind(database_url)
    spine = build_runtime(load_settings(env={}, demo=True, database_url=database_url)).spine
    pin_hash, codes = operators.new_pin_hash(PIN), []
    with database.connection_context():
        for n in range(1, stations + 1):
            cmd = operators.AddOperator(f"K{n:02d}", f"Packer {n}", ("packer",), pin_hash)
            spine.execute(cmd, SYSTEM)
            kiosk = AddKiosk(f"ST-{station_code(n)}", "station", station_code(n), 3600.0)
            codes.append(spine.execute(kiosk, SYSTEM).result["enrollment_code"])
    database.close_all()  # type: ignore[attr-defined]
    return codes


# --- pickers --------------------------------------------------------------------------------


class FeedingPicker(Picker):
    """bench/picking.py's picker; the totes it drops at the pack zone go on the conveyor."""

    def __init__(self, port: int, index: int, code: str, totes: list[str], conveyor: Any) -> None:
        super().__init__(port, index, code, totes)
        self.conveyor, self.cart = conveyor, []  # type: ignore[var-annotated]

    def send(self, **body: Any) -> dict[str, Any]:
        step = self.screen["name"]
        screen = super().send(**body)
        if "scan" not in body or (screen.get("feedback") or {}).get("level") == "error":
            return screen
        if step == "pick.scan_tote":
            self.cart.append(body["scan"])
        elif step == "pick.scan_drop":
            for tote in self.cart:
                self.conveyor.put(tote)
            self.cart = []
        return screen


def seed_picked(port: int, jobs: list[tuple[int, str, list[str]]], conveyor: Any) -> int:
    """The seeding pickers pick every order there is into totes at the pack zone."""
    pickers = [FeedingPicker(port, i, code, totes, conveyor) for i, code, totes in jobs]
    out: list[Any] = []
    threads = [
        threading.Thread(target=p.walk, args=(time.time(), time.time() + 900, 0.0, out))
        for p in pickers
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(len(p.totes) for p in pickers)


def picker_worker(port: int, jobs: list[Any], conveyor: Any, pipe: Connection) -> None:
    pickers = [FeedingPicker(port, i, code, totes, conveyor) for i, code, totes in jobs]
    for p in pickers:
        p.send(action="pick")
    pipe.send(len(pickers))
    plan = pipe.recv()
    quiet_gc()
    for phase, (begin, gap) in enumerate(phases(plan)):
        for p in pickers:  # between batches: the next one before the phase, not in a burst
            p.to_scan()
        sent = sum(p.n for p in pickers)
        samples: list[Any] = []
        threads = [
            threading.Thread(target=p.walk, args=(begin, begin + plan["seconds"], gap, samples))
            for p in pickers
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        picks = [(at, lat, err, step, "pick") for at, lat, err, step in samples]
        pipe.send((phase, picks, sum(p.n for p in pickers) - sent - len(picks)))


def quiet_gc() -> None:
    """A load generator is an instrument: its own full collections (26-66 ms seen in a
    station process) must not land in the latencies it measures. Its heap after setup is
    frozen and the cyclic GC is off for the phases (a few MB of samples)."""
    gc.collect()
    gc.freeze()
    gc.disable()


def phases(plan: dict[str, Any]) -> list[tuple[float, float]]:
    """(start, interval) of the saturated phase and the paced one, a second apart."""
    start, seconds = plan["start"], plan["seconds"]
    return [(start, 0.0), (start + seconds + 1, plan["interval"])]


# --- pack stations --------------------------------------------------------------------------


class LabelTray:
    """A station's virtual ZPL printer and the SSCCs of the labels it printed, with when."""

    def __init__(self) -> None:
        self.printed: dict[str, float] = {}
        self.cond = threading.Condition()
        self.printer = VirtualPrinter(on_label=self._label).start()

    def _label(self, label: ReceivedLabel) -> None:
        sscc = sscc_of(label.data)
        if sscc is not None:
            with self.cond:
                self.printed[sscc] = time.perf_counter()
                self.cond.notify_all()

    def wait(self, sscc: str, timeout: float) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: sscc in self.printed, timeout)
            return self.printed.get(sscc)


class Bridge:
    """The stations' edge bridge: each scale reading as firmware_bridge/bridge.py publishes
    a stable one, the retained state and then a `weight` event (QoS 1)."""

    def __init__(self, url: str, scales: list[str]) -> None:
        self.client = MqttClient(MqttSettings(url=url, client_id=f"bench-bridge-{os.getpid()}"))
        self.client.start()
        if not self.client.wait_connected(10):
            raise RuntimeError(f"the bridge did not connect to {url}")
        self.session, self.seq, self.lock = new_session_id(), {}, threading.Lock()  # type: ignore[var-annotated]
        for scale in scales:
            online = encode(status_payload("online", self.session))
            self.client.publish(mqtt_topics.availability(SITE, scale), online, retain=True)
            self.reading(scale, 0.0)

    def reading(self, scale: str, grams: float) -> None:
        state = {"grams": grams, "stable": True}
        with self.lock:
            seq = self.seq[scale] = self.seq.get(scale, 0) + 1
            self.client.publish(mqtt_topics.state(SITE, scale), encode(state), retain=True)
            event = encode(event_payload(scale, self.session, seq, state))
            self.client.publish(mqtt_topics.event(SITE, scale, "weight"), event)

    def stop(self) -> None:
        self.client.stop()


Step = tuple[str, str, Callable[[], tuple[float, bool]]]  # (step, kind, the timed input)


class Station:
    """One pack station: its kiosk's socket, its printer, its scale (through the bridge)."""

    def __init__(
        self, port: int, n: int, code: str, tray: LabelTray, bridge: Bridge, conveyor: Any
    ) -> None:
        self.n, self.scale, self.tray, self.bridge = n, scale_id(n), tray, bridge
        self.conveyor = conveyor
        self.rng = random.Random(n)
        http = Http(port)
        status, enrolled = http.call("POST", f"{FLOOR}/enroll", {"code": code})
        assert status == 201, enrolled
        http.headers["X-Device-Token"] = enrolled["device_token"]
        status, login = http.call("POST", f"{FLOOR}/sessions", {"badge": f"K{n:02d}", "pin": PIN})
        assert status == 201, login
        http.close()
        self.screen: dict[str, Any] = login["screen"]
        self.pushes: list[tuple[float, dict[str, Any]]] = []
        self.cond = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("screen", self._pushed, namespace="/kiosk")
        auth = {"device_token": enrolled["device_token"], "session_token": login["token"]}
        self.sio.connect(
            f"http://127.0.0.1:{port}", namespaces=["/kiosk"], transports=["websocket"],
            auth=auth, wait_timeout=30,
        )  # fmt: skip
        self.sent, self.quota, self.lift_due, self.failures = 0, 0, False, 0
        self.confirmed: set[str] = set()
        self.weighed_at = self.phase_began = 0.0
        self.extra: list[Any] = []  # (at, seconds, False, what, "print" | "starved")
        self.send(action="pack")

    def _pushed(self, payload: Any) -> None:
        screen = payload.get("screen") if isinstance(payload, dict) else None
        if screen:
            with self.cond:
                self.pushes.append((time.perf_counter(), screen))
                self.cond.notify_all()

    def send(self, **body: Any) -> tuple[float, bool]:
        """One kiosk input; its time to the ack (the new screen) and whether it was refused."""
        self.sent += 1
        body["input_id"] = f"st{self.n}-{self.sent}"
        began = time.perf_counter()
        ack = self.sio.call("input", body, namespace="/kiosk", timeout=60)
        latency = time.perf_counter() - began
        screen = ack.get("screen") if isinstance(ack, dict) else None
        if screen:
            self.screen = screen
        refused = not screen or bool(ack.get("error"))
        return latency, refused or ((screen or {}).get("feedback") or {}).get("level") == "error"

    # -- what the packer does next -------------------------------------------------------

    def next_step(self) -> Step | None:
        """The next input, once the packer has what it needs (a tote, a printed label);
        None when it has not (no tote on the conveyor yet)."""
        if self.lift_due:
            return "scale:off", "scale-off", self.lift
        name = self.screen["name"]
        if name == "pack.scan_tote":
            tote = self.take_tote()
            return None if tote is None else (f"{name}:tote", "kiosk", lambda: self.send(scan=tote))
        if name == "pack.box":
            return self.box()
        if name == "pack.verify":
            return self.unit()
        if name == "pack.weigh":
            return f"{name}:reading", "scale", self.weigh
        if name == "pack.label":
            return self.label()
        if name in ("pack.done", "pack.cancelled"):
            return f"{name}:next", "kiosk", lambda: self.send(action="next")
        if name == "pack.weight_mismatch":  # never with readings within +-3 g
            return f"{name}:reweigh", "kiosk", lambda: self.send(action="reweigh")
        return f"{name}:pack", "kiosk", lambda: self.send(action="pack")

    def take_tote(self) -> str | None:
        began = time.perf_counter()
        try:
            tote: str = self.conveyor.get(timeout=0.5)
        except queue.Empty:
            tote = ""
        waited = time.perf_counter() - began
        if waited > 0.005:
            self.extra.append((time.time(), waited, False, "conveyor empty", "starved"))
        return tote or None

    def box(self) -> Step:
        target, progress = self.screen["target"], self.screen.get("progress") or {}
        package = int(str(progress.get("package", "1")).split()[0])
        self.quota = package_quota(int(target["units"]), str(target.get("plan") or ""), package)
        if target.get("box"):
            return "pack.box:take_box", "kiosk", lambda: self.send(action="take_box")
        return "pack.box:scan_box", "kiosk", lambda: self.send(scan=BIGGEST_BOX)

    def unit(self) -> Step:
        target = self.screen["target"]
        if self.screen.get("expect") == "none":  # checking after a mismatch
            return "pack.verify:reweigh", "kiosk", lambda: self.send(action="reweigh")
        left = [sku for sku, qty in target["left"].items() if qty > 0]
        inside = sum(target.get("in_package", {}).values())
        if left and inside >= self.quota:
            return "pack.verify:new_package", "kiosk", lambda: self.send(action="new_package")
        sku = left[0] if left else "B-0"
        return "pack.verify:unit", "kiosk", lambda: self.send(scan=barcode(sku))

    def weigh(self) -> tuple[float, bool]:
        """The package on the scale: its reading over MQTT until the screen it causes."""
        grams = float(self.screen["target"]["expected_g"] + self.rng.randint(-3, 3))
        with self.cond:
            self.pushes.clear()  # only what comes after the reading (and a short list)
            seen = 0
        began = self.weighed_at = time.perf_counter()
        self.bridge.reading(self.scale, grams)
        with self.cond:
            self.cond.wait_for(lambda: self._caused(seen) is not None, 30)
            caused = self._caused(seen)
        if caused is None:  # no screen within 30 s: ask for it
            self.screen = self.sio.call("screen", namespace="/kiosk", timeout=60)["screen"]
            return time.perf_counter() - began, True
        at, self.screen = caused
        return at - began, self.screen["name"] != "pack.label"

    def _caused(self, seen: int) -> tuple[float, dict[str, Any]] | None:
        """A push since `seen` that a reading caused: a new label, or a weight mismatch
        (not a late push of a label confirmed already)."""
        for at, screen in self.pushes[seen:]:
            name = screen["name"]
            sscc = (screen.get("target") or {}).get("sscc")
            if name == "pack.weight_mismatch" or (
                name == "pack.label" and sscc not in self.confirmed
            ):
                return at, screen
        return None

    def label(self) -> Step:
        """Wait for the label at the printer, then scan its SSCC."""
        sscc = str(self.screen["target"]["sscc"])
        printed = self.tray.wait(sscc, 30)
        if printed is None:
            return "pack.label:reprint", "kiosk", lambda: self.send(action="reprint")
        if self.weighed_at >= self.phase_began:  # not a reading of the phase before
            self.extra.append((time.time(), printed - self.weighed_at, False, "label", "print"))
            self.weighed_at = 0.0

        def confirm() -> tuple[float, bool]:
            latency, error = self.send(scan=f"00{sscc}")
            if not error:
                self.confirmed.add(sscc)
                self.lift_due = True
            return latency, error

        return "pack.label:sscc", "kiosk", confirm

    def lift(self) -> tuple[float, bool]:
        """The package off the scale: a reading of 0 g (its screen is not awaited)."""
        self.lift_due = False
        began = time.perf_counter()
        self.bridge.reading(self.scale, 0.0)
        return time.perf_counter() - began, False

    # -- a phase -------------------------------------------------------------------------

    def work(self, start: float, end: float, interval: float, out: list[Any]) -> None:
        due = start + self.rng.random() * interval
        _sleep_until(start)
        self.phase_began = time.perf_counter()
        while time.time() < end:
            step = self.next_step()
            if step is None:
                continue
            name, kind, do = step
            if interval:
                due = max(due, time.time() - interval)  # after a wait, no burst to catch up
                _sleep_until(due)
                due += interval
                if time.time() >= end:
                    break
            latency, error = do()
            out.append((time.time(), latency, error, name, kind))
            self.failures = self.failures + 1 if error else 0
            if self.failures >= 20:
                raise RuntimeError(f"station {self.n}: 20 refused inputs in a row at {name}")


def _sleep_until(at: float) -> None:
    delay = at - time.time()
    if delay > 0:
        time.sleep(delay)


def station_worker(numbers: list[int], conveyor: Any, pipe: Connection) -> None:
    """Its stations' printers first (their addresses go into the server's config), then
    the kiosks and the bridge once the server runs, then the phases."""
    logging.getLogger("devices.mqtt_client").setLevel(logging.ERROR)  # its disconnect notes
    trays = {n: LabelTray() for n in numbers}
    pipe.send({n: tray.printer.address for n, tray in trays.items()})
    port, mqtt_url, codes = pipe.recv()
    bridge = Bridge(mqtt_url, [scale_id(n) for n in numbers])
    time.sleep(0.5)  # the scales' first state reaches the registry before the first weigh
    stations = [Station(port, n, codes[n], trays[n], bridge, conveyor) for n in numbers]
    pipe.send(len(stations))
    plan = pipe.recv()
    quiet_gc()
    for phase, (begin, gap) in enumerate(phases(plan)):
        samples: list[Any] = []
        for s in stations:
            s.extra = []
        threads = [
            threading.Thread(target=s.work, args=(begin, begin + plan["seconds"], gap, samples))
            for s in stations
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        pipe.send((phase, samples + [x for s in stations for x in s.extra], 0))
    for s in stations:
        s.sio.disconnect()
    bridge.stop()
    for tray in trays.values():
        tray.printer.close()


# --- the floor run --------------------------------------------------------------------------


def floor_run(args: Any, workdir: Path) -> dict[Any, Any]:
    from tests.fixtures.mosquitto import MosquittoBroker

    ctx = mp.get_context("fork")
    conveyor = ctx.Queue()
    numbers = list(range(1, args.stations + 1))
    parts = [numbers[i :: args.station_procs] for i in range(args.station_procs)]
    station_pipes, procs = [], []
    for part in parts:
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=station_worker, args=(part, conveyor, theirs), daemon=True)
        proc.start()
        station_pipes.append(mine)
        procs.append(proc)
    printers = {n: addr for pipe in station_pipes for n, addr in pipe.recv().items()}
    raw_before = raw_sqlite(workdir / "raw.db", 3.0)
    broker = MosquittoBroker(workdir / "mosquitto")
    broker.start()
    config = workdir / "floorlink.toml"
    config.write_text(devices_toml(args.stations, printers))
    server = Server(f"sqlite:///{workdir / 'bench.db'}", workdir)
    server.env |= {
        "FLOORLINK_CONFIG": str(config),
        "FLOORLINK_MQTT__ENABLED": "true",
        "FLOORLINK_MQTT_URL": broker.url,
        "FLOORLINK_SITE": SITE,
        "FLOORLINK_SERVER__THREADS": str(args.threads),
    }
    server.start()
    try:
        result = drive(args, server, broker, conveyor, station_pipes, procs, ctx)
    finally:
        server.stop()
        broker.stop()
    result["raw"] = (raw_before, raw_sqlite(workdir / "raw2.db", 3.0))
    return result


def drive(
    args: Any,
    server: Server,
    broker: Any,
    conveyor: Any,
    station_pipes: list[Connection],
    procs: list[Any],
    ctx: Any,
) -> dict[Any, Any]:
    url = f"sqlite:///{server.workdir / 'bench.db'}"
    key = server.cli("apikey", "create", "bench", "--scope", "oms").splitlines()[0]
    seeders = max(1, min(20, args.seed_orders // 10))
    per = args.orders // args.pickers * 4 + 20  # batches take up to 8 orders: a fast picker's share
    seed_per = args.seed_orders + 10  # a fast seeder may pick far more than its share
    totes = {i: [f"T{i:03d}-{n:04d}" for n in range(per)] for i in range(args.pickers)}
    totes |= {
        args.pickers + i: [f"S{i:03d}-{n:04d}" for n in range(seed_per)] for i in range(seeders)
    }
    started = time.perf_counter()
    load_site(server.port, key, args.stations, [c for t in totes.values() for c in t])
    codes = seed_floor(url, args.pickers + seeders)
    station_codes = seed_stations(url, args.stations)
    post_orders(server.port, key, "SEED", args.seed_orders)
    jobs = [(i, codes[i], totes[i]) for i in range(args.pickers + seeders)]
    seeded = seed_picked(server.port, jobs[args.pickers :], conveyor)
    post_orders(server.port, key, "P", args.orders)
    print(f"site loaded, {seeded} orders picked into totes at the pack zone "
          f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    for pipe in station_pipes:
        pipe.send(
            (
                server.port,
                broker.url,
                {n: station_codes[n - 1] for n in range(1, args.stations + 1)},
            )
        )
    picker_pipes = []
    for part in (jobs[i : args.pickers : args.procs] for i in range(args.procs)):
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=picker_worker, args=(server.port, part, conveyor, theirs))
        proc.start()
        picker_pipes.append(mine)
        procs.append(proc)
    pipes = station_pipes + picker_pipes
    for pipe in pipes:
        if not pipe.poll(600):
            raise RuntimeError("a load generator did not get ready")
        pipe.recv()
    operators = args.pickers + args.stations
    plan = {"start": time.time() + 0.5, "seconds": args.seconds, "interval": operators / args.rate}
    assert server.proc is not None
    worker = _worker_pid(server.proc.pid)
    cpu, broker_cpu, load_cpu = cpu_seconds(worker), cpu_seconds(broker._process.pid), os.times()
    for pipe in pipes:
        pipe.send(plan)
    result: dict[Any, Any] = {0: [], 1: [], "unmeasured": [0, 0]}
    for _ in range(2):
        for pipe in pipes:
            if not pipe.poll(2 * args.seconds + 300):
                raise RuntimeError("a load generator did not report")
            phase, samples, unmeasured = pipe.recv()
            result[phase] += samples
            result["unmeasured"][phase] += unmeasured
    result["cpu"] = [a - b for a, b in zip(cpu_seconds(worker), cpu, strict=True)]
    result["broker_cpu"] = sum(cpu_seconds(broker._process.pid)) - sum(broker_cpu)
    for proc in procs:
        proc.join(30)
    ended = os.times()
    result["load_cpu"] = (
        ended.children_user
        + ended.children_system
        - load_cpu.children_user
        - load_cpu.children_system
    )
    return result


# --- the report -----------------------------------------------------------------------------

INPUTS = ("pick", "kiosk", "scale", "scale-off")


def latency_line(label: str, samples: list[Any]) -> str:
    lat = [s[1] * 1000 for s in samples]
    errors = sum(1 for s in samples if s[2])
    return (
        f"  {label:<34} p50 {pct(lat, 0.5):6.1f} ms   p99 {pct(lat, 0.99):6.1f} ms   "
        f"max {max(lat, default=float('nan')):6.1f} ms   n {len(lat):5d}   refused {errors}"
    )


def phase_report(
    title: str, samples: list[Any], seconds: float, raw: float, unmeasured: int
) -> dict[str, float]:
    by = {kind: [s for s in samples if s[4] == kind] for kind in (*INPUTS, "print", "starved")}
    inputs = sum(len(by[k]) for k in INPUTS)
    pack = by["kiosk"] + by["scale"]
    packages = sum(1 for s in by["kiosk"] if s[3] == "pack.label:sscc" and not s[2])
    print(f"{title}")
    print(
        f"  inputs/s {inputs / seconds:7.1f} in all = {inputs / seconds / raw:.3f} of raw commits/s "
        f"(pick {len(by['pick']) / seconds:.1f}, pack kiosk {len(by['kiosk']) / seconds:.1f}, "
        f"scale {(len(by['scale']) + len(by['scale-off'])) / seconds:.1f}); "
        f"+ {unmeasured / seconds:.1f}/s pickers' batch actions, not timed"
    )
    print(f"  packages/s {packages / seconds:6.2f}   ({packages} labelled, SSCC scanned)")
    print(latency_line("pick scan -> screen (HTTP)", by["pick"]))
    print(latency_line("pack input -> screen (kiosk + scale)", pack))
    print(latency_line("  kiosk input -> ack (Socket.IO)", by["kiosk"]))
    print(latency_line("  scale reading -> pushed screen", by["scale"]))
    print(latency_line("weight reading -> label at printer", by["print"]))
    starved = sum(s[1] for s in by["starved"])
    print(f"  stations waiting for a tote: {starved:.1f} s in all")
    return {
        "pick_p99": pct([s[1] * 1000 for s in by["pick"]], 0.99),
        "pack_p99": pct([s[1] * 1000 for s in pack], 0.99),
        "rate": inputs / seconds,
    }


def slowest(samples: list[Any]) -> str:
    """Which steps make up the slowest 1 % of these inputs (bench/picking.py's `slowest`)."""
    tail = sorted(samples, key=lambda s: s[1])[-max(1, len(samples) // 100) :]
    counts: dict[str, int] = {}
    for sample in tail:
        counts[sample[3]] = counts.get(sample[3], 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def by_step(samples: list[Any]) -> str:
    """p50 / p99 of each step, slowest p99 first."""
    steps: dict[str, list[float]] = {}
    for s in samples:
        steps.setdefault(s[3], []).append(s[1] * 1000)
    ordered = sorted(steps.items(), key=lambda kv: -pct(kv[1], 0.99))
    return "\n".join(
        f"    {k:<26} p50 {pct(v, 0.5):6.1f}  p99 {pct(v, 0.99):6.1f} ms  n {len(v)}"
        for k, v in ordered
    )


def floor_report(args: Any, result: dict[Any, Any]) -> list[str]:
    raw_before, raw_after = result["raw"]
    raw = min(raw_before, raw_after)
    print(f"\nraw SQLite commits/s {raw_before:7.0f} before, {raw_after:7.0f} after "
          "(WAL, synchronous=FULL, one row per commit); ratios use the lower")  # fmt: skip
    print(f"{args.pickers} pickers (HTTP), {args.stations} pack stations (Socket.IO kiosk, "
          f"MQTT scale, ZPL printer), {args.threads} server threads")  # fmt: skip
    sat = phase_report("saturated", result[0], args.seconds, raw, result["unmeasured"][0])
    paced = phase_report(
        f"paced at {args.rate:.0f} inputs/s in all", result[1], args.seconds, raw,
        result["unmeasured"][1],
    )  # fmt: skip
    inputs = sum(1 for p in (0, 1) for s in result[p] if s[4] in INPUTS)
    inputs += sum(result["unmeasured"])
    user, system = result["cpu"]
    per = 1000 / max(inputs, 1)
    print(
        f"server CPU per input {(user + system) * per:.2f} ms (user {user * per:.2f}, system "
        f"{system * per:.2f}; both phases, {inputs} inputs, the ingest and the printing in it); "
        f"Mosquitto {result['broker_cpu'] * per:.3f} ms; load generators {result['load_cpu'] * per:.2f} ms"
    )
    for kind, label in (("pick", "pickers"), ("pack", "stations")):
        kinds = ("kiosk", "scale") if kind == "pack" else ("pick",)
        samples = [s for s in result[1] if s[4] in kinds]
        print(f"paced, slowest 1 % of the {label}' inputs by step: {slowest(samples)}")
        print(f"  paced, by step ({label}):\n{by_step(samples)}")
    return [
        verdict(
            f"p99 pack input -> screen <= 50 ms at {args.rate:.0f} inputs/s", paced["pack_p99"], 50
        ),
        verdict(
            f"p99 pick scan -> screen <= 50 ms at {args.rate:.0f} inputs/s", paced["pick_p99"], 50
        ),
        f"(saturated: {sat['rate']:.0f} inputs/s, pack p99 {sat['pack_p99']:.0f} ms, pick p99 "
        f"{sat['pick_p99']:.0f} ms; no target)",
    ]


def verdict(target: str, value: float, limit: float) -> str:
    if value <= limit:
        return f"target {target}: met ({value:.1f} ms)"
    return f"target {target}: NOT met ({value:.1f} ms, {value - limit:.1f} ms = {value / limit:.1f}x over)"


# --- cartonization --------------------------------------------------------------------------


def cpu_reference() -> float:
    """ms for a fixed pure-Python loop (best of 3): how fast the CPU was for us just now."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        sum(i * i for i in range(300_000))
        best = min(best, time.perf_counter() - began)
    return best * 1000


def cartonization(args: Any) -> list[str]:
    boxes = [Box(b["code"], tuple(b["inner_dims_mm"]), b["tare_g"], b["max_load_g"]) for b in BOXES]
    products = catalogue()
    for seed in range(20):  # warm (the rotations cache lives as long as the server does)
        choose(boxes, carton_order(products, 20, seed))
    gc.collect()
    gc.freeze()  # as `floorlink serve` does after start
    raw = raw_sqlite(Path(tempfile.mkdtemp(prefix="floorlink-bench-")) / "raw.db", 2.0)
    print(
        f"\ncartonization: server/packing/cartonize.choose, {len(boxes)} boxes "
        f"({', '.join(b.code for b in boxes)}), {args.carton_orders} fixed-seed orders per size, "
        f"gc {'off' if args.gc_off else 'on (startup heap frozen, as the server runs)'}; "
        f"raw SQLite commits/s {raw:.0f}, CPU reference {cpu_reference():.1f} ms, load {os.getloadavg()}"
    )
    print("  units  p50 ms  p99 ms  max ms   split  boxes/order  split orders p50 / p99 ms")
    slowest_p99, at50 = 0.0, float("nan")
    for units in range(1, 51):
        times, split_times, boxes_used = [], [], 0
        for k in range(args.carton_orders):
            order = carton_order(products, units, units * 100_000 + k)
            took, result = timed(boxes, order, args.gc_off)
            times.append(took)
            assert isinstance(result, Packing), result
            boxes_used += len(result.packages)
            if result.split:
                split_times.append(took)
        p99 = pct(times, 0.99)
        slowest_p99, at50 = max(slowest_p99, p99), p99 if units == 50 else at50
        print(
            f"  {units:5d}  {pct(times, 0.5):6.2f}  {p99:6.2f}  {max(times):6.2f}  "
            f"{len(split_times) / len(times):5.0%}  {boxes_used / len(times):11.2f}  "
            f"{pct(split_times, 0.5):6.2f} / {pct(split_times, 0.99):6.2f}"
        )
    profile_50(boxes, products, args.carton_orders)
    return [
        verdict("cartonization p99 <= 20 ms for 50 units", at50, 20),
        f"(slowest p99 of any size 1-50: {slowest_p99:.1f} ms)",
    ]


def timed(boxes: list[Box], order: list[Unit], gc_off: bool) -> tuple[float, Any]:
    if gc_off:
        gc.disable()
    try:
        began = time.perf_counter()
        result = choose(boxes, order)
        return (time.perf_counter() - began) * 1000, result
    finally:
        if gc_off:
            gc.enable()


def profile_50(boxes: list[Box], products: Any, orders: int) -> None:
    """Where the time of 50-unit orders goes: choose's steps (cumulative) and the functions
    with the most own time."""
    profile = cProfile.Profile()
    profile.enable()
    for k in range(orders):
        choose(boxes, carton_order(products, 50, 50 * 100_000 + k))
    profile.disable()
    entries = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    named = {f"{Path(f[0]).stem}.{f[2]}": v for f, v in entries.items()}
    whole = named.get("cartonize.choose", (0, 0, 0, 1))[3] or 1
    steps = ("_fits_no_box", "_smallest_fit", "_best_fill")
    print("  50 units, choose's steps (cProfile, cumulative): " + ", ".join(
        f"{s} {named[f'cartonize.{s}'][3] / whole:.0%}" for s in steps if f"cartonize.{s}" in named
    ))  # fmt: skip
    own = sorted(named.items(), key=lambda kv: -kv[1][2])[:6]
    total = sum(v[2] for v in named.values()) or 1
    print("  own time by function: " + ", ".join(
        f"{name} {v[2] / total:.0%} ({v[1]:,} calls)" for name, v in own
    ))  # fmt: skip


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--pickers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase")
    parser.add_argument("--rate", type=float, default=200.0, help="inputs/s in all, paced")
    parser.add_argument("--seed-orders", type=int, default=200, help="picked before the clock")
    parser.add_argument("--orders", type=int, default=2000, help="for the pickers to pick")
    parser.add_argument("--procs", type=int, default=4, help="picker processes")
    parser.add_argument("--station-procs", type=int, default=2, help="station processes")
    parser.add_argument("--threads", type=int, default=64, help="server.threads (its default)")
    parser.add_argument("--carton-orders", type=int, default=200, help="orders per size")
    parser.add_argument("--gc-off", action="store_true", help="time cartonization with gc off")
    parser.add_argument("--only", choices=("floor", "cartonize"))
    parser.add_argument("--samples", metavar="FILE", help="write every timed input as JSON lines")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}  cores: {os.cpu_count()}  {time.strftime('%Y-%m-%d %H:%M')}")
    verdicts = []
    if args.only != "cartonize":
        with tempfile.TemporaryDirectory(prefix="floorlink-bench-") as tmp:
            result = floor_run(args, Path(tmp))
        verdicts += floor_report(args, result)
        if args.samples:
            with open(args.samples, "w") as out:
                for phase in (0, 1):
                    for at, seconds, refused, step, kind in result[phase]:
                        row = {"phase": phase, "at": at, "ms": seconds * 1000, "refused": refused}
                        out.write(json.dumps(row | {"step": step, "kind": kind}) + "\n")
    if args.only != "floor":
        verdicts += cartonization(args)
    print(f"\nload at the end: {os.getloadavg()}")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()

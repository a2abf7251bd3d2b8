"""One site served by two `floorlink serve` processes: one PostgreSQL database, a real Redis
as Socket.IO's message queue, and HAProxy with deploy/haproxy.cfg in front (docs/deployment.md).

What it proves: a push after commit in one process reaches a kiosk on the other at once
(not the event log's look, which is set to a minute here); the webhook relays of both
processes deliver every event once, in order per subject; kill -9 of one process under
load loses no acknowledged input, applies none twice, and its kiosks reconnect through the
load balancer to the other and carry on from their current screen.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee
import pytest
import requests
import socketio

from server.api import keys
from server.areas import load_settings
from server.bootstrap import build_runtime
from server.floor import operators
from server.floor.kiosks import AddKiosk
from server.ids import new_id
from server.models import Order, Product, Stock
from server.spine import SYSTEM, Spine
from server.sync.endpoints import CreateEndpoint
from tests.fixtures.database import on_postgres
from tests.fixtures.site import LOCATIONS, PRODUCTS
from tests.fixtures.site_parts import HAProxy, RedisServer, Serve, wait_until
from tests.picking.live import FLOOR, Http, Walker
from tests.sync.receiver import Receiver

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not on_postgres, reason="several processes need PostgreSQL"),
]

PENS = 5000  # more than the order poster places in a run: each order's pen is reserved
STOCK = [
    {"sku": "MUG", "location": "A-01-01-1", "delta": 500, "reason": "count"},
    {"sku": "PEN", "location": "A-01-02-1", "delta": PENS, "reason": "count"},
]


def config_file(tmp_path: Path, db_url: str, redis_url: str) -> Path:
    config = tmp_path / "floorlink.toml"
    config.write_text(
        f'database_url = "{db_url}"\n'
        'secret_key = "test"\n'
        "[realtime]\n"
        f'redis_url = "{redis_url}"\n'
        "[relay]\npoll_interval_s = 0.2\n"
        "[mqtt]\nenabled = false\n"
        "[picking]\nmax_orders = 2\n"  # every picker of the test has a batch
        # the event log's look is a minute: a push seen within seconds came through Redis
        "[floor]\nsweep_interval_s = 60\n"
    )
    return config


@dataclass
class Site:
    config: Path
    spine: Spine
    a: Serve
    b: Serve
    lb: HAProxy
    redis: RedisServer
    oms_key: str
    receiver: Receiver

    def oms(self, base: str) -> Http:
        return Http(base, self.oms_key)


@pytest.fixture
def site(tmp_path: Path, db_url: str, database: peewee.Database) -> Iterator[Site]:
    redis = RedisServer(tmp_path).start()
    config = config_file(tmp_path, db_url, redis.url)
    spine = build_runtime(load_settings(config, env={})).spine
    receiver = Receiver().start()
    view = spine.execute(CreateEndpoint(receiver.url, ["*"]), SYSTEM).result
    receiver.secrets.append(view["secret"])
    oms_key = keys.create("oms", "oms").secret
    a, b = Serve("serve-a", tmp_path, config), Serve("serve-b", tmp_path, config)
    lb = HAProxy(tmp_path, [a.port, b.port])
    parts = [redis, a, b, lb]
    try:
        a.start(), b.start()
        a.wait_healthy(), b.wait_healthy()
        lb.start()
        oms = Http(a.base, oms_key)
        assert oms.put("/products", {"products": PRODUCTS}).status_code == 200
        assert oms.put("/locations", {"locations": LOCATIONS}).status_code == 200
        assert oms.post("/stock/adjustments", {"adjustments": STOCK}).status_code == 200
        totes = [{"code": f"T{i}"} for i in range(1, 61)]
        assert oms.put("/totes", {"totes": totes}).status_code == 200
        yield Site(config, spine, a, b, lb, redis, oms_key, receiver)
    finally:
        for part in reversed(parts):
            part.kill()
        receiver.stop()


def order_body(external_id: str, **lines: int) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "channel": "web",
        "ship_by": "2030-01-01T12:00:00Z",
        "lines": [
            {"line_id": str(i), "sku": s, "qty": q} for i, (s, q) in enumerate(lines.items(), 1)
        ],
    }


def place(oms: Http, external_id: str, **lines: int) -> None:
    r = oms.post(
        "/orders", order_body(external_id, **lines), headers={"Idempotency-Key": external_id}
    )
    assert r.status_code == 201, r.json


@dataclass
class Kiosk:
    """A handheld's Socket.IO client as the browser's link.js is: it reconnects by itself
    (through the load balancer, with its cookie), and an input not acknowledged is sent
    again with the same input_id once connected."""

    base: str
    http: requests.Session
    session_id: str
    screen: dict[str, Any]
    walker: Walker = field(default_factory=Walker)
    pushes: list[dict[str, Any]] = field(default_factory=list)
    connects: int = 0
    sio: socketio.Client | None = None

    def connect(self) -> None:
        client = socketio.Client(
            http_session=self.http, reconnection_delay=0.2, reconnection_delay_max=1.0
        )
        client.on("screen", self._pushed, namespace="/kiosk")
        client.on("connect", self._connected, namespace="/kiosk")
        auth = {
            "device_token": self.http.headers["X-Device-Token"],
            "session_token": str(self.http.headers["Authorization"]).removeprefix("Bearer "),
        }
        client.connect(self.base, namespaces=["/kiosk"], auth=auth, wait_timeout=10)
        self.sio = client

    def _connected(self) -> None:
        self.connects += 1

    def _pushed(self, data: dict[str, Any]) -> None:
        self.pushes.append(data["screen"])

    @property
    def node(self) -> str | None:
        return self.http.cookies.get("FLOORLINK_NODE")

    def emit(self, body: dict[str, Any], deadline_s: float = 40.0) -> dict[str, Any]:
        assert self.sio is not None
        body = {"input_id": new_id("in"), **body}
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                ack = self.sio.call("input", body, namespace="/kiosk", timeout=5)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                assert time.monotonic() < deadline, f"input {body} never acknowledged"
                time.sleep(0.2)
                continue
            assert "error" not in ack, ack
            self.screen = ack["screen"]
            return self.screen

    def wait_push(self, name: str, timeout: float) -> dict[str, Any]:
        wait_until(
            lambda: any(s["name"] == name for s in self.pushes),
            timeout,
            f"no {name} pushed; got {[s['name'] for s in self.pushes]}",
        )
        return next(s for s in self.pushes if s["name"] == name)

    def close(self) -> None:
        if self.sio is not None:
            self.sio.disconnect()
        self.http.close()


class OrderPoster(threading.Thread):
    """The OMS posting orders one after the other; each is retried with its key until
    answered, as an OMS does; `stop()` gives the keys acknowledged."""

    def __init__(self, http: Http) -> None:
        super().__init__(daemon=True)
        self.http, self.acknowledged = http, list[str]()
        self._halt = threading.Event()
        self.start()

    def run(self) -> None:
        for n in itertools.count():
            if self._halt.is_set():
                return
            key = f"L-{n}"
            while not self._answered(key):
                time.sleep(0.1)
            self.acknowledged.append(key)

    def _answered(self, key: str) -> bool:
        try:
            r = self.http.post("/orders", order_body(key, PEN=1), headers={"Idempotency-Key": key})
        except requests.RequestException:
            return False
        return r.status_code in (200, 201)

    def stop(self) -> list[str]:
        self._halt.set()
        self.join(40)
        assert not self.is_alive()
        return self.acknowledged


class Walk(threading.Thread):
    """A picker scanning what each screen asks for, one scan every 50 ms, to the end of the
    batch; a screen with an error (a scan the screen did not expect) is kept."""

    def __init__(self, k: Kiosk) -> None:
        super().__init__(daemon=True)
        self.kiosk, self.scans, self.errors = k, 0, list[dict[str, Any]]()
        self.start()

    def run(self) -> None:
        k = self.kiosk
        while (scan := k.walker.next_scan(k.screen)) is not None:
            screen = k.emit({"scan": scan})
            self.scans += 1
            if (screen.get("feedback") or {}).get("level") == "error":
                self.errors.append(screen)
            time.sleep(0.05)


_badges = itertools.count(1)


def kiosk(site: Site, base: str) -> Kiosk:
    """An operator and a handheld added here, logged in over `base`, its socket open."""
    n = next(_badges)
    badge = f"P{n}"
    pin = operators.new_pin_hash("1234")
    site.spine.execute(operators.AddOperator(badge, f"Op {badge}", ("picker",), pin), SYSTEM)
    code = site.spine.execute(AddKiosk(f"HH-{badge}", "handheld", None, 900.0), SYSTEM).result
    http = requests.Session()
    r = http.post(f"{base}{FLOOR}/enroll", json={"code": code["enrollment_code"]}, timeout=10)
    assert r.status_code == 201, r.text
    http.headers["X-Device-Token"] = r.json()["device_token"]
    r = http.post(f"{base}{FLOOR}/sessions", json={"badge": badge, "pin": "1234"}, timeout=10)
    assert r.status_code == 201, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['token']}"
    totes = Walker(free=[f"T{i}" for i in range(3 * n - 2, 3 * n + 1)])  # its own totes
    k = Kiosk(base, http, r.json()["session_id"], r.json()["screen"], totes)
    k.connect()
    return k


def test_a_cancel_posted_to_b_pushes_the_screen_to_a_kiosk_on_a(site: Site) -> None:
    place(site.oms(site.a.base), "WEB-1", MUG=1, PEN=1)
    on_a = kiosk(site, site.a.base)
    on_a.emit({"action": "pick"})
    while on_a.screen["name"] != "pick.scan_location" or on_a.screen["target"]["location"] != (
        "A-01-02-1"
    ):
        scan = on_a.walker.next_scan(on_a.screen)
        assert scan is not None, on_a.screen
        on_a.emit({"scan": scan})
    on_a.pushes.clear()

    cancelled_at = time.monotonic()
    reply = site.oms(site.b.base).post("/orders/WEB-1/cancel", {"reason": "customer"})
    assert reply.status_code == 200, reply.json
    pushed = on_a.wait_push("pick.put_back", timeout=10)
    assert time.monotonic() - cancelled_at < 10  # the log's look (60 s) did not do it
    assert pushed["target"]["order"] == "WEB-1"
    on_a.close()


def test_the_relays_of_both_processes_deliver_every_event_once_in_order(site: Site) -> None:
    a, b = site.oms(site.a.base), site.oms(site.b.base)
    for i in range(40):
        place(a if i % 2 else b, f"W-{i}", PEN=1)
    for i in range(0, 40, 2):  # a second event for half the subjects, from the other process
        oms = b if i % 4 else a
        assert oms.post(f"/orders/W-{i}/cancel", {"reason": "customer"}).status_code == 200
    expected = 40 + 20

    def orders_delivered() -> list[dict[str, Any]]:
        return [
            r.event
            for r in list(site.receiver.accepted)
            if r.event.get("subject", "").startswith("order:W-")
        ]

    wait_until(lambda: len(orders_delivered()) >= expected, 30, "webhooks not delivered")
    time.sleep(1.0)  # a duplicate would come now
    events = orders_delivered()
    ids = Counter(e["id"] for e in events)
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(events) == expected
    by_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        by_subject[e["subject"]].append(e)
    for subject, got in by_subject.items():
        assert [e["seq"] for e in got] == sorted(e["seq"] for e in got), subject
        if int(subject.removeprefix("order:W-")) % 2 == 0:
            assert [e["type"] for e in got] == ["order.accepted", "order.cancelled"]
    assert all(r.valid for r in site.receiver.accepted)


def test_kill_9_of_one_process_under_load(site: Site) -> None:
    """Pickers through the load balancer on both processes and the OMS posting orders; A is
    killed -9 half way. Every order acknowledged is there once (its stock reserved once),
    every kiosk of A reconnects to B and walks on from its screen."""
    oms = site.oms(site.lb.base)
    for i in range(12):
        place(oms, f"K-{i}", PEN=1)
    kiosks = [kiosk(site, site.lb.base) for _ in range(6)]
    nodes = {k.node for k in kiosks}
    assert nodes == {"serve1", "serve2"}, nodes  # the balancer spread them
    for k in kiosks:
        k.emit({"action": "pick"})

    poster = OrderPoster(Http(site.lb.base, site.oms_key))
    walks = [Walk(k) for k in kiosks]  # the pickers walk their batches meanwhile
    time.sleep(1.0)
    on_a = [k for k in kiosks if k.node == "serve1"]
    site.a.kill()

    for k in on_a:  # reconnected through the balancer to B
        wait_until(lambda k=k: k.connects >= 2, 20, f"{k.session_id} did not reconnect")
    for w in walks:  # and walked on from their screen: no scan was ever a wrong one
        w.join(60)
        assert not w.is_alive() and w.errors == [], w.errors
        assert w.scans > 3
    acknowledged = poster.stop()
    assert len(acknowledged) > 5

    with Order._meta.database.connection_context():
        names = [o.external_id for o in Order.select(Order.external_id)]
        assert sorted(set(names)) == sorted(names)
        assert set(acknowledged) <= set(names)
        placed = len([n for n in names if n.startswith(("L-", "K-"))])
        pen = Stock.select().join(Product).where(Product.sku == "PEN").get()
        # every order one pen, reserved (or picked, so gone from on hand) once, never twice
        assert pen.reserved + (PENS - pen.on_hand) == placed
    assert all(k.screen["name"] in ("pick.done", "pick.no_work") for k in kiosks), [
        k.screen["name"] for k in kiosks
    ]
    for k in kiosks:
        k.close()

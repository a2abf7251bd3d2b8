"""A real Floorlink on loopback for end-to-end picking: HTTP, Socket.IO, a serial scanner on a
pseudo-terminal, the webhook relay delivering to a loopback receiver.

`Picker.next_scan(screen)` knows how to walk the pick screens (which tote for which order,
which barcode for which SKU), so each transport only differs in how it sends the scan.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
import socketio
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from server.api import keys
from server.db import database as db_proxy
from server.ids import new_id
from server.spine import Actor
from server.sync.endpoints import CreateEndpoint
from tests.fixtures.site import LOCATIONS, PRODUCTS
from tests.floor.conftest import add_kiosk, add_operator
from tests.sync.receiver import Receiver

FLOOR = "/api/floor/v1"
TESTER = Actor("system", "e2e-test")
BARCODES = {str(p["sku"]): str(p["barcodes"][0]) for p in PRODUCTS}  # type: ignore[index]
STOCK = [
    {"sku": "MUG", "location": "A-01-01-1", "delta": 10, "reason": "count"},
    {"sku": "PEN", "location": "A-01-02-1", "delta": 50, "reason": "count"},
]


@dataclass
class Reply:
    status_code: int
    json: Any


class Http:
    """/api/v1 over real HTTP with a key (answers shaped like the Flask test client's)."""

    def __init__(self, base: str, key: str) -> None:
        self.base, self.http = base + "/api/v1", requests.Session()
        self.http.headers["Authorization"] = f"Bearer {key}"

    def call(self, method: str, path: str, json: Any = None, **kw: Any) -> Reply:
        r = self.http.request(method, self.base + path, json=json, timeout=10, **kw)
        return Reply(r.status_code, r.json() if r.content else None)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def put(self, path: str, json: Any, **kw: Any) -> Reply:
        return self.call("PUT", path, json, **kw)

    def post(self, path: str, json: Any, **kw: Any) -> Reply:
        return self.call("POST", path, json, **kw)


@dataclass
class LiveFloor:
    app: Flask
    base: str
    oms: Http
    receiver: Receiver

    def load_site(self, totes: int = 6) -> None:
        assert self.oms.put("/products", {"products": PRODUCTS}).status_code == 200
        assert self.oms.put("/locations", {"locations": LOCATIONS}).status_code == 200
        assert self.oms.post("/stock/adjustments", {"adjustments": STOCK}).status_code == 200
        codes = [{"code": f"T{i}"} for i in range(1, totes + 1)]
        assert self.oms.put("/totes", {"totes": codes}).status_code == 200

    def order(self, external_id: str, priority: int = 3, **lines: int) -> dict[str, Any]:
        body = {
            "external_id": external_id,
            "channel": "web",
            "priority": priority,
            "ship_by": "2030-01-01T12:00:00Z",
            "lines": [
                {"line_id": str(i), "sku": s, "qty": q} for i, (s, q) in enumerate(lines.items(), 1)
            ],
        }
        r = self.oms.post("/orders", body, headers={"Idempotency-Key": external_id})
        assert r.status_code == 201, r.json
        return dict(r.json)

    def picker(self, badge: str, kind: str = "handheld", station: str | None = None) -> Picker:
        add_operator(self.app, badge, ("picker",), "1234")
        device_id = f"{kind[:2].upper()}-{badge}"
        code = add_kiosk(self.app, device_id, kind, station)
        http = requests.Session()
        r = http.post(f"{self.base}{FLOOR}/enroll", json={"code": code}, timeout=10)
        assert r.status_code == 201, r.text
        http.headers["X-Device-Token"] = r.json()["device_token"]
        r = http.post(f"{self.base}{FLOOR}/sessions", json={"badge": badge, "pin": "1234"})
        assert r.status_code == 201, r.text
        http.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return Picker(self.base, http, r.json()["session_id"], r.json()["screen"])

    def events_after(self, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        r = self.oms.get("/events", params={"after": cursor} if cursor else {})
        return r.json["data"], r.json["next_cursor"] or cursor


@dataclass
class Walker:
    """A careful picker's choices: which tote for which order, what to scan on a screen."""

    totes: dict[str, str] = field(default_factory=dict)  # order -> tote
    free: list[str] = field(default_factory=lambda: [f"T{i}" for i in range(1, 7)])

    def next_scan(self, screen: dict[str, Any]) -> str | None:
        """What a careful picker scans on this screen (None: nothing to scan)."""
        name, target = screen["name"], screen["target"]
        if name == "pick.scan_tote":
            tote = self.totes.setdefault(target["order"], self.free.pop(0))
            return tote
        if name in ("pick.scan_location", "pick.put_back"):
            return str(target["location"])
        if name in ("pick.scan_product", "pick.quantity"):
            return BARCODES[target["sku"]]
        if name == "pick.scan_tote_put":
            return str(target["tote"])
        if name == "pick.scan_drop":
            return "PACK-01"
        return None


@dataclass
class Picker:
    """One operator logged in on an enrolled kiosk, over the floor HTTP API."""

    base: str
    http: requests.Session
    session_id: str
    screen: dict[str, Any]
    walker: Walker = field(default_factory=lambda: Walker())
    pushed: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    sio: socketio.Client | None = None

    def send(self, **body: Any) -> dict[str, Any]:
        body.setdefault("input_id", new_id("in"))
        url = f"{self.base}{FLOOR}/sessions/{self.session_id}/inputs"
        r = self.http.post(url, json=body, timeout=10)
        assert r.status_code == 200, r.text
        self.screen = r.json()["screen"]
        return self.screen

    def current(self) -> dict[str, Any]:
        url = f"{self.base}{FLOOR}/sessions/{self.session_id}/screen"
        self.screen = self.http.get(url, timeout=10).json()["screen"]
        return self.screen

    def next_scan(self, screen: dict[str, Any]) -> str | None:
        return self.walker.next_scan(screen)

    @property
    def totes(self) -> dict[str, str]:
        return self.walker.totes

    # -- Socket.IO ---------------------------------------------------------------------

    def connect_socket(self) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.on("screen", lambda data: self.pushed.put(data["screen"]), namespace="/kiosk")
        auth = {
            "device_token": self.http.headers["X-Device-Token"],
            "session_token": str(self.http.headers["Authorization"]).removeprefix("Bearer "),
        }
        client.connect(self.base, namespaces=["/kiosk"], auth=auth, wait_timeout=10)
        self.sio = client
        self.wait_push()  # the screen sent on connect
        return client

    def emit(self, **body: Any) -> dict[str, Any]:
        assert self.sio is not None
        body.setdefault("input_id", new_id("in"))
        ack = self.sio.call("input", body, namespace="/kiosk", timeout=10)
        assert "error" not in ack, ack
        self.screen = ack["screen"]
        return self.screen

    def wait_push(self, timeout: float = 30.0) -> dict[str, Any]:
        self.screen = self.pushed.get(timeout=timeout)
        return self.screen

    def close(self) -> None:
        if self.sio is not None:
            self.sio.disconnect()
        self.http.close()


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[str]:
    """The app and its services on a real threaded HTTP server on loopback."""
    app.extensions["floorlink"].start()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def new_key(scope: str) -> str:
    with db_proxy.connection_context():
        return keys.create(f"e2e-{scope}-{new_id('k')}", scope).secret


def add_receiver(app: Flask, receiver: Receiver) -> None:
    """A webhook endpoint for every event type, delivering to the receiver."""
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        view = spine.execute(CreateEndpoint(receiver.url, ["*"]), TESTER).result
    receiver.secrets.append(view["secret"])

"""The demo's simulated pickers and the OMS that keeps sending them orders: each picker is an
enrolled handheld with an operator logged in, working through the floor HTTP API exactly as
a kiosk does (server-driven screens: it reads the screen and scans what it asks for), at a
human pace; now and then a shelf is empty and the picker reports a short, which the board
shows. The OMS posts a small order every little while and tops up stock that runs low."""

from __future__ import annotations

import json
import logging
import random
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
FLOOR = "/api/floor/v1"
SHORT_ONE_IN = 60  # product screens: one in this many is reported short (shelf empty)


class Http:
    """JSON over HTTP with the standard library (the demo has no client dependency)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base, self.headers = base, dict(headers or {})

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **self.headers, **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None


def gs1(gtin13: str, lot: str | None, expiry: str | None) -> str:
    """The product's scan: its GTIN, with its lot (and expiry) as GS1 element strings."""
    if not lot and not expiry:
        return gtin13
    scan = f"(01)0{gtin13}"
    if expiry:
        scan += f"(17){expiry[2:4]}{expiry[5:7]}{expiry[8:10]}"
    if lot:
        scan += f"(10){lot}"
    return scan


class SimPicker:
    def __init__(
        self, base: str, badge: str, pin: str, code: str, barcodes: dict[str, str], totes: Any
    ) -> None:
        self.http = Http(base)
        self.badge, self.pin, self.code = badge, pin, code
        self.barcodes = barcodes
        self.totes = totes  # an iterator of free tote codes, shared by the pickers
        self.rng = random.Random(badge)
        self.session = ""
        self.n = 0
        self.screen: dict[str, Any] = {}
        self.my_totes: dict[str, str] = {}

    def log_in(self) -> None:
        status, body = self.http.call("POST", f"{FLOOR}/enroll", {"code": self.code})
        if status != 201:
            raise RuntimeError(f"demo picker {self.badge} could not enroll: {body}")
        self.http.headers["X-Device-Token"] = body["device_token"]
        self._session()

    def _session(self) -> None:
        status, body = self.http.call(
            "POST", f"{FLOOR}/sessions", {"badge": self.badge, "pin": self.pin}
        )
        if status != 201:
            raise RuntimeError(f"demo picker {self.badge} could not log in: {body}")
        self.session = body["session_id"]
        self.http.headers["Authorization"] = f"Bearer {body['token']}"
        self.screen = body["screen"]

    def send(self, **body: Any) -> dict[str, Any]:
        self.n += 1
        body["input_id"] = f"sim-{self.n}-{self.rng.random():.9f}"
        status, answer = self.http.call("POST", f"{FLOOR}/sessions/{self.session}/inputs", body)
        if status == 401:  # the session ended (idle, replaced): log in again
            self._session()
            return self.screen
        if status != 200:
            raise RuntimeError(f"demo picker {self.badge}: {status} {answer}")
        self.screen = answer["screen"]
        return self.screen

    def step(self) -> float:
        """One input; the seconds to wait before the next (a human's pace)."""
        name, target = self.screen.get("name", ""), self.screen.get("target") or {}
        if name == "home":
            self.send(action="pick")
            return 1.0
        if name == "pick.no_work":
            self.send(action="retry")
            return 8.0
        if name == "pick.done":
            self.my_totes.clear()
            self.send(action="next")
            return 4.0
        if name == "pick.scan_tote":
            tote = self.my_totes.setdefault(str(target.get("order")), next(self.totes))
            self.send(scan=tote)
        elif name in ("pick.scan_location", "pick.put_back"):
            self.send(scan=str(target["location"]))
        elif name in ("pick.scan_product", "pick.quantity"):
            if name == "pick.scan_product" and self.rng.randrange(SHORT_ONE_IN) == 0:
                self.send(action="short", value="empty")
            else:
                barcode = self.barcodes.get(str(target.get("sku")), "")
                self.send(scan=gs1(barcode, target.get("lot"), target.get("expiry")))
            return self.rng.uniform(1.5, 3.0)
        elif name == "pick.scan_tote_put":
            self.send(scan=str(target["tote"]))
        elif name == "pick.scan_drop":
            self.send(scan="PACK-01")
        elif name == "pick.short_reason":
            self.send(action="short_empty")
        else:
            self.send(action="home")
        return self.rng.uniform(2.0, 5.0)  # walking to the next shelf


class PickerCrew:
    """The pickers, each on its own thread, and the OMS feeding orders."""

    def __init__(
        self,
        pickers: list[SimPicker],
        oms: Http,
        new_order: Callable[[int], dict[str, Any]],
        restock: Callable[[], list[dict[str, Any]]],
        order_every_s: float = 25.0,
    ) -> None:
        self.pickers, self.oms = pickers, oms
        self.new_order, self.restock = new_order, restock
        self.order_every_s = order_every_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> PickerCrew:
        for picker in self.pickers:
            t = threading.Thread(target=self._work, args=(picker,), name=f"demo-{picker.badge}")
            t.daemon = True
            t.start()
            self._threads.append(t)
        t = threading.Thread(target=self._feed, name="demo-oms", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(5)

    def _work(self, picker: SimPicker) -> None:
        try:
            picker.log_in()
        except Exception:
            log.exception("demo picker %s could not start", picker.badge)
            return
        while not self._stop.is_set():
            try:
                wait = picker.step()
            except Exception as exc:  # a refused input: look at the screen again later
                log.warning("demo picker %s: %s", picker.badge, exc)
                picker.screen = {"name": "home"}
                wait = 10.0
            self._stop.wait(wait)

    def _feed(self) -> None:
        n = 0
        while not self._stop.wait(self.order_every_s):
            n += 1
            try:
                body = self.new_order(n)
                self.oms.call(
                    "POST", "/api/v1/orders", body, **{"Idempotency-Key": body["external_id"]}
                )
                if n % 10 == 0:
                    self.oms.call(
                        "POST", "/api/v1/stock/adjustments", {"adjustments": self.restock()}
                    )
            except Exception:
                log.exception("demo OMS failed")

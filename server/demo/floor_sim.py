"""The simulated floor of `floorlink demo` (off with `--no-simulation`): a Mosquitto of its
own (server/demo/broker.py) with simulated probes, dock doors and pick-to-light modules
(server/demo/sensors.py), a fridge zone with chilled stock, and a few simulated pickers
working through the orders an OMS keeps sending (server/demo/pickers.py), so whoever opens
the board sees the floor move: batches progress, shorts come in, the fridge drifts out of
range now and then, its stock is held, doors open and close.

Everything it adds to the site goes through the spine with the API's request schemas (as
the seed does); its operators, kiosks and totes are its own (badges SIM-*)."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import random
import threading
import time
from pathlib import Path
from typing import Any

from server.api import keys
from server.api.schemas import AdjustmentBatch, LocationBatch
from server.catalog.handlers import UpsertLocations
from server.db import connection
from server.demo import sensors, site
from server.demo.broker import DemoBroker
from server.demo.pickers import Http, PickerCrew, SimPicker
from server.floor import operators
from server.floor.kiosks import AddKiosk
from server.inventory.handlers import AdjustStock
from server.models import Location, Stock
from server.spine import Actor, Spine
from server.totes.handlers import UpsertTotes

log = logging.getLogger(__name__)
SIM = Actor("system", "demo-floor")
PICKERS = [("SIM-01", "Sam Sim"), ("SIM-02", "Ida Sim"), ("SIM-03", "Ola Sim")]
PIN = "9999"
TOTES = [f"SIM-T{i:04d}" for i in range(1, 3001)]
FRIDGE = [
    {"code": f"F-01-{i:02d}", "barcode": f"LF-01-{i:02d}", "zone": "F", "kind": "pick",
     "walk_sequence": 4000 + i}
    for i in range(1, 5)
]  # fmt: skip


class FloorSimulation:
    def __init__(self, var: Path) -> None:
        self.broker = DemoBroker(var / "demo-mqtt")
        self.sensors: sensors.SimulatedSensors | None = None
        self.crew: PickerCrew | None = None
        self.codes: dict[str, str] = {}
        self.oms_key = ""
        self.started_broker = False

    def settings(self, base: dict[str, Any]) -> dict[str, Any]:
        """The demo's settings with the simulated floor's: its broker, its `[[devices]]`
        (beside the pack station's), the cold chain's ranges."""
        self.started_broker = self.broker.start() is not None
        if not self.started_broker:
            return base
        devices = list(base.get("devices", [])) + sensors.devices_settings()
        return base | {
            "mqtt_url": self.broker.url,
            "mqtt": {"enabled": True},
            "devices": devices,
            "coldchain": sensors.coldchain_settings(),
        }

    def prepare(self, spine: Spine) -> list[str]:
        """The fridge, the simulated pickers, their kiosks and totes (once), a fresh OMS key."""
        with connection():
            if not Location.select().where(Location.code == FRIDGE[0]["code"]).exists():
                self._fridge(spine)
            for badge, name in PICKERS:
                try:
                    cmd = operators.AddOperator(
                        badge, name, ("picker",), operators.new_pin_hash(PIN)
                    )
                    spine.execute(cmd, SIM)
                except Exception:  # already there from an earlier run
                    pass
                device = f"SIM-HH-{badge}"
                found = spine.execute(
                    AddKiosk(f"{device}-{int(time.time())}", "handheld", None, 3600.0), SIM
                )
                self.codes[badge] = found.result["enrollment_code"]
            spine.execute(UpsertTotes(TOTES), SIM)
            self.oms_key = keys.create(f"demo-floor-{int(time.time())}", "oms").secret
        lines = ["Simulated floor (off with --no-simulation):"]
        if self.started_broker:
            lines.append(f"  MQTT broker {self.broker.url}: probes, dock doors, pick-to-light")
            lines.append(
                f"  fridge zone F (2-8 °C): {sensors.FRIDGE_PROBE} drifts out of range now and then"
            )
        else:
            lines.append(
                "  no Mosquitto installed: no probes, doors or lights (apt-get install mosquitto)"
            )
        lines.append(
            f"  pickers {', '.join(b for b, _ in PICKERS)} pick the orders an OMS keeps sending"
        )
        return lines

    def _fridge(self, spine: Spine) -> None:
        batch = LocationBatch.model_validate({"locations": FRIDGE}, strict=False)
        spine.execute(UpsertLocations([loc.model_dump() for loc in batch.locations]), SIM)
        food = [p for p in site.products() if p["category"] == "food"][:4]
        today = dt.date.today()
        adjustments = [
            {"sku": p["sku"], "location": loc["code"], "delta": 40, "reason": "demo: chilled stock",
             "lot": f"C{today:%y%m}{i}", "expiry": (today + dt.timedelta(days=30)).isoformat()}
            for i, (p, loc) in enumerate(zip(food, FRIDGE, strict=False))
        ]  # fmt: skip
        batch2 = AdjustmentBatch.model_validate({"adjustments": adjustments}, strict=False)
        spine.execute(AdjustStock([a.model_dump() for a in batch2.adjustments]), SIM)

    def start(self, base: str, site_id: str) -> None:
        """After the server answers: the sensors and the crew."""
        if self.started_broker:
            self.sensors = sensors.SimulatedSensors(self.broker.url, site_id).start()
        barcodes = {p["sku"]: p["barcodes"][0] for p in site.products()}
        totes = _shared(itertools.cycle(TOTES))
        pickers = [SimPicker(base, b, PIN, self.codes[b], barcodes, totes) for b, _ in PICKERS]
        oms = Http(base, {"Authorization": f"Bearer {self.oms_key}"})
        self.crew = PickerCrew(pickers, oms, _new_order, _restock)
        threading.Thread(target=self._when_up, args=(base,), daemon=True).start()

    def _when_up(self, base: str) -> None:
        http = Http(base)
        for _ in range(600):
            try:
                if http.call("GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        if self.crew is not None:
            self.crew.start()

    def stop(self) -> None:
        if self.crew is not None:
            self.crew.stop()
        if self.sensors is not None:
            self.sensors.stop()
        self.broker.stop()


def _shared(it: Any) -> Any:
    lock = threading.Lock()

    class Shared:
        def __iter__(self) -> Any:
            return self

        def __next__(self) -> str:
            with lock:
                return str(next(it))

    return Shared()


_RNG = random.Random(17)


def _stocked_skus() -> list[str]:
    with connection():
        rows = Stock.select(Stock.product).where(Stock.on_hand - Stock.reserved > 3).limit(400)
        return sorted({r.product.sku for r in rows})


def _new_order(n: int) -> dict[str, Any]:
    skus = _stocked_skus() or [p["sku"] for p in site.products()]
    chosen = _RNG.sample(skus, min(len(skus), _RNG.randint(1, 3)))
    now = dt.datetime.now(dt.UTC)
    return {
        "external_id": f"SIM-{int(time.time())}-{n}",
        "channel": _RNG.choice(["web", "web", "marketplace", "retail"]),
        "priority": _RNG.choice([0, 3, 5, 7]),
        "ship_by": (now + dt.timedelta(minutes=_RNG.randint(20, 600))).isoformat(),
        "carrier": _RNG.choice(["DHL", "UPS", "PostNL", "DPD"]),
        "service": "standard",
        "ship_to": {"name": "Sim Customer", "line1": "1 Main Street", "city": "Utrecht",
                    "postal_code": "3511AB", "country": "NL"},
        "lines": [{"line_id": str(i + 1), "sku": s, "qty": _RNG.randint(1, 2)}
                  for i, s in enumerate(chosen)],
    }  # fmt: skip


def _restock() -> list[dict[str, Any]]:
    with connection():
        low = (
            Stock.select()
            .join(Location)
            .where(Stock.on_hand - Stock.reserved < 5, Location.kind == "pick", Stock.lot == "")
            .limit(20)
        )
        return [
            {
                "sku": s.product.sku,
                "location": s.location.code,
                "delta": 30,
                "reason": "demo: restock",
            }
            for s in low
        ]

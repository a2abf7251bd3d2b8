"""The board model: what every open board shows, computed ONCE per change for all of them
(server/board/hub.py pushes it). It is made of parts, and a change recomputes only the
parts its events can touch (`parts_touched`); the others are kept from the last model."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from server.board import catalogue, floor_now, health, probes, queue
from server.board.settings import BoardSettings
from server.board.throughput import Throughput
from server.db import connection
from server.models import isoformat, utcnow

if TYPE_CHECKING:
    from server.runtime import Runtime

PARTS = ("orders", "batches", "stations", "operators", "devices", "sync", "queue", "probes")
# Which parts an event type may change, by its prefix; a type matching none changes all.
TOUCHES: dict[str, tuple[str, ...]] = {
    "order.": ("orders", "queue", "stations", "batches"),
    "batch.": ("batches", "operators", "queue"),
    "pick.": ("batches", "operators"),  # an order's status changes with its own order.* event
    "tote.": ("batches", "queue"),
    "count.": ("queue",),
    "package.": ("stations", "operators"),
    "exception.": ("queue", "probes", "sync"),  # a dead letter is an exception
    "device.": ("devices", "queue"),
    "session.": ("operators",),
    "operator.": ("operators", "queue"),
    "kiosk.": ("devices",),
    "webhook.": ("sync",),
    "inventory.": ("queue", "probes"),
    "light.": (),
    "product.": (),
    "location.": (),
}


# Progress rather than decisions: recomputed at most this often (s) however often picks
# touch them, so a busy floor's scans do not cost a full model each; the queue, orders,
# devices and the rest follow their changes at once.
SLOW_PARTS: dict[str, float] = {"operators": 1.0, "batches": 1.0}


def parts_touched(types: Iterable[str]) -> set[str]:
    touched: set[str] = set()
    for type_ in types:
        found = next((parts for prefix, parts in TOUCHES.items() if type_.startswith(prefix)), None)
        touched.update(PARTS if found is None else found)
    return touched


class BoardModel:
    """The last model and how to recompute its parts."""

    def __init__(self, runtime: Runtime, throughput: Throughput) -> None:
        self.runtime = runtime
        self.throughput = throughput
        self.parts: dict[str, Any] = {}
        self.computed_at: dict[str, float] = {}  # part -> time.monotonic() of its last read
        self.version = 0

    @property
    def settings(self) -> BoardSettings:
        return self.runtime.settings.section("board")

    def due(self, touched: set[str]) -> tuple[set[str], set[str]]:
        """Of the touched parts, those to read now and those to keep for later (a slow
        part read less than its interval ago)."""
        clock = time.monotonic()
        later = {
            p
            for p in touched
            if p in SLOW_PARTS and p in self.parts
            and clock - self.computed_at.get(p, 0.0) < SLOW_PARTS[p]
        }  # fmt: skip
        return touched - later, later

    def next_due(self, parts: set[str]) -> float:
        """Seconds until the first of these slow parts is due."""
        clock = time.monotonic()
        return max(0.0, min(self.computed_at.get(p, 0.0) + SLOW_PARTS[p] - clock for p in parts))

    def compute(self, touched: Iterable[str] = PARTS) -> dict[str, Any]:
        now = utcnow()
        wanted = set(touched) | {p for p in PARTS if p not in self.parts}
        readers = self._readers()
        began = time.perf_counter()
        with connection():
            for part in PARTS:  # in order: the queue reads the devices last listed
                if part in wanted:
                    self.parts[part] = readers[part](now)
                    self.computed_at[part] = time.monotonic()
        self.version += 1
        view = self.view(now)
        # what reading the model cost this time (wall clock, with the process's other work)
        view["computed_ms"] = round((time.perf_counter() - began) * 1000, 1)
        view["parts_read"] = sorted(wanted)
        return view

    def view(self, now: dt.datetime | None = None) -> dict[str, Any]:
        now = now or utcnow()
        operators = self.parts.get("operators", [])
        return {
            "version": self.version,
            "as_of": isoformat(now),
            **{p: self.parts.get(p) for p in PARTS},
            "throughput": self.throughput.view(now),
            "choices": {
                "picker": [
                    {"badge": o["badge"], "name": o["name"], "doing": o["doing"]}
                    for o in operators
                    if "picker" in o["roles"]
                ],
                "reason": list(catalogue.REASONS),
            },
        }

    @staticmethod
    def partial(view: dict[str, Any]) -> dict[str, Any]:
        """What a push sends: the parts read this time, over the model of version `base`
        (a board holding another version asks for the whole model again)."""
        read = view.get("parts_read") or list(PARTS)
        return {
            "partial": True,
            "base": view["version"] - 1,
            "version": view["version"],
            "as_of": view["as_of"],
            "computed_ms": view.get("computed_ms"),
            "throughput": view["throughput"],
            "choices": view["choices"],
            "parts": {p: view[p] for p in read if p in PARTS},
        }

    def _readers(self) -> dict[str, Callable[[dt.datetime], Any]]:
        rt, settings = self.runtime, self.settings
        return {
            "orders": lambda now: floor_now.orders(now, settings),
            "batches": lambda now: floor_now.batches(),
            "stations": lambda now: floor_now.stations(),
            "operators": lambda now: floor_now.operators_on_floor(),
            "devices": lambda now: health.devices(rt.settings, rt.mqtt),
            "sync": lambda now: health.sync(now),
            "probes": lambda now: probes.probes(rt.settings, now),
            "queue": lambda now: queue.items(
                now,
                rt.env.exception_kinds,
                self.parts.get("devices", {}).get("devices", []),
                settings.max_items,
            ),
        }

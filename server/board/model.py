"""The board model: what every open board shows, computed ONCE per change for all of them
(server/board/hub.py pushes it). It is made of parts, and a change recomputes only the
parts its events can touch (`parts_touched`); the others are kept from the last model."""

from __future__ import annotations

import datetime as dt
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
    "pick.": ("batches", "operators", "orders"),
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
        self.version = 0

    @property
    def settings(self) -> BoardSettings:
        return self.runtime.settings.section("board")  # type: ignore[no-any-return]

    def compute(self, touched: Iterable[str] = PARTS) -> dict[str, Any]:
        now = utcnow()
        wanted = set(touched) | {p for p in PARTS if p not in self.parts}
        if "queue" in wanted:
            wanted.add("devices")  # offline devices are queue items
        with connection():
            for part in PARTS:  # in order: the queue reads the devices just listed
                if part in wanted:
                    self.parts[part] = self._readers()[part](now)
        self.version += 1
        return self.view(now)

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

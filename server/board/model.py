"""The board model: what every open board shows, computed ONCE per change for all of them
(server/board/hub.py pushes it). It is made of parts; a change reads again only the parts
its events can touch (`touches`), and a push carries only the parts whose content changed
(each part is kept as its JSON text, compared with the text it had: a diff by part).

Events are of two speeds. The floor's progress (a pick confirmed, a tote filled, a package
labelled, an order picked or packed, someone logging in) comes many times a second on a
busy floor: the parts it touches are read again at most once per `PROGRESS_S`, all
together. Any other event (an exception, a hold, a supervisor's fix, a manifest opened)
has its parts read at once, within `[board] min_push_interval_s`."""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from server.board import catalogue, docks, floor_now, health, probes, queue, waves
from server.board.settings import BoardSettings
from server.board.throughput import Throughput
from server.db import connection
from server.models import isoformat, utcnow

if TYPE_CHECKING:
    from server.runtime import Runtime

# In reading order: the queue reads the devices last listed; the choices are the pickers
# among the operators.
PARTS = (
    "orders",
    "waves",
    "batches",
    "stations",
    "docks",
    "operators",
    "choices",
    "devices",
    "sync",
    "queue",
    "probes",
    "throughput",
)
# Which parts an event type may change, by its prefix (the longest that matches); a type
# matching none changes all. The throughput follows the events it counts (the hub).
TOUCHES: dict[str, tuple[str, ...]] = {
    "order.": ("orders", "queue", "stations", "batches", "waves", "docks"),
    "order.dispatched": ("orders", "docks"),
    "batch.": ("batches", "operators", "queue", "orders", "waves"),  # claimed: orders picking
    "pick.": ("batches", "operators"),  # an order's status changes with its own order.* event
    "tote.": ("batches", "queue"),
    "wave.": ("waves", "batches"),
    "count.": ("queue",),
    "package.": ("stations", "operators", "docks"),
    "manifest.": ("docks",),
    "exception.": ("queue", "probes", "sync"),  # a dead letter is an exception
    "device.": ("devices", "queue", "docks"),
    "session.": ("operators",),
    "operator.": ("operators", "queue"),
    "kiosk.": ("devices",),
    "webhook.": ("sync",),
    "inventory.": ("queue", "probes"),
    "return.": (),
    "light.": (),
    "product.": (),
    "location.": ("docks",),
    "boxes.": (),
    "carrier_rules.": (),
    "grading.": (),
}
# The floor's progress, by prefix: read again at most once per PROGRESS_S.
PROGRESS = (
    "pick.",
    "tote.",
    "package.",
    "session.",
    "kiosk.",  # a handheld enrolled: the devices tile (the longest part) within its second
    "batch.claimed",
    "batch.dropped",
    "order.accepted",
    "order.backordered",
    "order.picked",
    "order.short_picked",
    "order.packing",
    "order.packed",
    "order.dispatched",
    "manifest.package_",
    "return.",
)
PROGRESS_S = 1.0
# What changes with time alone (ages, late and at risk, last seen, a door gone silent, the
# hour): read again every `[board] refresh_s` while boards are open.
TIMED = ("orders", "docks", "devices", "sync", "queue", "probes", "throughput")


def _prefix(type_: str, prefixes: Iterable[str]) -> str | None:
    found = [p for p in prefixes if type_.startswith(p)]
    return max(found, key=len) if found else None


def touches(types: Iterable[str]) -> dict[str, bool]:
    """The parts these event types touch, each with whether it is urgent (touched by an
    event that is not the floor's progress)."""
    touched: dict[str, bool] = {}
    for type_ in types:
        for part, urgent in touches_of(type_):
            touched[part] = touched.get(part, False) or urgent
    return touched


@functools.lru_cache(maxsize=512)
def touches_of(type_: str) -> tuple[tuple[str, bool], ...]:
    """One event type's parts (worked out once per type: the listener runs on every
    commit, in the committing thread)."""
    prefix = _prefix(type_, TOUCHES)
    urgent = _prefix(type_, PROGRESS) is None
    parts = PARTS if prefix is None else TOUCHES[prefix]
    if "operators" in parts:  # the pickers to choose from follow them
        parts = (*parts, "choices")
    return tuple((part, urgent) for part in dict.fromkeys(parts))


def encode(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


class BoardModel:
    """The last model, each part as a value and as its JSON text, and how to read them."""

    def __init__(self, runtime: Runtime, throughput: Throughput) -> None:
        self.runtime = runtime
        self.throughput = throughput
        self.parts: dict[str, Any] = {}
        self.texts: dict[str, str] = {}
        self.version = 0
        self.as_of: dt.datetime | None = None
        self.computed_ms = 0.0
        self.readers = self._readers()

    @property
    def settings(self) -> BoardSettings:
        return self.runtime.settings.section("board")

    def compute(self, touched: Iterable[str] = PARTS) -> list[str]:
        """Read the touched parts again (and any never read); the parts whose content
        changed, in PARTS order. The version goes up only when one did."""
        now = utcnow()
        wanted = set(touched) | {p for p in PARTS if p not in self.parts}
        if "operators" in wanted:
            wanted.add("choices")
        began = time.perf_counter()
        changed = []
        with connection():
            for part in PARTS:
                if part not in wanted:
                    continue
                value = self.readers[part](now)
                text = encode(value)
                self.parts[part] = value
                if text != self.texts.get(part):
                    self.texts[part] = text
                    changed.append(part)
        if changed:
            self.version += 1
        self.as_of = now
        # what reading the model cost this time (wall clock, with the process's other work)
        self.computed_ms = round((time.perf_counter() - began) * 1000, 1)
        return changed

    def view(self) -> dict[str, Any]:
        """The whole model, as a board that opens gets it."""
        return {
            "version": self.version,
            "as_of": isoformat(self.as_of),
            "computed_ms": self.computed_ms,
            **{p: self.parts.get(p) for p in PARTS},
        }

    def push(self, changed: Iterable[str]) -> str:
        """What a push sends, as JSON text: the parts that changed, over the model of
        version `base` (a board holding another version asks for the whole model again).
        Made of the parts' texts as they were encoded, once for every board."""
        parts = list(changed)
        meta = {
            "partial": True,
            "base": self.version - 1 if parts else self.version,
            "version": self.version,
            "as_of": isoformat(self.as_of),
            "computed_ms": self.computed_ms,
        }
        body = ",".join(f'"{p}":{self.texts[p]}' for p in parts)
        return encode(meta)[:-1] + ',"parts":{' + body + "}}"

    def _readers(self) -> Mapping[str, Callable[[dt.datetime], Any]]:
        rt = self.runtime

        def queue_now(now: dt.datetime) -> Any:
            devices = (self.parts.get("devices") or {}).get("devices", [])
            return queue.items(now, rt.env.exception_kinds, devices, self.settings.max_items)

        return {
            "orders": lambda now: floor_now.orders(now, self.settings),
            "waves": lambda now: waves.waves(),
            "batches": lambda now: floor_now.batches(),
            "stations": lambda now: floor_now.stations(),
            "docks": lambda now: docks.docks(rt.settings, now),
            "operators": lambda now: floor_now.operators_on_floor(),
            "choices": lambda now: self._choices(),
            "devices": lambda now: health.devices(rt.settings, rt.mqtt),
            "sync": lambda now: health.sync(now),
            "queue": queue_now,
            "probes": lambda now: probes.probes(rt.settings, now),
            "throughput": lambda now: self.throughput.view(now),
        }

    def _choices(self) -> dict[str, Any]:
        """What a fix's chooser offers: the pickers on the floor (what each is doing is in
        the operators part, which changes with every pick: not repeated here) and the
        reasons."""
        operators = self.parts.get("operators") or []
        return {
            "picker": [
                {"badge": o["badge"], "name": o["name"]}
                for o in operators
                if "picker" in o["roles"]
            ],
            "reason": list(catalogue.REASONS),
        }

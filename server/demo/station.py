"""The demo's pack station PACK-01 and its devices, for `floorlink demo` (docs/packing.md):
a virtual ZPL printer on loopback (devices/virtual_printer.py) that keeps every label in
`var/demo-labels/<sscc>.zpl`, and a simulated MT-SICS scale on a pseudo-terminal
(devices/simulated.py) that the server reads as a serial scale of its own (`[[scales]]`:
the demo has no MQTT broker).

Nobody stands at the demo's scale, so a hand does it: when the station's screen asks to
weigh a package (`pack.weigh`), it takes the previous package off, then puts this one on,
weighing what the screen expects (within tolerance), or what `floorlink demo scale` said
(`auto`, a weight in grams, or `+N`/`-N` grams off the expected weight, to try a mismatch
and the supervisor's override); once the label is on, it takes the package off again.

The devices run in the `floorlink demo` process, beside the server's worker; the hand reads
the station's session from the demo database (read only, its own connection).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee

from devices.simulated import SimulatedScale
from devices.virtual_printer import ReceivedLabel, VirtualPrinter
from server.db import open_database
from server.models import FloorSession

log = logging.getLogger(__name__)

STATION = "PACK-01"
PRINTER = "printer-pack-01"
SCALE = "scale-pack-01"
PRINTER_PORT = 9100  # a printer's raw port; any free one when it is taken
# The label's sender and the site's GS1 company prefix (GS1's own example prefix).
PACKING: dict[str, Any] = {
    "gs1_company_prefix": "0614141",
    "ship_from": {"name": "Floorlink Demo DC", "lines": ["Industrieweg 12"],
                  "postcode": "3542 AD", "city": "Utrecht", "country": "NL"},
}  # fmt: skip
AUTO_OFFSET_G = 3  # what the hand's "auto" puts on beyond the expected weight
SSCC_IN_ZPL = re.compile(rb">;>800(\d{18})")
# The screens with the package on the scale: the hand leaves it there.
ON_THE_SCALE = {"pack.weigh", "pack.weight_mismatch", "pack.override_badge",
                "pack.override_pin", "pack.override_reason", "pack.label"}  # fmt: skip


def parse_weight(text: str) -> str:
    """A knob value as `floorlink demo scale` takes it: auto, 1234, +400 or -400 (grams)."""
    value = text.strip().lower()
    if value == "auto" or re.fullmatch(r"[+-]?\d{1,6}(\.\d)?", value):
        return value
    raise ValueError(f"{text!r}: say auto, a weight in grams (900), or +N / -N grams")


def weight_for(knob: str, expected_g: float) -> float:
    """What the hand puts on the scale for a package expected to weigh `expected_g`."""
    if knob == "auto":
        return float(expected_g + AUTO_OFFSET_G)
    if knob[0] in "+-":
        return max(0.0, float(expected_g) + float(knob))
    return float(knob)


@dataclass(frozen=True)
class Weighing:
    """The station's session asks for a package on the scale (one weigh step)."""

    key: tuple[str, Any, Any]  # the session, the package, when its weigh step began
    expected_g: float


class DemoStation:
    """The printer, the scale and the hand at PACK-01; `settings()` says where they are."""

    def __init__(
        self,
        database_url: str,
        labels: Path,
        knob: Path,
        printer_port: int = PRINTER_PORT,
        poll_s: float = 0.25,
        on_label: Callable[[str, Path], object] | None = None,
    ) -> None:
        self.labels, self.knob = labels, knob
        self.on_label = on_label
        self.printer = VirtualPrinter("127.0.0.1", printer_port, on_label=self._label)
        self.scale = SimulatedScale(SCALE)
        self.hand = ScaleHand(self.scale, database_url, knob, poll_s)
        self._owner = os.getpid()

    def start(self) -> DemoStation:
        """The printer and the scale (their addresses go into the settings)."""
        self._owner = os.getpid()
        try:
            self.printer.start()
        except OSError:  # port 9100 taken (another printer, another demo): any free one
            self.printer.port = 0
            self.printer.start()
        self.scale.start()
        return self

    def follow(self, on_label: Callable[[str, Path], object] | None = None) -> None:
        """The hand starts watching the station (once the database is there)."""
        if on_label is not None:
            self.on_label = on_label
        self.hand.start()

    def stop(self) -> None:
        """In the process that started them only: the server's worker is forked inside
        `floorlink demo` and leaves through the same `finally` without their threads."""
        if os.getpid() != self._owner:
            return
        if self.hand.is_alive():
            self.hand.stop()
        self.printer.close()
        self.scale.stop()

    def settings(self) -> dict[str, Any]:
        """The demo settings of the station: its printer and scale, and [packing]."""
        host, port = self.printer.address
        return {
            "devices": [
                {"id": PRINTER, "kind": "printer", "station": STATION, "address": f"{host}:{port}"}
            ],
            "scales": [
                {"id": SCALE, "port": self.scale.path, "station": STATION, "mode": "continuous"}
            ],
            "packing": PACKING,
        }

    def lines(self) -> list[str]:
        host, port = self.printer.address
        return [
            f"Pack station {STATION}:",
            f"  printer {PRINTER}: a virtual ZPL printer on {host}:{port}, "
            f"labels kept in {self.labels}/",
            f"  scale {SCALE}: a simulated MT-SICS scale on {self.scale.path}; it weighs "
            "each package the weigh screen asks for",
            "  (`floorlink demo scale 900` puts 900 g on instead, `+400` 400 g too much, "
            "`auto` back)",
        ]

    def _label(self, label: ReceivedLabel) -> None:
        found = SSCC_IN_ZPL.search(label.data)
        name = found.group(1).decode() if found else f"label-{int(label.at)}-{label.index}"
        self.labels.mkdir(parents=True, exist_ok=True)
        path = self.labels / f"{name}.zpl"
        path.write_bytes(label.data)
        if self.on_label is not None:
            self.on_label(name, path)


class ScaleHand(threading.Thread):
    """Puts each package on the demo scale when the station's screen asks for it."""

    def __init__(self, scale: SimulatedScale, database_url: str, knob: Path, poll_s: float):
        super().__init__(name="demo-scale-hand", daemon=True)
        self.scale, self.knob, self.poll_s = scale, knob, poll_s
        self.database: peewee.Database = open_database(database_url, max_connections=2)
        self._stopping = threading.Event()
        self._key: tuple[str, Any, Any] | None = None
        self._load = 0.0  # what is on the scale now

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(2.0)
        with contextlib.suppress(Exception):
            self.database.close_all()

    def run(self) -> None:
        while not self._stopping.wait(self.poll_s):
            try:
                self.step(self.look())
            except Exception:  # the database busy or changing under a reset: look again
                log.debug("the demo scale's hand could not look at the station", exc_info=True)

    def look(self) -> Weighing | str | None:
        """The weigh step the station is at, the name of its other screen, or None."""
        with self.database.connection_context():
            row = (
                FloorSession.select(FloorSession.session_id, FloorSession.state,
                                    FloorSession.screen)
                .where((FloorSession.station == STATION) & FloorSession.ended_at.is_null())
                .order_by(FloorSession.started_at.desc())
                .bind(self.database)
                .first()
            )  # fmt: skip
        if row is None or not row.screen:
            return None
        name = str(row.screen.get("name"))
        if name != "pack.weigh":
            return name
        pack = (row.state or {}).get("pack") or {}
        expected = (row.screen.get("target") or {}).get("expected_g")
        if not isinstance(expected, int | float):
            return name
        return Weighing((row.session_id, pack.get("package"), pack.get("weigh_at")), expected)

    def step(self, seen: Weighing | str | None) -> None:
        if isinstance(seen, Weighing):
            if seen.key != self._key:
                self._key = seen.key
                self._weigh(seen.expected_g)
            return
        if seen in ON_THE_SCALE:
            return  # the package stays on until its label is on
        self._key = None
        if self._load:
            self._put(0.0)  # the packer took the labelled package away

    def _weigh(self, expected_g: float) -> None:
        if self._load:  # the previous package is still on: off first, and read empty
            self._put(0.0)
            self._stopping.wait(0.6)
        grams = weight_for(self._knob(), expected_g)
        self.scale.set_weight(grams + 40, stable=False)  # put down: the pan swings
        self._stopping.wait(0.4)
        self._put(grams)

    def _put(self, grams: float) -> None:
        self.scale.set_weight(grams)
        self._load = grams

    def _knob(self) -> str:
        try:
            return parse_weight(self.knob.read_text())
        except (OSError, ValueError):
            return "auto"

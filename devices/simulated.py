"""Simulated serial devices on pseudo-terminals: barcode scanners and an MT-SICS scale.

Point a reader (or the bridge's config) at ``device.path`` exactly as at a real port. Used
by ``floorlink simulate``, the tests and the benchmarks.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from devices.framing import TERMINATORS, LineFramer, Terminator
from devices.pseudo_terminal import PseudoTerminal

logger = logging.getLogger(__name__)


class SimulatedScanner:
    """A serial barcode scanner: :meth:`scan` sends a code followed by the terminator."""

    def __init__(self, device_id: str, link: Path | None = None, terminator: Terminator = "CR"):
        self.device_id = device_id
        self.terminator = TERMINATORS[terminator]
        self.pty = PseudoTerminal(link)

    @property
    def path(self) -> str:
        return self.pty.path

    def scan(self, code: str) -> None:
        self.pty.write(code.encode("utf-8") + self.terminator)

    def unplug(self) -> None:
        self.pty.unplug()

    def replug(self) -> None:
        self.pty.replug()

    def close(self) -> None:
        self.pty.close()


class SimulatedScale(threading.Thread):
    """An MT-SICS level-0 scale answering ``S``, ``SI``, ``SIR``, ``Z``, ``T`` and ``@``."""

    def __init__(self, device_id: str, link: Path | None = None, stream_interval: float = 0.1):
        super().__init__(name=f"sim-scale-{device_id}", daemon=True)
        self.device_id = device_id
        self.pty = PseudoTerminal(link)
        self.stream_interval = stream_interval
        self.gross = 0.0
        self.stable = True
        self.powered = True
        self._zero = 0.0
        self._tare = 0.0
        self._streaming = False
        self._last_stream = 0.0
        self._stopping = threading.Event()

    @property
    def path(self) -> str:
        return self.pty.path

    @property
    def net(self) -> float:
        return round(self.gross - self._zero - self._tare, 1)

    def set_weight(self, grams: float, stable: bool = True) -> None:
        """Put ``grams`` (gross) on the pan; ``stable=False`` while it is still moving."""
        self.gross, self.stable = grams, stable

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(2.0)
        self.pty.close()

    def run(self) -> None:
        framer = LineFramer("LF", 64)
        while not self._stopping.is_set():
            data = self.pty.read(timeout=0.02)
            if not self.powered:
                continue
            for line in framer.feed(data):
                if isinstance(line, bytes):
                    self._answer(line.decode("ascii", "replace").strip())
            now = time.monotonic()
            if self._streaming and now - self._last_stream >= self.stream_interval:
                self._last_stream = now
                self._send(self._weight_line("S"))

    def _answer(self, name: str) -> None:
        self._streaming = name == "SIR" or (self._streaming and name not in ("@", "S", "SI"))
        if name in ("S", "SI", "SIR"):
            if name == "S" and not self.stable:
                self._send("S I")
            elif name != "SIR":
                self._send(self._weight_line("S"))
        elif name in ("Z", "ZI"):
            self._zero, self._tare = self.gross, 0.0
            self._send("Z A" if name == "Z" else f"ZI {'S' if self.stable else 'D'}")
        elif name in ("T", "TI"):
            self._tare = self.gross - self._zero
            self._send(f"{name} S {self._tare:>10.1f} g")
        elif name == "@":
            self._send('I4 A "SIM-0001"')
        else:
            self._send("ES")

    def _weight_line(self, name: str) -> str:
        return f"{name} {'S' if self.stable else 'D'} {self.net:>10.1f} g"

    def _send(self, line: str) -> None:
        if self.pty.plugged:
            try:
                self.pty.write(line.encode("ascii") + b"\r\n")
            except OSError as exc:
                logger.debug("Simulated scale %s write failed: %s", self.device_id, exc)

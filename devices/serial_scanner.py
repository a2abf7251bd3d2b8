"""Serial barcode scanners: one reader thread per scanner.

A :class:`SerialScannerReader` frames lines, decodes each with :func:`devices.barcode.decode`
and delivers valid scans to ``on_scan`` and rejected lines (bad check digit, noise, an
overlong line) to ``on_error`` — never mixed, so a workflow can beep on errors without
ever taking one for a scan. Every delivery carries a stable id
``"<scanner>:<session>:<seq>"``, with a fresh session per connection.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.barcode import DecodeError, Scan, decode
from devices.framing import TERMINATORS, LineFramer, Overflow, Terminator
from devices.serial_link import Backoff, SerialLink, StatusCallback, call_safely

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScannerConfig:
    """One scanner: ``port`` is a device path, a by-id symlink or a pyserial URL."""

    id: str
    port: str
    station: str | None = None
    baudrate: int = 9600
    terminator: Terminator = "CR"
    max_line: int = 512

    def __post_init__(self) -> None:
        if self.terminator not in TERMINATORS:
            raise ValueError(f"terminator must be CR, LF or CRLF, not {self.terminator!r}")
        if not self.id or not self.port:
            raise ValueError("a scanner needs an id and a port")


@dataclass(frozen=True)
class ScannerEvent:
    """A valid scan from a serial scanner."""

    event_id: str
    scanner_id: str
    station: str | None
    session: str
    seq: int
    ts: float
    scan: Scan


@dataclass(frozen=True)
class ScanRejected:
    """A line that was read but is not a valid scan (the floor should signal an error)."""

    event_id: str
    scanner_id: str
    station: str | None
    session: str
    seq: int
    ts: float
    error: DecodeError


class SerialScannerReader(SerialLink):
    """Reads one scanner until :meth:`stop`; reconnects by itself after unplug/replug."""

    def __init__(
        self,
        config: ScannerConfig,
        on_scan: Callable[[ScannerEvent], None],
        on_error: Callable[[ScanRejected], None] | None = None,
        on_status: StatusCallback | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(config.id, config.port, config.baudrate, on_status, backoff)
        self.config = config
        self._on_scan = on_scan
        self._on_error = on_error
        self._framer = LineFramer(config.terminator, config.max_line)
        self._session = ""
        self._seq = 0

    def on_open(self) -> None:
        self._framer = LineFramer(self.config.terminator, self.config.max_line)
        self._session = secrets.token_hex(4)
        self._seq = 0

    def on_data(self, chunk: bytes) -> None:
        for line in self._framer.feed(chunk):
            self._deliver(line)

    def _deliver(self, line: bytes | Overflow) -> None:
        self._seq += 1
        event_id = f"{self.config.id}:{self._session}:{self._seq}"
        ids = (event_id, self.config.id, self.config.station, self._session, self._seq)
        if isinstance(line, Overflow):
            shown = line.head.decode("utf-8", "backslashreplace")
            result: Scan | DecodeError = DecodeError(
                shown, f"Line longer than {line.limit} bytes dropped"
            )
        else:
            result = decode(line)
        if isinstance(result, Scan):
            call_safely(self._on_scan, ScannerEvent(*ids, time.time(), result))
            return
        logger.info("Scanner %s rejected %r: %s", self.config.id, result.raw, result.message)
        if self._on_error is not None:
            call_safely(self._on_error, ScanRejected(*ids, time.time(), result))

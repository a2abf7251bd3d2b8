"""Serial scanners configured on this server (`[[scanners]]`): one reader each.

Every decoded scan, and every rejected line (as error feedback), goes to the session open
at the scanner's station through the floor's `feed_station_scan`, with the reader's stable
event id as input id. Online/offline and last_seen per scanner are kept in memory (the
readers live in this process) and shown by GET /api/v1/devices.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import Flask

from devices.serial_link import Backoff
from devices.serial_scanner import ScannerConfig, ScannerEvent, ScanRejected, SerialScannerReader
from server.hardware import routes
from server.hardware.serial_devices import Board, naive_utc, route_retrying
from server.hardware.settings import ScannerSettings

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScannerStatus:
    id: str
    station: str | None
    port: str
    availability: str = "offline"
    held_elsewhere: bool = False  # the port is read by another process of this host
    last_seen: datetime | None = None
    last_scan: str | None = None


BOARD: Board[ScannerStatus] = Board()


def reader_config(scanner: ScannerSettings) -> ScannerConfig:
    return ScannerConfig(
        id=scanner.id,
        port=scanner.port,
        station=scanner.station or None,
        baudrate=scanner.baudrate,
        terminator=scanner.terminator,  # type: ignore[arg-type]
    )


class SerialScanners:
    name = "serial-scanners"

    def __init__(self, app: Flask, runtime: Runtime, backoff_max: float = 5.0) -> None:
        self.app = app
        self.spine = runtime.spine
        self.routes = runtime.device_routes
        self.readers: list[SerialScannerReader] = []
        for scanner in runtime.settings.section("scanners"):
            BOARD.add(ScannerStatus(scanner.id, scanner.station or None, scanner.port))
            self.readers.append(
                SerialScannerReader(
                    reader_config(scanner),
                    on_scan=self._scanned,
                    on_error=self._rejected,
                    on_status=self._status,
                    backoff=Backoff(0.2, backoff_max),
                )
            )

    def start(self) -> None:
        for reader in self.readers:
            reader.start()

    def stop(self) -> None:
        for reader in self.readers:
            reader.stop()

    def _status(self, scanner_id: str, availability: str, ts: float) -> None:
        held = any(r.device_id == scanner_id and r.held_elsewhere for r in self.readers)
        BOARD.update(
            scanner_id, availability=availability, held_elsewhere=held, last_seen=naive_utc(ts)
        )

    def _scanned(self, event: ScannerEvent) -> None:
        BOARD.update(event.scanner_id, last_seen=naive_utc(event.ts), last_scan=event.scan.raw)
        self._feed(event.scanner_id, event.station, event.scan.raw, event.event_id, event.ts)

    def _rejected(self, event: ScanRejected) -> None:
        BOARD.update(event.scanner_id, last_seen=naive_utc(event.ts))
        self._feed(event.scanner_id, event.station, event.error.raw, event.event_id, event.ts)

    def _feed(
        self, scanner_id: str, station: str | None, raw: str, event_id: str, ts: float
    ) -> None:
        """A scan goes where a bridge scanner's scan goes: the "scan" device route."""
        if station is None:
            log.warning("scan from %s dropped: the scanner has no station", scanner_id)
            return
        route = self.routes.get("scan")
        if route is None:
            log.error("scan from %s not delivered: no area routes scans", scanner_id)
            return
        event = routes.DeviceEvent(
            device_id=scanner_id,
            type="scan",
            event_id=event_id,
            ts=datetime.fromtimestamp(ts, UTC),
            historical=False,
            data={"raw": raw},
            kind="scanner",
            station=station,
            origin="serial",
        )
        route_retrying(self.app, self.spine, route, event)


def build(app: Flask, runtime: Runtime) -> list[SerialScanners]:
    if not runtime.settings.section("scanners"):
        return []
    return [SerialScanners(app, runtime)]

"""MT-SICS scales configured on this server (`[[scales]]`): one reader each.

A reading is the scale's state: the last one (grams, stable) and whether the scale answers
are kept on the board (the readers live in this process), which GET /api/v1/devices and
the pack station's screen read (server/packing/stations.py). As on a bridge
(firmware_bridge/bridge.py `_on_reading`), each change to a new stable weight is also an
event: it goes to the "weight" device route (packing: the session open at the scale's
station) with origin "serial" and the id `<scale>:<session>:<seq>` (a fresh session per
start), so it enters the floor as input `serial:<scale>:<session>:<seq>`, once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Flask

from devices.mtsics import Reading, ScaleError, Weight
from devices.payloads import new_session_id
from devices.serial_link import Backoff
from devices.serial_scale import ScaleConfig, SerialScaleReader
from server.hardware import routes
from server.hardware.serial_devices import Board, naive_utc, route_retrying
from server.hardware.settings import ScaleSettings

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScaleStatus:
    id: str
    station: str | None
    port: str
    availability: str = "offline"
    held_elsewhere: bool = False  # the port is read by another process of this host
    last_seen: datetime | None = None
    grams: float | None = None  # the last reading
    stable: bool | None = None
    last_weight: dict[str, Any] | None = None  # the last stable weight sent on as an event
    last_error: str | None = None  # the last refusal or error the scale answered


BOARD: Board[ScaleStatus] = Board()


def reader_config(scale: ScaleSettings) -> ScaleConfig:
    return ScaleConfig(
        id=scale.id,
        port=scale.port,
        baudrate=scale.baudrate,
        mode=scale.mode,
        poll_interval=scale.poll_interval,
    )


class SerialScales:
    name = "serial-scales"

    def __init__(self, app: Flask, runtime: Runtime, backoff_max: float = 5.0) -> None:
        self.app = app
        self.spine = runtime.spine
        self.routes = runtime.device_routes
        self.session = new_session_id()
        self.stations: dict[str, str | None] = {}
        self._seq: dict[str, int] = {}
        self._last_stable: dict[str, float] = {}
        self.scales: list[ScaleSettings] = list(runtime.settings.section("scales"))
        self.readers: list[SerialScaleReader] = []
        for scale in self.scales:
            self.stations[scale.id] = scale.station or None
            self.readers.append(
                SerialScaleReader(
                    reader_config(scale),
                    on_reading=self._reading,
                    on_status=self._status,
                    backoff=Backoff(0.2, backoff_max),
                )
            )

    def start(self) -> None:
        """The board lists exactly the scales this process reads (while it reads them)."""
        for scale in self.scales:
            BOARD.add(ScaleStatus(scale.id, scale.station or None, scale.port))
        for reader in self.readers:
            reader.start()

    def stop(self) -> None:
        for reader in self.readers:
            reader.stop()
        for scale in self.scales:
            BOARD.remove(scale.id)

    def _status(self, scale_id: str, availability: str, ts: float) -> None:
        held = any(r.device_id == scale_id and r.held_elsewhere for r in self.readers)
        BOARD.update(
            scale_id, availability=availability, held_elsewhere=held, last_seen=naive_utc(ts)
        )

    def _reading(self, scale_id: str, reading: Reading) -> None:
        """In the scale's reader thread: keep the state; a new stable weight is an event."""
        now = time.time()
        if isinstance(reading, ScaleError):
            log.warning("Scale %s: %s", scale_id, reading.message)
            BOARD.update(scale_id, last_seen=naive_utc(now), last_error=reading.message)
            return
        if not isinstance(reading, Weight):  # a tare or zero acknowledged
            BOARD.update(scale_id, last_seen=naive_utc(now))
            return
        BOARD.update(scale_id, last_seen=naive_utc(now), grams=reading.grams, stable=reading.stable)
        if not reading.stable or self._last_stable.get(scale_id) == reading.grams:
            return  # a moving pan, or the same stable weight again: state, not an event
        self._last_stable[scale_id] = reading.grams
        seq = self._seq[scale_id] = self._seq.get(scale_id, 0) + 1
        event_id = f"{scale_id}:{self.session}:{seq}"
        data = {"grams": reading.grams, "stable": True}
        ts = datetime.fromtimestamp(now, UTC)
        BOARD.update(
            scale_id,
            last_weight={"type": "weight", "event_id": event_id, "ts": _iso(ts), "data": data},
        )
        self._feed(scale_id, event_id, ts, data)

    def _feed(self, scale_id: str, event_id: str, ts: datetime, data: dict[str, Any]) -> None:
        """A weight goes where a bridge scale's weight goes: the "weight" device route."""
        station = self.stations.get(scale_id)
        if station is None:
            return  # a scale serving no station only shows its reading
        route = self.routes.get("weight")
        if route is None:
            log.error("weight from %s not delivered: no area routes weights", scale_id)
            return
        event = routes.DeviceEvent(
            device_id=scale_id,
            type="weight",
            event_id=event_id,
            ts=ts,
            historical=False,
            data=data,
            kind="scale",
            station=station,
            origin="serial",
        )
        route_retrying(self.app, self.spine, route, event)


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build(app: Flask, runtime: Runtime) -> list[SerialScales]:
    if not runtime.settings.section("scales"):
        return []
    return [SerialScales(app, runtime)]

"""Station scanners: a serial (or bridge) scan at a station goes to the session open there,
exactly as if the station's kiosk had sent it; with no session open, a badge scan starts
the login (the station's kiosks are pushed the PIN screen).
"""

from __future__ import annotations

import logging
from typing import Any

from devices.barcode import DecodeError, decode
from server.db import connection
from server.errors import FloorlinkError
from server.floor import inputs, push, screens
from server.floor.flow import Feedback, FloorInput
from server.floor.sessions import open_session, session_at_station
from server.hardware.routes import DeviceEvent
from server.models import FloorOperator, KioskDevice
from server.spine import Spine

log = logging.getLogger(__name__)


def feed_station_scan(
    spine: Spine, station: str, raw: str, input_id: str, source: str
) -> dict[str, Any] | None:
    """Feed one scan at `station`; return the screen it led to (None when nobody sees it)."""
    with connection():
        session_id = session_at_station(station)
        if session_id is None:
            return _login_scan(station, raw)
        session = open_session(session_id)
        if session is None:
            return _login_scan(station, raw)
        inp = FloorInput(input_id, scan=raw, source=source)
        try:
            return inputs.submit(spine, session_id, inp, session.badge)
        except FloorlinkError as exc:
            log.info("station %s scan %s refused: %s", station, input_id, exc.detail)
            return None


def _login_scan(station: str, raw: str) -> dict[str, Any]:
    """No session at the station: a badge starts the login, anything else is explained."""
    decoded = decode(raw)
    text = decoded.text if not isinstance(decoded, DecodeError) else raw.strip()
    operator = FloorOperator.get_or_none(
        (FloorOperator.badge == text) & (FloorOperator.active == True)  # noqa: E712
    )
    if operator is None:
        feedback = Feedback("error", "Nobody is logged in here: scan your badge first")
        screen = screens.login_badge(feedback).to_json()
    else:
        screen = screens.login_pin(operator.badge).to_json()
    for device_id in station_kiosks(station):
        push.screen_to_device(device_id, screen)
    return screen


def station_kiosks(station: str) -> list[str]:
    query = KioskDevice.select(KioskDevice.device_id).where(
        (KioskDevice.station == station)
        & KioskDevice.revoked_at.is_null()
        & KioskDevice.token_hash.is_null(False)
    )
    return [row.device_id for row in query]


def scan_to_station(spine: Spine, event: DeviceEvent) -> None:
    """Device route "scan": a bridge scanner's scan goes to the session open at its
    station, like a kiosk scan."""
    if event.station is None:
        log.warning(
            "scan from %s dropped: the device has no station in [[devices]]", event.device_id
        )
        return
    raw = str(event.data.get("raw", ""))
    feed_station_scan(spine, event.station, raw, event.input_id, event.source)


def scan_error_to_station(spine: Spine, event: DeviceEvent) -> None:
    """Device route "scan_error": a line the bridge could not decode; the station's screen
    shows the decode error."""
    if event.data.get("raw"):
        scan_to_station(spine, event)

"""Serial scanners of the server on real pseudo-terminals: scans reach the station,
unplug/replug is visible in GET /api/v1/devices."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from server.areas import load_settings
from server.hardware.routes import DeviceEvent
from tests.fixtures.serialpty import PtyFactory
from tests.hardware.conftest import Server, wait_for


class StationFeed:
    """Stands in for the floor's "scan" device route (our own interface, not a library)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, spine: Any, event: DeviceEvent) -> None:
        with self._lock:
            self.calls.append(
                (event.station or "", event.data["raw"], event.input_id, event.source)
            )


@pytest.fixture
def feed() -> StationFeed:
    return StationFeed()


def scanner_row(server: Server, admin_key_for: Callable[..., Any]) -> dict[str, Any]:
    rows = {row["id"]: row for row in admin_key_for(server)["data"]}
    return rows["scanner-pack-01"]


def test_scans_reach_the_station_and_unplug_replug_shows_offline_then_online(
    db_url: str,
    serial_pty: PtyFactory,
    server_factory: Callable[..., Server],
    admin_key_for: Callable[..., Any],
    feed: StationFeed,
) -> None:
    pty = serial_pty("scanner-pack-01")
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        scanners=[{"id": "scanner-pack-01", "port": pty.path, "station": "PACK-01"}],
    )
    server = server_factory(settings)
    server.runtime.device_routes["scan"] = feed  # the readers route their scans by type
    wait_for(lambda: scanner_row(server, admin_key_for)["availability"] == "online")

    pty.write(b"4006381333931\r4006381333932\r")  # a good scan, then a bad check digit
    wait_for(lambda: len(feed.calls) == 2, what="both lines fed to the station")
    (station, raw, input_id, source), bad = feed.calls
    assert (station, raw, source) == ("PACK-01", "4006381333931", "serial:scanner-pack-01")
    assert input_id.startswith("serial:scanner-pack-01:")
    assert bad[1] == "4006381333932" and bad[2] != input_id
    row = scanner_row(server, admin_key_for)
    assert row["last_seen"] is not None and row["state"]["last_scan"] == "4006381333931"

    pty.unplug()
    wait_for(lambda: scanner_row(server, admin_key_for)["availability"] == "offline")
    pty.replug()
    wait_for(lambda: scanner_row(server, admin_key_for)["availability"] == "online", timeout=20)
    pty.write(b"5901234123457\r")
    wait_for(lambda: len(feed.calls) == 3, what="a scan after the replug")

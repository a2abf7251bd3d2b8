"""The serial devices' status shared through the database (server/hardware/serial_share.py):
what a process writes and when, and how any process (or the CLI) lists a device another
process reads. The two-process proof is tests/scale/test_serial_scanner_across_processes.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import peewee
import pytest

from server.areas import load_settings
from server.hardware import scanners, serial_share
from server.hardware.listing import list_devices
from server.models import utcnow
from server.models.hardware import HardwareDevice


class _Runtime:
    def __init__(self, settings: Any) -> None:
        self.settings = settings


@pytest.fixture
def configured(db_url: str) -> Any:
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="t",
        relay={"enabled": False},
        mqtt={"enabled": False},
        scanners=[{"id": "sc-9", "port": "/dev/ttyX9", "station": "PICK-9"}],
    )
    yield settings
    scanners.BOARD.remove("sc-9")


def test_a_reader_writes_on_change_and_beats_while_online(
    database: peewee.Database, configured: Any
) -> None:
    share = serial_share.Share(_Runtime(configured))  # type: ignore[arg-type]
    scanners.BOARD.add(scanners.ScannerStatus("sc-9", "PICK-9", "/dev/ttyX9", "online"))
    assert [r["id"] for r in share.due(0.0)] == ["sc-9"]
    share.turn(0.0)
    assert share.due(1.0) == []  # unchanged, and not due for a heartbeat yet
    assert [r["id"] for r in share.due(serial_share.HEARTBEAT_S)] == ["sc-9"]
    scanners.BOARD.update("sc-9", last_scan="TOTE-1")
    assert share.due(1.0)[0]["state"]["last_scan"] == "TOTE-1"  # a change: at once
    share.turn(1.0)
    row = HardwareDevice.get_by_id("sc-9")
    assert (row.availability, row.state["last_scan"], row.session) == (
        "online",
        "TOTE-1",
        f"serial@{share.host}",
    )
    scanners.BOARD.update("sc-9", availability="offline", held_elsewhere=True)
    assert share.due(99.0) == []  # another process reads the port: it says it


def _shared(device_id: str, host: str, station: str, last_scan: str, at: Any) -> None:
    """A scanner's status as the process that reads it shares it."""
    state = {"station": station, "port": "/dev/ttyUSB0", "last_scan": last_scan}
    HardwareDevice.insert(
        id=device_id,
        kind="scanner",
        availability="online",
        session=f"serial@{host}",
        state=state,
        state_at=at,
        last_seen=at,
    ).execute()


def test_any_process_lists_the_status_its_reader_shares_offline_once_stale(
    database: peewee.Database, configured: Any
) -> None:
    now = utcnow()
    _shared("sc-far", "host-b", "PACK-2", "TOTE-7", now)  # another host's: not in this config
    _shared("sc-9", "host-a", "PICK-9", "TOTE-3", now)  # this config's, read by another process
    scanners.BOARD.add(
        scanners.ScannerStatus("sc-9", "PICK-9", "/dev/ttyX9", "offline", held_elsewhere=True)
    )
    devices = list_devices(configured, None)
    assert [d["id"] for d in devices].count("sc-far") == 1  # not listed as an MQTT device too
    listed = {d["id"]: d for d in devices}
    far, here = listed["sc-far"], listed["sc-9"]
    assert (far["source"], far["availability"], far["station"]) == ("serial", "online", "PACK-2")
    assert far["state"]["last_scan"] == "TOTE-7" and far["state"]["read_by"] == "host-b"
    assert (here["availability"], here["state"]["held_elsewhere"]) == ("online", True)
    assert here["state"]["last_scan"] == "TOTE-3" and here["state"]["read_by"] == "host-a"

    old = now - timedelta(seconds=serial_share.FRESH_S + 1)  # its reader died
    HardwareDevice.update(state_at=old).execute()
    listed = {d["id"]: d for d in list_devices(configured, None)}
    assert listed["sc-far"]["availability"] == "offline"
    assert listed["sc-9"]["availability"] == "offline"
    assert listed["sc-9"]["state"]["held_elsewhere"] is True

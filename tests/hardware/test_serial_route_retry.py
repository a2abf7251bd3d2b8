"""A serial device's event waits in its reader while the database is away, retried with the
same input id: also when the database closed the connection (InterfaceError, after a
PostgreSQL restart), which dropped the scan at once (found by tests/faults)."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest
from flask import Flask

from server.hardware import serial_devices
from server.hardware.routes import DeviceEvent
from server.spine import Spine


def test_a_closed_connection_is_retried_like_a_busy_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(serial_devices.time, "sleep", lambda _s: None)
    calls: list[str] = []

    def route(_spine: Spine, event: DeviceEvent) -> None:
        calls.append(event.input_id)
        if len(calls) == 1:
            raise peewee.InterfaceError("connection already closed")

    event = DeviceEvent(
        device_id="scanner-1", type="scan", event_id="scanner-1:s:1",
        ts=dt.datetime.now(dt.UTC), historical=False, data={"raw": "T1"}, origin="serial",
    )  # fmt: skip
    serial_devices.route_retrying(Flask(__name__), Spine({}), route, event)
    assert calls == ["serial:scanner-1:s:1", "serial:scanner-1:s:1"]

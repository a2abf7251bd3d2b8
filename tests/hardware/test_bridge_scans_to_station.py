"""End to end: a scan published by a bridge scanner reaches the session open at its station
through the real floor machinery (server.floor.stations.feed_station_scan), once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.db import connection
from server.models import Event, ProcessedInput
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.hardware.conftest import Publisher, Server, wait_for

DEVICES = [{"id": "scanner-b1", "kind": "scanner", "station": "PACK-01", "bridge": "edge-1"}]


def test_a_bridge_scan_reaches_the_station_session_once(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    publisher: Publisher,
) -> None:
    server = server_factory(hw_settings(devices=DEVICES))
    assert server.app is not None
    wait_for(lambda: server.connected, what="server connected")
    client = server.app.test_client()
    add_operator(server.app, "S-9", ("picker",))
    code = add_kiosk(server.app, "ST-9", "station", "PACK-01")
    enrolled = client.post(f"{FLOOR}/enroll", json={"code": code})
    assert enrolled.status_code == 201, enrolled.json
    station = Kiosk(client, "ST-9", enrolled.json["device_token"])
    assert station.login("S-9").status_code == 201
    with connection():
        before = Event.select().count()

    publisher.event("scanner-b1", "scan", 1, {"raw": "4006381333931"})
    publisher.event("scanner-b1", "scan", 1, {"raw": "4006381333931"})  # a redelivery
    publisher.settle()

    def screen() -> dict[str, Any]:
        r = client.get(f"{FLOOR}/sessions/{station.session_id}/screen", headers=station.headers())
        return r.json["screen"]

    wait_for(
        lambda: (screen().get("feedback") or {}).get("message") == "Choose your work first",
        what="the scan answered on the station's screen",
    )
    wait_for(lambda: server.stats["routed"] == 2, what="both copies routed")
    with connection():  # both copies went to the floor, which took the input once
        taken = ProcessedInput.select().where(ProcessedInput.key.contains("mqtt:scanner-b1:"))
        assert [row.key for row in taken] == [f"floor:{station.session_id}:mqtt:scanner-b1:s1:1"]
        discovered = Event.select().where(
            Event.position > before, Event.subject == "device:scanner-b1"
        )
        assert [e.type for e in discovered] == ["device.discovered"]

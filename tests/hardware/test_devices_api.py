"""GET /api/v1/devices: every device, assigned or not, with two-level availability."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devices.payloads import encode, status_payload
from tests.hardware.conftest import Publisher, Server, wait_for

DEVICES = [
    {"id": "scale-pack-01", "kind": "scale", "station": "PACK-01", "bridge": "edge-1"},
    {"id": "ptl-A-01-01", "kind": "pick_to_light", "location": "A-01-01"},
    {"id": "door-2", "kind": "door", "station": "DOCK-2"},
]


def by_id(listing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in listing["data"]}


def test_devices_need_an_admin_key(client: Any, oms_key: str) -> None:
    assert client.get("/api/v1/devices").status_code == 401
    forbidden = client.get("/api/v1/devices", headers={"Authorization": f"Bearer {oms_key}"})
    assert forbidden.status_code == 403


def test_configured_devices_are_listed_offline_while_mqtt_is_disabled(
    admin_api: Any,
) -> None:
    listing = admin_api.get("/devices").get_json()
    assert listing["mqtt"] == {"enabled": False, "connected": False}
    assert listing["has_more"] is False


def test_unknown_devices_are_listed_unassigned_and_bridge_offline_takes_its_devices(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    publisher: Publisher,
    admin_key_for: Callable[..., Any],
) -> None:
    server = server_factory(hw_settings(devices=DEVICES))
    wait_for(lambda: server.connected, what="server connected")
    publisher.raw("bridge/edge-1/status", encode(status_payload("online", "b1")), retain=True)
    publisher.raw(
        "device/scale-pack-01/availability", encode(status_payload("online", "b1")), retain=True
    )
    publisher.raw("device/scale-pack-01/state", b'{"grams": 512.0, "stable": true}', retain=True)
    publisher.raw("device/mystery-7/state", b'{"celsius": 4.25}', retain=True)
    publisher.settle()
    wait_for(lambda: "mystery-7" in by_id(admin_key_for(server)), what="unknown device listed")

    devices = by_id(admin_key_for(server))
    scale = devices["scale-pack-01"]
    assert (scale["assigned"], scale["station"], scale["bridge"]) == (True, "PACK-01", "edge-1")
    assert scale["availability"] == "online"
    assert scale["state"] == {"grams": 512.0, "stable": True}, (scale, server.stats)
    assert scale["last_seen"] is not None
    mystery = devices["mystery-7"]
    assert (mystery["assigned"], mystery["kind"], mystery["station"]) == (False, "probe", None)
    assert mystery["availability"] == "online"
    assert devices["door-2"]["availability"] == "offline"  # configured, never heard
    assert devices["door-2"]["last_seen"] is None
    assert devices["edge-1"]["kind"] == "bridge"

    publisher.raw("bridge/edge-1/status", encode(status_payload("offline", "b1")), retain=True)
    publisher.settle()
    wait_for(
        lambda: by_id(admin_key_for(server))["scale-pack-01"]["availability"] == "offline",
        what="the bridge's device shown offline",
    )
    assert by_id(admin_key_for(server))["edge-1"]["availability"] == "offline"
    stats = admin_key_for(server, "/devices/stats")
    assert stats["mqtt"]["connected"] is True
    assert stats["ingest"]["malformed"] == 0


def test_kiosks_are_listed_with_the_devices(app: Any, admin_api: Any) -> None:
    from tests.floor.conftest import add_kiosk

    add_kiosk(app, "ST-7", "station", "PACK-07")
    rows = by_id(admin_api.get("/devices").get_json())
    kiosk = rows["ST-7"]
    assert (kiosk["source"], kiosk["kind"], kiosk["station"]) == ("kiosk", "station", "PACK-07")
    assert kiosk["availability"] == "offline"  # not enrolled yet

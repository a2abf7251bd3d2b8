"""Dispatch at the dock through the real floor machinery: a dock scanned, the door waited
for, packages loaded by SSCC (refused when they must not go), unloaded, the manifest closed
with its seal; the orders dispatched and the OMS told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.db import database as db_proxy
from server.models import Package, SupervisorException
from tests.dispatch.conftest import current, events, feedback, manifest_at
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk


def test_a_manifest_is_loaded_by_scan_and_closed_with_its_seal(
    packed: Callable[..., list[str]],
    dispatcher: Kiosk,
    door: Callable[..., None],
    docks: Api,
) -> None:
    door(False)
    one = packed("WEB-1", [{"MUG": 1}, {"PEN": 1}], MUG=1, PEN=1)
    (two,) = packed("WEB-2", PEN=2)
    manifest = manifest_at(docks, trailer="TR-9")
    assert dispatcher.screen["name"] == "dispatch.scan_dock", dispatcher.screen
    dispatcher.send(scan="LDOCK-1")  # the dock's barcode
    assert dispatcher.screen["name"] == "dispatch.door_closed", dispatcher.screen
    assert dispatcher.screen["target"]["manifest"] == manifest
    assert dispatcher.screen["target"]["door"]["status"] == "closed"
    dispatcher.send(scan=f"00{two}")  # loading while the door is closed: refused
    assert feedback(dispatcher)[0] == "error", dispatcher.screen
    door(True)  # the sensor says open: the screen changes without an input
    assert current(dispatcher)["name"] == "dispatch.load", dispatcher.screen
    assert dispatcher.screen["progress"] == {"loaded": 0, "waiting": 3}
    dispatcher.send(scan=f"(00){one[0]}")
    assert feedback(dispatcher) == ("ok", f"Loaded {one[0]}: order WEB-1, 1 of 2"), (
        dispatcher.screen
    )
    dispatcher.send(scan=f"00{one[0]}")  # twice
    level, message = feedback(dispatcher)
    assert level == "error" and "already loaded" in (message or "")
    dispatcher.send(scan=f"00{two}")
    assert dispatcher.screen["progress"] == {"loaded": 2, "waiting": 1}
    dispatcher.send(action="close")
    assert dispatcher.screen["name"] == "dispatch.close_blocked", dispatcher.screen
    assert "WEB-1: 1 of 2 packages loaded" in dispatcher.screen["prompt"]
    dispatcher.send(action="back")
    dispatcher.send(action="unload")
    assert dispatcher.screen["name"] == "dispatch.unload"
    dispatcher.send(scan=f"00{two}")
    assert feedback(dispatcher) == ("ok", f"Unloaded {two} (order WEB-2)")
    dispatcher.send(scan=f"00{two}")
    dispatcher.send(scan=f"00{one[1]}")
    dispatcher.send(action="progress")
    assert dispatcher.screen["target"] == {"WEB-1": "2 of 2 loaded", "WEB-2": "1 of 1 loaded"}
    dispatcher.send(action="close")
    assert dispatcher.screen["name"] == "dispatch.seal", dispatcher.screen
    dispatcher.send(scan="SEAL-778812")
    assert dispatcher.screen["name"] == "dispatch.closed", dispatcher.screen
    assert "3 packages of 2 orders" in dispatcher.screen["prompt"]

    body = docks.get("/orders/WEB-1").json
    assert body["status"] == "dispatched"
    assert [line["shipped"] for line in body["lines"]] == [1, 1]
    assert docks.get("/orders/WEB-2").json["lines"][0]["shipped"] == 2
    (dispatched,) = events("order.dispatched", "order:WEB-1")
    assert dispatched["manifest"] == manifest and dispatched["seal"] == "SEAL-778812"
    assert (dispatched["carrier"], dispatched["dock"], dispatched["trailer"]) == (
        "DHL",
        "DOCK-1",
        "TR-9",
    )
    assert [p["sscc"] for p in dispatched["packages"]] == one
    assert dispatched["complete"] is True and dispatched["actor"] == "operator:D1"
    (closed,) = events("manifest.closed")
    assert closed["totals"] == {"packages": 3, "orders": 2, "weight_g": 3000}
    assert docks.post("/orders/WEB-1/cancel", {"reason": "late"}).status_code == 409
    with db_proxy.connection_context():
        assert Package.get(Package.sscc == two).status == "dispatched"
    types = [e["type"] for e in events(subject=f"manifest:{manifest}")]
    assert types == [
        "manifest.created", "manifest.package_loaded", "manifest.package_loaded",
        "manifest.package_unloaded", "manifest.package_loaded", "manifest.package_loaded",
        "manifest.closed",
    ], types  # fmt: skip


def test_refused_packages_change_nothing_and_tell_the_supervisors(
    packed: Callable[..., list[str]],
    dispatcher: Kiosk,
    door: Callable[..., None],
    docks: Api,
) -> None:
    door(True)
    (ups,) = packed("WEB-3", carrier="UPS", service="Standard", PEN=1)
    (gone,) = packed("WEB-4", PEN=1)
    manifest_at(docks)
    assert docks.post("/orders/WEB-4/cancel", {"reason": "customer"}).status_code == 200
    dispatcher.send(scan="DOCK-1")
    assert dispatcher.screen["name"] == "dispatch.load", dispatcher.screen
    dispatcher.send(scan=f"00{ups}")
    level, message = feedback(dispatcher)
    assert level == "error" and "goes with UPS Standard, not DHL" in (message or "")
    dispatcher.send(scan=f"00{gone}")
    level, message = feedback(dispatcher)
    assert level == "error" and "Take it to the put-back" in (message or ""), message
    dispatcher.send(scan=f"00{gone}")  # again: still one exception
    dispatcher.send(scan="00106141411234567897")  # a valid SSCC nobody printed here
    assert "No package has the SSCC" in (feedback(dispatcher)[1] or "")
    dispatcher.send(scan="4006381333931")  # a product, not a package
    assert "not a package label" in (feedback(dispatcher)[1] or "")
    assert dispatcher.screen["progress"]["loaded"] == 0
    with db_proxy.connection_context():
        refused = list(
            SupervisorException.select().where(SupervisorException.kind == "dispatch_refused_load")
        )
    assert [(r.subject, r.data["sscc"]) for r in refused] == [("order:WEB-4", gone)]
    assert events("manifest.package_loaded") == []


def test_a_dock_without_a_manifest_opens_one_after_a_second_scan(
    packed: Callable[..., list[str]], dispatcher: Kiosk, docks: Api
) -> None:
    packed("WEB-5", PEN=1)
    packed("WEB-6", carrier="UPS", service="Standard", PEN=1)
    dispatcher.send(scan="DOCK-2")  # no door sensor at DOCK-2
    screen = dispatcher.screen
    assert screen["name"] == "dispatch.choose_carrier", screen
    labels = [a["label"] for a in screen["actions"]]
    assert labels[:3] == ["DHL Paket (1 waiting)", "UPS Standard (1 waiting)", "DPD any service"]
    dispatcher.send(action="carrier_0")
    assert dispatcher.screen["name"] == "dispatch.confirm_dock", dispatcher.screen
    dispatcher.send(scan="DOCK-1")  # a stray scan of another dock creates nothing
    assert feedback(dispatcher)[0] == "error"
    assert docks.get("/manifests").json["data"] == []
    dispatcher.send(scan="TR-B-2040")  # the trailer's id
    assert dispatcher.screen["target"]["trailer"] == "TR-B-2040", dispatcher.screen
    dispatcher.send(scan="DOCK-2")
    assert dispatcher.screen["name"] == "dispatch.load", dispatcher.screen
    assert dispatcher.screen["target"]["door"]["status"] == "none"
    listed = docks.get("/manifests?status=open").json["data"]
    assert [
        (m["carrier"], m["service"], m["dock"], m["trailer"], m["created_by"]) for m in listed
    ] == [("DHL", "Paket", "DOCK-2", "TR-B-2040", "operator:D1")]


def test_an_offline_door_sensor_blocks_unless_configured(
    packed: Callable[..., list[str]], dispatcher: Kiosk, door: Callable[..., None], docks: Api
) -> None:
    door(True, availability="offline")
    manifest_at(docks)
    dispatcher.send(scan="DOCK-1")
    assert dispatcher.screen["name"] == "dispatch.door_offline", dispatcher.screen
    assert "offline" in dispatcher.screen["prompt"]


def screen_names(kiosk: Kiosk) -> Any:
    return kiosk.screen["name"]


def test_a_package_to_take_off_stays_in_view_while_loading_goes_on(
    packed: Callable[..., list[str]], dispatcher: Kiosk, door: Callable[..., None], docks: Api
) -> None:
    door(True)
    (gone,) = packed("WEB-7", PEN=1)
    (stays,) = packed("WEB-8", PEN=1)
    manifest_at(docks)
    dispatcher.send(scan="DOCK-1")
    dispatcher.send(scan=f"00{gone}")
    assert docks.post("/orders/WEB-7/cancel", {"reason": "customer"}).status_code == 200
    current(dispatcher)
    assert feedback(dispatcher) == (
        "warn", f"Take off the trailer and unload: {gone}"
    )  # pushed by the cancel  # fmt: skip
    dispatcher.send(scan=f"00{stays}")
    assert feedback(dispatcher) == (
        "warn",
        f"Loaded {stays}: order WEB-8, 1 of 1. Take off the trailer and unload: {gone}",
    )

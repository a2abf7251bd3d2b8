"""Cancel intercept, all the way: one order cancelled at each point before its manifest
closes never leaves the building (picking asks for a put-back, packing voids its labels,
dispatch refuses or holds back its packages), and a cancel after dispatch answers 409.
Every order walks the real pick and pack flows (the scale read as its route, the labels
printed on a virtual printer), then the dispatcher's handheld at DOCK-1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from devices.virtual_printer import VirtualPrinter
from server.areas import load_settings
from server.config import Settings
from server.db import database as db_proxy
from server.models import Order, Package, PutBack, SupervisorException
from tests.dispatch.conftest import DOCKS, DOOR, current, events, feedback, manifest_at
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk
from tests.packing.conftest import (  # noqa: F401  (the packing station's fixtures)
    PREFIX,
    PRINTER,
    SCALE,
    _free_totes,
    boxes,
    next_pick_scan,
    packer,
    picked,
    printer,
    scale,
)
from tests.picking.conftest import Picker, order, post_order

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(db_url: str, printer: VirtualPrinter) -> Settings:  # noqa: F811
    host, port = printer.address
    return load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        packing={"gs1_company_prefix": PREFIX, "print_timeout_s": 1.0,
                 "carrier_rules": [{"id": "any", "carrier": "DHL", "service": "Paket"}]},
        devices=[
            {"id": SCALE, "kind": "scale", "station": "PACK-01"},
            {"id": PRINTER, "kind": "printer", "station": "PACK-01", "address": f"{host}:{port}"},
            {"id": DOOR, "kind": "door", "location": "DOCK-1"},
        ],
    )  # fmt: skip


@pytest.fixture
def dock(site: Api) -> Api:
    assert site.put("/locations", {"locations": DOCKS}).status_code == 200
    return site


def pack(packer: Kiosk, scale: Callable[..., None], tote: str, units: int) -> str:  # noqa: F811
    """The tote at the station: the suggested box, every mug scanned, weighed, labelled."""
    packer.send(scan=tote)
    packer.send(action="take_box")
    for _ in range(units):
        packer.send(scan="4006381333931")
    assert packer.screen["name"] == "pack.weigh", packer.screen
    scale(0.0)  # the last package lifted off
    scale(float(packer.screen["target"]["expected_g"]))
    label = current(packer)
    assert label["name"] == "pack.label", label
    sscc = str(label["target"]["sscc"])
    packer.send(scan=f"00{sscc}")
    assert packer.screen["name"] == "pack.done", packer.screen
    packer.send(action="next")
    return sscc


def cancel(api: Api, external_id: str) -> int:
    return int(api.post(f"/orders/{external_id}/cancel", {"reason": "customer"}).status_code)


def status(external_id: str) -> str:
    with db_proxy.connection_context():
        return str(Order.get(Order.external_id == external_id).status)


def test_an_order_cancelled_at_any_point_never_leaves(
    app: Flask,
    dock: Api,
    boxes: None,  # noqa: F811
    picked: Callable[..., str],  # noqa: F811
    packer: Kiosk,  # noqa: F811
    scale: Callable[..., None],  # noqa: F811
    door: Callable[..., None],
    dispatcher: Kiosk,
    admin_api: Api,
) -> None:
    # 1. during picking: the tote it was picked into goes back to the shelves
    dock.put("/totes", {"totes": [{"code": f"T{i}"} for i in range(1, 7)]})
    post_order(dock, order("C-PICK", MUG=2))
    picker = Picker(app.extensions["floorlink"], "P-C")
    screen = picker.enter()
    while screen["name"] != "pick.scan_tote_put":
        screen = picker.scan(next_pick_scan(screen))
    screen = picker.scan(next_pick_scan(screen))  # one mug in the tote
    assert cancel(dock, "C-PICK") == 200
    with db_proxy.connection_context():
        assert PutBack.select().join(Order).where(Order.external_id == "C-PICK").exists()
        assert not Package.select().join(Order).where(Order.external_id == "C-PICK").exists()
    # 2. at the pack station: its package and label are void
    picked("C-PACK", MUG=1)
    packer.send(scan="T2")
    packer.send(action="take_box")
    assert cancel(dock, "C-PACK") == 200
    assert current(packer)["name"] == "pack.cancelled", packer.screen
    assert events("package.voided", "order:C-PACK")
    packer.send(action="next")
    # 3. packed, waiting at the dock: the dispatcher's scan refuses it
    waiting = pack(packer, scale, picked("C-DOCK", MUG=1), 1)
    # 4. packed and already on the trailer: the manifest cannot close until it is off
    loaded = pack(packer, scale, picked("C-TRAILER", MUG=1), 1)
    # and one that leaves, cancelled too late
    leaves = pack(packer, scale, picked("C-GONE", MUG=1), 1)
    door(True)
    manifest = manifest_at(dock)
    dispatcher.send(scan="DOCK-1")
    for sscc in (loaded, leaves):
        dispatcher.send(scan=f"00{sscc}")
        assert feedback(dispatcher)[0] == "ok", dispatcher.screen
    assert cancel(dock, "C-DOCK") == 200
    assert cancel(dock, "C-TRAILER") == 200
    level, message = feedback(refreshed(dispatcher))  # re-rendered by the cancel, pushed
    assert level == "warn" and loaded in (message or ""), dispatcher.screen  # take it off
    dispatcher.send(scan=f"00{waiting}")
    level, message = feedback(dispatcher)
    assert level == "error" and "put-back" in (message or ""), dispatcher.screen
    dispatcher.send(action="close")
    assert dispatcher.screen["name"] == "dispatch.close_blocked", dispatcher.screen
    assert "C-TRAILER was cancelled" in dispatcher.screen["prompt"]
    assert "split" not in [a["id"] for a in dispatcher.screen["actions"]]  # no split of it
    r = admin_api.post(f"/manifests/{manifest}/close", {"seal": "S-1"})
    assert r.status_code == 409 and "C-TRAILER" in r.json["detail"], r.json
    with db_proxy.connection_context():
        kinds = {e.kind for e in SupervisorException.select()}
    assert {"dispatch_refused_load", "dispatch_cancelled_loaded", "packed_cancelled"} <= kinds
    dispatcher.send(action="unload")
    dispatcher.send(scan=f"00{loaded}")
    dispatcher.send(action="close")
    dispatcher.send(scan="SEAL-1")
    assert dispatcher.screen["name"] == "dispatch.closed", dispatcher.screen
    # 5. after dispatch: too late, as the API has always said
    assert cancel(dock, "C-GONE") == 409
    assert [status(o) for o in ("C-PICK", "C-PACK", "C-DOCK", "C-TRAILER", "C-GONE")] == [
        "cancelled", "cancelled", "cancelled", "cancelled", "dispatched"
    ]  # fmt: skip
    dispatched = {e["subject"] for e in events("order.dispatched")}
    assert dispatched == {"order:C-GONE"}
    with db_proxy.connection_context():
        left = {p.sscc for p in Package.select().where(Package.status == "dispatched")}
    assert left == {leaves}


def refreshed(kiosk: Kiosk) -> Kiosk:
    """The kiosk after reading its screen again (a push changed it)."""
    current(kiosk)
    return kiosk

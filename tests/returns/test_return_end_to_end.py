"""The return zone end to end through the real server (issue 12): an order posted over
HTTP, picked by a picker, packed at PACK-01 and dispatched from DOCK-1 over the floor HTTP
API; an RMA registered
by the OMS and the grading trees set by an admin; the parcel received at station RET-01,
whose serial scanner is a pseudo-terminal read by the server, its units graded into
restock, quarantine and scrap and put away; a backordered order for the restocked SKU
accepted; the signed webhooks received in order by a loopback receiver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from devices.pseudo_terminal import PseudoTerminal
from server.app import create_app
from server.areas import load_settings
from server.db import database as db_proxy
from tests.fixtures.areas import WITH_TESTS
from tests.fixtures.serialpty import PtyFactory, serial_pty  # noqa: F401
from tests.floor.conftest import add_kiosk, add_operator
from tests.hardware.conftest import wait_for
from tests.picking import live
from tests.picking.live import FLOOR, Http, LiveFloor, Picker
from tests.returns.conftest import ZONES
from tests.sync.receiver import Receiver

pytestmark = pytest.mark.slow
SCANNER = "scanner-ret-01"
MUG, PEN = "4006381333931", "96385074"
# sealed? → restock; opened: used or smelly? → quarantine (hygiene) ; damaged → scrap
TREE = {"id": "housewares", "categories": [], "default": True, "root": {
    "id": "sealed", "text": "Still sealed?", "answers": [
        {"id": "yes", "label": "Sealed", "then": {"grade": "A", "disposition": "restock"}},
        {"id": "no", "label": "Opened", "then": {
            "id": "damaged", "text": "Damaged?", "answers": [
                {"id": "yes", "label": "Damaged", "then": {"grade": "D", "disposition": "scrap"}},
                {"id": "no", "label": "Intact", "then": {
                    "grade": "C", "disposition": "quarantine"}}]}}]}}  # fmt: skip


def login(floor: LiveFloor, badge: str, roles: tuple[str, ...], kind: str,
          at: str | None) -> Picker:  # fmt: skip
    """An operator logged in on a kiosk enrolled over the floor HTTP API."""
    add_operator(floor.app, badge, roles, "1234")
    code = add_kiosk(floor.app, f"{kind[:2].upper()}-{badge}", kind, at)
    http = requests.Session()
    r = http.post(f"{floor.base}{FLOOR}/enroll", json={"code": code}, timeout=10)
    assert r.status_code == 201, r.text
    http.headers["X-Device-Token"] = r.json()["device_token"]
    r = http.post(f"{floor.base}{FLOOR}/sessions", json={"badge": badge, "pin": "1234"},
                  timeout=10)  # fmt: skip
    assert r.status_code == 201, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return Picker(floor.base, http, r.json()["session_id"], r.json()["screen"])


@pytest.fixture
def floor(db_url: str, serial_pty: PtyFactory) -> Iterator[tuple[LiveFloor, PseudoTerminal]]:  # noqa: F811
    scanner = serial_pty(SCANNER)
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": True, "poll_interval_s": 0.2},
        mqtt={"enabled": False},
        packing={"gs1_company_prefix": "0614141", "manual_weight": True,
                 "carrier_rules": [{"id": "any", "carrier": "UPS", "service": "Standard"}]},
        scanners=[{"id": SCANNER, "port": scanner.path, "station": "RET-01"}],
    )  # fmt: skip
    app = create_app(settings, areas=WITH_TESTS)
    receiver = Receiver().start()
    live.add_receiver(app, receiver)
    try:
        with live.serve(app) as base:
            here = LiveFloor(app, base, Http(base, live.new_key("oms")), receiver)
            here.load_site()
            assert here.oms.put("/locations", {"locations": ZONES}).status_code == 200
            box = {"code": "M", "inner_dims_mm": [300, 250, 150], "tare_g": 180,
                   "max_load_g": 10000}  # fmt: skip
            assert here.oms.put("/boxes", {"boxes": [box]}).status_code == 200
            yield here, scanner
    finally:
        app.extensions["floorlink"].stop()
        receiver.stop()
        db_proxy.obj.close_all()


def pick_and_pack(floor: LiveFloor, external_id: str) -> None:
    picker = login(floor, "P1", ("picker",), "handheld", None)
    picker.send(action="pick")
    while (code := picker.next_scan(picker.screen)) is not None:
        screen = picker.send(scan=code)
        assert (screen.get("feedback") or {}).get("level") != "error", screen
    assert picker.screen["name"] == "pick.done", picker.screen
    packer = login(floor, "K1", ("packer",), "station", "PACK-01")
    packer.send(action="pack")
    packer.send(scan=picker.totes[external_id])
    packer.send(action="take_box")
    for code in (MUG, MUG, PEN):
        packer.send(scan=code)
    assert packer.screen["name"] == "pack.weigh", packer.screen
    packer.send(action="key_weight", value=int(packer.screen["target"]["expected_g"]))
    assert packer.screen["name"] == "pack.label", packer.screen
    packer.send(scan="00" + packer.screen["target"]["sscc"])
    assert packer.screen["name"] == "pack.done", packer.screen
    picker.close()
    packer.close()


def scanned(scanner: PseudoTerminal, clerk: Picker, code: str,
            until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:  # fmt: skip
    """A scan on RET-01's serial scanner; the screen the server pushes because of it."""
    scanner.write(code.encode() + b"\r")
    while True:
        screen = clerk.wait_push(timeout=15)
        if until(screen):
            assert (screen.get("feedback") or {}).get("level") != "error", screen
            return screen


def named(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda screen: screen["name"] == name


def webhooks(floor: LiveFloor, subject: str) -> list[dict[str, Any]]:
    """The subject's webhooks as received, each signature verified, in seq order."""
    events = []
    for received in floor.receiver.accepted:
        assert received.valid, received.headers
        Webhook(floor.receiver.secrets[0]).verify(received.body, received.headers)
        if received.event.get("subject") == subject:
            events.append(received.event)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # in order, none missing
    return events


def delivered(floor: LiveFloor, subject: str, type_: str) -> None:
    wait_for(
        lambda: any(
            r.event.get("type") == type_ and r.event.get("subject") == subject
            for r in floor.receiver.accepted
        ),  # fmt: skip
        timeout=20,
        what=f"{type_} of {subject} delivered",
    )


def dispatch(floor: LiveFloor, external_id: str) -> None:
    """The order's package loaded at DOCK-1 (no door sensor) onto a UPS manifest, sealed."""
    assert floor.oms.post("/manifests", {"carrier": "UPS", "dock": "DOCK-1"}).status_code == 201
    sscc = floor.oms.get(f"/orders/{external_id}").json["packages"][0]["sscc"]
    dispatcher = login(floor, "D1", ("dispatcher",), "handheld", None)
    dispatcher.send(action="dispatch")
    dispatcher.send(scan="DOCK-1")
    assert dispatcher.screen["name"] == "dispatch.load", dispatcher.screen
    dispatcher.send(scan=f"00{sscc}")
    dispatcher.send(action="close")
    assert dispatcher.screen["name"] == "dispatch.seal", dispatcher.screen
    dispatcher.send(scan="SEAL-1")
    assert dispatcher.screen["name"] == "dispatch.closed", dispatcher.screen
    dispatcher.close()


def test_a_shipped_order_comes_back_graded_restocked_and_serves_a_backorder(
    floor: tuple[LiveFloor, PseudoTerminal],
) -> None:
    here, scanner = floor
    here.order("WEB-1", MUG=2, PEN=1)
    pick_and_pack(here, "WEB-1")
    dispatch(here, "WEB-1")
    assert here.oms.get("/orders/WEB-1").json["status"] == "dispatched"
    waiting = here.order("BACK-1", priority=5, MUG=9)  # 8 mugs left on the shelf
    assert waiting["status"] == "backordered", waiting
    admin = Http(here.base, live.new_key("admin"))
    assert here.oms.put("/returns/grading", {"trees": [TREE]}).status_code == 403
    assert admin.put("/returns/grading", {"trees": [TREE]}).status_code == 200
    body = {"rma_id": "RMA-1", "order_external_id": "WEB-1", "lines": [
        {"sku": "MUG", "qty": 2, "reason": "changed mind"},
        {"sku": "PEN", "qty": 1, "reason": "leaks"}]}  # fmt: skip
    assert here.oms.post("/returns", body).status_code == 201

    clerk = login(here, "R1", ("returns",), "station", "RET-01")
    clerk.connect_socket()
    clerk.send(action="returns")
    sscc = here.oms.get("/orders/WEB-1").json["packages"][0]["sscc"]
    screen = scanned(scanner, clerk, f"]C100{sscc}", named("returns.scan_unit"))  # the label
    assert screen["target"]["rma"] == "RMA-1" and screen["target"]["expected"] == {
        "MUG": 2, "PEN": 1}  # fmt: skip
    for code, answers, goes in ((MUG, ["yes"], "A-01-01-1"), (MUG, ["no", "no"], "QUAR-01"),
                                (PEN, ["no", "yes"], "SCRAP-01")):  # fmt: skip
        scanned(scanner, clerk, code, named("returns.grade"))
        for answer in answers:
            clerk.send(action=f"answer_{answer}")
        assert clerk.screen["name"] == "returns.put_away", clerk.screen
        assert clerk.screen["target"]["location"] == goes
        last = code == PEN
        scanned(scanner, clerk, goes, named("returns.done" if last else "returns.scan_unit"))
    assert clerk.screen["prompt"].startswith("3 units received")

    progress = here.oms.get("/returns/RMA-1").json
    assert progress["status"] == "closed" and progress["progress"]["put_away"] == 3
    stock = {(r["location"], r["location_kind"], r["allocatable"]): r["on_hand"]
             for r in here.oms.get("/stock?sku=MUG").json["data"]}  # fmt: skip
    assert stock[("QUAR-01", "quarantine", False)] == 1
    assert here.oms.get("/orders/BACK-1").json["status"] == "accepted"  # the restocked mug

    delivered(here, "rma:RMA-1", "return.received")
    delivered(here, "order:BACK-1", "order.accepted")
    types = [e["type"] for e in webhooks(here, "rma:RMA-1")]
    assert types == ["return.registered"] + [
        "return.unit_received", "return.unit_graded", "return.unit_put_away"] * 3 + [
        "return.received"]  # fmt: skip
    received = webhooks(here, "rma:RMA-1")[-1]["data"]
    assert [(u["sku"], u["grade"], u["disposition"], u["location"]) for u in received["units"]] == [
        ("MUG", "A", "restock", "A-01-01-1"), ("MUG", "C", "quarantine", "QUAR-01"),
        ("PEN", "D", "scrap", "SCRAP-01")]  # fmt: skip
    assert received["missing"] == [] and received["unexpected"] == []
    assert received["units"][1]["answers"][1]["label"] == "Intact"
    assert [e["type"] for e in webhooks(here, "order:BACK-1")] == [
        "order.backordered", "order.accepted"]  # fmt: skip
    adjusted = [e["data"] for e in webhooks(here, "sku:MUG")
                if e["type"] == "inventory.adjusted" and "RMA-1" in e["data"]["reason"]]  # fmt: skip
    assert [(a["location"], a["delta"]) for a in adjusted] == [("A-01-01-1", 1), ("QUAR-01", 1)]
    clerk.close()

"""Picking end to end through the real server: orders posted to the OMS API, picked by an
operator logged in on an enrolled kiosk (floor HTTP API, Socket.IO, a serial scanner on a
pseudo-terminal at the picker's station), signed webhooks received on loopback, in order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from devices.pseudo_terminal import PseudoTerminal
from tests.hardware.conftest import wait_for
from tests.picking.live import Http, LiveFloor, Picker, new_key

pytestmark = pytest.mark.slow
Send = Callable[[str], dict[str, Any]]


def walk(p: Picker, send: Send, stop: Callable[[dict[str, Any]], bool] | None = None) -> int:
    """Scan what each screen asks for until nothing is left to scan (or `stop`); scans sent."""
    sent = 0
    while (scan := p.next_scan(p.screen)) is not None and not (stop and stop(p.screen)):
        screen = send(scan)
        sent += 1
        assert (screen.get("feedback") or {}).get("level") != "error", screen
    return sent


def at(location: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: s["name"] == "pick.scan_location" and s["target"]["location"] == location


def webhooks_by_order(floor: LiveFloor) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for received in floor.receiver.accepted:
        assert received.valid, received.headers
        subject = received.event["subject"]
        if subject.startswith("order:"):
            out[subject.removeprefix("order:")].append(received.event)
    return out


def types_in_order(events: list[dict[str, Any]]) -> list[str]:
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
    return [e["type"] for e in events]


def delivered(floor: LiveFloor, *types: str, each: int = 1) -> None:
    """Wait until each of `types` was delivered (at least `each` times: one per order)."""

    def arrived() -> bool:
        seen = [r.event.get("type") for r in floor.receiver.accepted]
        return all(seen.count(t) >= each for t in types)

    wait_for(arrived, timeout=20, what=f"webhooks {types} x{each}")


def feed_cursor(floor: LiveFloor) -> str | None:
    cursor, more = None, True
    while more:
        reply = floor.oms.get("/events", params={"after": cursor} if cursor else {})
        cursor, more = reply.json["next_cursor"] or cursor, reply.json["has_more"]
    return cursor


def test_http_pick_with_a_wrong_location_and_a_short_pick(live_floor: LiveFloor) -> None:
    f = live_floor
    f.load_site()
    f.order("WEB-1", priority=9, MUG=2)
    f.order("WEB-2", PEN=2)
    p = f.picker("P1")
    assert p.screen["name"] == "home"
    p.send(action="pick")

    def scan(code: str) -> dict[str, Any]:
        return p.send(scan=code)

    walk(p, scan, stop=at("A-01-01-1"))
    # Unhappy path: the wrong location is an error screen that says where to go; no change.
    stock, cursor = f.oms.get("/stock").json, feed_cursor(f)
    wrong = scan("LA-01-02-1")
    assert wrong["name"] == "pick.scan_location"
    assert wrong["feedback"] == {
        "level": "error",
        "message": "Wrong location LA-01-02-1: go to A-01-01-1",
    }
    assert f.oms.get("/stock").json == stock
    assert f.oms.get("/events", params={"after": cursor}).json["data"] == []
    walk(p, scan, stop=at("A-01-02-1"))
    short = p.send(action="short_empty")
    assert short["feedback"]["level"] == "warn" and "2 missing" in short["feedback"]["message"]
    walk(p, scan)
    assert p.screen["name"] == "pick.done"

    delivered(f, "order.picked", "order.short_picked", "exception.raised")
    hooks = webhooks_by_order(f)
    assert types_in_order(hooks["WEB-1"]) == ["order.accepted", "order.picked"]
    assert types_in_order(hooks["WEB-2"]) == ["order.accepted", "order.short_picked"]
    picked = hooks["WEB-1"][-1]["data"]
    assert picked["tote"] == p.totes["WEB-1"] and picked["location"] == "PACK-01"
    assert [(line["sku"], line["qty"]) for line in picked["picked"]] == [("MUG", 2)]
    [missing] = hooks["WEB-2"][-1]["data"]["missing"]
    assert (missing["sku"], missing["qty"], missing["reasons"][0]["reason"]) == ("PEN", 2, "empty")
    [raised] = [r.event for r in f.receiver.accepted if r.event["type"] == "exception.raised"]
    assert raised["data"]["kind"] == "short_pick"
    assert f.oms.get("/orders/WEB-1").json["status"] == "picked"
    assert f.oms.get("/orders/WEB-2").json["status"] == "short_picked"
    p.close()


def test_socket_pick_and_a_cancellation_pushes_the_put_back_screen(live_floor: LiveFloor) -> None:
    f = live_floor
    f.load_site()
    f.order("WEB-1", priority=9, MUG=1)
    f.order("WEB-2", PEN=1)
    p = f.picker("P2")
    p.connect_socket()
    p.emit(action="pick")

    def emit(code: str) -> dict[str, Any]:
        return p.emit(scan=code)

    walk(p, emit, stop=at("A-01-02-1"))  # WEB-1's mug is in its tote
    while not p.pushed.empty():  # the echoes of the picker's own inputs
        p.pushed.get_nowait()
    assert f.oms.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    pushed = p.wait_push()
    assert pushed["name"] == "pick.put_back", pushed
    assert pushed["target"] == {"tote": p.totes["WEB-1"], "order": "WEB-1", "location": "RET-01"}
    walk(p, emit)
    assert p.screen["name"] == "pick.done"

    delivered(f, "order.cancelled", "order.picked")
    hooks = webhooks_by_order(f)
    assert types_in_order(hooks["WEB-1"]) == ["order.accepted", "order.cancelled"]
    assert types_in_order(hooks["WEB-2"]) == ["order.accepted", "order.picked"]
    adjusted = [r.event for r in f.receiver.accepted if r.event["type"] == "inventory.adjusted"]
    put_back = [e["data"] for e in adjusted if e["data"]["reason"].startswith("put-back")]
    assert [(e["sku"], e["delta"]) for e in put_back] == [("MUG", 1)]
    p.close()


def test_every_scan_from_the_serial_scanner_at_the_pickers_station(
    live_floor: LiveFloor, scanner_pty: PseudoTerminal
) -> None:
    f = live_floor
    f.load_site()
    f.order("WEB-1", MUG=2)
    f.order("WEB-2", PEN=1)
    p = f.picker("P3", kind="station", station="PICK-1")
    p.connect_socket()
    p.send(action="pick")  # the operator chooses the work on the station's screen
    p.wait_push()  # ...and the socket sees that screen too

    def by_scanner(code: str) -> dict[str, Any]:
        scanner_pty.write(code.encode() + b"\r")
        return p.wait_push()

    scans = walk(p, by_scanner)
    assert p.screen["name"] == "pick.done"
    assert p.current() == p.screen
    assert scans == 10  # 2 totes, 2 x (location, product..., tote), drop
    delivered(f, "order.picked", each=2)  # one per order: the relay may send them apart
    hooks = webhooks_by_order(f)
    assert types_in_order(hooks["WEB-1"]) == ["order.accepted", "order.picked"]
    assert types_in_order(hooks["WEB-2"]) == ["order.accepted", "order.picked"]
    p.close()


def test_a_reassignment_pushes_both_pickers_new_screens(live_floor: LiveFloor) -> None:
    f = live_floor
    f.load_site()
    f.order("WEB-1", MUG=1)
    first, second = f.picker("P4"), f.picker("P5")
    first.connect_socket()
    second.connect_socket()
    first.emit(action="pick")
    second.emit(action="pick")
    assert second.screen["name"] == "pick.no_work"
    for p in (first, second):
        while not p.pushed.empty():
            p.pushed.get_nowait()
    admin = Http(f.base, new_key("admin"))
    [batch] = admin.get("/picking/batches").json["data"]
    assert admin.post(f"/picking/batches/{batch['batch_id']}/reassign", {"badge": "P5"}).json
    assert first.wait_push()["name"] == "pick.no_work"
    assert second.wait_push()["name"] == "pick.scan_tote"
    first.close()
    second.close()

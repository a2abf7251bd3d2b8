"""The pick walk through the spine: totes, tasks in walk order, stock into totes, drop."""

from __future__ import annotations

from typing import Any

from server.models import Event, ToteItem
from tests.fixtures.app import Api
from tests.picking.conftest import order, post_order


def stock_of(api: Api, sku: str) -> dict[tuple[str, Any], dict[str, Any]]:
    rows = api.get(f"/stock?sku={sku}").json["data"]
    return {(r["location"], r["lot"]): r for r in rows}


def pick_task(p: Any, location: str, product: str, qty: int, tote: str) -> None:
    assert p.screen["name"] == "pick.scan_location", p.screen
    assert p.screen["target"]["location"] == location.removeprefix("L")
    p.scan(location)  # by its code or its barcode
    assert p.screen["name"] == "pick.scan_product", p.screen
    for _ in range(qty):
        p.scan(product)
        assert p.error is None, p.screen
    assert p.screen["name"] == "pick.scan_tote_put", p.screen
    assert p.screen["target"]["tote"] == tote
    p.scan(tote)
    assert p.error is None, p.screen


def test_two_order_batch_walk_to_pack(site: Api, totes: list[str], picker_of: Any) -> None:
    post_order(site, order("WEB-1", MUG=2))
    post_order(site, order("WEB-2", priority=5, PEN=3))
    p = picker_of()
    screen = p.enter()
    assert screen["name"] == "pick.scan_tote"
    assert screen["target"]["order"] == "WEB-2"  # higher priority first
    p.scan("T1")
    p.scan("T2")
    # walk order: A-01-01-1 (MUG, walk 10) before A-01-02-1 (PEN, walk 20)
    pick_task(p, "LA-01-01-1", "4006381333931", 2, "T2")
    pick_task(p, "A-01-02-1", "PEN-INT-1", 3, "T1")
    assert p.screen["name"] == "pick.scan_drop"
    p.scan("PACK-01")
    assert p.screen["name"] == "pick.done", p.screen
    body = site.get("/orders/WEB-1").json
    assert body["status"] == "picked"
    assert body["lines"][0]["picked"] == 2 and body["lines"][0]["allocated"] == 0
    assert stock_of(site, "MUG")[("A-01-01-1", None)]["on_hand"] == 8
    assert stock_of(site, "MUG")[("A-01-01-1", None)]["reserved"] == 0
    picked = Event.get(Event.type == "order.picked", Event.subject == "order:WEB-1").data
    assert picked["tote"] == "T2"
    assert picked["picked"] == [
        {"line_id": "1", "sku": "MUG", "qty": 2, "lot": None, "expiry": None, "serials": []}
    ]
    assert ToteItem.select().count() == 2


def test_key_count_and_gs1_lot(site: Api, totes: list[str], picker_of: Any) -> None:
    post_order(site, order("WEB-1", TEA=4))
    p = picker_of()
    p.enter()
    p.scan("T1")
    assert p.screen["target"]["location"] == "A-01-02-1"  # lot L1 expires first
    assert p.screen["target"]["lot"] == "L1"
    p.scan("A-01-02-1")
    p.scan("05901234123457")
    assert p.error and "lot" in p.error  # a plain GTIN has no lot
    p.scan("(01)05901234123457(17)300101(10)L1")
    assert p.screen["name"] == "pick.quantity"
    key_qty = next(a for a in p.screen["actions"] if a["id"] == "key_qty")
    assert key_qty["input"] == {
        "kind": "number",
        "label": "How many in total?",
        "min": 1,
        "max": 4,
    }
    assert all(a["input"] is None for a in p.screen["actions"] if a["id"] != "key_qty")
    # the server validates the value whatever the client checked: an error screen each
    for bad in (None, "", "two", "2.5", 2.5, 0, -1, 5, "9" * 5000, [3], {"n": 3}):
        p.act("key_qty", bad)
        assert p.screen["name"] == "pick.quantity" and p.error, (bad, p.screen)
        assert p.screen["target"]["counted"] == 1
    p.act("key_qty", 4)
    p.scan("T1")
    assert p.error is None
    item = ToteItem.get()
    assert (item.lot, item.qty) == ("L1", 4)


def test_lot_substitute_under_fefo_is_reallocated(
    site: Api, totes: list[str], picker_of: Any
) -> None:
    site.post(
        "/stock/adjustments",
        {
            "adjustments": [
                {
                    "sku": "TEA",
                    "location": "A-01-02-1",
                    "lot": "L1B",
                    "expiry": "2030-01-01",
                    "delta": 5,
                    "reason": "count",
                },
            ]
        },
    )
    post_order(site, order("WEB-1", TEA=2))
    p = picker_of()
    p.enter()
    p.scan("T1")
    p.scan("A-01-02-1")
    allocated_lot = p.screen["target"]["lot"]
    other = "L1B" if allocated_lot == "L1" else "L1"
    p.scan(f"(01)05901234123457(10){other}")
    assert p.error is None, p.screen
    assert p.screen["target"]["lot"] == other
    rows = stock_of(site, "TEA")
    assert rows[("A-01-02-1", other)]["reserved"] == 2
    assert rows[("A-01-02-1", allocated_lot)]["reserved"] == 0
    p.scan("(01)05901234123457(10)L2")  # later expiry: refused
    assert p.error and "L2" in p.error

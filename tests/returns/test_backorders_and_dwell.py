"""Stock that arrives serves the orders waiting for it, by one rule for an adjustment and a
restocked return (server/orders/backorders.py); units left in the return zone raise one
dwell exception per RMA, resolved when they are put away; a supervisor closes an RMA by
API with its missing units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask

from server.db import database as db_proxy
from server.models import SupervisorException, utcnow
from server.returns.dwell import SWEEPER, SweepDwell
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk
from tests.returns.conftest import MUG, RESTOCK, grade, rma
from tests.returns.test_return_flow import events


def _order(api: Api, external_id: str, priority: int = 0, **lines: int) -> dict[str, Any]:
    body = {"external_id": external_id, "channel": "web", "priority": priority,
            "lines": [{"line_id": str(i), "sku": s, "qty": q}
                      for i, (s, q) in enumerate(lines.items(), 1)]}  # fmt: skip
    r = api.post("/orders", body, headers={"Idempotency-Key": external_id})
    assert r.status_code == 201, r.json
    return dict(r.json)


def _adjust(api: Api, location: str, delta: int, sku: str = "MUG") -> None:
    r = api.post("/stock/adjustments", {"adjustments": [
        {"sku": sku, "location": location, "delta": delta, "reason": "count"}]})  # fmt: skip
    assert r.status_code == 200, r.json


def test_an_adjustment_serves_backorders_partly_then_fully(zones: Api) -> None:
    assert _order(zones, "BIG", 5, MUG=14, PEN=1)["status"] == "backordered"  # 10 on hand
    assert _order(zones, "SMALL", 1, MUG=1)["status"] == "backordered"
    _adjust(zones, "A-01-01-1", 2)
    big = zones.get("/orders/BIG").json
    assert big["status"] == "backordered" and big["lines"][0]["allocated"] == 12
    last = [e for e in events("order:BIG")][-1]
    assert last["type"] == "order.backordered" and last["missing"] == [
        {"line_id": "1", "sku": "MUG", "qty": 2}]  # fmt: skip
    assert zones.get("/orders/SMALL").json["lines"][0]["allocated"] == 0  # priority first
    _adjust(zones, "BULK-01", 3)
    assert zones.get("/orders/BIG").json["status"] == "accepted"
    assert zones.get("/orders/SMALL").json["status"] == "accepted"
    assert [e["type"] for e in events("order:SMALL")] == ["order.backordered", "order.accepted"]
    stock = zones.get("/stock?sku=MUG&location=BULK-01").json["data"][0]
    assert (stock["on_hand"], stock["reserved"]) == (3, 3)


def test_stock_that_is_not_allocatable_serves_nobody(zones: Api) -> None:
    _order(zones, "WAIT", MUG=11)
    _adjust(zones, "QUAR-01", 5)
    assert zones.get("/orders/WAIT").json["status"] == "backordered"
    quarantined = zones.get("/stock?sku=MUG&location=QUAR-01").json["data"][0]
    assert quarantined["allocatable"] is False and quarantined["reserved"] == 0
    assert _order(zones, "NEW", MUG=1)["status"] == "backordered"  # quarantine is not sellable


def _dwell(app: Flask, now: dt.datetime) -> dict[str, Any]:
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        return dict(spine.execute(SweepDwell(now), SWEEPER).result)


def _open_dwell() -> list[SupervisorException]:
    with db_proxy.connection_context():
        return list(SupervisorException.select().where(
            SupervisorException.kind == "return_dwell", SupervisorException.status == "open"))  # fmt: skip


def test_units_left_in_the_return_zone_raise_one_dwell_exception_until_put_away(
    app: Flask, shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 2})
    rma(zones, "RMA-1", "WEB-1", MUG=2)
    clerk.send(scan="RMA-1")
    clerk.send(scan=MUG)
    later = utcnow() + dt.timedelta(hours=5)  # [returns] dwell_after_min is 240
    assert _dwell(app, utcnow())["raised"] == []
    assert _dwell(app, later)["raised"] == ["RMA-1"]
    assert _dwell(app, later)["raised"] == []  # one exception, not one per sweep
    (raised,) = _open_dwell()
    assert raised.subject == "rma:RMA-1" and "not put away" in raised.message
    grade(clerk, RESTOCK)
    clerk.send(scan="A-01-01-1")
    assert _open_dwell() == []  # resolved by the put-away
    clerk.send(scan=MUG)
    grade(clerk, RESTOCK)
    assert _dwell(app, later + dt.timedelta(hours=5))["raised"] == ["RMA-1"]  # a new unit


def test_a_supervisor_closes_an_rma_with_its_missing_units(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api, admin_api: Api
) -> None:
    shipped("WEB-1", {"MUG": 2})
    rma(zones, "RMA-1", "WEB-1", MUG=2)
    assert zones.post("/returns/RMA-1/close", {}).status_code == 403  # the OMS may not
    clerk.send(scan="RMA-1")
    clerk.send(scan=MUG)
    r = admin_api.post("/returns/RMA-1/close", {})
    assert r.status_code == 409 and "Put away" in r.json["detail"], r.json
    grade(clerk, RESTOCK)
    clerk.send(scan="A-01-01-1")
    r = admin_api.post("/returns/RMA-1/close", {})
    assert r.status_code == 200, r.json
    assert r.json == {"rma_id": "RMA-1", "status": "closed", "missing": [{"sku": "MUG", "qty": 1}]}
    assert admin_api.post("/returns/RMA-1/close", {}).status_code == 409
    assert admin_api.post("/returns/RMA-404/close", {}).status_code == 404
    body = zones.get("/returns/RMA-1").json
    assert body["status"] == "closed" and body["missing"] == [{"sku": "MUG", "qty": 1}]
    assert events("rma:RMA-1")[-1]["closed_by"].startswith("api_key:")
    screen = clerk.client.get(f"/api/floor/v1/sessions/{clerk.session_id}/screen",
                              headers=clerk.headers()).json["screen"]  # fmt: skip
    assert screen["name"] == "returns.done", screen  # re-rendered when it closed
    clerk.send(scan=MUG)  # scanned as the next parcel: not an RMA
    assert (clerk.screen.get("feedback") or {}).get("level") == "error"

"""The returns flow at station RET-01, through the real floor machinery and the API: a
parcel found, units received, graded, put away, the RMA closed, the OMS told; and the ways
it goes wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from server.db import database as db_proxy
from server.models import Event, Order, SupervisorException
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk
from tests.returns.conftest import (
    MUG,
    PEN,
    REFURBISH,
    RESTOCK,
    SCRAP,
    VENDOR,
    grade,
    level,
    rma,
    sscc_of,
)


def events(subject: str) -> list[dict[str, Any]]:
    with db_proxy.connection_context():
        rows = Event.select().where(Event.subject == subject).order_by(Event.position)
        return [{"type": r.type, **r.data} for r in rows]


def stock(api: Api, location: str, sku: str) -> dict[str, Any] | None:
    rows = api.get(f"/stock?sku={sku}&location={location}").json["data"]
    return rows[0] if rows else None


def receive(clerk: Kiosk, code: str, answers: list[str]) -> dict[str, Any]:
    """One unit scanned, graded and put away where the screen says: the put-away screen."""
    clerk.send(scan=code)
    assert level(clerk) != "error", clerk.screen
    screen = dict(grade(clerk, answers))
    assert screen["name"] == "returns.put_away", screen
    clerk.send(scan=screen["target"]["location"])
    assert level(clerk) != "error", clerk.screen
    return screen


def test_a_return_received_graded_and_put_away_closes_and_tells_the_oms(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 3, "PEN": 1})
    rma(zones, "RMA-1", "WEB-1", MUG=3, PEN=1)
    clerk.send(scan="RMA-1")
    assert clerk.screen["name"] == "returns.scan_unit", clerk.screen
    assert clerk.screen["target"]["expected"] == {"MUG": 3, "PEN": 1}
    restocked = receive(clerk, MUG, RESTOCK)
    assert restocked["target"] == {
        "location": "A-01-01-1",
        "sku": "MUG",
        "grade": "A",
        "disposition": "restock",
    }  # fmt: skip  (its pick face)
    assert receive(clerk, MUG, SCRAP)["target"]["location"] == "SCRAP-01"
    assert receive(clerk, MUG, REFURBISH)["target"]["location"] == "REFURB-01"
    assert clerk.screen["progress"]["received"] == "3 of 4"
    assert receive(clerk, PEN, VENDOR)["target"]["location"] == "RTV-01"
    assert clerk.screen["name"] == "returns.done", clerk.screen
    assert clerk.screen["prompt"].startswith("4 units received")

    body = zones.get("/returns/RMA-1").json
    assert body["status"] == "closed" and body["progress"]["put_away"] == 4
    assert [u["disposition"] for u in body["units"]] == ["restock", "scrap", "refurbish",
                                                        "return_to_vendor"]  # fmt: skip
    assert stock(zones, "A-01-01-1", "MUG")["on_hand"] == 10 + 1  # type: ignore[index]
    scrap = stock(zones, "SCRAP-01", "MUG")
    assert scrap is not None and (scrap["location_kind"], scrap["allocatable"]) == ("scrap", False)
    assert stock(zones, "A-01-01-1", "MUG")["allocatable"] is True  # type: ignore[index]

    types = [e["type"] for e in events("rma:RMA-1")]
    assert types == ["return.registered"] + [
        "return.unit_received", "return.unit_graded", "return.unit_put_away"
    ] * 4 + ["return.received"]  # fmt: skip
    received = events("rma:RMA-1")[-1]
    assert received["missing"] == [] and received["unexpected"] == []
    first = received["units"][0]
    assert (first["sku"], first["grade"], first["disposition"], first["location"]) == (
        "MUG",
        "A",
        "restock",
        "A-01-01-1",
    )
    assert first["answers"] == [{"question": "sealed", "text": "Is the original packaging still "
                                 "sealed?", "answer": "yes", "label": "Sealed"}]  # fmt: skip
    adjusted = [e for e in events("sku:MUG") if e.get("reason", "").startswith("return RMA-1")]
    assert [(e["location"], e["delta"]) for e in adjusted] == [
        ("A-01-01-1", 1), ("SCRAP-01", 1), ("REFURB-01", 1)
    ]  # fmt: skip


def test_restocked_units_serve_backordered_orders_in_priority_then_ship_by_order(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 10})  # every mug on the shelf left
    rma(zones, "RMA-1", "WEB-1", MUG=2)
    for external_id, priority, ship_by in (
        ("LATE", 5, "2030-01-03T00:00:00Z"),
        ("URGENT", 9, "2030-01-05T00:00:00Z"),
        ("SOON", 5, "2030-01-02T00:00:00Z"),
    ):
        body = {"external_id": external_id, "channel": "web", "priority": priority,
                "ship_by": ship_by, "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}]}  # fmt: skip
        r = zones.post("/orders", body, headers={"Idempotency-Key": external_id})
        assert r.json["status"] == "backordered", r.json
    clerk.send(scan="RMA-1")
    receive(clerk, MUG, SCRAP)  # not sellable: serves nobody
    assert zones.get("/orders/URGENT").json["status"] == "backordered"
    receive(clerk, MUG, RESTOCK)
    assert zones.get("/orders/URGENT").json["status"] == "accepted"
    assert zones.get("/orders/SOON").json["status"] == "backordered"
    accepted = [e for e in events("order:URGENT") if e["type"] == "order.accepted"]
    assert accepted and accepted[0]["lines"][0]["allocated"] == 1
    r = zones.post("/stock/adjustments", {"adjustments": [
        {"sku": "MUG", "location": "BULK-01", "delta": 1, "reason": "found"}]})  # fmt: skip
    assert r.status_code == 200
    # the same rule for stock arriving by adjustment: the earlier ship-by goes first
    assert zones.get("/orders/SOON").json["status"] == "accepted"
    assert zones.get("/orders/LATE").json["status"] == "backordered"


def test_find_by_order_and_by_package_label(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 1})
    shipped("WEB-2", {"PEN": 1})
    rma(zones, "RMA-1", "WEB-1", MUG=1)
    rma(zones, "RMA-2", "WEB-2", PEN=1)
    clerk.send(scan="WEB-1")
    assert clerk.screen["target"]["rma"] == "RMA-1"
    clerk.send(action="home")
    clerk.send(action="returns")
    assert clerk.screen["target"]["rma"] == "RMA-1"  # back where the clerk was
    clerk.send(action="other_parcel")
    clerk.send(scan=f"(00){sscc_of('WEB-2')}")
    assert clerk.screen["target"]["rma"] == "RMA-2", clerk.screen
    rma(zones, "RMA-3", "WEB-2", PEN=1)
    clerk.send(action="other_parcel")
    clerk.send(scan="TRK" + "WEB-2")  # not a tracking number we know
    assert level(clerk) == "error"
    clerk.send(scan="WEB-2")
    assert clerk.screen["name"] == "returns.choose", clerk.screen
    clerk.send(action="open_1")
    assert clerk.screen["target"]["rma"] == "RMA-3"


def test_an_unexpected_unit_is_received_as_such_and_missing_units_are_recorded(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 2, "PEN": 1})
    rma(zones, "RMA-1", "WEB-1", MUG=2)
    clerk.send(scan="RMA-1")
    clerk.send(scan=PEN)
    assert level(clerk) == "warn" and "not on this return" in clerk.screen["feedback"]["message"]
    grade(clerk, RESTOCK)
    clerk.send(scan=clerk.screen["target"]["location"])
    receive(clerk, MUG, RESTOCK)
    clerk.send(action="close")
    assert level(clerk) == "error", clerk.screen  # one mug is still expected
    clerk.send(action="close_missing")
    assert clerk.screen["name"] == "returns.confirm_missing"
    assert clerk.screen["target"]["missing"] == {"MUG": 1}
    clerk.send(action="confirm_missing")
    assert clerk.screen["name"] == "returns.done" and "1 missing" in clerk.screen["prompt"]
    received = events("rma:RMA-1")[-1]
    assert received["type"] == "return.received"
    assert received["missing"] == [{"sku": "MUG", "qty": 1}]
    assert received["unexpected"] == [{"sku": "PEN", "qty": 1}]
    assert [u["expected"] for u in received["units"]] == [False, True]


def test_a_serial_never_shipped_goes_to_quarantine_and_the_supervisor_is_told(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 2}, serials={"MUG": ["SN1", "SN2"]})
    rma(zones, "RMA-1", "WEB-1", MUG=2)
    clerk.send(scan="RMA-1")
    clerk.send(scan="(01)04006381333931(21)SN1")
    assert level(clerk) == "ok", clerk.screen
    grade(clerk, RESTOCK)
    assert clerk.screen["target"]["disposition"] == "restock"
    clerk.send(scan="A-01-01-1")
    clerk.send(scan="(01)04006381333931(21)SN1")
    assert level(clerk) == "error" and "already received" in clerk.screen["feedback"]["message"]
    clerk.send(scan="(01)04006381333931(21)SN9")
    assert level(clerk) == "error" and "never shipped" in clerk.screen["feedback"]["message"]
    grade(clerk, RESTOCK)  # graded as new, but it is not ours
    assert clerk.screen["target"]["disposition"] == "quarantine", clerk.screen
    assert clerk.screen["target"]["location"] == "QUAR-01"
    clerk.send(scan="QUAR-02")  # any quarantine location will do
    assert clerk.screen["name"] == "returns.done", clerk.screen
    with db_proxy.connection_context():
        raised = SupervisorException.get(SupervisorException.kind == "return_serial_mismatch")
    assert raised.subject == "rma:RMA-1" and "SN9" in raised.message


def test_an_expired_or_short_dated_unit_is_never_restocked(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"TEA": 2}, lots={"TEA": ("L1", "2030-01-01")})
    rma(zones, "RMA-1", "WEB-1", TEA=2)
    clerk.send(scan="RMA-1")
    clerk.send(scan="(01)05901234123457(17)200101(10)L1")  # expired in 2020
    grade(clerk, RESTOCK)
    assert clerk.screen["target"]["disposition"] == "scrap", clerk.screen
    assert "expired" in clerk.screen["feedback"]["message"]
    clerk.send(scan="SCRAP-01")
    clerk.send(scan="5901234123457")  # no lot scanned: the one lot shipped, and its expiry
    grade(clerk, RESTOCK)
    assert clerk.screen["target"]["disposition"] == "restock", clerk.screen
    clerk.send(scan=clerk.screen["target"]["location"])
    units = zones.get("/returns/RMA-1").json["units"]
    assert [(u["lot"], u["expiry"]) for u in units] == [("L1", "2020-01-01"), ("L1", "2030-01-01")]


def test_the_put_away_must_scan_where_the_unit_goes(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 1})
    rma(zones, "RMA-1", "WEB-1", MUG=1)
    clerk.send(scan="RMA-1")
    clerk.send(scan=MUG)
    grade(clerk, SCRAP)
    for wrong, said in (("QUAR-01", "not where this unit goes"), ("NOWHERE", "not a location")):
        clerk.send(scan=wrong)
        assert level(clerk) == "error" and said in clerk.screen["feedback"]["message"]
        assert clerk.screen["name"] == "returns.put_away"
    assert stock(zones, "QUAR-01", "MUG") is None  # nothing moved
    clerk.send(scan="SCRAP-01")
    assert clerk.screen["name"] == "returns.done"


def test_bad_scans_and_buttons_are_error_screens_that_change_nothing(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 1})
    rma(zones, "RMA-1", "WEB-1", MUG=1)
    for scan, said in (("NOPE-1", "not an RMA, an order or a package"),
                       ("]C1(01)12345678901234", "check digit")):  # fmt: skip
        r = clerk.send(scan=scan)
        assert r.status_code == 200 and level(clerk) == "error", clerk.screen
        assert said in clerk.screen["feedback"]["message"], clerk.screen
    clerk.send(action="answer_yes")
    assert level(clerk) == "error"
    clerk.send(scan="RMA-1")
    clerk.send(scan="PEN-INT-9")
    assert level(clerk) == "error" and "not a product" in clerk.screen["feedback"]["message"]
    clerk.send(scan=MUG)
    clerk.send(action="answer_maybe")
    assert level(clerk) == "error" and clerk.screen["name"] == "returns.grade"
    clerk.send(scan=MUG)
    assert level(clerk) == "error"  # buttons here, not scans
    assert zones.get("/returns/RMA-1").json["progress"]["received"] == 1


def test_a_repeated_input_is_applied_once(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 2})
    rma(zones, "RMA-1", "WEB-1", MUG=2)
    clerk.send(scan="RMA-1")
    first = clerk.send("in-1", scan=MUG).json
    again = clerk.send("in-1", scan=MUG).json
    assert first == again
    assert zones.get("/returns/RMA-1").json["progress"]["received"] == 1


def test_a_half_graded_unit_is_taken_up_again_after_logging_out(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 1})
    rma(zones, "RMA-1", "WEB-1", MUG=1)
    clerk.send(scan="RMA-1")
    clerk.send(scan=MUG)
    clerk.send(action="answer_no")
    clerk.logout()
    assert clerk.login("R1").status_code == 201
    clerk.send(action="returns")
    assert clerk.screen["name"] == "returns.grade", clerk.screen
    assert clerk.screen["prompt"] == "Is the original packaging still sealed?"  # starts over
    grade(clerk, RESTOCK)
    assert clerk.screen["name"] == "returns.put_away"


def test_the_returns_flow_is_for_the_returns_role(
    app: Any, enrolled: Callable[..., Kiosk], operator: Callable[..., None]
) -> None:
    operator("P1", "picker")
    kiosk = enrolled("HH-9")
    kiosk.login("P1")
    assert "returns" not in [a["id"] for a in kiosk.screen["actions"]]
    kiosk.send(action="returns")
    assert kiosk.screen["name"] == "home" and level(kiosk) == "error", kiosk.screen


def test_an_unannounced_parcel_is_opened_against_its_order(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 2, "PEN": 1})
    clerk.send(scan="WEB-1")
    assert clerk.screen["name"] == "returns.unannounced", clerk.screen
    clerk.send(action="open_return")
    assert clerk.screen["name"] == "returns.scan_unit", clerk.screen
    rma_id = clerk.screen["target"]["rma"]
    receive(clerk, MUG, RESTOCK)
    receive(clerk, "5901234123457", SCRAP)  # tea never was on the order: unexpected
    clerk.send(action="close")
    assert clerk.screen["name"] == "returns.done", clerk.screen
    types = [e["type"] for e in events(f"rma:{rma_id}")]
    assert types[0] == "return.opened" and types[-1] == "return.received"
    received = events(f"rma:{rma_id}")[-1]
    assert received["unannounced"] is True and received["missing"] == []
    assert received["unexpected"] == [{"sku": "TEA", "qty": 1}]
    body = zones.get(f"/returns/{rma_id}").json
    assert body["lines"] == [{"sku": "MUG", "qty": 1, "reason": "unannounced return",
                              "received": 1}]  # fmt: skip


def test_an_order_not_shipped_cannot_come_back(clerk: Kiosk, zones: Api) -> None:
    body = {"external_id": "WEB-9", "channel": "web",
            "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}]}  # fmt: skip
    zones.post("/orders", body, headers={"Idempotency-Key": "WEB-9"})
    clerk.send(scan="WEB-9")
    assert level(clerk) == "error" and "never shipped" in clerk.screen["feedback"]["message"]


@pytest.mark.parametrize("returns_overrides", [{"unannounced": "aside"}])
def test_where_unannounced_returns_are_not_allowed_the_parcel_goes_aside(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 1})
    clerk.send(scan="WEB-1")
    assert clerk.screen["name"] == "returns.aside", clerk.screen
    assert level(clerk) == "error"  # with its sound: this parcel needs a supervisor
    with db_proxy.connection_context():
        raised = SupervisorException.get(SupervisorException.kind == "return_unannounced")
        assert Order.get(Order.external_id == "WEB-1").status == "packed"
    assert raised.subject == "order:WEB-1"
    clerk.send(action="next")
    assert clerk.screen["name"] == "returns.find"

"""Held stock is not picked: a picker sent to a location whose stock was held after the
order was allocated is told not to pick it, and the short reallocates only to stock that is
not held."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from server.coldchain.holds import HoldStock
from server.db import database as db_proxy
from server.models import OrderLine
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk, add_operator
from tests.floor.conftest import enrolled as enrolled
from tests.picking.conftest import order, post_order
from tests.picking.conftest import totes as totes
from tests.sync.conftest import TESTER


def test_a_held_location_is_not_picked_and_its_short_avoids_held_stock(
    app: Flask, site: Api, totes: list[str], enrolled: Callable[..., Kiosk], database: Any
) -> None:
    extra = [{"sku": "MUG", "location": "BULK-01", "delta": 5, "reason": "count"}]
    assert site.post("/stock/adjustments", {"adjustments": extra}).status_code == 200
    post_order(site, order("WEB-1", MUG=2))
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        spine.execute(HoldStock("BULK-01", "fridge door open"), TESTER)
    add_operator(app, "P-1", ("picker",))
    picker = enrolled("HH-1")
    assert picker.login("P-1").status_code == 201
    assert picker.send(action="pick").json["screen"]["name"] == "pick.scan_tote"
    picker.send(scan="T1")
    with db_proxy.connection_context():
        spine.execute(HoldStock("A-01-01-1", "probe excursion"), TESTER)
    screen = picker.send(scan="A-01-01-1").json["screen"]
    assert screen["name"] == "pick.scan_location"
    assert screen["feedback"]["level"] == "error" and "held" in screen["feedback"]["message"]
    screen = picker.send(action="short", value="damaged").json["screen"]
    assert screen["name"].startswith("pick."), screen
    with db_proxy.connection_context():
        line = OrderLine.get()
    assert (line.picked, line.allocated) == (0, 0)  # BULK-01's units are held too: none moved

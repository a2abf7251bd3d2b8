"""A handheld on flaky Wi-Fi sends a scan again (same input id) after the first took effect:
the picker gets the first answer again and the unit is picked once, even though the flow
has moved on and would read the scan differently now."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from server.db import database
from server.models import Event, PickTask
from tests.fixtures.app import Api
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.picking.conftest import order, post_order


def test_a_scan_sent_again_after_the_flow_moved_on_has_no_second_effect(
    app: Flask, client: FlaskClient, site: Api, totes: list[str]
) -> None:
    post_order(site, order("WEB-1", PEN=2))
    add_operator(app, "P1", ("picker",))
    code = add_kiosk(app, "HH-1", "handheld", None)
    token = client.post(f"{FLOOR}/enroll", json={"code": code}).json["device_token"]
    kiosk = Kiosk(client, "HH-1", token)
    assert kiosk.login("P1").status_code == 201
    kiosk.send(action="pick")
    kiosk.send(scan="T1")
    location = kiosk.send("loc-1", scan=kiosk.screen["target"]["location"])
    assert kiosk.screen["name"] == "pick.scan_product", kiosk.screen
    first = kiosk.send("unit-1", scan="96385074")  # one of two pens
    assert first.status_code == 200
    again = kiosk.send("unit-1", scan="96385074")  # the same send again: not a second pen
    assert again.json == first.json
    # the location scan again: now the flow would call it the wrong product; it answers
    # with what it answered then, and changes nothing
    assert kiosk.send("loc-1", scan=kiosk.screen["target"]["location"]).json == location.json
    kiosk.send(scan="96385074")  # the second pen
    assert kiosk.screen["name"] == "pick.scan_tote_put", kiosk.screen
    kiosk.send(scan="T1")
    with database.connection_context():
        picked = [e.data for e in Event.select().where(Event.type == "pick.confirmed")]
        tasks = [(t.qty, t.picked) for t in PickTask.select()]
    assert tasks == [(2, 2)], tasks
    assert len(picked) == 1, picked


def test_a_batch_whose_every_order_was_cancelled_is_dropped_empty(
    app: Flask, client: FlaskClient, site: Api, totes: list[str]
) -> None:
    """Nothing left to pick and no tote to put back: the drop ends the batch (it read the
    batch's orders with an empty id list, which PostgreSQL refused as a syntax error)."""
    post_order(site, order("WEB-1", PEN=1))
    add_operator(app, "P1", ("picker",))
    code = add_kiosk(app, "HH-1", "handheld", None)
    token = client.post(f"{FLOOR}/enroll", json={"code": code}).json["device_token"]
    kiosk = Kiosk(client, "HH-1", token)
    assert kiosk.login("P1").status_code == 201
    kiosk.send(action="pick")
    assert kiosk.screen["name"] == "pick.scan_tote", kiosk.screen
    assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    kiosk.send(action="retry")
    assert kiosk.screen["name"] == "pick.scan_drop", kiosk.screen
    assert kiosk.send(scan="PACK-01").status_code == 200
    assert kiosk.screen["name"] == "pick.done", kiosk.screen

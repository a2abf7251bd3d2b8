"""A weight outside the tolerance at a pack station, approved (or refused) from the board:
the same approval as a supervisor's PIN at the station, with the supervisor as actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from server.db import database as db_proxy
from server.models import Event, Package, SupervisorException
from tests.board.conftest import board, fix, item_of
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.packing.test_pack_flow import current


def supervisor(app: Flask, client: FlaskClient) -> Kiosk:
    add_operator(app, "SUP", ("supervisor",))
    r = client.post(f"{FLOOR}/enroll", json={"code": add_kiosk(app, "HH-SUP")})
    kiosk = Kiosk(client, "HH-SUP", r.json["device_token"])
    assert kiosk.login("SUP").status_code == 201
    return kiosk


def mismatch(picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None]) -> None:
    picked("WEB-8", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(scan="4006381333931")
    scale(2000.0)


def test_a_weight_approved_from_the_board(
    app: Flask,
    client: FlaskClient,
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
    database: Any,
) -> None:
    mismatch(picked, packer, scale)
    sup = supervisor(app, client)
    item = item_of(board(sup).json, "weight_mismatch")
    approve = next(f for f in item["fixes"] if f["id"] == "approve")
    assert "Scale needs calibration" in approve["options"]
    assert fix(sup, item["id"], "approve", "because").status_code == 422
    r = fix(sup, item["id"], "approve", "Scale needs calibration")
    assert r.status_code == 200, r.json
    with db_proxy.connection_context():
        package = Package.get()
        # labelled already: the station's screen went on to the label after the commit
        assert package.status == "labelled" and package.override["by"] == "SUP"
        assert Event.get(Event.type == "package.weight_overridden").actor == "operator:SUP"
        assert SupervisorException.get().status == "resolved"
    assert not [i for i in board(sup).json["queue"]["items"] if i["kind"] == "weight_mismatch"]
    # the packer's station goes on to the label by itself, as after a PIN at the station
    screen = current(packer)
    assert screen["name"] == "pack.label", screen
    assert screen["feedback"]["message"] == "Approved by SUP: Scale needs calibration"
    with db_proxy.connection_context():
        assert Package.get().sscc == screen["target"]["sscc"]


def test_an_override_refused_from_the_board(
    app: Flask,
    client: FlaskClient,
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
    database: Any,
) -> None:
    mismatch(picked, packer, scale)
    sup = supervisor(app, client)
    item = item_of(board(sup).json, "weight_mismatch")
    r = fix(sup, item["id"], "refuse")
    assert r.status_code == 200, r.json
    with db_proxy.connection_context():
        exc = SupervisorException.get()
        assert exc.status == "resolved" and "refused" in exc.resolution
        assert Package.get().status != "weighed"

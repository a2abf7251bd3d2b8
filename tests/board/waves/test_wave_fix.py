"""In manual release, the orders waiting for a wave are one item of the board's queue, and
a supervisor releases a wave of the most urgent from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from server.db import database as db_proxy
from server.models import Event, OrderHold
from tests.board.conftest import board, fix, item_of
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk, add_operator
from tests.floor.conftest import enrolled as enrolled
from tests.picking.conftest import order, post_order


def test_a_wave_released_from_the_board(
    app: Flask, site: Api, enrolled: Callable[..., Kiosk], database: Any
) -> None:
    post_order(site, order("WEB-1", priority=1, MUG=1))
    post_order(site, order("WEB-2", priority=9, PEN=1))
    add_operator(app, "SUP", ("supervisor",))
    sup = enrolled("HH-S")
    assert sup.login("SUP").status_code == 201
    item = item_of(board(sup).json, "wave_waiting")
    assert item["data"]["waiting"] == 2 and item["fixes"][0]["choose"] == "number"
    assert fix(sup, item["id"], "release_wave", "0").status_code == 422
    r = fix(sup, item["id"], "release_wave", "1")
    assert r.status_code == 200, r.json
    assert r.json["result"]["done"].startswith("1 orders released")
    with db_proxy.connection_context():
        released = Event.get(Event.type == "order.released")
        assert released.subject == "order:WEB-2" and released.actor == "operator:SUP"
        assert OrderHold.select().count() == 1
    assert item_of(board(sup).json, "wave_waiting")["data"]["waiting"] == 1

"""A released wave on the board's waves and batches tile: a supervisor holds it (its orders
not yet in a batch held, its batches nobody has claimed left alone by the pickers) and
releases it again, each one command with the supervisor as actor, refused for a picker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from server.areas import load_settings
from server.board.fixes import ApplyFix
from server.config import Settings
from server.db import database as db_proxy
from server.errors import Forbidden
from server.models import Event, OrderHold, PickBatch
from server.picking.handlers import AssignBatch
from server.spine import Actor
from tests.board.conftest import board, fix, item_of
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk, add_operator
from tests.floor.conftest import enrolled as enrolled
from tests.picking.conftest import order, post_order
from tests.sync.conftest import TESTER


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Manual release, one order per batch: a wave of three makes three batches."""
    return load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        picking={"release": "manual", "max_orders": 1},
    )


def events(type_: str) -> list[Event]:
    with db_proxy.connection_context():
        return list(Event.select().where(Event.type == type_).order_by(Event.position))


def test_a_wave_held_and_released_from_the_board(
    app: Flask, site: Api, enrolled: Callable[..., Kiosk], database: Any
) -> None:
    for external_id, priority in (("WEB-1", 9), ("WEB-2", 5), ("WEB-3", 1)):
        post_order(site, order(external_id, priority=priority, MUG=1))
    for badge, roles in (("P-1", ("picker",)), ("P-2", ("picker",)), ("SUP", ("supervisor",))):
        add_operator(app, badge, roles)
    kiosks = {b: enrolled(f"HH-{b}") for b in ("P-1", "P-2", "SUP")}
    for badge, kiosk in kiosks.items():
        assert kiosk.login(badge).status_code == 201
    sup, p1, p2 = kiosks["SUP"], kiosks["P-1"], kiosks["P-2"]
    released = fix(sup, item_of(board(sup).json, "wave_waiting")["id"], "release_wave", "3")
    assert released.status_code == 200, released.json
    (wave,) = board(sup).json["waves"]
    assert (wave["status"], wave["orders"], wave["waiting"]) == ("released", 3, 3)
    assert [f["id"] for f in wave["fixes"]] == ["hold_wave"]
    assert events("wave.released")[0].actor == "operator:SUP"

    # the most urgent order in a batch that nobody has now (its picker went home)
    assert p1.send(action="pick").json["screen"]["name"] == "pick.scan_tote"
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        batch_id = PickBatch.get().batch_id
        spine.execute(AssignBatch(batch_id, None), TESTER)
    wave = board(sup).json["waves"][0]
    assert (wave["waiting"], wave["picking"], wave["picked"]) == (2, 1, 0)

    assert fix(p1, wave["item"], "hold_wave").status_code == 403  # a picker's session
    with db_proxy.connection_context(), pytest.raises(Forbidden):  # whatever door it takes
        spine.execute(ApplyFix(wave["item"], "hold_wave"), Actor("operator", "P-1"))
    held = fix(sup, wave["item"], "hold_wave")
    assert held.status_code == 200, held.json
    assert "2 orders wait, 1 already in batches" in held.json["result"]["done"]
    (wave_held,) = events("wave.held")
    assert (wave_held.actor, wave_held.subject) == ("operator:SUP", f"wave:{wave['wave']}")
    assert wave_held.data["orders"] == ["WEB-2", "WEB-3"]
    assert [e.subject for e in events("order.held")][-2:] == ["order:WEB-2", "order:WEB-3"]
    model = board(sup).json
    wave = model["waves"][0]
    assert wave["status"] == "held" and [f["id"] for f in wave["fixes"]] == ["release_held_wave"]
    assert model["batches"][0]["held"] is True
    assert model["orders"]["held"] == 2
    assert fix(sup, wave["item"], "hold_wave", input_id="again").status_code == 422  # not offered

    # held: no picker gets its open batch, and no batch is made of its other orders
    assert p2.send(action="pick").json["screen"]["name"] == "pick.no_work"

    again = fix(sup, wave["item"], "release_held_wave")
    assert again.status_code == 200, again.json
    assert again.json["result"]["done"].endswith("2 orders back to picking")
    assert events("wave.released")[-1].data["orders"] == ["WEB-2", "WEB-3"]
    with db_proxy.connection_context():
        assert not OrderHold.select().exists()
    assert p2.send(action="retry").json["screen"]["name"] == "pick.scan_tote"
    with db_proxy.connection_context():
        assert PickBatch.get(PickBatch.batch_id == batch_id).operator == "P-2"
    wave = board(sup).json["waves"][0]
    assert wave["status"] == "released" and [f["id"] for f in wave["fixes"]] == ["hold_wave"]

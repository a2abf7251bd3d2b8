"""The docks on the board: each dock with its door as the dispatch area's rule reads the
registry, the manifests open there with what is loaded and what still waits for that
carrier, and who dispatches there; the hub notices a door that changed without an event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from server.board import docks as board_docks
from server.db import database as db_proxy
from server.models import utcnow
from tests.board.conftest import board
from tests.dispatch.conftest import dispatch_overrides as dispatch_overrides
from tests.dispatch.conftest import dispatcher as dispatcher
from tests.dispatch.conftest import docks as docks
from tests.dispatch.conftest import door as door
from tests.dispatch.conftest import manifest_at
from tests.dispatch.conftest import packed as packed
from tests.dispatch.conftest import settings as settings
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk, add_operator
from tests.floor.conftest import enrolled as enrolled


def docks_now(app: Flask) -> dict[str, dict[str, Any]]:
    with db_proxy.connection_context():
        found = board_docks.docks(app.extensions["floorlink"].settings, utcnow())
    return {d["dock"]: d for d in found}


@pytest.mark.parametrize(
    ("door_is", "availability", "shown"),
    [
        ("never heard", None, "offline"),
        (True, "online", "open"),
        (False, "online", "closed"),
        (True, "offline", "offline"),  # its last state says open, but it is not heard
        (None, "online", "offline"),  # heard, but it never said open or closed
    ],
)
def test_a_dock_door_as_the_board_shows_it(
    app: Flask,
    docks: Api,
    door: Callable[..., None],
    door_is: Any,
    availability: str | None,
    shown: str,
) -> None:
    if door_is != "never heard":
        door(door_is, availability)
    found = docks_now(app)
    assert found["DOCK-1"]["door"]["device"] == "door-dock-1"
    assert found["DOCK-1"]["door"]["status"] == shown
    assert found["DOCK-2"]["door"] == {"device": None, "status": "none", "since": None}


def test_the_docks_with_their_current_work(
    app: Flask,
    docks: Api,
    packed: Callable[..., list[str]],
    door: Callable[..., None],
    dispatcher: Kiosk,
    enrolled: Callable[..., Kiosk],
) -> None:
    door(True)
    one = packed("WEB-1", [{"MUG": 1}, {"PEN": 1}], MUG=1, PEN=1)
    packed("WEB-2", PEN=2)
    packed("WEB-3", carrier="DPD", service="Classic", PEN=1)
    manifest = manifest_at(docks, trailer="TR-9")
    dispatcher.send(scan="LDOCK-1")
    dispatcher.send(scan=f"00{one[0]}")
    assert dispatcher.screen["progress"] == {"loaded": 1, "waiting": 2}, dispatcher.screen
    add_operator(app, "SUP", ("supervisor",))
    sup = enrolled("HH-S")
    assert sup.login("SUP").status_code == 201
    model = board(sup).json
    by_dock = {d["dock"]: d for d in model["docks"]}
    assert list(by_dock) == ["DOCK-1", "DOCK-2"]  # in walk order
    one_dock = by_dock["DOCK-1"]
    assert one_dock["door"]["status"] == "open" and one_dock["dispatchers"] == ["D1"]
    (open_manifest,) = one_dock["manifests"]
    assert {k: open_manifest[k] for k in ("id", "carrier", "service", "trailer")} == {
        "id": manifest,
        "carrier": "DHL",
        "service": "any",
        "trailer": "TR-9",
    }
    # one package of WEB-1 loaded; its other one and WEB-2's wait for DHL (DPD's not)
    assert (open_manifest["loaded"], open_manifest["orders"], open_manifest["waiting"]) == (1, 1, 2)
    assert open_manifest["last_load"] is not None
    assert by_dock["DOCK-2"] == {
        "dock": "DOCK-2",
        "door": {"device": None, "status": "none", "since": None},
        "manifests": [],
        "dispatchers": [],
    }


def test_a_door_that_changed_without_an_event_is_noticed(
    app: Flask, docks: Api, door: Callable[..., None]
) -> None:
    settings = app.extensions["floorlink"].settings
    with db_proxy.connection_context():
        before = board_docks.door_signature(settings)
    door(True)
    with db_proxy.connection_context():
        opened = board_docks.door_signature(settings)
    door(True)  # heard again, the same state: nothing to read again
    with db_proxy.connection_context():
        assert board_docks.door_signature(settings)[0][1:] == opened[0][1:]
    assert before == () and opened[0][0] == "door-dock-1" and opened[0][3] is True

"""The board over the floor HTTP API: the model, the queue with its fixes, each fix one
command with the supervisor as actor, refused for other roles and for bad input."""

from __future__ import annotations

from typing import Any

from server.db import database as db_proxy
from server.models import Event, PickBatch, SupervisorException
from tests.board.conftest import board, fix, item_of, short_pick
from tests.floor.conftest import Kiosk


def test_a_short_pick_is_on_the_board_and_reassigning_its_batch_resolves_it(
    floor: dict[str, Kiosk], database: Any
) -> None:
    short_pick(floor["P-1"])
    floor["P-2"].send(action="pick")  # nothing left to claim: P-2 waits
    sup = floor["SUP"]
    assert sup.send(action="supervise").json["screen"]["name"] == "board.floor"
    r = board(sup)
    assert r.status_code == 200, r.json
    model = r.json
    item = item_of(model, "short_pick")
    assert {f["id"] for f in item["fixes"]} >= {"reassign", "unassign", "acknowledge", "resolve"}
    assert [p["badge"] for p in model["choices"]["picker"]] == ["P-1", "P-2"]
    assert model["batches"][0]["picker"] == "P-1"
    assert {o["badge"] for o in model["operators"]} == {"P-1", "P-2", "SUP"}
    assert model["orders"]["open"] == 2

    r = fix(sup, item["id"], "reassign", "P-2")
    assert r.status_code == 200, r.json
    assert "reassigned to P-2" in r.json["result"]["done"]
    with db_proxy.connection_context():
        assert PickBatch.get().operator == "P-2"
        exc = SupervisorException.get(SupervisorException.exception_id == item["id"])
        assert exc.status == "resolved" and exc.resolved_by == "operator:SUP"
        actors = {e.type: e.actor for e in Event.select().where(Event.position > 0)}
    assert actors["batch.reassigned"] == "operator:SUP"
    assert actors["exception.resolved"] == "operator:SUP"
    # P-2's handheld shows the batch now
    screen = (
        floor["P-2"]
        .client.get(
            f"/api/floor/v1/sessions/{floor['P-2'].session_id}/screen",
            headers=floor["P-2"].headers(),
        )
        .json["screen"]
    )
    assert screen["name"].startswith("pick.") and screen["name"] != "pick.no_work", screen
    # the same fix sent again (a lost ack) changes nothing and answers the same
    again = fix(sup, item["id"], "reassign", "P-2")
    assert again.status_code == 200 and again.json == r.json
    assert item["id"] not in {i["id"] for i in board(sup).json["queue"]["items"]}


def test_fixes_are_refused_to_other_roles_and_for_bad_input(
    floor: dict[str, Kiosk], database: Any
) -> None:
    short_pick(floor["P-1"])
    sup, picker = floor["SUP"], floor["P-1"]
    item = item_of(board(sup).json, "short_pick")
    assert board(picker).status_code == 403
    assert fix(picker, item["id"], "resolve", "fine").status_code == 403
    assert fix(sup, item["id"], "no_such_fix").status_code == 422
    assert fix(sup, item["id"], "reassign").status_code == 422  # no picker chosen
    assert fix(sup, item["id"], "reassign", "SUP").status_code == 422  # not a picker
    assert fix(sup, "exc_nope", "resolve", "x").status_code == 404
    assert fix(sup, "badge:NOBODY", "unlock").status_code == 409
    bad = sup.client.post("/api/floor/v1/board/fixes", json={"item": 3}, headers=sup.headers())
    assert bad.status_code == 422
    with db_proxy.connection_context():
        assert SupervisorException.get().status == "open"


def test_acknowledge_then_resolve_with_a_reason(floor: dict[str, Kiosk], database: Any) -> None:
    short_pick(floor["P-1"])
    sup = floor["SUP"]
    item = item_of(board(sup).json, "short_pick")
    assert fix(sup, item["id"], "acknowledge").status_code == 200
    acked = item_of(board(sup).json, "short_pick")
    assert acked["acknowledged"]["by"] == "operator:SUP"
    assert "acknowledge" not in {f["id"] for f in acked["fixes"]}
    assert acked["urgency"] < item["urgency"]
    r = fix(sup, item["id"], "resolve", "Checked on the floor: all in order")
    assert r.status_code == 200, r.json
    with db_proxy.connection_context():
        exc = SupervisorException.get()
        assert (exc.status, exc.resolution) == ("resolved", "Checked on the floor: all in order")
        assert Event.get(Event.type == "exception.acknowledged").actor == "operator:SUP"
    assert fix(sup, item["id"], "resolve", "again", input_id="other").status_code == 409

"""A pick and a cancel of its order at once (PostgreSQL runs both transactions together):
the tote scan read the task open, the cancel committed first and released the reservation.
The pick must move nothing (it took the units off the shelf and the reservation again: on
PostgreSQL a CHECK violation, the scan of a bridge lost; found by tests/faults)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from server.db import database
from server.models import PickTask, Stock, ToteItem
from server.picking.moves import Picked, confirm_pick
from server.spine import SYSTEM, Unit
from tests.fixtures.app import Api
from tests.fixtures.areas import TEST_HANDLERS
from tests.fixtures.database import on_postgres
from tests.picking.conftest import order, post_order


@dataclass(frozen=True)
class ConfirmStalePick:
    task_id: int
    picked: int  # the task as the pick read it, before the cancel committed


@TEST_HANDLERS.handles(ConfirmStalePick)
def confirm_stale_pick(cmd: ConfirmStalePick, unit: Unit) -> bool:
    task = PickTask.get_by_id(cmd.task_id)
    task.status, task.picked = "open", cmd.picked
    slot = task.batch_order
    return confirm_pick(task, slot.tote_id or 0, slot.order_id, Picked(1), unit, "bat")


@pytest.mark.skipif(not on_postgres, reason="SQLite's one writer makes every read current")
def test_a_pick_confirmed_after_its_order_was_cancelled_moves_nothing(
    site: Api, totes: list[str], picker_of: Any, app: Any
) -> None:
    post_order(site, order("WEB-1", MUG=1))
    p = picker_of()
    p.enter()
    p.scan("T1")
    with database.connection_context():
        task = PickTask.get()
        before = Stock.get_by_id(task.stock_id)
    assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    spine = app.extensions["floorlink"].spine
    assert spine.execute(ConfirmStalePick(task.id, task.picked), SYSTEM).result is False
    with database.connection_context():
        after = Stock.get_by_id(task.stock_id)
        assert (after.on_hand, after.reserved) == (before.on_hand, 0)
        assert ToteItem.select().count() == 0
        assert PickTask.get_by_id(task.id).status == "cancelled"


@pytest.mark.skipif(not on_postgres, reason="SQLite's one writer makes every read current")
def test_an_order_cancelled_after_the_claim_chose_it_is_left_out(
    site: Api, totes: list[str], picker_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim chose WEB-1 among the accepted orders; its cancel committed before the
    batch was made. Claimed anyway, it was set `picking` over its cancel and picked."""
    from server.picking import claim

    post_order(site, order("WEB-1", MUG=1))
    post_order(site, order("WEB-2", PEN=1))
    chose = claim.candidates

    def cancelled_meanwhile() -> Any:
        chosen = chose()  # as read by the claim, then the cancel commits
        assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
        return chosen

    monkeypatch.setattr(claim, "candidates", cancelled_meanwhile)
    p = picker_of()
    assert p.enter()["target"]["order"] == "WEB-2"
    assert site.get("/orders/WEB-1").json["status"] == "cancelled"

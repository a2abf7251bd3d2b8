"""Returns' exceptions on the supervisors' board: a parcel put aside for want of an RMA is
fixed from the board by opening a return for its order, which the clerk then receives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.board.conftest import board, fix, item_of
from tests.floor.conftest import Kiosk
from tests.returns.conftest import MUG, RESTOCK, grade


@pytest.mark.parametrize("returns_overrides", [{"unannounced": "aside"}])
def test_a_parcel_put_aside_gets_a_return_opened_from_the_board(
    shipped: Callable[..., None],
    clerk: Kiosk,
    enrolled: Callable[..., Kiosk],
    operator: Callable[..., None],
    zones: Any,
) -> None:
    shipped("WEB-1", {"MUG": 1})
    clerk.send(scan="WEB-1")
    assert clerk.screen["name"] == "returns.aside"
    operator("SUP", "supervisor")
    sup = enrolled("HH-SUP")
    sup.login("SUP")
    sup.send(action="supervise")
    item = item_of(board(sup).json, "return_unannounced")
    assert item["label"] == "Parcel without an RMA", item
    assert "open_return" in {f["id"] for f in item["fixes"]}
    r = fix(sup, item["id"], "open_return")
    assert r.status_code == 200, r.json
    assert "opened for order WEB-1" in r.json["result"]["done"]
    again = fix(sup, item["id"], "open_return", input_id="another")
    assert again.status_code in (404, 409, 422), again.json  # resolved: nothing to fix
    clerk.send(action="next")
    clerk.send(scan="WEB-1")
    assert clerk.screen["name"] == "returns.scan_unit", clerk.screen
    clerk.send(scan=MUG)
    grade(clerk, RESTOCK)
    clerk.send(scan=clerk.screen["target"]["location"])
    clerk.send(action="close")
    assert clerk.screen["name"] == "returns.done", clerk.screen

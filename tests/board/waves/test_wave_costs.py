"""What releasing a wave from the board costs, in SQL statements (docs/performance.md,
"Statements per step"): one fix, the orders released most urgent first, by how many."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.board.conftest import board, fix, item_of
from tests.fixtures.app import Api
from tests.fixtures.statements import Steps
from tests.floor.conftest import Kiosk, add_operator
from tests.floor.conftest import enrolled as enrolled
from tests.picking.conftest import order, post_order

# measured 2026-12-02 at 5083183; lower a budget when a change saves a statement
# -1 (2026-12-04) on every step that records events: numbered in their INSERT (eventlog.py)
BUDGETS = {  # orders released -> (SQLite, PostgreSQL)
    # +2 since 9502a30: a released wave is stored (its row and its orders' rows), so the
    # board can hold and release it later
    1: (10, 11),
    4: (10, 11),  # the same: the count does not grow with the wave
}


@pytest.mark.parametrize("released", sorted(BUDGETS))
def test_releasing_a_wave_from_the_board_stays_within_its_budget(
    app: Flask, site: Api, enrolled: Callable[..., Kiosk], database: Any, released: int
) -> None:
    for n in range(4):
        post_order(site, order(f"WEB-{n}", priority=n + 1, PEN=1))
    add_operator(app, "SUP", ("supervisor",))
    sup = enrolled("HH-S")
    assert sup.login("SUP").status_code == 201
    item, steps = item_of(board(sup).json, "wave_waiting"), Steps()
    with steps.count("release_wave"):
        r = fix(sup, item["id"], "release_wave", str(released))
    assert r.status_code == 200, r.json
    assert r.json["result"]["done"].startswith(f"{released} orders released")
    steps.check({"release_wave": BUDGETS[released]})

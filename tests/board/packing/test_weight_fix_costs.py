"""What a weight outside the tolerance costs to settle from the board, in SQL statements
(docs/performance.md, "Statements per step"): approve it with a reason (the package goes on
to its label, as after a supervisor's PIN at the station), or refuse it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.board.conftest import board, fix, item_of
from tests.board.packing.test_weight_fix import mismatch, supervisor
from tests.fixtures.statements import Steps
from tests.floor.conftest import Kiosk

# measured 2026-12-02 at 5083183; lower a budget when a change saves a statement
# -1 (2026-12-04) on every step that records events: numbered in their INSERT (eventlog.py)
BUDGETS = {  # fix -> (the supervisor's choice, (SQLite, PostgreSQL))
    "approve": ("Scale needs calibration", (49, 51)),  # SSCC allocated, label queued
    "refuse": (None, (31, 32)),
}


@pytest.mark.parametrize("fix_id", sorted(BUDGETS))
def test_each_weight_fix_stays_within_its_budget(
    app: Flask,
    client: FlaskClient,
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
    database: Any,
    fix_id: str,
) -> None:
    mismatch(picked, packer, scale)
    sup = supervisor(app, client)
    item, steps = item_of(board(sup).json, "weight_mismatch"), Steps()
    value, budget = BUDGETS[fix_id]
    with steps.count(fix_id):
        r = fix(sup, item["id"], fix_id, value)
    assert r.status_code == 200, r.json
    steps.check({fix_id: budget})

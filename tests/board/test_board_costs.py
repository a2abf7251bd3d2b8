"""What the supervisors' board costs, in SQL statements, through the real HTTP path of a
supervisor's handheld (docs/performance.md, "Statements per step"): the board screen, the
board's model when it opens, and each one-tap fix of the board's own (acknowledge, resolve,
unlock a badge) and of picking's short pick (reassign, unassign, count the location). A fix is one command (`ApplyFix`) in one transaction, with its events."""

from __future__ import annotations

from typing import Any

import pytest

from tests.board.conftest import board, fix, item_of, short_pick
from tests.fixtures.statements import Steps
from tests.floor.conftest import Kiosk

REASON = "Checked on the floor: all in order"

# measured 2026-12-02; lower a budget when a change saves a statement
# -1 (2026-12-04) on every step that records events: numbered in their INSERT (eventlog.py)
BUDGETS = {  # (SQLite, PostgreSQL)
    "supervise": (4, 4),  # the supervisor's home -> the board screen
    # the model read whole: batches in one statement, kiosks in two, the webhooks tile one
    # without endpoints (-5); the waves and the docks (+4)
    "board": (26, 26),
    "board_again": (1, 1),  # nothing changed since: the model computed last time
    "acknowledge": (15, 16),
    "board_changed": (13, 13),  # the parts it touched read again (webhooks: no endpoint)
    "resolve": (17, 18),  # with a reason
}


def test_opening_the_board_acknowledging_and_resolving_stay_within_budget(
    floor: dict[str, Kiosk], database: Any
) -> None:
    short_pick(floor["P-1"])
    sup, steps = floor["SUP"], Steps()
    with steps.count("supervise"):
        assert sup.send(action="supervise").json["screen"]["name"] == "board.floor"
    with steps.count("board"):
        model = board(sup).json
    with steps.count("board_again"):
        assert board(sup).json == model
    item = item_of(model, "short_pick")
    with steps.count("acknowledge"):
        assert fix(sup, item["id"], "acknowledge").status_code == 200
    with steps.count("board_changed"):
        assert item_of(board(sup).json, "short_pick")["acknowledged"]
    with steps.count("resolve"):
        r = fix(sup, item["id"], "resolve", REASON)
    assert r.status_code == 200, r.json
    steps.check(BUDGETS)


# A short pick's own fixes (server/picking/board_fixes.py), each on a floor of its own:
# the fix, its change (the area's handler) and the exception resolved, in one command.
SHORT_PICK_FIXES = {  # fix -> (the supervisor's choice, (SQLite, PostgreSQL))
    "reassign": ("P-2", (32, 33)),
    "unassign": (None, (27, 28)),
    "count": ("0", (28, 29)),
}


@pytest.mark.parametrize("fix_id", sorted(SHORT_PICK_FIXES))
def test_each_fix_of_a_short_pick_stays_within_its_budget(
    floor: dict[str, Kiosk], database: Any, fix_id: str
) -> None:
    short_pick(floor["P-1"])
    sup, steps = floor["SUP"], Steps()
    item = item_of(board(sup).json, "short_pick")
    assert fix_id in {f["id"] for f in item["fixes"]}, item["fixes"]
    value, budget = SHORT_PICK_FIXES[fix_id]
    with steps.count(fix_id):
        r = fix(sup, item["id"], fix_id, value)
    assert r.status_code == 200, r.json
    steps.check({fix_id: budget})


UNLOCK_BUDGETS = {"unlock": (9, 10)}  # (SQLite, PostgreSQL)


def test_unlocking_a_badge_from_the_board_stays_within_its_budget(
    floor: dict[str, Kiosk], enrolled: Any, database: Any
) -> None:
    other = enrolled("HH-9")
    while other.login("P-2", pin="9999").status_code != 423:  # wrong PINs lock the badge
        pass
    sup, steps = floor["SUP"], Steps()
    item = item_of(board(sup).json, "badge_locked")
    with steps.count("unlock"):
        r = fix(sup, item["id"], "unlock")
    assert r.status_code == 200, r.json
    assert other.login("P-2").status_code == 201
    steps.check(UNLOCK_BUDGETS)

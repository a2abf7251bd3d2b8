"""What each step of the returns flow costs, in SQL statements: counts that do not drift
with the machine (docs/performance.md, "Statements per step")."""

from __future__ import annotations

from collections.abc import Callable

from tests.fixtures.app import Api
from tests.fixtures.statements import Steps
from tests.floor.conftest import Kiosk
from tests.returns.conftest import MUG, rma

# Statements per step, the kiosk's HTTP input included (access check, the input, the session,
# de-duplication, the event log); measured 2026-12-02 (-1 on every kiosk input since its key is
# looked up only when it fails: Dedupe check_first). The put-away restocks the unit (its stock
# row, inventory.adjusted, the backorders waiting for it).
# -1 (2026-12-04) on every step that records events: numbered in their INSERT (eventlog.py)
BUDGETS = {  # (SQLite, PostgreSQL)
    "find": (12, 12),
    "unit": (15, 16),
    "answer": (10, 11),
    "put_away": (21, 22),
    "home": (4, 4),
    "login": (9, 10),  # the clerk again, after a logout
    "enter": (5, 5),  # the home screen's "returns": the flow's first screen
}


def test_each_returns_step_stays_within_its_statement_budget(
    shipped: Callable[..., None], clerk: Kiosk, zones: Api
) -> None:
    shipped("WEB-1", {"MUG": 3})
    rma(zones, "RMA-1", "WEB-1", MUG=3)
    steps = Steps()
    with steps.count("find"):
        clerk.send(scan="RMA-1")
    clerk.send(scan=MUG)
    clerk.send(action="answer_yes")
    clerk.send(scan="A-01-01-1")
    with steps.count("unit"):
        clerk.send(scan=MUG)
    with steps.count("answer"):
        clerk.send(action="answer_yes")
    with steps.count("put_away"):
        clerk.send(scan="A-01-01-1")
    assert clerk.screen["name"] == "returns.scan_unit", clerk.screen
    with steps.count("home"):
        assert clerk.send(action="home").json["screen"]["name"] == "home"
    assert clerk.logout().status_code == 200
    with steps.count("login"):
        assert clerk.login("R1").status_code == 201
    with steps.count("enter"):
        assert clerk.send(action="returns").json["screen"]["name"].startswith("returns.")
    steps.check(BUDGETS)

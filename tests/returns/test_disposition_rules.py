"""The pure rules of the return zone: the disposition after the grading (serials and lots
never shipped, expiry and the sell-by margin), and where a unit goes."""

from __future__ import annotations

import datetime as dt

import pytest

from server.returns import rules
from server.returns.rules import Place, accepts, disposition, target

TODAY = dt.date(2026, 12, 2)
D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("graded", "flags", "expiry", "tracked", "expected"),
    [
        ("restock", [], None, False, "restock"),
        ("scrap", [], None, False, "scrap"),
        ("restock", [rules.SERIAL_NOT_SHIPPED], None, False, "quarantine"),
        ("scrap", [rules.SERIAL_NOT_SHIPPED], None, False, "quarantine"),  # ours to check first
        ("restock", [rules.LOT_NOT_SHIPPED], D("2030-01-01"), True, "quarantine"),
        ("restock", [rules.LOT_UNKNOWN], None, False, "quarantine"),
        ("restock", [rules.UNEXPECTED], None, False, "restock"),  # unexpected, still ours
        ("restock", [], D("2026-12-01"), True, "scrap"),  # expired yesterday
        ("restock", [], D("2026-12-02"), True, "quarantine"),  # expires today: in the margin
        ("restock", [], D("2027-01-01"), True, "quarantine"),  # 30 days: in the margin
        ("restock", [], D("2027-01-02"), True, "restock"),  # 31 days
        ("restock", [], None, True, "quarantine"),  # nobody knows its expiry
        ("refurbish", [], D("2020-01-01"), True, "refurbish"),  # only restock is guarded
        ("restock", [], D("2020-01-01"), False, "restock"),  # a date on a product without one
    ],
)
def test_the_disposition(
    graded: str, flags: list[str], expiry: dt.date | None, tracked: bool, expected: str
) -> None:
    decided = disposition(graded, flags, expiry, tracked, TODAY, 30, "scrap", "quarantine")
    assert decided.disposition == expected
    assert (decided.why is None) == (expected == graded)


PLACES = [
    Place("A-02", "pick", 20, holding=3),
    Place("A-01", "pick", 10, holding=3),
    Place("A-03", "pick", 5, holding=0),
    Place("B-01", "bulk", 500, holding=40),
    Place("B-00", "bulk", 400, holding=0),
]


@pytest.mark.parametrize(
    ("disposition_", "places", "zone", "expected"),
    [
        ("restock", PLACES, None, "A-01"),  # held there, first on the walk of the tied
        ("restock", [*PLACES[:2], Place("A-09", "pick", 90, holding=7)], None, "A-09"),
        ("restock", PLACES[2:], None, "B-01"),  # no pick face holds it: its bulk location
        ("restock", [PLACES[2], PLACES[4]], None, "B-00"),  # nowhere yet: the first bulk
        ("restock", [PLACES[2]], None, None),  # no bulk at all
        ("scrap", [Place("S-2", "scrap", 2), Place("S-1", "scrap", 1)], "scrap", "S-1"),
        ("quarantine", [Place("S-1", "scrap", 1)], "quarantine", None),
    ],
)
def test_the_target(
    disposition_: str, places: list[Place], zone: str | None, expected: str | None
) -> None:
    assert target(disposition_, places, zone) == expected


@pytest.mark.parametrize(
    ("disposition_", "goal", "scanned", "ok"),
    [
        ("restock", Place("A-01", "pick", 1), Place("A-01", "pick", 1), True),
        ("restock", Place("A-01", "pick", 1), Place("A-02", "pick", 2), False),
        ("restock", Place("A-01", "pick", 1), Place("B-01", "bulk", 3), True),
        ("restock", Place("A-01", "pick", 1), Place("Q-01", "quarantine", 3), False),
        ("quarantine", Place("Q-01", "quarantine", 1), Place("Q-02", "quarantine", 2), True),
        ("quarantine", Place("Q-01", "quarantine", 1), Place("B-01", "bulk", 2), False),
        ("scrap", Place("S-01", "scrap", 1), Place("Q-01", "quarantine", 2), False),
    ],
)
def test_where_a_unit_may_be_put(disposition_: str, goal: Place, scanned: Place, ok: bool) -> None:
    assert accepts(disposition_, goal, scanned) is ok

"""The board's pure rules as tables: urgency and its order, late and at risk, which parts of
the model an event touches and how soon they are read again."""

from __future__ import annotations

import datetime as dt

import pytest

from server.board.model import PARTS, touches
from server.board.rules import Ranked, most_urgent_first, next_pickup, timing, urgency

NOW = dt.datetime(2026, 12, 2, 14, 0)
LEAD = {"picking": 30.0, "packing": 15.0}


def at(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("base", "age_min", "acked", "expected"),
    [
        (70, 0, False, 70),
        (70, 14, False, 70),  # under 15 minutes: no gain
        (70, 15, False, 75),
        (70, 61, False, 90),
        (70, 600, False, 90),  # capped at +20
        (70, 0, True, 30),  # acknowledged: someone is on it
        (70, -5, False, 70),  # a clock skew never lowers it
    ],
)
def test_urgency(base: int, age_min: float, acked: bool, expected: int) -> None:
    assert urgency(base, age_min * 60, acked) == expected


def test_most_urgent_first_then_oldest_then_key() -> None:
    items = [
        Ranked("b", 70, at(-10)),
        Ranked("a", 70, at(-10)),
        Ranked("old", 70, at(-60)),
        Ranked("hot", 90, at(0)),
        Ranked("cold", 30, at(-600)),
    ]
    assert most_urgent_first(items) == ["hot", "old", "a", "b", "cold"]


@pytest.mark.parametrize(
    ("status", "ship_by", "pickup", "expected"),
    [
        ("accepted", at(-1), None, "late"),  # ship-by passed, not packed
        ("packed", at(-1), None, "on_time"),  # packed: ready to go
        ("dispatched", at(-100), None, "on_time"),
        ("accepted", at(44), None, "at_risk"),  # needs 45 min of picking and packing
        ("accepted", at(45), None, "on_time"),
        ("picked", at(14), None, "at_risk"),  # needs 15 min of packing
        ("picked", at(20), None, "on_time"),
        ("accepted", at(600), at(40), "at_risk"),  # the carrier's pickup comes first
        ("packing", at(600), at(40), "on_time"),
        ("accepted", None, None, "on_time"),  # no deadline at all
        ("backordered", at(-5), None, "late"),
    ],
)
def test_timing(
    status: str, ship_by: dt.datetime | None, pickup: dt.datetime | None, expected: str
) -> None:
    assert timing(NOW, status, ship_by, pickup, LEAD) == expected


@pytest.mark.parametrize(
    ("at_time", "expected"),
    [
        (dt.time(16, 30), dt.datetime(2026, 12, 2, 16, 30)),  # later today
        (dt.time(14, 0), dt.datetime(2026, 12, 2, 14, 0)),  # now
        (dt.time(9, 0), dt.datetime(2026, 12, 3, 9, 0)),  # passed: tomorrow's
        (None, None),
    ],
)
def test_next_pickup(at_time: dt.time | None, expected: dt.datetime | None) -> None:
    assert next_pickup(NOW, at_time) == expected


P, U = False, True  # the floor's progress (read at most once a second), urgent (at once)


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["pick.confirmed"], {"batches": P, "operators": P, "choices": P}),
        (["exception.raised"], {"queue": U, "probes": U, "sync": U}),
        (["light.commanded"], {}),
        (["wave.held"], {"waves": U, "batches": U}),
        (["manifest.created"], {"docks": U}),
        (["manifest.package_loaded"], {"docks": P}),
        (["order.dispatched"], {"orders": P, "docks": P}),
        (
            ["order.picked", "device.offline"],
            {
                "orders": P,
                "queue": U,
                "stations": P,
                "batches": P,
                "waves": P,
                "docks": U,
                "devices": U,
            },
        ),
        (
            ["order.held"],  # a hold is a decision: at once
            {"orders": U, "queue": U, "stations": U, "batches": U, "waves": U, "docks": U},
        ),
        (
            ["batch.claimed"],  # its orders are picking now
            {"batches": P, "operators": P, "choices": P, "queue": P, "orders": P, "waves": P},
        ),
        (
            ["batch.reassigned"],
            {"batches": U, "operators": U, "choices": U, "queue": U, "orders": U, "waves": U},
        ),
        (["something.new"], dict.fromkeys(PARTS, U)),  # a type the board does not know: all
    ],
)
def test_touches(types: list[str], expected: dict[str, bool]) -> None:
    assert touches(types) == expected

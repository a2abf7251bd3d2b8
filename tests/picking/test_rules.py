"""Pure picking rules, table-tested: batching, walk order, lots under FEFO, quantities."""

from __future__ import annotations

import datetime as dt

import pytest

from server.picking.batching import Candidate, Caps, build_batch
from server.picking.counting import Counted, CountRefused, add_units, keyed_count, short_reason
from server.picking.lots import Allocated, LotMatch, LotRefused, LotRow, check_lot
from server.picking.walk import Stop, serpentine_key, walk_order

CAPS = Caps(max_orders=3, max_units=10, max_weight_g=5000, max_volume_mm3=10**9)
T0 = dt.datetime(2030, 1, 1, 12)


def cand(oid: int, prio: int = 0, hours: int | None = 1, units: int = 1, weight: int = 100):
    ship_by = None if hours is None else T0 + dt.timedelta(hours=hours)
    return Candidate(oid, prio, ship_by, units, weight, units * 1000)


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ([], []),
        ([cand(1), cand(2, prio=5), cand(3)], [2, 1, 3]),  # priority first
        ([cand(1, hours=5), cand(2, hours=2), cand(3, hours=None)], [2, 1, 3]),  # then ship-by
        ([cand(i) for i in range(1, 6)], [1, 2, 3]),  # max orders
        ([cand(1, units=50), cand(2)], [1]),  # a big order is a batch alone
        ([cand(1, units=6), cand(2, units=6), cand(3, units=4)], [1, 3]),  # units cap, first fit
        ([cand(1, weight=4000), cand(2, weight=2000), cand(3, weight=900)], [1, 3]),  # weight
    ],
)
def test_build_batch(candidates: list[Candidate], expected: list[int]) -> None:
    assert build_batch(candidates, CAPS) == expected


def test_volume_cap() -> None:
    caps = Caps(10, 100, 10**6, max_volume_mm3=2500)
    assert build_batch([cand(1, units=2), cand(2, units=1), cand(3, units=1)], caps) == [1]


@pytest.mark.parametrize(
    ("stops", "expected"),
    [
        ([Stop(1, "A-01-03-1", 30), Stop(2, "A-01-01-1", 10)], [2, 1]),  # walk sequence
        # serpentine when the sequence does not decide: aisle 1 up, aisle 2 down
        (
            [
                Stop(1, "A-02-01-1", 0),
                Stop(2, "A-01-02-1", 0),
                Stop(3, "A-02-05-1", 0),
                Stop(4, "A-01-01-1", 0),
            ],
            [4, 2, 3, 1],
        ),
        ([Stop(1, "BULK-01", 0), Stop(2, "B-01-01-1", 0)], [2, 1]),  # unstructured last
    ],
)
def test_walk_order(stops: list[Stop], expected: list[int]) -> None:
    assert walk_order(stops) == expected


def test_serpentine_levels() -> None:
    assert serpentine_key("A-03-02-4") < serpentine_key("A-03-03-1")
    assert serpentine_key("A-04-03-1") < serpentine_key("A-04-02-1")


D1, D2, D0 = dt.date(2030, 1, 1), dt.date(2030, 6, 1), dt.date(2029, 1, 1)
TODAY = dt.date(2029, 6, 1)
TRACKED = Allocated(stock_id=1, lot="L1", expiry=D1, lot_tracked=True, expiry_tracked=True)
ROWS = [
    LotRow(1, "L1", D1, 5),
    LotRow(2, "L2", D2, 9),
    LotRow(3, "L0", D0, 9),
    LotRow(4, "LS", D1, 9),
    LotRow(5, "LT", dt.date(2029, 12, 1), 1),
]


@pytest.mark.parametrize(
    ("lot", "expiry", "expected"),
    [
        ("L1", D1, LotMatch(1, False)),
        ("L1", None, LotMatch(1, False)),
        ("LS", D1, LotMatch(4, True)),  # same expiry: allowed substitute
        (None, None, "scan the label with the lot"),
        ("L1", D2, "does not match lot L1"),
        ("L2", D2, "expires later than lot L1"),
        ("L0", D0, "expired on 2029-01-01"),
        ("LX", None, "not stocked here"),
        ("LT", None, "only 1 free here"),
        ("LS", D2, "does not match lot LS"),
    ],
)
def test_check_lot(lot: str | None, expiry: dt.date | None, expected: object) -> None:
    result = check_lot(TRACKED, lot, expiry, ROWS, needed=3, today=TODAY)
    if isinstance(expected, str):
        assert isinstance(result, LotRefused)
        assert expected in result.message
    else:
        assert result == expected


def test_untracked_product_ignores_lot() -> None:
    plain = Allocated(7, "", None, lot_tracked=False, expiry_tracked=False)
    assert check_lot(plain, "anything", None, [], 1, TODAY) == LotMatch(7, False)


@pytest.mark.parametrize(
    ("counted", "units", "remaining", "expected"),
    [
        (0, 1, 3, Counted(1)),
        (2, 1, 3, Counted(3)),
        (3, 1, 3, "over-pick"),
        (0, 12, 12, Counted(12)),  # a GS1 count (37)
        (0, 13, 12, "over-pick"),
        (0, 0, 3, "at least 1"),
    ],
)
def test_add_units(counted: int, units: int, remaining: int, expected: object) -> None:
    result = add_units(counted, units, remaining, "MUG")
    if isinstance(expected, str):
        assert isinstance(result, CountRefused)
        assert expected in result.message
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", Counted(5)), (12, Counted(12)), ("13", None), ("0", None), ("x", None), (None, None)],
)
def test_keyed_count(value: object, expected: Counted | None) -> None:
    result = keyed_count(value, 12, "MUG")
    if expected is None:
        assert isinstance(result, CountRefused)
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("empty", "empty"),
        ("Not found", "not_found"),
        ("not-found", "not_found"),
        ("", None),
        ("x", None),
    ],
)
def test_short_reason(value: str, expected: str | None) -> None:
    assert short_reason(value) == expected

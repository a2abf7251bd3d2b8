"""Allocation as a pure rule: FEFO, then fewest locations, then pick before bulk, then walk."""

from __future__ import annotations

import datetime as dt

import pytest

from server.inventory.allocation import Slot, allocate

JAN, FEB = dt.date(2030, 1, 1), dt.date(2030, 2, 1)


def slot(
    sid: int, available: int, walk: int = 0, expiry: dt.date | None = None, pick: bool = True
) -> Slot:
    return Slot(
        stock_id=sid, available=available, expiry=expiry, walk_sequence=walk, is_pick_face=pick
    )


@pytest.mark.parametrize(
    ("qty", "slots", "taken", "missing"),
    [
        # FEFO: the earliest expiry first, however far the walk; no expiry comes last
        (3, [slot(1, 5, 10, FEB), slot(2, 5, 90, JAN)], [(2, 3)], 0),
        (3, [slot(1, 5, 10, None), slot(2, 5, 90, FEB)], [(2, 3)], 0),
        (7, [slot(1, 5, 10, FEB), slot(2, 5, 90, JAN)], [(2, 5), (1, 2)], 0),
        # fewest locations: one slot that covers it beats an earlier walk that would split
        (6, [slot(1, 4, 10), slot(2, 3, 20), slot(3, 8, 90)], [(3, 6)], 0),
        # when splitting is needed, the biggest first so the remainder fits in one
        (9, [slot(1, 2, 10), slot(2, 6, 20), slot(3, 4, 30)], [(2, 6), (3, 3)], 0),
        # pick faces before bulk, at equal expiry and when either covers it
        (2, [slot(1, 9, 10, pick=False), slot(2, 9, 50)], [(2, 2)], 0),
        # then the walk sequence
        (2, [slot(1, 9, 50), slot(2, 9, 10)], [(2, 2)], 0),
        # partial: all there is, and what is missing
        (10, [slot(1, 3, 10), slot(2, 4, 20)], [(2, 4), (1, 3)], 3),
        (1, [], [], 1),
        (2, [slot(1, 0, 10)], [], 2),
    ],
)
def test_allocation(
    qty: int, slots: list[Slot], taken: list[tuple[int, int]], missing: int
) -> None:
    result = allocate(qty, slots)
    assert result.taken == taken
    assert result.missing == missing
    assert sum(q for _, q in result.taken) + result.missing == qty


def test_never_takes_more_than_available() -> None:
    slots = [slot(i, i % 4, i * 10, JAN if i % 2 else None, pick=i % 3 != 0) for i in range(1, 30)]
    available = {s.stock_id: s.available for s in slots}
    for qty in range(1, 60):
        result = allocate(qty, slots)
        assert all(0 < q <= available[sid] for sid, q in result.taken)
        assert len({sid for sid, _ in result.taken}) == len(result.taken)

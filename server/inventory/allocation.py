"""Pure allocation rules: which stock rows serve a quantity.

Order of preference: earliest expiry first (FEFO; rows without expiry last), then the
fewest locations (a row that covers the whole remainder beats splitting), then pick faces
before bulk, then walk sequence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

_NO_EXPIRY = dt.date.max


@dataclass(frozen=True)
class Slot:
    stock_id: int
    available: int
    expiry: dt.date | None
    walk_sequence: int
    is_pick_face: bool = True


@dataclass(frozen=True)
class Allocated:
    taken: list[tuple[int, int]]  # (stock_id, qty)
    missing: int


def allocate(qty: int, slots: list[Slot]) -> Allocated:
    remaining, taken = qty, []
    usable = [s for s in slots if s.available > 0]
    usable.sort(key=lambda s: s.expiry or _NO_EXPIRY)
    for _, group in groupby(usable, key=lambda s: s.expiry or _NO_EXPIRY):
        for slot, qty_taken in _fewest_locations(remaining, list(group)):
            taken.append((slot.stock_id, qty_taken))
            remaining -= qty_taken
        if remaining == 0:
            break
    return Allocated(taken, remaining)


def _fewest_locations(qty: int, slots: list[Slot]) -> list[tuple[Slot, int]]:
    """Take `qty` (or all there is) from as few slots of one expiry as possible."""
    chosen: list[tuple[Slot, int]] = []
    pool = sorted(slots, key=_route_order)
    while qty > 0 and pool:
        whole = [s for s in pool if s.available >= qty]
        slot = whole[0] if whole else max(pool, key=lambda s: (s.available, -_rank(s)))
        pool.remove(slot)
        take = min(qty, slot.available)
        chosen.append((slot, take))
        qty -= take
    return chosen


def _route_order(slot: Slot) -> tuple[int, int]:
    return (0 if slot.is_pick_face else 1, slot.walk_sequence)


def _rank(slot: Slot) -> int:
    return _route_order(slot)[0] * 10**9 + slot.walk_sequence

"""Pure lot and expiry rules of a product scan: match the allocation or substitute under FEFO.

A tracked product's scan must carry its lot (and expiry). Another lot than the allocated
one is an allowed substitute when it lies at the same location, has enough free units, is
not expired and does not expire later than the allocated one (taking a later lot would
leave older stock behind: FEFO). The shell then moves the reservation in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class LotRow:
    stock_id: int
    lot: str
    expiry: dt.date | None
    available: int  # on hand minus reserved


@dataclass(frozen=True)
class Allocated:
    stock_id: int
    lot: str
    expiry: dt.date | None
    lot_tracked: bool
    expiry_tracked: bool


@dataclass(frozen=True)
class LotMatch:
    stock_id: int  # the row to pick from (the allocated one or its substitute)
    substituted: bool


@dataclass(frozen=True)
class LotRefused:
    message: str


def check_lot(
    allocated: Allocated,
    scanned_lot: str | None,
    scanned_expiry: dt.date | None,
    rows_here: list[LotRow],
    needed: int,
    today: dt.date,
) -> LotMatch | LotRefused:
    """Which stock row a scanned (lot, expiry) picks from, or why it cannot be taken."""
    if not allocated.lot_tracked:
        return _expiry_only(allocated, scanned_expiry)
    if not scanned_lot:
        return LotRefused(f"scan the label with the lot: lot {allocated.lot} expected")
    if scanned_lot == allocated.lot:
        return _expiry_only(allocated, scanned_expiry)
    return _substitute(allocated, scanned_lot, scanned_expiry, rows_here, needed, today)


def _expiry_only(allocated: Allocated, scanned_expiry: dt.date | None) -> LotMatch | LotRefused:
    if scanned_expiry and allocated.expiry and scanned_expiry != allocated.expiry:
        return LotRefused(
            f"expiry {scanned_expiry.isoformat()} does not match lot {allocated.lot or '-'} "
            f"(expires {allocated.expiry.isoformat()})"
        )
    return LotMatch(allocated.stock_id, substituted=False)


def _substitute(
    allocated: Allocated,
    lot: str,
    expiry: dt.date | None,
    rows_here: list[LotRow],
    needed: int,
    today: dt.date,
) -> LotMatch | LotRefused:
    row = next((r for r in rows_here if r.lot == lot and r.stock_id != allocated.stock_id), None)
    expected = f"lot {allocated.lot} expected"
    if row is None:
        return LotRefused(f"lot {lot} is not stocked here; {expected}")
    if expiry and row.expiry and expiry != row.expiry:
        return LotRefused(f"expiry {expiry.isoformat()} does not match lot {lot}; {expected}")
    if row.expiry and row.expiry < today:
        return LotRefused(f"lot {lot} expired on {row.expiry.isoformat()}; {expected}")
    if allocated.expiry and (row.expiry is None or row.expiry > allocated.expiry):
        return LotRefused(
            f"lot {lot} expires later than lot {allocated.lot} "
            f"({allocated.expiry.isoformat()}): take the earlier lot first"
        )
    if row.available < needed:
        return LotRefused(f"lot {lot} has only {row.available} free here; {expected}")
    return LotMatch(row.stock_id, substituted=True)

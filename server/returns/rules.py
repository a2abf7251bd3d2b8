"""Pure rules of the return zone: what a graded unit may become, and where it goes
(docs/returns.md, "Dispositions and zones")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# Flags a received unit may carry (ReturnUnit.flags).
UNEXPECTED = "unexpected"  # not on the RMA (or more than it announced)
SERIAL_NOT_SHIPPED = "serial_not_shipped"  # a serial never shipped on this order
LOT_NOT_SHIPPED = "lot_not_shipped"  # a lot never shipped on this order
LOT_UNKNOWN = "lot_unknown"  # lot-tracked, no lot scanned and several shipped
EXPIRY_UNKNOWN = "expiry_unknown"  # expiry-tracked, no expiry known
# Flags that keep a unit out of sellable stock whatever its grading says.
QUARANTINED_BY = (SERIAL_NOT_SHIPPED, LOT_NOT_SHIPPED, LOT_UNKNOWN)


@dataclass(frozen=True)
class Decided:
    disposition: str
    why: str | None = None  # why it is not what the grading said


def disposition(
    graded: str,
    flags: Sequence[str],
    expiry: dt.date | None,
    expiry_tracked: bool,
    today: dt.date,
    margin_days: int,
    expired: str,
    short_dated: str,
) -> Decided:
    """The disposition of a unit graded `graded`: a unit the order never shipped (its serial
    or lot) goes to quarantine; an expired unit, or one past its sell-by margin (or whose
    expiry nobody knows), is never restocked."""
    for flag in QUARANTINED_BY:
        if flag in flags:
            return Decided("quarantine", _WHY[flag])
    if graded != "restock" or not expiry_tracked:
        return Decided(graded)
    if expiry is None:
        return Decided(short_dated, "its expiry is not known")
    if expiry < today:
        return Decided(expired, f"it expired on {expiry.isoformat()}")
    if expiry <= today + dt.timedelta(days=margin_days):  # more than the margin left, or not sold
        return Decided(
            short_dated, f"it expires on {expiry.isoformat()}, inside the sell-by margin"
        )
    return Decided(graded)


_WHY = {
    SERIAL_NOT_SHIPPED: "its serial was never shipped on this order",
    LOT_NOT_SHIPPED: "its lot was never shipped on this order",
    LOT_UNKNOWN: "its lot is not known",
}


@dataclass(frozen=True)
class Place:
    """A candidate location for a unit: its code, kind, walk order and how many units of
    the product are already there."""

    code: str
    kind: str
    walk_sequence: int
    holding: int = 0
    id: int = 0  # the location's row id (0: not read from the database)


def target(disposition_: str, places: Sequence[Place], zone_kind: str | None) -> str | None:
    """Where the unit goes. Restock: the pick face that holds the product (the most stocked,
    then the first on the walk), else a bulk location that holds it, else the first bulk
    location. Any other disposition: the first location of its zone kind. None: there is
    no such location."""
    if disposition_ == "restock":
        for kind in ("pick", "bulk"):
            held = [p for p in places if p.kind == kind and p.holding > 0]
            if held:
                return min(held, key=lambda p: (-p.holding, p.walk_sequence, p.code)).code
        bulk = [p for p in places if p.kind == "bulk"]
        return min(bulk, key=lambda p: (p.walk_sequence, p.code)).code if bulk else None
    zone = [p for p in places if p.kind == zone_kind]
    return min(zone, key=lambda p: (p.walk_sequence, p.code)).code if zone else None


def accepts(disposition_: str, target_: Place, scanned: Place) -> bool:
    """May the unit be put where the clerk scanned? The target itself; for restock also any
    bulk location (the pick face is full); for the others any location of the same zone."""
    if scanned.code == target_.code:
        return True
    if disposition_ == "restock":
        return scanned.kind == "bulk"
    return scanned.kind == target_.kind

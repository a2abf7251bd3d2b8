"""Pure rules of the board: how urgent an item of the queue is, and which orders are late
or at risk. No I/O: the read model (server/board/floor_now.py) feeds them what it read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Timing = Literal["late", "at_risk", "on_time"]

# Work still ahead of an order, by its status: the steps before it is ready to ship.
STEPS_LEFT: Mapping[str, tuple[str, ...]] = {
    "accepted": ("picking", "packing"),
    "backordered": ("picking", "packing"),
    "picking": ("picking", "packing"),
    "picked": ("packing",),
    "short_picked": ("packing",),
    "packing": ("packing",),
    "packed": (),
}
AGE_STEP_MIN = 15.0  # an item waiting this long gains AGE_POINTS of urgency...
AGE_POINTS = 5
AGE_CAP = 20  # ...up to this many
ACKED_PENALTY = 40  # an acknowledged item is being handled: below the unseen ones


def urgency(base: int, age_s: float, acknowledged: bool) -> int:
    """An item's urgency now: its kind's, raised while it waits, lowered once acknowledged."""
    aged = min(AGE_CAP, int(max(age_s, 0.0) / 60.0 / AGE_STEP_MIN) * AGE_POINTS)
    return base + aged - (ACKED_PENALTY if acknowledged else 0)


@dataclass(frozen=True)
class Ranked:
    key: str
    urgency: int
    raised_at: dt.datetime


def most_urgent_first(items: list[Ranked]) -> list[str]:
    """Most urgent first; among equals the oldest first; the key breaks the last tie."""
    ordered = sorted(items, key=lambda i: (-i.urgency, i.raised_at, i.key))
    return [i.key for i in ordered]


def next_pickup(now: dt.datetime, at: dt.time | None) -> dt.datetime | None:
    """The carrier's next pickup at or after `now` (today, else tomorrow); None: no pickup
    time configured."""
    if at is None:
        return None
    today = dt.datetime.combine(now.date(), at)
    return today if today >= now else today + dt.timedelta(days=1)


def timing(
    now: dt.datetime,
    status: str,
    ship_by: dt.datetime | None,
    pickup: dt.datetime | None,
    lead_min: Mapping[str, float],
) -> Timing:
    """Late: its ship-by passed before it was ready. At risk: the work still ahead of it
    (`lead_min` per step) does not fit before its ship-by or its carrier's next pickup."""
    steps = STEPS_LEFT.get(status)
    if steps is None:  # dispatched, cancelled: done
        return "on_time"
    if ship_by is not None and ship_by < now and steps:
        return "late"
    needed = dt.timedelta(minutes=sum(lead_min.get(s, 0.0) for s in steps))
    deadlines = [d for d in (ship_by, pickup) if d is not None]
    if steps and deadlines and now + needed > min(deadlines):
        return "at_risk"
    return "on_time"

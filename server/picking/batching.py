"""Pure batching rules: which released orders one picker takes together.

Orders are taken by priority (higher first), then ship-by (earliest first, none last),
then age. The first order is always taken, even when it alone exceeds a cap (a big order
is a batch alone); each later order joins when the batch still fits every cap with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_NO_SHIP_BY = dt.datetime.max


@dataclass(frozen=True)
class Caps:
    max_orders: int
    max_units: int
    max_weight_g: int
    max_volume_mm3: int


@dataclass(frozen=True)
class Candidate:
    order_id: int
    priority: int
    ship_by: dt.datetime | None
    units: int
    weight_g: int
    volume_mm3: int


def urgency(candidate: Candidate) -> tuple[int, dt.datetime, int]:
    return (-candidate.priority, candidate.ship_by or _NO_SHIP_BY, candidate.order_id)


def build_batch(candidates: list[Candidate], caps: Caps) -> list[int]:
    """The order ids of the next batch, most urgent first (empty when there is no work)."""
    chosen: list[Candidate] = []
    for candidate in sorted(candidates, key=urgency):
        if len(chosen) >= caps.max_orders:
            break
        if not chosen or _fits(chosen, candidate, caps):
            chosen.append(candidate)
    return [c.order_id for c in chosen]


def _fits(chosen: list[Candidate], extra: Candidate, caps: Caps) -> bool:
    together = [*chosen, extra]
    return (
        sum(c.units for c in together) <= caps.max_units
        and sum(c.weight_g for c in together) <= caps.max_weight_g
        and sum(c.volume_mm3 for c in together) <= caps.max_volume_mm3
    )

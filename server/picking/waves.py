"""Manual release (`picking.release = "manual"`): accepted orders wait for a wave.

In manual mode every accepted order is held for release in its acceptance transaction
(`order.held`, reason "waiting for release"); a supervisor releases a wave of them, most
urgent first, optionally only those due before a time or of one channel. A wave releases
only holds made for release: an order a supervisor held (fraud check, address) stays held
until released by name. In "auto" mode (the default) nothing here runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server.db import for_update
from server.models import Order, OrderHold
from server.models.orders import OrderStatus
from server.orders.holds import hold, record_released
from server.spine import Handlers, Unit

HANDLERS = Handlers()

RELEASE_HOLDER = "release:manual"
RELEASE_REASON = "waiting for release"
WAITING = (
    OrderStatus.ACCEPTED,
    OrderStatus.BACKORDERED,
)  # a cancelled order's hold is never released


def hold_for_release(order: Order, unit: Unit) -> None:
    """Hook ORDER_ACCEPTED: in manual mode, the order waits for a wave."""
    if unit.env.section("picking").release != "manual":
        return
    hold(order, RELEASE_REASON, RELEASE_HOLDER, unit)


@dataclass(frozen=True)
class ReleaseWave:
    limit: int
    ship_by_before: dt.datetime | None = None
    channel: str | None = None


@HANDLERS.handles(ReleaseWave)
def release_wave(cmd: ReleaseWave, unit: Unit) -> dict[str, Any]:
    """Release up to `limit` orders waiting for release, most urgent first."""
    query = (
        OrderHold.select(OrderHold, Order)
        .join(Order)
        .where(OrderHold.held_by == RELEASE_HOLDER, Order.status.in_(WAITING))
        .order_by(Order.priority.desc(), Order.ship_by.asc(nulls="LAST"), Order.id)
        .limit(cmd.limit)
    )
    if cmd.ship_by_before is not None:
        query = query.where(Order.ship_by < cmd.ship_by_before)
    if cmd.channel is not None:
        query = query.where(Order.channel == cmd.channel)
    holds: list[OrderHold] = list(for_update(query))
    if holds:
        OrderHold.delete().where(OrderHold.id.in_([h.id for h in holds])).execute()
    released = [h.order.external_id for h in holds]
    for external_id in released:
        record_released(external_id, unit)
    return {"released": released, "count": len(released)}

"""Holding an order back from picking, and releasing it: supervisors' holds (a fraud
check, an address to confirm) and, in manual release, holds waiting for a wave
(server/picking/waves.py). A hold is the order's: every area that starts work on an
order (picking's claims) skips held ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.db import for_update
from server.errors import Conflict, NotFound
from server.models import Order, OrderHold
from server.models.orders import OrderStatus
from server.orders.events import OrderHeld, OrderReleased
from server.spine import Handlers, Unit

HANDLERS = Handlers()

HOLDABLE = (OrderStatus.ACCEPTED, OrderStatus.BACKORDERED)


@dataclass(frozen=True)
class HoldOrder:
    external_id: str
    reason: str = ""


@dataclass(frozen=True)
class ReleaseOrder:
    external_id: str


def _order(external_id: str) -> Order:
    order = for_update(Order.select().where(Order.external_id == external_id)).first()
    if order is None:
        raise NotFound(f"no order {external_id}")
    return order


@HANDLERS.handles(HoldOrder)
def hold_order(cmd: HoldOrder, unit: Unit) -> dict[str, Any]:
    order = _order(cmd.external_id)
    if order.status not in HOLDABLE:
        raise Conflict(
            f"order {cmd.external_id} is {order.status}; only orders not yet picked can be held"
        )
    if OrderHold.select().where(OrderHold.order == order).exists():
        raise Conflict(f"order {cmd.external_id} is already held")
    return hold(order, cmd.reason, str(unit.actor), unit)


def hold(order: Order, reason: str, held_by: str, unit: Unit) -> dict[str, Any]:
    """Hold the order back from picking, with its `order.held` event."""
    OrderHold.create(order=order, reason=reason, held_by=held_by)
    event = OrderHeld(order.external_id, reason)
    unit.record(event)
    return event.data


def record_released(external_id: str, unit: Unit) -> dict[str, Any]:
    """The `order.released` event of an order whose hold was just removed."""
    event = OrderReleased(external_id)
    unit.record(event)
    return event.data


@HANDLERS.handles(ReleaseOrder)
def release_order(cmd: ReleaseOrder, unit: Unit) -> dict[str, Any]:
    order = _order(cmd.external_id)
    if not OrderHold.delete().where(OrderHold.order == order).execute():
        raise Conflict(f"order {cmd.external_id} is not held")
    return record_released(order.external_id, unit)

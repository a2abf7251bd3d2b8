"""Returns' supervisor exceptions on the board (server/area.py `ExceptionKind`): a serial
that never left on the order, a parcel nobody announced (open a return for its order, so
the returns clerk can receive it), units dwelling in the return zone (resolved by
themselves when put away)."""

from __future__ import annotations

from typing import Any

from server.area import ExceptionKind, Fix
from server.errors import Conflict
from server.models import Order, Rma
from server.orders import board_fixes as orders
from server.returns.finding import SHIPPED
from server.returns.receiving import DWELL, SERIAL_MISMATCH, UNANNOUNCED, open_unannounced
from server.spine import Unit


def _openable(view: dict[str, Any]) -> Order | None:
    """The shipped order a parcel put aside came from, while it has no open return."""
    external_id = orders.order_of(view)
    order = Order.get_or_none(Order.external_id == external_id) if external_id else None
    if order is None or order.status not in SHIPPED:
        return None
    open_ = Rma.select().where(Rma.order == order, Rma.status != "closed").exists()
    return None if open_ else order


def _open(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    order = _openable(view)
    if order is None:
        raise Conflict("this order has an open return already, or was never shipped")
    rma = open_unannounced(order, unit)
    return f"return {rma.rma_id} opened for order {order.external_id}: receive it at a station"


KINDS = (
    ExceptionKind(SERIAL_MISMATCH, "Returned serial never shipped", urgency=60),
    ExceptionKind(
        UNANNOUNCED,
        "Parcel without an RMA",
        urgency=40,
        fixes=(
            Fix("open_return", "Open a return", _open, offered=lambda v: _openable(v) is not None),
        ),
    ),
    ExceptionKind(DWELL, "Returned units not put away", urgency=45),
)

"""The orders' one-tap fixes other areas offer on the board (server/area.py `Fix`): hold the
order an exception is about, or release its hold. Each runs the orders' own handler inside
the board's command, with the supervisor as actor."""

from __future__ import annotations

from typing import Any

from server.area import Fix
from server.models import Order, OrderHold
from server.orders.holds import HOLDABLE, HoldOrder, ReleaseOrder, hold_order, release_order
from server.spine import Unit


def order_of(view: dict[str, Any]) -> str | None:
    """The order an exception is about: its subject `order:<id>` or its data's `order`."""
    subject = str(view.get("subject") or "")
    if subject.startswith("order:"):
        return subject.removeprefix("order:")
    found = (view.get("data") or {}).get("order")
    return str(found) if found else None


def _held(view: dict[str, Any]) -> bool | None:
    external_id = order_of(view)
    order = Order.get_or_none(Order.external_id == external_id) if external_id else None
    if order is None:
        return None
    held = OrderHold.select().where(OrderHold.order == order).exists()
    return held if held or order.status in HOLDABLE else None


def _hold(unit: Unit, view: dict[str, Any], reason: str | None) -> str:
    external_id = order_of(view) or ""
    hold_order(HoldOrder(external_id, reason or f"held from the board ({view['kind']})"), unit)
    return f"order {external_id} held"


def _release(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    external_id = order_of(view) or ""
    release_order(ReleaseOrder(external_id), unit)
    return f"order {external_id} released"


HOLD = Fix(
    "hold_order", "Hold the order", _hold, resolves=False, offered=lambda v: _held(v) is False
)
RELEASE = Fix("release_order", "Release the order", _release, offered=lambda v: bool(_held(v)))

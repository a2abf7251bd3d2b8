"""The public shape of an order, as the API returns it and events carry it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from server.models import Order, OrderLine, Product, isoformat


def lines_of(order_ids: Iterable[int]) -> dict[int, list[OrderLine]]:
    """The lines (with their product's SKU) of several orders in one query, by order id."""
    grouped: dict[int, list[OrderLine]] = defaultdict(list)
    ids = list(order_ids)
    if ids:
        query = (
            OrderLine.select(OrderLine, Product.sku)
            .join(Product)
            .where(OrderLine.order.in_(ids))
            .order_by(OrderLine.id)
        )
        for line in query:
            grouped[line.order_id].append(line)
    return grouped


def order_view(order: Order, lines: list[OrderLine] | None = None) -> dict[str, Any]:
    if lines is None:
        lines = lines_of([order.id])[order.id]
    return {
        "external_id": order.external_id,
        "status": order.status,
        "channel": order.channel,
        "priority": order.priority,
        "ship_by": isoformat(order.ship_by),
        "carrier": order.carrier,
        "service": order.service,
        "ship_to": order.ship_to,
        "created_at": isoformat(order.created_at),
        "updated_at": isoformat(order.updated_at),
        "lines": [line_view(line) for line in lines],
    }


def line_view(line: OrderLine) -> dict[str, Any]:
    return {
        "line_id": line.line_id,
        "sku": line.product.sku,
        "qty": line.qty,
        "allocated": line.allocated,
        "missing": max(line.qty - line.allocated - line.picked, 0),
        "picked": line.picked,
        "packed": line.packed,
        "shipped": line.shipped,
    }

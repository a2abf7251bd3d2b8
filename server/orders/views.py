"""The public shape of an order, as the API returns it and events carry it."""

from __future__ import annotations

from typing import Any

from server.models import Order, OrderLine, Product, isoformat


def order_view(order: Order, lines: list[OrderLine] | None = None) -> dict[str, Any]:
    if lines is None:
        lines = list(
            OrderLine.select(OrderLine, Product.sku)
            .join(Product)
            .where(OrderLine.order == order)
            .order_by(OrderLine.id)
        )
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

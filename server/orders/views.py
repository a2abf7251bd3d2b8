"""The public shape of an order, as the API returns it and events carry it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from server import rawsql
from server.models import Order, OrderLine, Product, isoformat


def lines_of(order_ids: Iterable[int]) -> dict[int, list[OrderLine]]:
    """The lines (with their product) of several orders in one query, by order id: one
    hand-written statement (server/rawsql.py), as a batch's drop reads twenty orders' lines."""
    grouped: dict[int, list[OrderLine]] = defaultdict(list)
    ids = list(order_ids)
    if ids:
        sql = (
            f"SELECT {rawsql.columns('l', OrderLine)}, {rawsql.columns('p', Product)} "
            f'FROM "{OrderLine._meta.table_name}" l '
            f'JOIN "{Product._meta.table_name}" p ON p."id" = l."{OrderLine.product.column_name}" '
            f'WHERE l."{OrderLine.order.column_name}" IN ({rawsql.placeholders(len(ids))}) '
            f'ORDER BY l."id"'
        )
        for row in rawsql.execute(sql, ids).fetchall():
            line, line.product = rawsql.build_joined((OrderLine, Product), row)
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

"""Backordered orders served by stock that arrived: the one rule for an adjustment from the
OMS and a restocked return (docs/api.md, "Allocation"; docs/returns.md).

When allocatable stock of a product comes on hand (hook STOCK_ARRIVED,
server/inventory/stock.py), the backordered orders waiting for it are allocated in turn:
highest priority first, then the earliest ship-by (none last), then the oldest order, each
line taking what it still misses by the allocation rules of server/inventory/allocation.py.
An order that now has all its stock is `accepted` again (`order.accepted`) and can be
picked; one that got some but not all stays `backordered` and says what is still missing
(`order.backordered`). Orders already being picked are never touched (they only hold
`accepted` orders). All of it in the transaction that brought the stock, in a few
statements whatever the number of orders (bench/returns.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from server import rawsql
from server.db import is_postgres
from server.inventory import stock
from server.inventory.allocation import Slot, allocate
from server.models import Allocation, Order, OrderLine, Product, utcnow
from server.models.orders import OrderStatus
from server.orders.events import OrderAccepted, OrderBackordered
from server.orders.views import order_view
from server.spine import Unit

_WAITING_SQL = (
    'SELECT ol."id", ol."order_id", ol."product_id", ol."qty" - ol."allocated" - ol."picked" '
    'FROM "order_line" ol JOIN "order" o ON o."id" = ol."order_id" '
    'WHERE o."status" = \'backordered\' AND ol."product_id" IN ({ids}) '
    'AND ol."qty" > ol."allocated" + ol."picked" '
    'ORDER BY o."priority" DESC, (o."ship_by" IS NULL), o."ship_by", o."id", ol."id"'
)


def serve_backorders(product_ids: list[int], unit: Unit) -> None:
    """Hook STOCK_ARRIVED (server/inventory/stock.py)."""
    serve(product_ids, unit)


def serve(product_ids: list[int], unit: Unit) -> list[str]:
    """Allocate the newly available stock of `product_ids` to the backordered orders
    waiting for it; the external ids of the orders now accepted."""
    if not product_ids:
        return []
    sql = _WAITING_SQL.format(ids=rawsql.placeholders(len(product_ids)))
    if is_postgres():
        sql += " FOR UPDATE OF o"
    waiting = list(rawsql.execute(sql, list(product_ids)))
    if not waiting:
        return []
    slots = stock.locked_slots(sorted({row[2] for row in waiting}))
    given: dict[int, int] = {}  # line id -> units allocated now
    allocations: list[dict[str, int]] = []
    reserved: defaultdict[int, int] = defaultdict(int)
    touched: list[int] = []  # order ids, in the order they were served
    for line_id, order_id, product_id, missing in waiting:
        pool = slots[product_id]
        if not pool:
            continue
        result = allocate(missing, pool)
        if not result.taken:
            continue
        slots[product_id] = _consumed(pool, result.taken)
        given[line_id] = missing - result.missing
        for stock_id, qty in result.taken:
            allocations.append({"line": line_id, "stock": stock_id, "qty": qty})
            reserved[stock_id] += qty
        if order_id not in touched:
            touched.append(order_id)
    if not given:
        return []
    rawsql.insert_rows(Allocation, allocations)
    stock.reserve_many(dict(reserved))
    _grow_lines(given)
    return _record(touched, unit)


def _consumed(slots: list[Slot], taken: list[tuple[int, int]]) -> list[Slot]:
    """The slots after `taken`, those emptied left out."""
    less = dict(taken)
    out = []
    for slot in slots:
        left = slot.available - less.get(slot.stock_id, 0)
        if left > 0:
            out.append(replace(slot, available=left) if left != slot.available else slot)
    return out


def _grow_lines(given: dict[int, int]) -> None:
    cases = " ".join("WHEN ? THEN ?" for _ in given)
    params: list[Any] = [v for pair in given.items() for v in pair]
    params += list(given)
    rawsql.execute(
        f'UPDATE "order_line" SET "allocated" = "allocated" + CASE "id" {cases} ELSE 0 END '
        f'WHERE "id" IN ({rawsql.placeholders(len(given))})',
        params,
    )


def _record(order_ids: list[int], unit: Unit) -> list[str]:
    """Each served order's new status and its event, in the order they were served."""
    now = utcnow()
    orders, lines = _read(order_ids)
    complete = [oid for oid in order_ids if not any(_missing(ln) for ln in lines[oid])]
    done = set(complete)
    for part in _chunks(complete):
        Order.update(status=OrderStatus.ACCEPTED, updated_at=now).where(
            Order.id.in_(part)
        ).execute()
    for part in _chunks([oid for oid in order_ids if oid not in done]):
        Order.update(updated_at=now).where(Order.id.in_(part)).execute()
    accepted = []
    for oid in order_ids:
        order = orders[oid]
        order.updated_at = now
        if oid in done:
            order.status = OrderStatus.ACCEPTED
            unit.record(OrderAccepted(order_view(order, lines[oid])))
            accepted.append(order.external_id)
        else:
            missing = [
                {"line_id": ln.line_id, "sku": ln.product.sku, "qty": _missing(ln)}
                for ln in lines[oid]
                if _missing(ln)
            ]
            unit.record(OrderBackordered(order_view(order, lines[oid]), missing))
    return accepted


_CHUNK = 500  # ids per IN list (well under every engine's limit on parameters)


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _read(order_ids: list[int]) -> tuple[dict[int, Order], dict[int, list[OrderLine]]]:
    """The orders and their lines (with the SKU), hand-written: a restock may serve a
    thousand orders in its transaction (server/rawsql.py says why)."""
    order_cols = ", ".join(f'o."{f.column_name}"' for f in Order._meta.sorted_fields)
    line_cols = ", ".join(f'l."{f.column_name}"' for f in OrderLine._meta.sorted_fields)
    orders: dict[int, Order] = {}
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for part in _chunks(order_ids):
        marks = rawsql.placeholders(len(part))
        for row in rawsql.execute(
            f'SELECT {order_cols} FROM "order" o WHERE o."id" IN ({marks})', part
        ):
            order = rawsql.build(Order, row)
            orders[order.id] = order
        sql = (
            f'SELECT {line_cols}, p."sku" FROM "order_line" l JOIN "product" p '
            f'ON p."id" = l."product_id" WHERE l."order_id" IN ({marks}) ORDER BY l."id"'
        )
        for *values, sku in rawsql.execute(sql, part):
            line = rawsql.build(OrderLine, values)
            line.__rel__["product"] = Product(id=line.product_id, sku=sku)
            lines[line.order_id].append(line)
    return orders, lines


def _missing(line: OrderLine) -> int:
    return max(line.qty - line.allocated - line.picked, 0)

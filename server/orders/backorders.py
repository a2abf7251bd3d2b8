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
from server.models import Allocation, Order, OrderLine, utcnow
from server.models.orders import OrderStatus
from server.orders.events import OrderAccepted, OrderBackordered
from server.orders.views import lines_of, order_view
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
    orders = {o.id: o for o in Order.select().where(Order.id.in_(order_ids))}
    lines = lines_of(order_ids)
    complete = [oid for oid in order_ids if not any(_missing(ln) for ln in lines[oid])]
    if complete:
        Order.update(status=OrderStatus.ACCEPTED, updated_at=now).where(
            Order.id.in_(complete)
        ).execute()
    partial = [oid for oid in order_ids if oid not in set(complete)]
    if partial:
        Order.update(updated_at=now).where(Order.id.in_(partial)).execute()
    accepted = []
    done = set(complete)
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


def _missing(line: OrderLine) -> int:
    return max(line.qty - line.allocated - line.picked, 0)

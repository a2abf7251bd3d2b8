"""Accepting an order allocates its stock in the same transaction; cancelling releases it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from server import rawsql
from server.db import for_update
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.inventory import stock
from server.inventory.allocation import Slot, allocate
from server.models import Allocation, Order, OrderLine, Product, utcnow
from server.models.orders import CLOSED_STATUSES, OrderStatus
from server.orders.events import OrderAccepted, OrderBackordered, OrderCancelled
from server.orders.views import order_view
from server.spine import Handlers, Unit

HANDLERS = Handlers()

NOT_CANCELLABLE = CLOSED_STATUSES
# Hook points other areas join in their Area's `hooks` (server/area.py), called as
# fn(order, unit) inside this area's transaction:
# - every order accepted (or backordered) (picking: held for a wave in manual release);
ORDER_ACCEPTED = "orders.accepted"
# - an order being cancelled, before its reservations are released: areas that hold work
#   for it (picking: tasks, totes) undo it.
ORDER_CANCELLED = "orders.cancelled"


@dataclass(frozen=True)
class AcceptOrder:
    order: dict[str, Any]


@dataclass(frozen=True)
class CancelOrder:
    external_id: str
    reason: str = ""


@HANDLERS.handles(AcceptOrder)
def accept_order(cmd: AcceptOrder, unit: Unit) -> dict[str, Any]:
    """Allocate first (in memory, on locked rows), then write everything in a few statements.

    The hot path of the OMS API: hand-written SQL where peewee would cost more than the
    disk (server/rawsql.py, docs/performance.md).
    """
    data = cmd.order
    if rawsql.execute(_ORDER_EXISTS, [data["external_id"]]).fetchone():
        raise Conflict(f"order {data['external_id']} already exists")
    products = _products(data["lines"])
    plan = _plan(data["lines"], products)
    order = _insert_order(data, OrderStatus.BACKORDERED if plan.missing else OrderStatus.ACCEPTED)
    lines = _write_lines(order, plan)
    view = order_view(order, lines)
    unit.record(OrderBackordered(view, plan.missing) if plan.missing else OrderAccepted(view))
    if unit.env is not None:
        unit.env.run_hooks(ORDER_ACCEPTED, order, unit)
    return view


_ORDER_EXISTS = 'SELECT 1 FROM "order" WHERE "external_id" = ? LIMIT 1'


def _insert_order(data: dict[str, Any], status: OrderStatus) -> Order:
    now = utcnow()
    row = {
        "external_id": data["external_id"],
        "channel": data["channel"],
        "priority": data["priority"],
        "ship_by": data.get("ship_by"),
        "carrier": data.get("carrier") or "",
        "service": data.get("service") or "",
        "ship_to": data.get("ship_to") or {},
        "status": status,
        "created_at": now,
        "updated_at": now,
    }
    ((order_id,),) = rawsql.insert_rows(Order, [row], returning=("id",))
    return Order(id=order_id, **row)


@dataclass
class _Plan:
    """What each line gets: (line data, product, [(stock_id, qty)]) and what is missing."""

    lines: list[tuple[dict[str, Any], Product, list[tuple[int, int]]]]
    missing: list[dict[str, Any]]


def _products(lines: list[dict[str, Any]]) -> dict[str, Product]:
    skus = sorted({line["sku"] for line in lines})
    found = rawsql.execute(
        f'SELECT "id", "sku" FROM "product" WHERE "sku" IN ({rawsql.placeholders(len(skus))})',
        skus,
    )
    products = {sku: Product(id=pid, sku=sku) for pid, sku in found}
    errors = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if line["sku"] not in products:
            errors.append(field_error(f"lines[{i}].sku", f"unknown SKU {line['sku']}"))
        if line["line_id"] in seen:
            errors.append(
                field_error(f"lines[{i}].line_id", f"line {line['line_id']} is given twice")
            )
        seen.add(line["line_id"])
    if errors:
        raise InvalidInput("the order cannot be accepted", errors)
    return products


def _plan(lines: list[dict[str, Any]], products: dict[str, Product]) -> _Plan:
    """Allocate every line against the locked stock rows of its product (pure after the read)."""
    slots = stock.locked_slots(sorted({p.id for p in products.values()}))
    plan = _Plan([], [])
    for line in lines:
        product = products[line["sku"]]
        result = allocate(line["qty"], slots[product.id])
        for stock_id, qty in result.taken:
            _consume(slots[product.id], stock_id, qty)
        plan.lines.append((line, product, result.taken))
        if result.missing:
            plan.missing.append(
                {"line_id": line["line_id"], "sku": product.sku, "qty": result.missing}
            )
    return plan


def _write_lines(order: Order, plan: _Plan) -> list[OrderLine]:
    """Lines (ids back through RETURNING), their allocations and the reservations."""
    rows = [
        {
            "order": order.id,
            "line_id": line["line_id"],
            "product": product.id,
            "qty": line["qty"],
            "allocated": sum(qty for _, qty in taken),
        }
        for line, product, taken in plan.lines
    ]
    inserted = rawsql.insert_rows(OrderLine, rows, returning=("id", "line_id"))
    ids = {line_id: line_pk for line_pk, line_id in inserted}
    lines: list[OrderLine] = []
    allocations: list[dict[str, int]] = []
    reserved: defaultdict[int, int] = defaultdict(int)
    for row, (_, product, taken) in zip(rows, plan.lines, strict=True):
        line = OrderLine(id=ids[row["line_id"]], **row)
        line.order, line.product = order, product
        lines.append(line)
        for stock_id, qty in taken:
            allocations.append({"line": line.id, "stock": stock_id, "qty": qty})
            reserved[stock_id] += qty
    rawsql.insert_rows(Allocation, allocations)
    stock.reserve_many(dict(reserved))
    return lines


def _consume(slots: list[Slot], stock_id: int, qty: int) -> None:
    """Keep the in-memory slots true when two lines of one order share a product."""
    for i, slot in enumerate(slots):
        if slot.stock_id == stock_id:
            slots[i] = replace(slot, available=slot.available - qty)


@HANDLERS.handles(CancelOrder)
def cancel_order(cmd: CancelOrder, unit: Unit) -> dict[str, Any]:
    order = for_update(Order.select().where(Order.external_id == cmd.external_id)).first()
    if order is None:
        raise NotFound(f"no order {cmd.external_id}")
    if order.status in NOT_CANCELLABLE:
        raise Conflict(f"order {cmd.external_id} is {order.status} and cannot be cancelled")
    if unit.env is not None:
        unit.env.run_hooks(ORDER_CANCELLED, order, unit)
    release_allocations(order)
    order.status = OrderStatus.CANCELLED
    order.updated_at = utcnow()
    order.save()
    view = order_view(order)
    unit.record(OrderCancelled(view, cmd.reason))
    return view


def release_allocations(order: Order) -> None:
    """Give back every unit still reserved for the order.

    Stock rows are touched in id order, the order allocation locks them in, so a cancel and
    a concurrent acceptance never wait on each other in a cycle (PostgreSQL).
    """
    query = Allocation.select().join(OrderLine).where(OrderLine.order == order)
    rows = list(query.order_by(Allocation.stock, Allocation.id))
    for row in rows:
        stock.release(row.stock_id, row.qty)
    if rows:
        Allocation.delete().where(Allocation.id.in_([r.id for r in rows])).execute()
    OrderLine.update(allocated=0).where(OrderLine.order == order).execute()

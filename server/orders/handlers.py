"""Accepting an order allocates its stock in the same transaction; cancelling releases it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from server.db import for_update
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.inventory import stock
from server.inventory.allocation import Slot, allocate
from server.models import Allocation, Order, OrderLine, Product, utcnow
from server.orders.views import order_view
from server.spine import Unit, handles

NOT_CANCELLABLE = ("dispatched", "cancelled")
# Areas that hold work for an order (picking: tasks, totes) undo it inside the cancel's
# transaction, before the reservations are released: fn(order, unit).
CANCEL_HOOKS: list[Callable[[Order, Unit], None]] = []


@dataclass(frozen=True)
class AcceptOrder:
    order: dict[str, Any]


@dataclass(frozen=True)
class CancelOrder:
    external_id: str
    reason: str = ""


def subject(external_id: str) -> str:
    return f"order:{external_id}"


@handles(AcceptOrder)
def accept_order(cmd: AcceptOrder, unit: Unit) -> dict[str, Any]:
    data = cmd.order
    if Order.select().where(Order.external_id == data["external_id"]).exists():
        raise Conflict(f"order {data['external_id']} already exists")
    products = _products(data["lines"])
    order = Order.create(
        external_id=data["external_id"],
        channel=data["channel"],
        priority=data["priority"],
        ship_by=data.get("ship_by"),
        carrier=data.get("carrier") or "",
        service=data.get("service") or "",
        ship_to=data.get("ship_to") or {},
        status="accepted",
    )
    lines = _create_lines(order, data["lines"], products)
    missing = _allocate_lines(lines)
    if missing:
        order.status = "backordered"
        order.save()
    view = order_view(order, lines)
    if missing:
        unit.record("order.backordered", subject(order.external_id), view | {"missing": missing})
    else:
        unit.record("order.accepted", subject(order.external_id), view)
    return view


def _products(lines: list[dict[str, Any]]) -> dict[str, Product]:
    skus = {line["sku"] for line in lines}
    products = {p.sku: p for p in Product.select().where(Product.sku.in_(skus))}
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


def _create_lines(
    order: Order, lines: list[dict[str, Any]], products: dict[str, Product]
) -> list[OrderLine]:
    created = []
    for line in lines:
        row = OrderLine(
            order=order, line_id=line["line_id"], product=products[line["sku"]], qty=line["qty"]
        )
        row.save(force_insert=True)
        created.append(row)
    return created


def _allocate_lines(lines: list[OrderLine]) -> list[dict[str, Any]]:
    """Reserve stock for every line; return what could not be reserved."""
    slots = stock.locked_slots(sorted({line.product_id for line in lines}))
    missing, allocations = [], []
    for line in lines:
        result = allocate(line.qty, slots[line.product_id])
        for stock_id, qty in result.taken:
            stock.reserve(stock_id, qty)
            allocations.append({"line": line.id, "stock": stock_id, "qty": qty})
            _consume(slots[line.product_id], stock_id, qty)
        line.allocated = line.qty - result.missing
        if result.missing:
            missing.append(
                {"line_id": line.line_id, "sku": line.product.sku, "qty": result.missing}
            )
    if allocations:
        Allocation.insert_many(allocations).execute()
    for line in lines:
        if line.allocated:
            OrderLine.update(allocated=line.allocated).where(OrderLine.id == line.id).execute()
    return missing


def _consume(slots: list[Slot], stock_id: int, qty: int) -> None:
    """Keep the in-memory slots true when two lines of one order share a product."""
    for i, slot in enumerate(slots):
        if slot.stock_id == stock_id:
            slots[i] = replace(slot, available=slot.available - qty)


@handles(CancelOrder)
def cancel_order(cmd: CancelOrder, unit: Unit) -> dict[str, Any]:
    order = for_update(Order.select().where(Order.external_id == cmd.external_id)).first()
    if order is None:
        raise NotFound(f"no order {cmd.external_id}")
    if order.status in NOT_CANCELLABLE:
        raise Conflict(f"order {cmd.external_id} is {order.status} and cannot be cancelled")
    for hook in CANCEL_HOOKS:
        hook(order, unit)
    release_allocations(order)
    order.status = "cancelled"
    order.updated_at = utcnow()
    order.save()
    view = order_view(order)
    unit.record("order.cancelled", subject(order.external_id), view | {"reason": cmd.reason})
    return view


def release_allocations(order: Order) -> None:
    """Give back every unit still reserved for the order."""
    rows = list(Allocation.select().join(OrderLine).where(OrderLine.order == order))
    for row in rows:
        stock.release(row.stock_id, row.qty)
    if rows:
        Allocation.delete().where(Allocation.id.in_([r.id for r in rows])).execute()
    OrderLine.update(allocated=0).where(OrderLine.order == order).execute()

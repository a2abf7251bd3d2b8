"""Registering an RMA against an order we shipped (or are shipping)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.errors import Conflict, InvalidInput, field_error
from server.models import Order, OrderLine, Product, Rma, RmaLine, isoformat
from server.returns.events import ReturnRegistered
from server.spine import Handlers, Unit

HANDLERS = Handlers()


@dataclass(frozen=True)
class RegisterReturn:
    rma: dict[str, Any]


def rma_view(rma: Rma) -> dict[str, Any]:
    lines = RmaLine.select(RmaLine, Product.sku).join(Product).where(RmaLine.rma == rma)
    return {
        "rma_id": rma.rma_id,
        "order_external_id": rma.order.external_id,
        "status": rma.status,
        "created_at": isoformat(rma.created_at),
        "lines": [
            {"sku": ln.product.sku, "qty": ln.qty, "reason": ln.reason, "received": ln.received}
            for ln in lines.order_by(RmaLine.id)
        ],
    }


@HANDLERS.handles(RegisterReturn)
def register_return(cmd: RegisterReturn, unit: Unit) -> dict[str, Any]:
    data = cmd.rma
    if Rma.select().where(Rma.rma_id == data["rma_id"]).exists():
        raise Conflict(f"RMA {data['rma_id']} already exists")
    order = Order.get_or_none(Order.external_id == data["order_external_id"])
    if order is None:
        raise InvalidInput(
            "the RMA refers to an unknown order",
            [field_error("order_external_id", f"no order {data['order_external_id']}")],
        )
    ordered = _ordered_by_sku(order)
    errors = [
        field_error(f"lines[{i}].sku", f"{line['sku']} is not on order {order.external_id}")
        for i, line in enumerate(data["lines"])
        if line["sku"] not in ordered
    ]
    if errors:
        raise InvalidInput("the RMA does not match its order", errors)
    rma = Rma.create(rma_id=data["rma_id"], order=order)
    RmaLine.insert_many(
        [
            {
                "rma": rma.id,
                "product": ordered[line["sku"]],
                "qty": line["qty"],
                "reason": line["reason"],
            }
            for line in data["lines"]
        ]
    ).execute()
    view = rma_view(rma)
    unit.record(ReturnRegistered(view))
    return view


def _ordered_by_sku(order: Order) -> dict[str, int]:
    """The products on the order: sku -> product id."""
    rows = (
        Product.select(Product.id, Product.sku)
        .join(OrderLine, on=(OrderLine.product == Product.id))
        .where(OrderLine.order == order)
    )
    return {product.sku: product.id for product in rows}

"""Registering an RMA against an order we shipped (or are shipping)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.models import Order, OrderLine, Product, Rma, RmaLine
from server.returns.events import ReturnRegistered
from server.returns.receiving import close
from server.returns.views import rma_view
from server.spine import Handlers, Unit

HANDLERS = Handlers()


@dataclass(frozen=True)
class RegisterReturn:
    rma: dict[str, Any]


@dataclass(frozen=True)
class CloseReturn:
    """A supervisor closes an RMA now (API, CLI): what was not received is missing."""

    rma_id: str


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
    view = rma_view(rma, with_units=False)
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


@HANDLERS.handles(CloseReturn)
def close_return(cmd: CloseReturn, unit: Unit) -> dict[str, Any]:
    rma = Rma.get_or_none(Rma.rma_id == cmd.rma_id)
    if rma is None:
        raise NotFound(f"no RMA {cmd.rma_id}")
    problem = close(rma, str(unit.actor), unit, with_missing=True)
    if problem:
        raise Conflict(problem)
    rma = Rma.get_by_id(rma.id)
    return {"rma_id": rma.rma_id, "status": rma.status, "missing": rma.missing or []}

"""Picking commands of supervisors and the OMS: hold/release orders, (re/un)assign batches,
register totes, complete count tasks. Each runs in one transaction with its events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.db import for_update
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.inventory.stock import stock_view
from server.models import CountTask, Order, OrderHold, PickBatch, Stock, Tote, utcnow
from server.orders import handlers as orders
from server.picking.views import batch_view, count_task_view
from server.spine import Handlers, Unit

HANDLERS = Handlers()

HOLDABLE = ("accepted", "backordered")


@dataclass(frozen=True)
class HoldOrder:
    external_id: str
    reason: str = ""


@dataclass(frozen=True)
class ReleaseOrder:
    external_id: str


@dataclass(frozen=True)
class AssignBatch:
    batch_id: str
    badge: str | None  # None: unassign (the batch waits for the next picker)


@dataclass(frozen=True)
class UpsertTotes:
    codes: list[str]


@dataclass(frozen=True)
class CompleteCount:
    count_task_id: int
    counted: int


def _order(external_id: str) -> Order:
    order = for_update(Order.select().where(Order.external_id == external_id)).first()
    if order is None:
        raise NotFound(f"no order {external_id}")
    return order


@HANDLERS.handles(HoldOrder)
def hold_order(cmd: HoldOrder, unit: Unit) -> dict[str, Any]:
    order = _order(cmd.external_id)
    if order.status not in HOLDABLE:
        raise Conflict(
            f"order {cmd.external_id} is {order.status}; only orders not yet picked can be held"
        )
    if OrderHold.select().where(OrderHold.order == order).exists():
        raise Conflict(f"order {cmd.external_id} is already held")
    return hold(order, cmd.reason, str(unit.actor), unit)


def hold(order: Order, reason: str, held_by: str, unit: Unit) -> dict[str, Any]:
    """Hold the order back from picking, with its `order.held` event."""
    OrderHold.create(order=order, reason=reason, held_by=held_by)
    data = {"external_id": order.external_id, "held": True, "reason": reason}
    unit.record("order.held", orders.subject(order.external_id), data)
    return data


def record_released(external_id: str, unit: Unit) -> dict[str, Any]:
    """The `order.released` event of an order whose hold was just removed."""
    data = {"external_id": external_id, "held": False}
    unit.record("order.released", orders.subject(external_id), data)
    return data


@HANDLERS.handles(ReleaseOrder)
def release_order(cmd: ReleaseOrder, unit: Unit) -> dict[str, Any]:
    order = _order(cmd.external_id)
    if not OrderHold.delete().where(OrderHold.order == order).execute():
        raise Conflict(f"order {cmd.external_id} is not held")
    return record_released(order.external_id, unit)


@HANDLERS.handles(AssignBatch)
def assign_batch(cmd: AssignBatch, unit: Unit) -> dict[str, Any]:
    batch = for_update(PickBatch.select().where(PickBatch.batch_id == cmd.batch_id)).first()
    if batch is None:
        raise NotFound(f"no batch {cmd.batch_id}")
    if batch.status == "dropped":
        raise Conflict(f"batch {cmd.batch_id} is already at the pack zone")
    if (
        cmd.badge is not None
        and PickBatch.select()
        .where(
            PickBatch.operator == cmd.badge,
            PickBatch.status == "assigned",
            PickBatch.id != batch.id,
        )
        .exists()
    ):
        raise Conflict(f"operator {cmd.badge} already has a batch; unassign it first")
    before = batch.operator
    batch.operator = cmd.badge
    batch.status = "assigned" if cmd.badge else "open"
    batch.updated_at = utcnow()
    batch.save()
    kind = "batch.reassigned" if cmd.badge else "batch.unassigned"
    unit.record(kind, f"batch:{batch.batch_id}", {"from": before, "to": cmd.badge})
    return batch_view(batch)


@HANDLERS.handles(UpsertTotes)
def upsert_totes(cmd: UpsertTotes, unit: Unit) -> dict[str, Any]:
    known = {t.code for t in Tote.select(Tote.code).where(Tote.code.in_(cmd.codes))}
    new = [code for code in dict.fromkeys(cmd.codes) if code not in known]
    if new:
        Tote.insert_many([{"code": code} for code in new]).execute()
    for code in new:
        unit.record("tote.registered", f"tote:{code}", {"code": code})
    return {"created": len(new), "unchanged": len(set(cmd.codes)) - len(new)}


@HANDLERS.handles(CompleteCount)
def complete_count(cmd: CompleteCount, unit: Unit) -> dict[str, Any]:
    task = for_update(CountTask.select().where(CountTask.id == cmd.count_task_id)).first()
    if task is None:
        raise NotFound(f"no count task {cmd.count_task_id}")
    if task.status != "open":
        raise Conflict(f"count task {cmd.count_task_id} is already done")
    rows = list(
        for_update(
            Stock.select().where(Stock.product == task.product, Stock.location == task.location)
        ).order_by(Stock.expiry, Stock.id)
    )
    _apply_count(rows, cmd.counted, unit)
    task.status, task.counted, task.done_at = "done", cmd.counted, utcnow()
    task.save()
    view = count_task_view(task)
    unit.record("count.completed", f"location:{task.location.code}", view)
    return view


def _apply_count(rows: list[Stock], counted: int, unit: Unit) -> None:
    """Set the on-hand of the location to `counted` (earliest lots keep units first)."""
    if not rows and counted:
        raise InvalidInput(
            "no stock row here to count into",
            [field_error("counted", "add the units with POST /api/v1/stock/adjustments")],
        )
    reserved = sum(r.reserved for r in rows)
    if counted < reserved:
        raise InvalidInput(
            "the count is below what open orders have reserved here",
            [field_error("counted", f"{reserved} units are reserved here; count at least that")],
        )
    left = counted
    for i, row in enumerate(rows):
        keep = left if i == len(rows) - 1 else min(left, max(row.on_hand, row.reserved))
        keep = max(keep, row.reserved)
        left -= keep
        if keep == row.on_hand:
            continue
        delta, row.on_hand, row.updated_at = keep - row.on_hand, keep, utcnow()
        row.save()
        view = stock_view(row) | {"delta": delta, "reason": "count after short pick"}
        unit.record("inventory.adjusted", f"sku:{row.product.sku}", view)

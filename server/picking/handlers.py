"""Picking commands of supervisors: (re/un)assign batches, complete count tasks. Each runs in one transaction with its events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.db import for_update
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.inventory.events import InventoryAdjusted
from server.inventory.stock import stock_view
from server.models import CountTask, PickBatch, Stock, utcnow
from server.models.picking import BatchStatus, CountStatus
from server.picking.events import BatchReassigned, BatchUnassigned, CountCompleted
from server.picking.views import batch_view, count_task_view
from server.spine import Handlers, Unit

HANDLERS = Handlers()


@dataclass(frozen=True)
class AssignBatch:
    batch_id: str
    badge: str | None  # None: unassign (the batch waits for the next picker)


@dataclass(frozen=True)
class CompleteCount:
    count_task_id: int
    counted: int


@HANDLERS.handles(AssignBatch)
def assign_batch(cmd: AssignBatch, unit: Unit) -> dict[str, Any]:
    batch = for_update(PickBatch.select().where(PickBatch.batch_id == cmd.batch_id)).first()
    if batch is None:
        raise NotFound(f"no batch {cmd.batch_id}")
    if batch.status == BatchStatus.DROPPED:
        raise Conflict(f"batch {cmd.batch_id} is already at the pack zone")
    if (
        cmd.badge is not None
        and PickBatch.select()
        .where(
            PickBatch.operator == cmd.badge,
            PickBatch.status == BatchStatus.ASSIGNED,
            PickBatch.id != batch.id,
        )
        .exists()
    ):
        raise Conflict(f"operator {cmd.badge} already has a batch; unassign it first")
    before = batch.operator
    batch.operator = cmd.badge
    batch.status = BatchStatus.ASSIGNED if cmd.badge else BatchStatus.OPEN
    batch.updated_at = utcnow()
    batch.save()
    if cmd.badge:
        unit.record(BatchReassigned(batch.batch_id, before, cmd.badge))
    else:
        unit.record(BatchUnassigned(batch.batch_id, before))
    return batch_view(batch)


@HANDLERS.handles(CompleteCount)
def complete_count(cmd: CompleteCount, unit: Unit) -> dict[str, Any]:
    task = for_update(CountTask.select().where(CountTask.id == cmd.count_task_id)).first()
    if task is None:
        raise NotFound(f"no count task {cmd.count_task_id}")
    if task.status != CountStatus.OPEN:
        raise Conflict(f"count task {cmd.count_task_id} is already done")
    rows = list(
        for_update(
            Stock.select().where(Stock.product == task.product, Stock.location == task.location)
        ).order_by(Stock.expiry, Stock.id)
    )
    _apply_count(rows, cmd.counted, unit)
    task.status, task.counted, task.done_at = CountStatus.DONE, cmd.counted, utcnow()
    task.save()
    view = count_task_view(task)
    unit.record(CountCompleted(view))
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
        unit.record(InventoryAdjusted(stock_view(row), delta, "count after short pick"))

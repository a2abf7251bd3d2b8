"""Short picks: the picked part stands, the rest is reallocated elsewhere or the line is short.

The location gets a count task and supervisors an exception, in the same transaction.
"""

from __future__ import annotations

import dataclasses

import peewee

from server.inventory import stock
from server.inventory.allocation import allocate
from server.models import (
    BatchOrder,
    CountTask,
    OrderLine,
    PickTask,
)
from server.models.picking import CountStatus, TaskStatus
from server.picking.claim import allocations_of, create_tasks
from server.picking.counting import SHORT_REASONS
from server.picking.events import PickShorted
from server.picking.moves import grow_allocation, shrink_allocation
from server.spine import Unit
from server.supervision.exceptions import raise_exception


def short_pick(task: PickTask, reason: str, order: str, batch_id: str, unit: Unit) -> int:
    """Close the task as short; reallocate the rest; return how many units found a new home."""
    remaining = task.qty - task.picked
    stock.release(task.stock_id, remaining)
    shrink_allocation(task.line_id, task.stock_id, remaining)
    PickTask.update(status=TaskStatus.SHORT, short_reason=reason).where(
        PickTask.id == task.id
    ).execute()
    moved = _reallocate(task, remaining)
    OrderLine.update(allocated=OrderLine.allocated - remaining + moved).where(
        OrderLine.id == task.line_id
    ).execute()
    _count_task(task, reason)
    sku, location = task.product.sku, task.location.code
    shorted = PickShorted(batch_id, task.id, order, sku, location, reason, remaining, moved)
    unit.record(shorted)
    raise_exception(
        unit,
        kind="short_pick",
        subject=f"order:{order}",
        message=(
            f"{remaining} {task.product.sku} short at {task.location.code} "
            f"({SHORT_REASONS[reason]}); {moved} reallocated, {remaining - moved} missing"
        ),
        data=shorted.data,
    )
    return moved


def _reallocate(task: PickTask, qty: int) -> int:
    """Reserve `qty` elsewhere (never the short row) and append the new tasks to the walk."""
    slots = stock.locked_slots([task.product_id])[task.product_id]
    slots = [s for s in slots if s.stock_id != task.stock_id]
    result = allocate(qty, slots)
    for stock_id, taken in result.taken:
        stock.reserve(stock_id, taken)
        grow_allocation(task.line_id, stock_id, taken)
    if result.taken:
        _append_tasks(task, [stock_id for stock_id, _ in result.taken], result.taken)
    return qty - result.missing


def _append_tasks(task: PickTask, stock_ids: list[int], taken: list[tuple[int, int]]) -> None:
    top = PickTask.select(peewee.fn.MAX(PickTask.seq)).where(PickTask.batch == task.batch_id)
    qty_of = dict(taken)
    slot = BatchOrder.get_by_id(task.batch_order_id)
    picks = [
        # only what this short added becomes a task
        dataclasses.replace(pick, qty=qty_of[pick.stock_id])
        for pick in allocations_of([slot.order_id], stock_ids)
        if pick.line_id == task.line_id
    ]
    create_tasks(task.batch_id, {slot.order_id: slot.id}, picks, first_seq=top.scalar() + 1)


def _count_task(task: PickTask, reason: str) -> None:
    exists = CountTask.select().where(
        CountTask.location == task.location_id,
        CountTask.product == task.product_id,
        CountTask.status == CountStatus.OPEN,
    )
    if not exists.exists():
        CountTask.create(
            location=task.location_id,
            product=task.product_id,
            reason=f"short pick: {SHORT_REASONS[reason]}",
        )

"""Reading a picker's work in few statements: the batch, its orders and its open tasks."""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from server.models import (
    BatchOrder,
    Location,
    Order,
    PickBatch,
    PickTask,
    Product,
    Stock,
    Tote,
)
from server.picking.screens import Progress, TaskView

LOOKAHEAD = 3


@dataclass(frozen=True)
class OrderSlot:
    id: int
    order_id: int
    external_id: str
    tote_id: int | None
    tote: str | None
    status: str


@dataclass
class Work:
    batch: PickBatch
    orders: list[OrderSlot]
    open_tasks: list[PickTask]  # the next open tasks in walk order (LOOKAHEAD), joined
    done: int
    total: int

    @property
    def progress(self) -> Progress:
        active = sum(1 for o in self.orders if o.status == "active")
        return Progress(self.batch.batch_id, self.done, self.total, active)

    @property
    def task(self) -> PickTask | None:
        return self.open_tasks[0] if self.open_tasks else None

    def slot(self, batch_order_id: int) -> OrderSlot:
        return next(o for o in self.orders if o.id == batch_order_id)

    def view(self, task: PickTask) -> TaskView:
        slot = self.slot(task.batch_order_id)
        return TaskView(
            task_id=task.id,
            order=slot.external_id,
            tote=slot.tote,
            location=task.location.code,
            location_barcode=task.location.barcode,
            sku=task.product.sku,
            name=task.product.name,
            lot=task.stock.lot,
            expiry=task.stock.expiry,
            remaining=task.qty - task.picked,
        )


def assigned_batch(badge: str) -> PickBatch | None:
    query = PickBatch.select().where(PickBatch.operator == badge, PickBatch.status == "assigned")
    return query.order_by(PickBatch.id).first()


def load_work(batch: PickBatch) -> Work:
    return Work(batch, _slots(batch), *_tasks(batch))


def _slots(batch: PickBatch) -> list[OrderSlot]:
    query = (
        BatchOrder.select(
            BatchOrder.id,
            BatchOrder.order,
            Order.external_id,
            BatchOrder.tote,
            Tote.code,
            BatchOrder.status,
        )
        .join(Order)
        .switch(BatchOrder)
        .join(Tote, join_type=peewee.JOIN.LEFT_OUTER)
        .where(BatchOrder.batch == batch)
        .order_by(BatchOrder.position)
        .tuples()
    )
    rows: list[tuple[int, int, str, int | None, str | None, str]] = list(query)  # type: ignore[arg-type]
    return [OrderSlot(*row) for row in rows]


def _tasks(batch: PickBatch) -> tuple[list[PickTask], int, int]:
    """The next few open tasks (hydrated) and the done/total counts (one cheap aggregate).

    A scan moves at most one task on (confirm, skip, short reload the work), so the first
    LOOKAHEAD open tasks are all an input needs; hydrating every task of the batch with its
    location, product and stock cost more than the rest of the input (PERFORMANCE trap 5).
    """
    query = (
        PickTask.select(PickTask, Location, Product, Stock)
        .join(Location)
        .switch(PickTask)
        .join(Product)
        .switch(PickTask)
        .join(Stock)
        .where(PickTask.batch == batch, PickTask.status == "open")
        .order_by(PickTask.seq)
        .limit(LOOKAHEAD)
    )
    counts = (
        PickTask.select(PickTask.status, peewee.fn.COUNT(PickTask.id))
        .where(PickTask.batch == batch)
        .group_by(PickTask.status)
        .tuples()
    )
    by_status: dict[str, int] = dict(counts)  # type: ignore[arg-type]
    total = sum(n for status, n in by_status.items() if status != "cancelled")
    return list(query), total - by_status.get("open", 0), total

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
    open_tasks: list[PickTask]  # in walk order, with location, product and stock joined
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
        BatchOrder.select(BatchOrder, Order.id, Order.external_id, Tote.id, Tote.code)
        .join(Order)
        .switch(BatchOrder)
        .join(Tote, join_type=peewee.JOIN.LEFT_OUTER)
        .where(BatchOrder.batch == batch)
        .order_by(BatchOrder.position)
    )
    return [
        OrderSlot(
            row.id,
            row.order_id,
            row.order.external_id,
            row.tote_id,
            row.tote.code if row.tote is not None else None,
            row.status,
        )
        for row in query
    ]


def _tasks(batch: PickBatch) -> tuple[list[PickTask], int, int]:
    query = (
        PickTask.select(PickTask, Location, Product, Stock)
        .join(Location)
        .switch(PickTask)
        .join(Product)
        .switch(PickTask)
        .join(Stock)
        .where(PickTask.batch == batch)
        .order_by(PickTask.seq)
    )
    rows = list(query)
    open_tasks = [t for t in rows if t.status == "open"]
    counted = [t for t in rows if t.status != "cancelled"]
    return open_tasks, len(counted) - len(open_tasks), len(counted)

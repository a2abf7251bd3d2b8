"""Public shapes of picking rows, as the admin API returns them and events carry them."""

from __future__ import annotations

from typing import Any

import peewee

from server.models import BatchOrder, CountTask, Order, PickBatch, PickTask, Tote, isoformat
from server.models.picking import TaskStatus


def batch_view(batch: PickBatch) -> dict[str, Any]:
    slots = (
        BatchOrder.select(BatchOrder, Order.id, Order.external_id, Tote.id, Tote.code)
        .join(Order)
        .switch(BatchOrder)
        .join(Tote, join_type=peewee.JOIN.LEFT_OUTER)
        .where(BatchOrder.batch == batch)
        .order_by(BatchOrder.position)
    )
    tasks: list[str] = [
        t.status for t in PickTask.select(PickTask.status).where(PickTask.batch == batch)
    ]
    return {
        "batch_id": batch.batch_id,
        "status": batch.status,
        "operator": batch.operator,
        "orders": [
            {
                "external_id": s.order.external_id,
                "tote": s.tote.code if s.tote is not None else None,
                "status": s.status,
            }
            for s in slots
        ],
        "tasks": {s.value: tasks.count(s) for s in TaskStatus},
        "drop_location": batch.drop_location.code if batch.drop_location is not None else None,
        "created_at": isoformat(batch.created_at),
        "updated_at": isoformat(batch.updated_at),
    }


def count_task_view(task: CountTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "location": task.location.code,
        "sku": task.product.sku,
        "reason": task.reason,
        "status": task.status,
        "counted": task.counted,
        "created_at": isoformat(task.created_at),
        "done_at": isoformat(task.done_at),
    }

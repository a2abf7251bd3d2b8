"""Claiming a batch in one transaction: resume, take an unassigned one, or build a new one.

Claims are serialised (SQLite: the write lock every transaction takes; PostgreSQL: a
transaction-level advisory lock), so two pickers never get the same order.
"""

from __future__ import annotations

import logging
from typing import Any

import peewee

from server.config import PickingSettings
from server.db import database, is_postgres
from server.ids import new_id
from server.models import (
    Allocation,
    BatchOrder,
    Location,
    Order,
    OrderHold,
    OrderLine,
    PickBatch,
    PickTask,
    Product,
    Stock,
    utcnow,
)
from server.picking.batching import Candidate, Caps, build_batch
from server.picking.walk import Stop, walk_order
from server.spine import Unit

log = logging.getLogger(__name__)
CLAIM_LOCK = 0x706B6C  # "pkl": one advisory lock for every batch claim
CANDIDATE_WINDOW = 200


def claim_batch(badge: str, settings: PickingSettings, unit: Unit) -> PickBatch | None:
    """The operator's batch: the one assigned, else an unassigned one, else a new one."""
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CLAIM_LOCK,))
    mine = PickBatch.get_or_none(PickBatch.operator == badge, PickBatch.status == "assigned")
    if mine is not None:
        return mine
    waiting = PickBatch.select().where(PickBatch.status == "open").order_by(PickBatch.id).first()
    if waiting is not None:
        _assign(waiting, badge, unit)
        return waiting
    order_ids = build_batch(candidates(), caps_of(settings))
    if not order_ids:
        return None
    return _create(order_ids, badge, unit)


def caps_of(settings: PickingSettings) -> Caps:
    return Caps(
        settings.max_orders, settings.max_units, settings.max_weight_g, settings.max_volume_mm3
    )


def candidates() -> list[Candidate]:
    """Accepted, unheld orders with their size, most urgent first (a bounded window)."""
    units = peewee.fn.SUM(OrderLine.qty)
    weight = peewee.fn.SUM(OrderLine.qty * Product.weight_g)
    volume = peewee.fn.SUM(OrderLine.qty * Product.length_mm * Product.width_mm * Product.height_mm)
    query = (
        Order.select(Order.id, Order.priority, Order.ship_by, units, weight, volume)
        .join(OrderLine)
        .join(Product)
        .switch(Order)
        .join(OrderHold, join_type=peewee.JOIN.LEFT_OUTER, on=(OrderHold.order == Order.id))
        .where(Order.status == "accepted", OrderHold.id.is_null())
        .group_by(Order.id, Order.priority, Order.ship_by)
        .order_by(Order.priority.desc(), Order.ship_by.asc(nulls="LAST"), Order.id)
        .limit(CANDIDATE_WINDOW)
        .tuples()
    )
    rows: list[tuple[Any, ...]] = list(query)  # type: ignore[arg-type]
    return [Candidate(oid, p, s, int(u), int(w), int(v)) for oid, p, s, u, w, v in rows]


def _assign(batch: PickBatch, badge: str, unit: Unit) -> None:
    batch.operator, batch.status, batch.updated_at = badge, "assigned", utcnow()
    batch.save()
    unit.record("batch.claimed", f"batch:{batch.batch_id}", {"operator": badge})


def _create(order_ids: list[int], badge: str, unit: Unit) -> PickBatch:
    batch = PickBatch.create(batch_id=new_id("bat"), status="assigned", operator=badge)
    slots = {}
    for position, order_id in enumerate(order_ids, 1):
        slots[order_id] = BatchOrder.create(batch=batch, order=order_id, position=position)
    create_tasks(batch, slots, _allocations(order_ids), first_seq=1)
    Order.update(status="picking", updated_at=utcnow()).where(Order.id.in_(order_ids)).execute()
    externals = [
        o.external_id for o in Order.select(Order.external_id).where(Order.id.in_(order_ids))
    ]
    unit.record(
        "batch.claimed", f"batch:{batch.batch_id}", {"operator": badge, "orders": externals}
    )
    return batch


def _allocations(order_ids: list[int]) -> list[Allocation]:
    return list(
        Allocation.select(Allocation, OrderLine, Stock, Location)
        .join(OrderLine)
        .switch(Allocation)
        .join(Stock)
        .join(Location)
        .where(OrderLine.order.in_(order_ids))
    )


def create_tasks(
    batch: PickBatch, slots: dict[int, BatchOrder], allocations: list[Allocation], first_seq: int
) -> None:
    """One task per allocation, numbered in walk order from `first_seq`."""
    by_id = {a.id: a for a in allocations}
    stops = [Stop(a.id, a.stock.location.code, a.stock.location.walk_sequence) for a in allocations]
    rows = []
    for seq, alloc_id in enumerate(walk_order(stops), first_seq):
        alloc = by_id[alloc_id]
        rows.append(
            {
                "batch": batch.id,
                "batch_order": slots[alloc.line.order_id].id,
                "line": alloc.line_id,
                "stock": alloc.stock_id,
                "location": alloc.stock.location_id,
                "product": alloc.line.product_id,
                "qty": alloc.qty,
                "seq": seq,
            }
        )
    if rows:
        PickTask.insert_many(rows).execute()

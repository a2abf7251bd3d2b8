"""Claiming a batch in one transaction: resume, take an unassigned one, or build a new one.

Claims are serialised (SQLite: the write lock every transaction takes; PostgreSQL: a
transaction-level advisory lock), so two pickers never get the same order.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from server import rawsql
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
from server.models.orders import OrderStatus
from server.models.picking import BatchStatus
from server.picking.batching import Candidate, Caps, build_batch
from server.picking.events import BatchClaimed
from server.picking.settings import PickingSettings
from server.picking.walk import Stop, walk_order
from server.picking.waves import claimable
from server.spine import Unit

log = logging.getLogger(__name__)
CLAIM_LOCK = 0x706B6C  # "pkl": one advisory lock for every batch claim
CANDIDATE_WINDOW = 200


def claim_batch(badge: str, settings: PickingSettings, unit: Unit) -> PickBatch | None:
    """The operator's batch: the one assigned, else an unassigned one, else a new one."""
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CLAIM_LOCK,))
    mine = PickBatch.get_or_none(
        PickBatch.operator == badge, PickBatch.status == BatchStatus.ASSIGNED
    )
    if mine is not None:
        return mine
    waiting = (
        claimable(PickBatch.select().where(PickBatch.status == BatchStatus.OPEN))
        .order_by(PickBatch.id)
        .first()
    )
    if waiting is not None:
        _assign(waiting, badge, unit)
        return waiting
    order_ids = still_accepted(build_batch(candidates(), caps_of(settings)))
    if not order_ids:
        return None
    return _create(order_ids, badge, unit)


def still_accepted(order_ids: list[int]) -> list[int]:
    """PostgreSQL: the chosen orders locked (in id order, as a cancel locks its order) and
    read again. One cancelled by a transaction that committed after `candidates` read it
    (both run at once there) is left out: claimed, it was set `picking` again over its
    cancel, and picked (tests/faults found it). SQLite's write lock, taken first, makes
    every read current."""
    if not is_postgres() or not order_ids:
        return order_ids
    cursor = rawsql.execute(
        f'SELECT "id" FROM {rawsql.table(Order)} WHERE "id" IN '
        f'({rawsql.placeholders(len(order_ids))}) AND "status" = ? ORDER BY "id" FOR UPDATE',
        (*order_ids, OrderStatus.ACCEPTED.value),
    )
    locked = {row[0] for row in cursor.fetchall()}
    return [order_id for order_id in order_ids if order_id in locked]


def caps_of(settings: PickingSettings) -> Caps:
    return Caps(
        settings.max_orders, settings.max_units, settings.max_weight_g, settings.max_volume_mm3
    )


def candidates() -> list[Candidate]:
    """Accepted, unheld orders with their size, most urgent first (a bounded window).

    Hand-written: the window of orders is taken first (by the status index), then only
    its lines are summed; grouping every accepted order's lines before the limit cost more
    with every order waiting.
    """
    read_ship_by = rawsql.reader(Order.ship_by)
    rows = rawsql.execute(_candidates_sql()).fetchall()
    return [
        Candidate(oid, p, read_ship_by(s), int(u), int(w), int(v)) for oid, p, s, u, w, v in rows
    ]


@functools.cache
def _candidates_sql() -> str:
    order, line, product, hold = (rawsql.table(m) for m in (Order, OrderLine, Product, OrderHold))
    window = (
        f'SELECT o."id", o."priority", o."ship_by" FROM {order} o '
        f"WHERE o.\"status\" = '{OrderStatus.ACCEPTED}' AND NOT EXISTS "
        f'(SELECT 1 FROM {hold} h WHERE h."order_id" = o."id") '
        f'ORDER BY o."priority" DESC, o."ship_by" ASC NULLS LAST, o."id" '
        f"LIMIT {CANDIDATE_WINDOW}"
    )
    return (
        f'SELECT w."id", w."priority", w."ship_by", SUM(l."qty"), '
        f'SUM(CAST(l."qty" AS BIGINT) * p."weight_g"), '
        f'SUM(CAST(l."qty" AS BIGINT) * p."length_mm" * p."width_mm" * p."height_mm") '
        f'FROM ({window}) w JOIN {line} l ON l."order_id" = w."id" '
        f'JOIN {product} p ON p."id" = l."product_id" '
        f'GROUP BY w."id", w."priority", w."ship_by"'
    )


def _assign(batch: PickBatch, badge: str, unit: Unit) -> None:
    batch.operator, batch.status, batch.updated_at = badge, BatchStatus.ASSIGNED, utcnow()
    batch.save()
    unit.record(BatchClaimed(batch.batch_id, badge))


def _create(order_ids: list[int], badge: str, unit: Unit) -> PickBatch:
    batch = PickBatch.create(batch_id=new_id("bat"), status=BatchStatus.ASSIGNED, operator=badge)
    rows = [
        {"batch": batch.id, "order": order_id, "position": position}
        for position, order_id in enumerate(order_ids, 1)
    ]
    inserted = rawsql.insert_rows(BatchOrder, rows, returning=("id", "order_id"))
    slots = {order_id: slot_id for slot_id, order_id in inserted}
    create_tasks(batch.id, slots, allocations_of(order_ids), first_seq=1)
    Order.update(status=OrderStatus.PICKING, updated_at=utcnow()).where(
        Order.id.in_(order_ids)
    ).execute()
    externals = [
        o.external_id for o in Order.select(Order.external_id).where(Order.id.in_(order_ids))
    ]
    unit.record(BatchClaimed(batch.batch_id, badge, externals))
    return batch


@dataclass(frozen=True)
class ToPick:
    """One allocation to become a pick task: what, from which stock row, where."""

    allocation_id: int
    order_id: int
    line_id: int
    product_id: int
    stock_id: int
    location_id: int
    location: str
    walk_sequence: int
    qty: int


def allocations_of(order_ids: list[int], stock_ids: list[int] | None = None) -> list[ToPick]:
    """The allocations of these orders' lines (only from these stock rows, if given)."""
    alloc, line, stock, loc = (rawsql.table(m) for m in (Allocation, OrderLine, Stock, Location))
    sql = (
        f'SELECT a."id", l."order_id", l."id", l."product_id", s."id", s."location_id", '
        f'c."code", c."walk_sequence", a."qty" FROM {alloc} a '
        f'JOIN {line} l ON l."id" = a."line_id" JOIN {stock} s ON s."id" = a."stock_id" '
        f'JOIN {loc} c ON c."id" = s."location_id" '
        f'WHERE l."order_id" IN ({rawsql.placeholders(len(order_ids))})'
    )
    params: list[Any] = list(order_ids)
    if stock_ids is not None:
        sql += f' AND a."stock_id" IN ({rawsql.placeholders(len(stock_ids))})'
        params += stock_ids
    return [ToPick(*row) for row in rawsql.execute(sql + ' ORDER BY a."id"', params).fetchall()]


def create_tasks(batch_id: int, slots: dict[int, int], picks: list[ToPick], first_seq: int) -> None:
    """One task per allocation, numbered in walk order from `first_seq`; `slots` maps an
    order id to its batch order id."""
    by_id = {p.allocation_id: p for p in picks}
    stops = [Stop(p.allocation_id, p.location, p.walk_sequence) for p in picks]
    rows = []
    for seq, alloc_id in enumerate(walk_order(stops), first_seq):
        pick = by_id[alloc_id]
        rows.append(
            {
                "batch": batch_id,
                "batch_order": slots[pick.order_id],
                "line": pick.line_id,
                "stock": pick.stock_id,
                "location": pick.location_id,
                "product": pick.product_id,
                "qty": pick.qty,
                "seq": seq,
            }
        )
    rawsql.insert_rows(PickTask, rows)

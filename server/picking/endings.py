"""How a batch ends: totes dropped at the pack zone (the OMS told), or put back after a cancel."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from server import rawsql
from server.inventory.events import InventoryAdjusted
from server.inventory.stock import STOCK_ARRIVED, is_allocatable, locked_row, stock_view
from server.models import (
    BatchOrder,
    Location,
    Order,
    OrderLine,
    PickBatch,
    PickTask,
    Product,
    PutBack,
    Tote,
    ToteItem,
    utcnow,
)
from server.models.orders import OrderStatus
from server.models.picking import BatchStatus, PutBackStatus, SlotStatus, TaskStatus
from server.orders.views import lines_of, order_view
from server.picking.counting import SHORT_REASONS
from server.picking.events import (
    BatchDropped,
    OrderPicked,
    OrderShortPicked,
    TotePutBack,
    TotePutBackRequested,
)
from server.picking.store import OrderSlot
from server.spine import Unit
from server.supervision.exceptions import raise_exception
from server.totes import store as totes

PUT_BACK_EXCEPTION = "put_back"  # a cancelled order's tote at the pack zone


def drop_batch(batch: PickBatch, slots: list[OrderSlot], drop: Location, unit: Unit) -> None:
    """The totes are at `drop`, ready for packing; each order is picked or short-picked.

    The whole batch is read in four queries (orders, their lines, the tote items, the short
    tasks), not per order: a batch ends once per walk, but with N+1 reads it cost more than
    every scan of the walk together. Its statements are hand-written (server/rawsql.py):
    built by peewee, their IN lists of twenty ids cost more than running them.
    """
    active = [s for s in slots if s.status == SlotStatus.ACTIVE]
    now = utcnow()
    # The orders are locked first, as a cancel locks its order first (PostgreSQL): an order
    # cancelled after this input read the batch is not dropped; its tote waits at the drop
    # for a put-back, which the supervisors are told about.
    ids = [s.order_id for s in active]
    found = (
        rawsql.select_all(Order, f'"id" IN ({_marks(ids)})', ids, '"id"', lock=True) if ids else []
    )
    orders = {o.id: o for o in found}
    late = [s for s in active if orders[s.order_id].status == OrderStatus.CANCELLED]
    active = [s for s in active if orders[s.order_id].status != OrderStatus.CANCELLED]
    totes.set_ready([s.tote_id for s in active + late if s.tote_id is not None], drop)
    dropped = [s.id for s in active]
    if dropped:
        values: dict[str, Any] = {"status": SlotStatus.DROPPED}
        rawsql.update_where(BatchOrder, values, f'"id" IN ({_marks(dropped)})', dropped)
    order_ids = [s.order_id for s in active]
    lines, picked = lines_of(order_ids), _picked(active)
    shorts = _short_reasons(batch)
    finished: dict[str, list[int]] = defaultdict(list)
    for slot in active:
        order = orders[slot.order_id]
        order.updated_at = now
        view = order_view(order, lines[order.id])
        missing = [line for line in view["lines"] if line["missing"] > 0]
        new_status = OrderStatus.SHORT_PICKED if missing else OrderStatus.PICKED
        order.status = view["status"] = new_status
        finished[order.status].append(order.id)
        if missing:
            reasons = shorts[slot.id]
            lines_missing = [
                {
                    "line_id": line["line_id"],
                    "sku": line["sku"],
                    "qty": line["missing"],
                    "reasons": reasons.get(line["line_id"], []),
                }
                for line in missing
            ]
            unit.record(
                OrderShortPicked(view, slot.tote, drop.code, picked[slot.id], lines_missing)
            )
        else:
            unit.record(OrderPicked(view, slot.tote, drop.code, picked[slot.id]))
    for status, done in finished.items():
        marks = f'"id" IN ({_marks(done)})'
        rawsql.update_where(Order, {"status": status, "updated_at": now}, marks, done)
    batch.status, batch.drop_location, batch.updated_at = BatchStatus.DROPPED, drop, now
    ended = {"status": batch.status, "drop_location": drop.id, "updated_at": now}
    rawsql.update_one(PickBatch, batch.id, ended)
    for slot in late:
        if slot.tote_id is not None:
            _raise_after_drop(orders[slot.order_id], Tote.get_by_id(slot.tote_id), batch, unit)
    unit.record(BatchDropped(batch.batch_id, drop.code, [s.tote for s in active]))


def _marks(values: list[Any]) -> str:
    return rawsql.placeholders(len(values))


@functools.cache
def _picked_sql(totes_n: int, orders_n: int) -> str:
    ti, ol, p = (rawsql.table(m) for m in (ToteItem, OrderLine, Product))
    return (
        f"SELECT {rawsql.columns('i', ToteItem)}, l.line_id, p.sku FROM {ti} i "
        f"JOIN {ol} l ON l.id = i.line_id JOIN {p} p ON p.id = i.product_id "
        f"WHERE i.tote_id IN ({rawsql.placeholders(totes_n)}) "
        f"AND i.order_id IN ({rawsql.placeholders(orders_n)}) ORDER BY i.id"
    )


def _picked(slots: list[OrderSlot]) -> dict[int, list[dict[str, Any]]]:
    """What went into each slot's tote for its order, in pick order, by slot id."""
    by_key = {(s.tote_id, s.order_id): s.id for s in slots}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not slots:
        return out
    tote_ids, order_ids = [s.tote_id for s in slots], [s.order_id for s in slots]
    width = len(ToteItem._meta.sorted_fields)
    sql = _picked_sql(len(tote_ids), len(order_ids))
    for row in rawsql.execute(sql, [*tote_ids, *order_ids]).fetchall():
        item, (line_id, sku) = rawsql.build(ToteItem, row[:width]), row[width:]
        slot_id = by_key.get((item.tote_id, item.order_id))
        if slot_id is None:
            continue
        out[slot_id].append(
            {
                "line_id": line_id,
                "sku": sku,
                "qty": item.qty,
                "lot": item.lot or None,
                "expiry": item.expiry.isoformat() if item.expiry else None,
                "serials": item.serials,
            }
        )
    return out


@functools.cache
def _shorts_sql() -> str:
    t, ol, loc = (rawsql.table(m) for m in (PickTask, OrderLine, Location))
    return (
        f"SELECT t.batch_order_id, l.line_id, t.short_reason, c.code, t.qty, t.picked "
        f"FROM {t} t JOIN {ol} l ON l.id = t.line_id JOIN {loc} c ON c.id = t.location_id "
        f"WHERE t.batch_id = ? AND t.status = ? ORDER BY t.id"
    )


def _short_reasons(batch: PickBatch) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """Why each line of the batch is short, by slot (batch order) id and line id."""
    out: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    rows = rawsql.execute(_shorts_sql(), (batch.id, TaskStatus.SHORT)).fetchall()
    for slot_id, line_id, reason, location, qty, picked in rows:
        out[slot_id][line_id].append(
            {
                "reason": reason,
                "label": SHORT_REASONS.get(reason, reason),
                "location": location,
                "qty": qty - picked,
            }
        )
    return out


def put_back(slot: OrderSlot, location: Location, unit: Unit) -> int:
    """Return a cancelled order's tote contents to stock at `location`; free the tote."""
    tote_id = slot.tote_id or 0
    items = totes.items_of(tote_id, slot.order_id)
    arrived: set[int] = set()
    for item in items:
        row = locked_row(item.product, location, item.lot, item.expiry)
        row.on_hand += item.qty
        row.updated_at = utcnow()
        row.save()
        reason = f"put-back: order {slot.external_id} cancelled"
        unit.record(InventoryAdjusted(stock_view(row), item.qty, reason))
        if is_allocatable(row):
            arrived.add(item.product_id)
    if arrived and unit.env is not None:  # back on a shelf: it serves waiting orders
        unit.env.run_hooks(STOCK_ARRIVED, sorted(arrived), unit)
    units = sum(i.qty for i in items)
    totes.empty(tote_id, slot.order_id)
    totes.free(tote_id)
    BatchOrder.update(status=SlotStatus.PUT_BACK).where(BatchOrder.id == slot.id).execute()
    PutBack.update(
        status=PutBackStatus.DONE, location=location, units=units, done_at=utcnow()
    ).where(
        PutBack.tote == slot.tote_id,
        PutBack.order == slot.order_id,
        PutBack.status == PutBackStatus.PENDING,
    ).execute()
    unit.record(TotePutBack(slot.tote, slot.external_id, location.code, units))
    return units


def _still_in_tote(slot: BatchOrder) -> bool:
    """Does the slot's tote still hold units of its order (not yet packed)?"""
    mine = (ToteItem.tote == slot.tote_id) & (ToteItem.order == slot.order_id)
    return bool(ToteItem.select().where(mine).exists())


def cancel_in_picking(order: Order, unit: Unit) -> None:
    """Hook of CancelOrder: stop picking the order; its tote (if any) must be put back.

    The order is locked (CancelOrder) before its slots are read, so a drop of its batch
    either committed before (the slot reads dropped) or waits for this cancel."""
    for slot in BatchOrder.select().where(
        BatchOrder.order == order, BatchOrder.status.in_((SlotStatus.ACTIVE, SlotStatus.DROPPED))
    ):
        PickTask.update(status=TaskStatus.CANCELLED).where(
            PickTask.batch_order == slot.id, PickTask.status == TaskStatus.OPEN
        ).execute()
        if slot.tote_id is None or not _still_in_tote(slot):
            # nothing picked, or the units already left the tote (packed): no put-back
            BatchOrder.update(status=SlotStatus.PUT_BACK).where(BatchOrder.id == slot.id).execute()
            continue
        BatchOrder.update(status=SlotStatus.CANCELLED).where(BatchOrder.id == slot.id).execute()
        PutBack.create(tote=slot.tote_id, order=order)
        tote = Tote.get_by_id(slot.tote_id)
        unit.record(TotePutBackRequested(tote.code, order.external_id, slot.batch.batch_id))
        if slot.status == SlotStatus.DROPPED:  # no picker any more: the supervisors see to it
            _raise_after_drop(order, tote, slot.batch, unit)


def _raise_after_drop(order: Order, tote: Tote, batch: PickBatch, unit: Unit) -> None:
    """The cancelled order's tote already stands at the pack zone: tell the supervisors."""
    where = batch.drop_location.code if batch.drop_location is not None else "the pack zone"
    raise_exception(
        unit,
        kind=PUT_BACK_EXCEPTION,
        subject=f"tote:{tote.code}",
        message=(
            f"Order {order.external_id} was cancelled after its tote {tote.code} reached "
            f"{where}: put the units back and confirm (floorlink picking put-back)"
        ),
        data={"order": order.external_id, "tote": tote.code, "batch": batch.batch_id},
    )

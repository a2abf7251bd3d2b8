"""Stock moves of a pick, in the input's transaction: location → tote, lot substitution, skip.

Picking consumes the reservation: the stock row loses on-hand and reserved units alike,
the allocation shrinks, the line's `allocated` turns into `picked`, and a tote item says
where the units are now (packing finds them there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import peewee

from server import rawsql
from server.db import is_postgres
from server.models import Allocation, PickTask, Stock, ToteItem, utcnow
from server.models.picking import TaskStatus
from server.picking.events import PickConfirmed, PickLotSubstituted, PickSkipped
from server.spine import Unit


@dataclass(frozen=True)
class Picked:
    qty: int
    serials: list[str] = field(default_factory=list)


def shrink_allocation(line_id: int, stock_id: int, qty: int) -> None:
    """Take `qty` off the line's reservation on a stock row (the row itself is the caller's)."""
    row = Allocation.get(Allocation.line == line_id, Allocation.stock == stock_id)
    if row.qty > qty:
        Allocation.update(qty=Allocation.qty - qty).where(Allocation.id == row.id).execute()
    else:
        Allocation.delete().where(Allocation.id == row.id).execute()


def grow_allocation(line_id: int, stock_id: int, qty: int) -> None:
    """Add `qty` to the line's reservation on a stock row (the row itself is the caller's)."""
    updated = (
        Allocation.update(qty=Allocation.qty + qty)
        .where(Allocation.line == line_id, Allocation.stock == stock_id)
        .execute()
    )
    if not updated:
        Allocation.insert(line=line_id, stock=stock_id, qty=qty).execute()


def confirm_pick(
    task: PickTask, tote_id: int, order_id: int, picked: Picked, unit: Unit, batch_id: str
) -> bool:
    """Move `picked.qty` units from the task's stock row into the order's tote; False, and
    nothing moved, when the task is no longer open (`still_open`).

    The hottest write of picking (every tote scan): hand-written statements (rawsql).
    """
    if is_postgres() and not still_open(task.id):
        return False
    n, now = picked.qty, Stock.updated_at.db_value(utcnow())
    rawsql.execute(
        'UPDATE "stock" SET "on_hand" = "on_hand" - ?, "reserved" = "reserved" - ?, '
        '"updated_at" = ? WHERE "id" = ?',
        (n, n, now, task.stock_id),
    )
    _consume_allocation(task.line_id, task.stock_id, n)
    rawsql.execute(
        'UPDATE "order_line" SET "allocated" = "allocated" - ?, "picked" = "picked" + ? '
        'WHERE "id" = ?',
        (n, n, task.line_id),
    )
    rawsql.insert_rows(ToteItem, [_tote_item(task, tote_id, order_id, picked)])
    task.picked += n
    status = TaskStatus.DONE if task.picked >= task.qty else TaskStatus.OPEN
    rawsql.update_one(PickTask, task.id, {"picked": task.picked, "status": status})
    unit.record(
        PickConfirmed(
            batch_id,
            task.id,
            task.product.sku,
            task.location.code,
            task.stock.lot or None,
            n,
            picked.serials,
        )
    )
    return True


def still_open(task_id: int) -> bool:
    """PostgreSQL: lock the task and read it as last committed. A cancel of its order that
    committed after this transaction read the task (both run at once there) cancelled it
    and released the reservation the units would be taken from: taking them anyway broke
    the stock's CHECK and refused the scan (a bridge's scan was lost so; tests/faults found
    it). SQLite needs none: its write lock, taken first, makes every read current."""
    row = rawsql.execute(
        'SELECT "status" FROM "pick_task" WHERE "id" = ? FOR UPDATE', (task_id,)
    ).fetchone()
    return row is not None and row[0] == TaskStatus.OPEN


def _consume_allocation(line_id: int, stock_id: int, qty: int) -> None:
    """shrink_allocation in two hand-written statements, no read (qty > 0 is a CHECK)."""
    rawsql.execute(
        'DELETE FROM "allocation" WHERE "line_id" = ? AND "stock_id" = ? AND "qty" <= ?',
        (line_id, stock_id, qty),
    )
    rawsql.execute(
        'UPDATE "allocation" SET "qty" = "qty" - ? WHERE "line_id" = ? AND "stock_id" = ?',
        (qty, line_id, stock_id),
    )


def _tote_item(task: PickTask, tote_id: int, order_id: int, picked: Picked) -> dict[str, Any]:
    return {
        "tote": tote_id,
        "order": order_id,
        "line": task.line_id,
        "product": task.product_id,
        "lot": task.stock.lot,
        "expiry": task.stock.expiry,
        "serials": picked.serials,
        "qty": picked.qty,
    }


def substitute_lot(task: PickTask, new_stock_id: int, unit: Unit, batch_id: str) -> None:
    """Move the task's reservation to another lot at the same location (FEFO-checked)."""
    remaining = task.qty - task.picked
    old_stock = task.stock_id
    Stock.update(reserved=Stock.reserved - remaining).where(Stock.id == old_stock).execute()
    Stock.update(reserved=Stock.reserved + remaining).where(Stock.id == new_stock_id).execute()
    shrink_allocation(task.line_id, old_stock, remaining)
    grow_allocation(task.line_id, new_stock_id, remaining)
    PickTask.update(stock=new_stock_id, qty=task.picked + remaining).where(
        PickTask.id == task.id
    ).execute()
    task.stock = Stock.get_by_id(new_stock_id)
    unit.record(PickLotSubstituted(batch_id, task.id, task.product.sku, task.stock.lot, remaining))


def postpone(task: PickTask, unit: Unit, batch_id: str) -> None:
    """Skip: the task goes to the end of the walk."""
    top = PickTask.select(peewee.fn.MAX(PickTask.seq)).where(PickTask.batch == task.batch_id)
    PickTask.update(seq=top.scalar() + 1).where(PickTask.id == task.id).execute()
    unit.record(PickSkipped(batch_id, task.id, task.product.sku, task.location.code))

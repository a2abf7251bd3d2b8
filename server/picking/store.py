"""Reading a picker's work in few statements: the batch, its orders and its open tasks."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import peewee

from server import rawsql
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
from server.models.picking import BatchStatus, SlotStatus, TaskStatus
from server.picking.screens import Progress, TaskView

LOOKAHEAD = 2  # a scan moves the walk on by one task at most (confirm, skip)


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
    # The next open tasks in walk order (LOOKAHEAD): joined rows, hydrated into a PickTask
    # (with its location, product and stock) only when the input reaches them; most inputs
    # need the first alone.
    open_rows: list[Any]
    done: int
    total: int

    @property
    def progress(self) -> Progress:
        active = sum(1 for o in self.orders if o.status == SlotStatus.ACTIVE)
        return Progress(self.batch.batch_id, self.done, self.total, active)

    @property
    def task(self) -> PickTask | None:
        if not self.open_rows:
            return None
        first = self.open_rows[0]
        if not isinstance(first, PickTask):
            first = self.open_rows[0] = _hydrate(first)
        return first

    def postpone_task(self) -> None:
        """The current task moved to the end of the walk."""
        self.open_rows.append(self.open_rows.pop(0))

    def finish_task(self) -> None:
        """The current task is done: the walk goes on with the next."""
        self.open_rows.pop(0)
        self.done += 1

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


def load_work(batch: PickBatch) -> Work:
    rows = rawsql.execute(_slots_sql(), (batch.id,) * 3).fetchall()
    total, still_open = (int(rows[0][6]), int(rows[0][7])) if rows else (0, 0)
    slots = [OrderSlot(*row[:6]) for row in rows]
    open_rows = rawsql.execute(_open_tasks_sql(), (batch.id,)).fetchall()
    return Work(batch, slots, open_rows, total - still_open, total)


def current_work(badge: str) -> Work | None:
    """The picker's assigned batch (the first by id) and its work (`load_work`), the batch
    read in the statement of its orders: two statements, not three, on every scan."""
    params = (badge, BatchStatus.ASSIGNED)
    rows = rawsql.execute(_current_sql(), params).fetchall()
    if not rows:
        return None
    width = len(PickBatch._meta.sorted_fields)
    batch = rawsql.build(PickBatch, rows[0][:width])
    total, still_open = int(rows[0][width + 6]), int(rows[0][width + 7])
    slots = [OrderSlot(*row[width : width + 6]) for row in rows if row[width] is not None]
    open_rows = rawsql.execute(_open_tasks_sql(), (batch.id,)).fetchall()
    return Work(batch, slots, open_rows, total - still_open, total)


# Every scan reads the work: hand-written statements (server/rawsql.py), built once; peewee's
# query building cost more than running them (docs/performance.md, trap 5).
JOINED: tuple[type[peewee.Model], ...] = (PickTask, Location, Product, Stock)


@functools.cache
def _slots_sql() -> str:
    """The batch's orders with their totes, and (the same on every row) the batch's task
    counts for the progress: not cancelled, and still open."""
    bo, o, t, pt = (rawsql.table(m) for m in (BatchOrder, Order, Tote, PickTask))
    count = f"SELECT COUNT(*) FROM {pt} WHERE batch_id = ? AND status"  # evaluated once
    return (
        f"SELECT bo.id, bo.order_id, o.external_id, bo.tote_id, t.code, bo.status, "
        f"({count} <> '{TaskStatus.CANCELLED}'), ({count} = '{TaskStatus.OPEN}') "
        f"FROM {bo} bo JOIN {o} o ON o.id = bo.order_id LEFT JOIN {t} t ON t.id = bo.tote_id "
        f"WHERE bo.batch_id = ? ORDER BY bo.position"
    )


@functools.cache
def _current_sql() -> str:
    """The first assigned batch of an operator, each of its orders with its tote (none: one
    row with NULLs), and the batch's task counts (as `_slots_sql`)."""
    b, bo, o, t, pt = (rawsql.table(m) for m in (PickBatch, BatchOrder, Order, Tote, PickTask))
    first = f'SELECT "id" FROM {b} WHERE "operator" = ? AND "status" = ? ORDER BY "id" LIMIT 1'
    count = f"SELECT COUNT(*) FROM {pt} WHERE batch_id = (SELECT id FROM cur) AND status"
    return (
        f"WITH cur AS ({first}) "
        f"SELECT {rawsql.columns('b', PickBatch)}, "
        f"bo.id, bo.order_id, o.external_id, bo.tote_id, t.code, bo.status, "
        f"({count} <> '{TaskStatus.CANCELLED}'), ({count} = '{TaskStatus.OPEN}') "
        f"FROM {b} b LEFT JOIN {bo} bo ON bo.batch_id = b.id "
        f"LEFT JOIN {o} o ON o.id = bo.order_id LEFT JOIN {t} t ON t.id = bo.tote_id "
        f"WHERE b.id = (SELECT id FROM cur) ORDER BY bo.position"
    )


@functools.cache
def _open_tasks_sql() -> str:
    """The next few open tasks with their location, product and stock, in walk order.

    A scan moves at most one task on (confirm, skip; a short reloads the work), so the
    first LOOKAHEAD open tasks are all an input needs."""
    cols = [rawsql.columns(alias, model) for alias, model in zip("tlps", JOINED, strict=True)]
    pt, loc, prod, stock = (rawsql.table(m) for m in JOINED)
    return (
        f"SELECT {', '.join(cols)} FROM {pt} t "
        f"JOIN {loc} l ON l.id = t.location_id JOIN {prod} p ON p.id = t.product_id "
        f"JOIN {stock} s ON s.id = t.stock_id "
        f"WHERE t.batch_id = ? AND t.status = '{TaskStatus.OPEN}' ORDER BY t.seq "
        f"LIMIT {LOOKAHEAD}"
    )


def _hydrate(row: tuple[Any, ...]) -> PickTask:
    """A task with its location, product and stock from one joined row."""
    task, task.location, task.product, task.stock = rawsql.build_joined(JOINED, row)
    return task

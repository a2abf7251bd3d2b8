"""Picking: batches of orders, pick tasks, counts, put-backs and waves (totes:
server/models/totes.py).

A batch is the work of one picker (cluster picking: one tote per order). Pick tasks are
the walk: one per allocation (stock row), in `seq` order. Picked units live in tote items
until packing takes them; a cancelled order's tote goes back to stock by a put-back.
"""

from __future__ import annotations

from enum import StrEnum

import peewee

from server.models.base import BaseModel, utcnow
from server.models.catalog import Location, Product
from server.models.orders import Order, OrderLine
from server.models.stock import Stock
from server.models.totes import Tote

# Statuses as enums (StrEnum: each member is its stored string, so the database, the API and
# the events carry the same values as before).


class BatchStatus(StrEnum):
    OPEN = "open"  # waiting for a picker
    ASSIGNED = "assigned"  # a picker's
    DROPPED = "dropped"  # its totes at the pack zone


class SlotStatus(StrEnum):
    """Of an order in a batch (BatchOrder)."""

    ACTIVE = "active"
    CANCELLED = "cancelled"  # cancelled while picked: its tote waits for a put-back
    PUT_BACK = "put_back"  # its units back on a shelf (or nothing was picked)
    DROPPED = "dropped"  # its tote at the pack zone


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    SHORT = "short"
    CANCELLED = "cancelled"


class CountStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class WaveStatus(StrEnum):
    RELEASED = "released"  # its orders are pick work
    HELD = "held"  # its orders not yet picked wait, its batches not yet claimed too


class PutBackStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    WITHDRAWN = "withdrawn"  # not needed after all: the order was packed from its tote


class PickBatch(BaseModel):
    batch_id = peewee.CharField(max_length=40, unique=True)
    status = peewee.CharField(max_length=16, default=BatchStatus.OPEN, index=True)
    operator = peewee.CharField(max_length=64, null=True, index=True)  # badge
    drop_location = peewee.ForeignKeyField(Location, null=True, on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)


class BatchOrder(BaseModel):
    """One order of a batch and the tote it is picked into."""

    batch = peewee.ForeignKeyField(PickBatch, backref="orders", on_delete="CASCADE")
    order = peewee.ForeignKeyField(Order, on_delete="CASCADE")
    position = peewee.IntegerField()
    tote = peewee.ForeignKeyField(Tote, null=True, on_delete="SET NULL")
    status = peewee.CharField(max_length=16, default=SlotStatus.ACTIVE)

    class Meta:
        indexes = ((("batch", "position"), True), (("order", "status"), False))


class PickTask(BaseModel):
    """Pick `qty` of a line from one stock row; `seq` is the place in the walk."""

    batch = peewee.ForeignKeyField(PickBatch, backref="tasks", on_delete="CASCADE")
    batch_order = peewee.ForeignKeyField(BatchOrder, on_delete="CASCADE")
    line = peewee.ForeignKeyField(OrderLine, on_delete="CASCADE")
    stock = peewee.ForeignKeyField(Stock, on_delete="RESTRICT")
    location = peewee.ForeignKeyField(Location, on_delete="RESTRICT")
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    qty = peewee.IntegerField()
    picked = peewee.IntegerField(default=0)
    seq = peewee.IntegerField()
    status = peewee.CharField(max_length=16, default=TaskStatus.OPEN)
    short_reason = peewee.CharField(max_length=32, default="")

    class Meta:
        indexes = ((("batch", "status", "seq"), False),)


class CountTask(BaseModel):
    """Count a location again (after a short pick); done when a count is entered."""

    location = peewee.ForeignKeyField(Location, on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, on_delete="CASCADE")
    reason = peewee.CharField(max_length=200)
    status = peewee.CharField(max_length=16, default=CountStatus.OPEN, index=True)
    counted = peewee.IntegerField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    done_at = peewee.DateTimeField(null=True)


class PutBack(BaseModel):
    """A cancelled order's tote put back: its units return to stock at `location`."""

    tote = peewee.ForeignKeyField(Tote, on_delete="CASCADE")
    order = peewee.ForeignKeyField(Order, on_delete="CASCADE")
    location = peewee.ForeignKeyField(Location, null=True, on_delete="SET NULL")
    units = peewee.IntegerField(default=0)
    status = peewee.CharField(max_length=16, default=PutBackStatus.PENDING)
    created_at = peewee.DateTimeField(default=utcnow)
    done_at = peewee.DateTimeField(null=True)


class PickWave(BaseModel):
    """The orders a supervisor released for picking together (manual release), which a
    supervisor may hold and release again as one."""

    wave_id = peewee.CharField(max_length=40, unique=True)
    status = peewee.CharField(max_length=16, default=WaveStatus.RELEASED, index=True)
    released_by = peewee.CharField(max_length=128)
    released_at = peewee.DateTimeField(default=utcnow)
    held_by = peewee.CharField(max_length=128, null=True)
    held_at = peewee.DateTimeField(null=True)
    reason = peewee.CharField(max_length=500, default="")  # why it is held

    class Meta:
        table_name = "pick_wave"


class WaveOrder(BaseModel):
    """An order of a wave (an order is released in one wave at most)."""

    wave = peewee.ForeignKeyField(PickWave, backref="orders", on_delete="CASCADE")
    order = peewee.ForeignKeyField(Order, unique=True, on_delete="CASCADE")

    class Meta:
        table_name = "pick_wave_order"


WAVE_MODELS = [PickWave, WaveOrder]

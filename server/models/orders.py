"""Orders from the OMS, their lines, and the stock reserved for them."""

from __future__ import annotations

from enum import StrEnum

import peewee

from server.models.base import BaseModel, JSONField, utcnow
from server.models.catalog import Product
from server.models.stock import Stock


class OrderStatus(StrEnum):
    """An order's status, in order (docs/architecture.md, Names). StrEnum: each member is
    the string stored and shown in the API and the events."""

    ACCEPTED = "accepted"
    BACKORDERED = "backordered"  # accepted without all its stock
    PICKING = "picking"
    PICKED = "picked"
    SHORT_PICKED = "short_picked"
    PACKING = "packing"
    PACKED = "packed"
    DISPATCHED = "dispatched"
    CANCELLED = "cancelled"  # from any status before dispatched


ORDER_STATUSES: tuple[str, ...] = tuple(s.value for s in OrderStatus)
CLOSED_STATUSES = frozenset({OrderStatus.DISPATCHED, OrderStatus.CANCELLED})
OPEN_STATUSES: tuple[str, ...] = tuple(s.value for s in OrderStatus if s not in CLOSED_STATUSES)


class Order(BaseModel):
    external_id = peewee.CharField(max_length=64, unique=True)
    channel = peewee.CharField(max_length=32)
    priority = peewee.IntegerField(default=0)
    ship_by = peewee.DateTimeField(null=True)
    carrier = peewee.CharField(max_length=64, default="")
    service = peewee.CharField(max_length=64, default="")
    ship_to = JSONField(default=dict)
    status = peewee.CharField(max_length=16, index=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        # the open orders counted by status and channel from the index alone (the board)
        indexes = ((("status", "channel"), False),)


class OrderLine(BaseModel):
    order = peewee.ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    line_id = peewee.CharField(max_length=64)
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    qty = peewee.IntegerField(constraints=[peewee.Check("qty > 0")])
    allocated = peewee.IntegerField(default=0)
    picked = peewee.IntegerField(default=0)
    packed = peewee.IntegerField(default=0)
    shipped = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("order", "line_id"), True),)


class Allocation(BaseModel):
    """Units of one stock row reserved for one order line."""

    line = peewee.ForeignKeyField(OrderLine, backref="allocations", on_delete="CASCADE")
    stock = peewee.ForeignKeyField(Stock, backref="allocations", on_delete="RESTRICT")
    qty = peewee.IntegerField(constraints=[peewee.Check("qty > 0")])


class OrderHold(BaseModel):
    """An order a supervisor holds back from picking until it is released."""

    order = peewee.ForeignKeyField(Order, unique=True, on_delete="CASCADE")
    reason = peewee.CharField(max_length=500, default="")
    held_by = peewee.CharField(max_length=128)
    held_at = peewee.DateTimeField(default=utcnow)

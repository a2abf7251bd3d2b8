"""Totes: reusable containers, and what is in one for an order (picked units until
packing takes them). Shared by picking (fills them) and packing (empties them)."""

from __future__ import annotations

from enum import StrEnum

import peewee

from server.models.base import BaseModel, JSONField, utcnow
from server.models.catalog import Location, Product
from server.models.orders import Order, OrderLine


class ToteStatus(StrEnum):
    FREE = "free"
    IN_USE = "in_use"  # being filled by a picker
    READY = "ready"  # at the pack zone, for packing


class Tote(BaseModel):
    code = peewee.CharField(max_length=64, unique=True)
    status = peewee.CharField(max_length=16, default=ToteStatus.FREE, index=True)
    location = peewee.ForeignKeyField(Location, null=True, on_delete="SET NULL")
    updated_at = peewee.DateTimeField(default=utcnow)


class ToteItem(BaseModel):
    """Units picked into a tote for an order line: where packing finds them."""

    tote = peewee.ForeignKeyField(Tote, backref="items", on_delete="RESTRICT")
    order = peewee.ForeignKeyField(Order, on_delete="CASCADE")
    line = peewee.ForeignKeyField(OrderLine, on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    lot = peewee.CharField(max_length=64, default="")
    expiry = peewee.DateField(null=True)
    serials = JSONField(default=list)
    qty = peewee.IntegerField(constraints=[peewee.Check("qty > 0")])
    picked_at = peewee.DateTimeField(default=utcnow)

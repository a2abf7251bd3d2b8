"""Returns announced by the OMS (RMAs) against orders it sent us."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, utcnow
from server.models.catalog import Product
from server.models.orders import Order


class Rma(BaseModel):
    rma_id = peewee.CharField(max_length=64, unique=True)
    order = peewee.ForeignKeyField(Order, backref="rmas", on_delete="RESTRICT")
    status = peewee.CharField(max_length=16, default="registered")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)


class RmaLine(BaseModel):
    rma = peewee.ForeignKeyField(Rma, backref="lines", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    qty = peewee.IntegerField(constraints=[peewee.Check("qty > 0")])
    reason = peewee.CharField(max_length=200)
    received = peewee.IntegerField(default=0)

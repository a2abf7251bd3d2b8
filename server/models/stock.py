"""Stock: what is on hand at a location, per product and lot, and how much of it is promised."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, utcnow
from server.models.catalog import Location, Product


class Stock(BaseModel):
    product = peewee.ForeignKeyField(Product, backref="stock", on_delete="RESTRICT")
    location = peewee.ForeignKeyField(Location, backref="stock", on_delete="RESTRICT")
    lot = peewee.CharField(max_length=64, default="")
    expiry = peewee.DateField(null=True)
    on_hand = peewee.IntegerField(default=0, constraints=[peewee.Check("on_hand >= 0")])
    reserved = peewee.IntegerField(
        default=0, constraints=[peewee.Check("reserved >= 0"), peewee.Check("reserved <= on_hand")]
    )
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("product", "location", "lot"), True),)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

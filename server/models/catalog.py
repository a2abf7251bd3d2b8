"""The catalogue: products with their barcodes, and the locations of the site."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, utcnow

# refurbish, scrap and vendor: where returned units wait by disposition (docs/returns.md)
LOCATION_KINDS = (
    "pick", "bulk", "pack", "returns", "quarantine", "refurbish", "scrap", "vendor", "dock",
)  # fmt: skip


class Product(BaseModel):
    sku = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=200)
    weight_g = peewee.IntegerField(default=0)
    length_mm = peewee.IntegerField(default=0)
    width_mm = peewee.IntegerField(default=0)
    height_mm = peewee.IntegerField(default=0)
    lot_tracked = peewee.BooleanField(default=False)
    expiry_tracked = peewee.BooleanField(default=False)
    category = peewee.CharField(max_length=64, default="")  # chooses its grading tree (returns)
    updated_at = peewee.DateTimeField(default=utcnow)

    @property
    def dims_mm(self) -> list[int]:
        return [self.length_mm, self.width_mm, self.height_mm]

    @property
    def volume_mm3(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm


class ProductBarcode(BaseModel):
    """Any barcode of a product, as given and normalised (GTINs padded to 14 digits)."""

    product = peewee.ForeignKeyField(Product, backref="barcode_rows", on_delete="CASCADE")
    barcode = peewee.CharField(max_length=64)
    normalized = peewee.CharField(max_length=64, unique=True)


class Location(BaseModel):
    code = peewee.CharField(max_length=64, unique=True)
    barcode = peewee.CharField(max_length=64, null=True, unique=True)
    zone = peewee.CharField(max_length=32)
    kind = peewee.CharField(max_length=16)
    walk_sequence = peewee.IntegerField(default=0, index=True)
    updated_at = peewee.DateTimeField(default=utcnow)

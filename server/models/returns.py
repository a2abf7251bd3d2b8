"""Returns: RMAs announced by the OMS (or opened on the floor for a parcel without one),
the units received against them with their grading, and the grading trees."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, JSONField, utcnow
from server.models.catalog import Location, Product
from server.models.orders import Order

RMA_STATUSES = ("registered", "receiving", "closed")
UNIT_STATUSES = ("grading", "graded", "put_away")


class Rma(BaseModel):
    rma_id = peewee.CharField(max_length=64, unique=True)
    order = peewee.ForeignKeyField(Order, backref="rmas", on_delete="RESTRICT")
    status = peewee.CharField(max_length=16, default="registered")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    # opened on the floor for a parcel that came without an RMA (docs/returns.md)
    unannounced = peewee.BooleanField(default=False)
    closed_at = peewee.DateTimeField(null=True)
    closed_by = peewee.CharField(max_length=128, null=True)
    missing = JSONField(null=True)  # [{sku, qty}] when closed with units missing


class RmaLine(BaseModel):
    rma = peewee.ForeignKeyField(Rma, backref="lines", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    qty = peewee.IntegerField(constraints=[peewee.Check("qty > 0")])
    reason = peewee.CharField(max_length=200)
    received = peewee.IntegerField(default=0)


class ReturnUnit(BaseModel):
    """One unit received at a returns station: what it is, how it was graded, where it went."""

    rma = peewee.ForeignKeyField(Rma, backref="units", on_delete="CASCADE")
    seq = peewee.IntegerField()  # n of the RMA's units
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    line = peewee.ForeignKeyField(RmaLine, null=True, on_delete="SET NULL")  # None: unexpected
    lot = peewee.CharField(max_length=64, null=True)
    expiry = peewee.DateField(null=True)
    serial = peewee.CharField(max_length=64, null=True)
    flags = JSONField(default=list)  # ["unexpected", "serial_not_shipped", "lot_not_shipped"]
    status = peewee.CharField(max_length=16, default="grading", index=True)
    tree = peewee.CharField(max_length=64, null=True)  # the grading tree used
    answers = JSONField(default=list)  # [{question, answer}] in the order asked
    grade = peewee.CharField(max_length=32, null=True)
    disposition = peewee.CharField(max_length=32, null=True)
    # why the disposition is not the grading's (a serial never shipped, expired, ...)
    note = peewee.CharField(max_length=200, null=True)
    target = peewee.ForeignKeyField(Location, null=True, on_delete="RESTRICT", backref="+")
    location = peewee.ForeignKeyField(Location, null=True, on_delete="RESTRICT", backref="+")
    station = peewee.CharField(max_length=64, null=True)
    received_by = peewee.CharField(max_length=64)  # badge
    received_at = peewee.DateTimeField(default=utcnow, index=True)
    put_away_at = peewee.DateTimeField(null=True)
    dwell_raised = peewee.BooleanField(default=False)

    class Meta:
        table_name = "return_unit"
        indexes = ((("rma", "seq"), True),)


class GradingTree(BaseModel):
    """One grading tree (PUT /api/v1/returns/grading): the product categories it grades
    and its questions, as validated JSON (server/returns/grading.py)."""

    tree_id = peewee.CharField(max_length=64, unique=True)
    position = peewee.IntegerField()
    categories = JSONField(default=list)  # [] with `default`: every other category
    is_default = peewee.BooleanField(default=False)
    root = JSONField()

    class Meta:
        table_name = "grading_tree"


RETURNS_MODELS = [ReturnUnit, GradingTree]

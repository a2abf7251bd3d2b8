"""Packing: the box catalogue, carrier rules, an order on a pack station (a pack job), its
packages (SSCC-18, box, weights, carrier) and what is in each, the SSCC serial allocator,
and the label print jobs retried outside the transaction."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, JSONField, utcnow
from server.models.catalog import Product
from server.models.orders import Order, OrderLine
from server.models.totes import Tote

JOB_STATUSES = ("open", "done", "short", "cancelled")
PACKAGE_STATUSES = ("open", "closed", "weighed", "labelled", "confirmed", "packed", "voided")
PRINT_STATUSES = ("pending", "sending", "printed", "failed")  # sending: claimed by a process


class Box(BaseModel):
    """A box size of the catalogue (PUT /api/v1/boxes): inner dimensions, tare, max load."""

    code = peewee.CharField(max_length=64, unique=True)
    barcode = peewee.CharField(max_length=64, null=True, unique=True)
    inner_l_mm = peewee.IntegerField()
    inner_w_mm = peewee.IntegerField()
    inner_h_mm = peewee.IntegerField()
    tare_g = peewee.IntegerField()
    max_load_g = peewee.IntegerField()
    active = peewee.BooleanField(default=True)
    updated_at = peewee.DateTimeField(default=utcnow)


class CarrierRule(BaseModel):
    """One carrier rule (PUT /api/v1/carrier-rules); the first match by `position` wins."""

    rule_id = peewee.CharField(max_length=64, unique=True)
    position = peewee.IntegerField(index=True)
    carrier = peewee.CharField(max_length=64)
    service = peewee.CharField(max_length=64)
    conditions = JSONField(default=dict)


class PackJob(BaseModel):
    """An order being packed by a packer, at a station (or a bench: station None)."""

    order = peewee.ForeignKeyField(Order, on_delete="RESTRICT")
    tote = peewee.ForeignKeyField(Tote, null=True, on_delete="SET NULL")
    station = peewee.CharField(max_length=64, null=True)
    packer = peewee.CharField(max_length=64)  # badge
    status = peewee.CharField(max_length=16, default="open", index=True)
    plan = JSONField(default=list)  # the suggested boxes: [{"box", "units": [sku...]}]
    started_at = peewee.DateTimeField(default=utcnow)
    done_at = peewee.DateTimeField(null=True)


class Package(BaseModel):
    """One package of an order: its box, weights, carrier, and its SSCC once labelled."""

    job = peewee.ForeignKeyField(PackJob, backref="packages", on_delete="CASCADE")
    order = peewee.ForeignKeyField(Order, on_delete="RESTRICT")
    seq = peewee.IntegerField()  # n of the order's packages
    box = peewee.CharField(max_length=64)
    dims_mm = JSONField(default=list)  # the box's [l, w, h] (inner: the catalogue has no outer)
    status = peewee.CharField(max_length=16, default="open", index=True)
    expected_weight_g = peewee.IntegerField(null=True)
    measured_weight_g = peewee.IntegerField(null=True)
    weight_source = peewee.CharField(max_length=16, null=True)  # scale | manual | override
    weight_device = peewee.CharField(max_length=64, null=True)
    override = JSONField(null=True)  # {"by", "reason", "at"} when a supervisor approved
    sscc = peewee.CharField(max_length=18, null=True, unique=True)
    carrier = peewee.CharField(max_length=64, null=True)
    service = peewee.CharField(max_length=64, null=True)
    carrier_rule = peewee.CharField(max_length=64, null=True)  # "oms" or the rule id
    tracking = peewee.CharField(max_length=64, null=True)
    flagged = peewee.CharField(max_length=200, null=True)  # why dispatch must refuse it
    created_at = peewee.DateTimeField(default=utcnow)
    packed_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("order", "seq"), True),)


class PackageItem(BaseModel):
    """Units verified into a package, with their lot and serials (from the tote)."""

    package = peewee.ForeignKeyField(Package, backref="items", on_delete="CASCADE")
    line = peewee.ForeignKeyField(OrderLine, on_delete="RESTRICT")
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    lot = peewee.CharField(max_length=64, null=True)
    expiry = peewee.DateField(null=True)
    serials = JSONField(default=list)
    qty = peewee.IntegerField(constraints=[peewee.Check("qty > 0")])
    # the tote item the units came from, while the order is being packed (the tote is
    # emptied when the order is packed)
    tote_item = peewee.IntegerField(null=True)


class SsccSerial(BaseModel):
    """The next serial reference of a GS1 company prefix: taken under the row's lock, so an
    SSCC is never issued twice, across restarts and across server processes."""

    prefix = peewee.CharField(max_length=12, primary_key=True)  # extension + company prefix
    next_serial = peewee.BigIntegerField(default=1)

    class Meta:
        table_name = "sscc_serial"


class PrintJob(BaseModel):
    """A label to send to a printer, after commit, retried until printed or given up."""

    package = peewee.ForeignKeyField(Package, on_delete="CASCADE")
    printer = peewee.CharField(max_length=64)
    status = peewee.CharField(max_length=16, default="pending", index=True)
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.CharField(max_length=300, null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    printed_at = peewee.DateTimeField(null=True)
    claimed_at = peewee.DateTimeField(null=True)  # while `sending`: when a process took it

    class Meta:
        table_name = "print_job"


PACKING_MODELS = [Box, CarrierRule, PackJob, Package, PackageItem, SsccSerial, PrintJob]

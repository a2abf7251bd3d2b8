"""Dispatch: a carrier's pickup at a dock (a manifest), the packages loaded onto it, and the
split shipments a supervisor approved (docs/dispatch.md)."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, utcnow
from server.models.catalog import Location
from server.models.orders import Order
from server.models.packing import Package

MANIFEST_STATUSES = ("open", "closed", "cancelled")
ANY_SERVICE = ""  # stored for a manifest that takes every service of its carrier


class Manifest(BaseModel):
    """One carrier's pickup at one dock: what is loaded, then closed with the seal."""

    manifest_id = peewee.CharField(max_length=40, unique=True)
    carrier = peewee.CharField(max_length=64)
    service = peewee.CharField(max_length=64, default=ANY_SERVICE)  # "" = any service
    dock = peewee.ForeignKeyField(Location, on_delete="RESTRICT", index=True)
    trailer = peewee.CharField(max_length=64, null=True)  # trailer or vehicle id
    planned_pickup_at = peewee.DateTimeField(null=True)
    reference = peewee.CharField(max_length=64, null=True)  # the OMS's own id, if it gave one
    status = peewee.CharField(max_length=16, default="open", index=True)
    seal = peewee.CharField(max_length=64, null=True)
    created_by = peewee.CharField(max_length=128)
    created_at = peewee.DateTimeField(default=utcnow)
    closed_by = peewee.CharField(max_length=128, null=True)
    closed_at = peewee.DateTimeField(null=True, index=True)
    note = peewee.CharField(max_length=500, null=True)  # why it was cancelled


class ManifestPackage(BaseModel):
    """A package loaded onto a manifest (removed again by an unload). A package is on one
    manifest at most; after the close the row stays as the record of what left."""

    manifest = peewee.ForeignKeyField(Manifest, backref="loads", on_delete="CASCADE")
    package = peewee.ForeignKeyField(Package, unique=True, on_delete="RESTRICT")
    order = peewee.ForeignKeyField(Order, on_delete="RESTRICT", index=True)
    loaded_at = peewee.DateTimeField(default=utcnow, index=True)
    loaded_by = peewee.CharField(max_length=128)

    class Meta:
        table_name = "manifest_package"


class SplitApproval(BaseModel):
    """A supervisor let an order leave on this manifest without all its packages."""

    manifest = peewee.ForeignKeyField(Manifest, backref="splits", on_delete="CASCADE")
    order = peewee.ForeignKeyField(Order, on_delete="RESTRICT")
    approved_by = peewee.CharField(max_length=128)
    reason = peewee.CharField(max_length=500)
    approved_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "split_approval"
        indexes = ((("manifest", "order"), True),)


DISPATCH_MODELS = [Manifest, ManifestPackage, SplitApproval]

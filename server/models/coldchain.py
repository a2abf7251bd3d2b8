"""Cold chain: what each probe was last seen doing (bookkeeping of the watcher), its
readings downsampled into buckets (the audit's time series), and holds on the stock of a
location (not allocated, not picked) until a supervisor releases it or moves it away."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, utcnow
from server.models.catalog import Location


class ProbeStatus(BaseModel):
    probe_id = peewee.CharField(max_length=64, primary_key=True)
    location = peewee.CharField(max_length=64, default="")
    last_celsius = peewee.FloatField(null=True)
    last_reading_at = peewee.DateTimeField(null=True)
    out_since = peewee.DateTimeField(null=True)  # first reading out of range, in a row
    excursion = peewee.CharField(max_length=40, null=True)  # the open exception's id
    stale = peewee.CharField(max_length=40, null=True)  # the open exception's id

    class Meta:
        table_name = "probe_status"


class ProbeReading(BaseModel):
    """The readings of one probe in one bucket of `coldchain.bucket_s` seconds."""

    probe_id = peewee.CharField(max_length=64)
    bucket = peewee.DateTimeField()
    n = peewee.IntegerField(default=0)
    min_c = peewee.FloatField()
    max_c = peewee.FloatField()
    sum_c = peewee.FloatField()

    class Meta:
        table_name = "probe_reading"
        indexes = ((("probe_id", "bucket"), True),)


class StockHold(BaseModel):
    """The stock of a location held: an excursion at its probe. Released (or moved to
    quarantine) by a supervisor, with a reason; the row stays for the audit."""

    location = peewee.ForeignKeyField(Location, on_delete="CASCADE")
    reason = peewee.CharField(max_length=500)
    exception_id = peewee.CharField(max_length=40, null=True)
    held_by = peewee.CharField(max_length=128)
    held_at = peewee.DateTimeField(default=utcnow)
    released_at = peewee.DateTimeField(null=True, index=True)
    released_by = peewee.CharField(max_length=128, null=True)
    release_reason = peewee.CharField(max_length=500, default="")

    class Meta:
        table_name = "stock_hold"
        indexes = ((("location", "released_at"), False),)


COLDCHAIN_MODELS = [ProbeStatus, ProbeReading, StockHold]

"""The device registry: what the server knows of every MQTT device and bridge, and the
device events it has already taken in (de-duplication on `event_id`).

Sensor readings are state, not history: one row per device, updated in place (coalesced
per ingest batch), never a row per reading.
"""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, JSONField, utcnow


class HardwareDevice(BaseModel):
    """A device or bridge heard on the broker. Assignment (station, location) is config.

    `kind` is what its messages showed (scale, door, probe, scanner, ...); `availability`
    the last retained availability (or bridge status) it published, None if it never did.
    """

    id = peewee.CharField(max_length=64, primary_key=True)
    kind = peewee.CharField(max_length=32, default="")
    bridge_id = peewee.CharField(max_length=64, null=True)
    availability = peewee.CharField(max_length=16, null=True)
    session = peewee.CharField(max_length=64, null=True)
    state = JSONField(null=True)
    state_at = peewee.DateTimeField(null=True)
    last_event = JSONField(null=True)
    last_command = JSONField(null=True)
    first_seen = peewee.DateTimeField(default=utcnow)
    last_seen = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "hardware_device"


class HardwareInput(BaseModel):
    """A device event already taken in: a redelivery of the same `event_id` is skipped."""

    event_id = peewee.CharField(max_length=200, primary_key=True)
    received_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "hardware_input"

"""The event log (audit trail and webhook outbox in one) and remembered inputs."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, JSONField, utcnow


class Event(BaseModel):
    """One fact that happened, in commit order (`position`) and per-subject order (`seq`)."""

    position = peewee.AutoField()
    event_id = peewee.CharField(max_length=40, unique=True)
    type = peewee.CharField(max_length=64, index=True)
    subject = peewee.CharField(max_length=128)
    seq = peewee.IntegerField()
    occurred_at = peewee.DateTimeField(default=utcnow)
    actor = peewee.CharField(max_length=128)
    data = JSONField()

    class Meta:
        indexes = ((("subject", "seq"), True),)


class EventHead(BaseModel):
    """A single row locked by every transaction that appends events (PostgreSQL).

    Holding it until commit makes event positions follow commit order, so a reader of the
    feed never skips an event that committed after a later-numbered one.
    """

    id = peewee.IntegerField(primary_key=True)


class ProcessedInput(BaseModel):
    """An input (floor input id, MQTT event id, idempotency key) and the result it produced."""

    key = peewee.CharField(max_length=200, primary_key=True)
    fingerprint = peewee.CharField(max_length=64, default="")
    result = JSONField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

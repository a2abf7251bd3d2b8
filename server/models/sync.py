"""Webhook endpoints, their deliveries (the relay's bookkeeping) and supervisor exceptions."""

from __future__ import annotations

from enum import StrEnum

import peewee

from server.models.base import BaseModel, JSONField, utcnow

# Statuses as StrEnums: each member is the string stored and shown.


class EndpointStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # events queue until resumed (an admin, or a 410 Gone)
    DISABLED = "disabled"  # no new deliveries are made for it


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # dead-lettered after the last attempt; replay sends it again


class ExceptionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class WebhookEndpoint(BaseModel):
    """An OMS URL that receives signed events of the types it asked for.

    The secret is stored as issued (the relay must sign with it) and never returned after
    creation or rotation; `previous_secret` still signs until `previous_expires_at`.
    `fanout_position` is the last event position already turned into deliveries.
    """

    endpoint_id = peewee.CharField(max_length=40, unique=True)
    url = peewee.CharField(max_length=2000)
    description = peewee.CharField(max_length=500, default="")
    event_types = JSONField()
    secret = peewee.CharField(max_length=100)
    previous_secret = peewee.CharField(max_length=100, null=True)
    previous_expires_at = peewee.DateTimeField(null=True)
    status = peewee.CharField(max_length=16, default=EndpointStatus.ACTIVE)
    status_reason = peewee.CharField(max_length=500, default="")
    fanout_position = peewee.BigIntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)


# The index of what is due (server/sync/outbox.py reads only that), by peewee's naming.
DUE_INDEX = "webhook_delivery_status_next_attempt_at"


class WebhookDelivery(BaseModel):
    """One event owed to one endpoint. `next_attempt_at` doubles as the claim lease."""

    endpoint = peewee.ForeignKeyField(WebhookEndpoint, on_delete="CASCADE")
    event_position = peewee.BigIntegerField()
    subject = peewee.CharField(max_length=128)
    status = peewee.CharField(max_length=16, default=DeliveryStatus.PENDING)
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.DateTimeField(default=utcnow)
    last_status = peewee.IntegerField(null=True)
    last_error = peewee.CharField(max_length=500, default="")
    delivered_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("endpoint", "event_position"), True),
            (("status", "event_position"), False),
            (("endpoint", "subject", "status", "event_position"), False),
            # what is due: the relay's claims (server/sync/waiting.py, WAITING), m0013
            (("status", "next_attempt_at"), False),
        )


class SupervisorException(BaseModel):
    """Something a supervisor must look at: a dead-lettered webhook, a short pick..."""

    exception_id = peewee.CharField(max_length=40, unique=True)
    kind = peewee.CharField(max_length=64, index=True)
    subject = peewee.CharField(max_length=128)
    message = peewee.CharField(max_length=1000)
    data = JSONField()
    status = peewee.CharField(max_length=16, default=ExceptionStatus.OPEN, index=True)
    raised_at = peewee.DateTimeField(default=utcnow)
    resolved_at = peewee.DateTimeField(null=True)
    resolved_by = peewee.CharField(max_length=128, null=True)
    resolution = peewee.CharField(max_length=1000, default="")

"""Webhook endpoints managed by admins: commands for the spine, each with its event.

The secret (`whsec_...`) is returned once, by create and rotate; events never carry it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import peewee

from server.db import for_update
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.ids import new_id
from server.models import Event, WebhookDelivery, WebhookEndpoint, isoformat, utcnow
from server.models.sync import DeliveryStatus, EndpointStatus
from server.spine import Handlers, Unit
from server.sync import filters, signing
from server.sync.events import (
    EndpointCreated,
    EndpointDeleted,
    EndpointDisabled,
    EndpointEnabled,
    EndpointEvent,
    EndpointPaused,
    EndpointResumed,
    EndpointSecretRotated,
    EndpointUpdated,
    WebhookTest,
)
from server.sync.outbox import WAITING
from server.writes import exempt

HANDLERS = Handlers()

ROTATION_GRACE = dt.timedelta(hours=24)
exempt("webhook_delivery")  # the relay's bookkeeping, not a state change of the floor


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "give an absolute http:// or https:// URL"
    return None


def types_problem(event_types: list[str]) -> str | None:
    if not event_types:
        return "give at least one event type (e.g. order.* or *)"
    bad = [t for t in event_types if not filters.valid_pattern(t)]
    return f"not an event type or pattern: {', '.join(bad)}" if bad else None


def endpoint_view(row: WebhookEndpoint) -> dict[str, Any]:
    rotating = row.previous_secret is not None and row.previous_expires_at is not None
    return {
        "id": row.endpoint_id,
        "url": row.url,
        "description": row.description,
        "events": row.event_types,
        "status": row.status,
        "status_reason": row.status_reason,
        "previous_secret_expires_at": isoformat(row.previous_expires_at) if rotating else None,
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
    }


def locked(endpoint_id: str) -> WebhookEndpoint:
    query = WebhookEndpoint.select().where(WebhookEndpoint.endpoint_id == endpoint_id)
    row = for_update(query).first()
    if row is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return row


def _check(url: str | None, event_types: list[str] | None) -> None:
    errors = []
    if url is not None and (problem := url_problem(url)):
        errors.append(field_error("url", problem))
    if event_types is not None and (problem := types_problem(event_types)):
        errors.append(field_error("events", problem))
    if errors:
        raise InvalidInput("the webhook endpoint is not valid", errors)


def _changed(row: WebhookEndpoint, unit: Unit, event: type[EndpointEvent]) -> dict[str, Any]:
    row.updated_at = utcnow()
    row.save()
    view = endpoint_view(row)
    unit.record(event(view))
    return view


@dataclass(frozen=True)
class CreateEndpoint:
    url: str
    event_types: list[str]
    description: str = ""


@HANDLERS.handles(CreateEndpoint)
def create_endpoint(cmd: CreateEndpoint, unit: Unit) -> dict[str, Any]:
    _check(cmd.url, cmd.event_types)
    top = Event.select(peewee.fn.MAX(Event.position)).scalar() or 0
    secret = signing.new_secret()
    row = WebhookEndpoint.create(
        endpoint_id=new_id("we"),
        url=cmd.url,
        description=cmd.description,
        event_types=list(cmd.event_types),
        secret=secret,
        fanout_position=top,
    )
    view = endpoint_view(row)
    unit.record(EndpointCreated(view))
    return {**view, "secret": secret}


@dataclass(frozen=True)
class UpdateEndpoint:
    endpoint_id: str
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None


@HANDLERS.handles(UpdateEndpoint)
def update_endpoint(cmd: UpdateEndpoint, unit: Unit) -> dict[str, Any]:
    _check(cmd.url, cmd.event_types)
    row = locked(cmd.endpoint_id)
    if cmd.url is not None:
        row.url = cmd.url
    if cmd.event_types is not None:
        row.event_types = list(cmd.event_types)
    if cmd.description is not None:
        row.description = cmd.description
    return _changed(row, unit, EndpointUpdated)


@dataclass(frozen=True)
class DeleteEndpoint:
    endpoint_id: str


@HANDLERS.handles(DeleteEndpoint)
def delete_endpoint(cmd: DeleteEndpoint, unit: Unit) -> dict[str, Any]:
    row = locked(cmd.endpoint_id)
    view = endpoint_view(row)
    WebhookDelivery.delete().where(WebhookDelivery.endpoint == row.id).execute()
    row.delete_instance()
    unit.record(EndpointDeleted(view))
    return view


@dataclass(frozen=True)
class RotateSecret:
    endpoint_id: str


@HANDLERS.handles(RotateSecret)
def rotate_secret(cmd: RotateSecret, unit: Unit) -> dict[str, Any]:
    row = locked(cmd.endpoint_id)
    secret = signing.new_secret()
    row.previous_secret, row.secret = row.secret, secret
    row.previous_expires_at = utcnow() + ROTATION_GRACE
    return {**_changed(row, unit, EndpointSecretRotated), "secret": secret}


TRANSITIONS = {
    "pause": EndpointStatus.PAUSED,
    "resume": EndpointStatus.ACTIVE,
    "disable": EndpointStatus.DISABLED,
    "enable": EndpointStatus.ACTIVE,
}
EVENT_OF: dict[str, type[EndpointEvent]] = {
    "pause": EndpointPaused,
    "resume": EndpointResumed,
    "disable": EndpointDisabled,
    "enable": EndpointEnabled,
}


@dataclass(frozen=True)
class SetEndpointStatus:
    endpoint_id: str
    action: str  # pause | resume | disable | enable
    reason: str = ""


@HANDLERS.handles(SetEndpointStatus)
def set_endpoint_status(cmd: SetEndpointStatus, unit: Unit) -> dict[str, Any]:
    status = TRANSITIONS.get(cmd.action)
    if status is None:
        raise InvalidInput(f"unknown action {cmd.action}", [field_error("action", "unknown")])
    row = locked(cmd.endpoint_id)
    if row.status == status:
        raise Conflict(f"webhook endpoint {cmd.endpoint_id} is already {status}")
    row.status, row.status_reason = status, cmd.reason[:500]
    if status == EndpointStatus.ACTIVE:
        # What waited while paused goes now, in order; nothing was dropped. (Deliveries
        # behind their subject's head stay WAITING: they go in its chain.)
        WebhookDelivery.update(next_attempt_at=utcnow()).where(
            WebhookDelivery.endpoint == row.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at != WAITING,
        ).execute()
    return _changed(row, unit, EVENT_OF[cmd.action])


@dataclass(frozen=True)
class SendTestEvent:
    endpoint_id: str


@HANDLERS.handles(SendTestEvent)
def send_test_event(cmd: SendTestEvent, unit: Unit) -> dict[str, Any]:
    row = locked(cmd.endpoint_id)
    unit.record(WebhookTest(row.endpoint_id))
    return endpoint_view(row)

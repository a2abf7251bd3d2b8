"""/api/v1/webhook-endpoints: admins manage where events go (secrets shown once)."""

from __future__ import annotations

from typing import Annotated, Any

from flask import Blueprint
from pydantic import BaseModel, Field, StringConstraints

from server.api.catalog import api_actor
from server.api.routing import operation
from server.errors import InvalidInput, NotFound, field_error
from server.models import WebhookEndpoint, naive_utc
from server.operations import CODE_PATTERN, Strict, Timestamp
from server.operations import text as _text
from server.runtime import runtime
from server.spine import Actor
from server.sync.endpoints import (
    CreateEndpoint,
    DeleteEndpoint,
    RotateSecret,
    SendTestEvent,
    SetEndpointStatus,
    UpdateEndpoint,
    endpoint_view,
)
from server.sync.replay import ReplayEvents

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1")
TAG = "webhooks"

Url = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=CODE_PATTERN)]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CODE_PATTERN)]


class EndpointIn(Strict):
    url: Url
    events: list[EventType] = Field(min_length=1, max_length=100)
    description: Annotated[str, _text(500)] = ""


class EndpointPatch(Strict):
    url: Url | None = None
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=100)
    description: Annotated[str, _text(500)] | None = None


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str
    events: list[str]
    status: str
    status_reason: str
    previous_secret_expires_at: str | None
    created_at: str
    updated_at: str


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="whsec_...: shown once, store it now")


class EndpointList(BaseModel):
    data: list[EndpointOut]


class ReplayIn(Strict):
    event_id: Annotated[str, StringConstraints(max_length=40, pattern=CODE_PATTERN)] | None = None
    since: Timestamp | None = None
    until: Timestamp | None = None


class ReplayOut(BaseModel):
    endpoint_id: str
    event_id: str | None
    since: str | None
    until: str | None
    replayed: int


def _run(command: Any) -> Any:
    actor: Actor = api_actor()
    return runtime().spine.execute(command, actor).result


def _endpoint_op(rule: str, method: str, summary: str, out: type[BaseModel], **kw: Any) -> Any:
    return operation(
        bp,
        "/webhook-endpoints" + rule,
        method,
        access="admin",
        tag=TAG,
        summary=summary,
        responses={200: ("The webhook endpoint", out)},
        **kw,
    )


@operation(
    bp,
    "/webhook-endpoints",
    "POST",
    access="admin",
    tag=TAG,
    body=EndpointIn,
    summary="Create a webhook endpoint; its secret is in this response only",
    responses={201: ("The endpoint with its secret", EndpointWithSecret)},
)
def create_endpoint(body: EndpointIn) -> Any:
    return _run(CreateEndpoint(body.url, list(body.events), body.description)), 201


@_endpoint_op("", "GET", "Every webhook endpoint (never their secrets)", EndpointList)
def list_endpoints() -> Any:
    rows = WebhookEndpoint.select().order_by(WebhookEndpoint.id)
    return {"data": [endpoint_view(r) for r in rows]}


@_endpoint_op("/<endpoint_id>", "GET", "One webhook endpoint", EndpointOut)
def get_endpoint(endpoint_id: str) -> Any:
    row = WebhookEndpoint.get_or_none(WebhookEndpoint.endpoint_id == endpoint_id)
    if row is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return endpoint_view(row)


@_endpoint_op(
    "/<endpoint_id>", "PATCH", "Change URL, events or description", EndpointOut, body=EndpointPatch
)
def update_endpoint(endpoint_id: str, body: EndpointPatch) -> Any:
    events = list(body.events) if body.events is not None else None
    return _run(UpdateEndpoint(endpoint_id, body.url, events, body.description))


@_endpoint_op("/<endpoint_id>", "DELETE", "Delete an endpoint and what it still owed", EndpointOut)
def delete_endpoint(endpoint_id: str) -> Any:
    return _run(DeleteEndpoint(endpoint_id))


@_endpoint_op(
    "/<endpoint_id>/rotate",
    "POST",
    "New secret (shown once); the previous one also signs for 24 h",
    EndpointWithSecret,
)
def rotate(endpoint_id: str) -> Any:
    return _run(RotateSecret(endpoint_id))


@_endpoint_op("/<endpoint_id>/pause", "POST", "Hold deliveries (nothing dropped)", EndpointOut)
def pause(endpoint_id: str) -> Any:
    return _run(SetEndpointStatus(endpoint_id, "pause", "paused by an admin"))


@_endpoint_op("/<endpoint_id>/resume", "POST", "Deliver again, in order", EndpointOut)
def resume(endpoint_id: str) -> Any:
    return _run(SetEndpointStatus(endpoint_id, "resume"))


@_endpoint_op("/<endpoint_id>/test", "POST", "Send a webhook.test event to it only", EndpointOut)
def send_test(endpoint_id: str) -> Any:
    return _run(SendTestEvent(endpoint_id))


@_endpoint_op(
    "/<endpoint_id>/replay",
    "POST",
    "Send one event (event_id) or a time range (since, until) again, same webhook-id",
    ReplayOut,
    body=ReplayIn,
)
def replay(endpoint_id: str, body: ReplayIn) -> Any:
    if (body.event_id is None) == (body.since is None):
        raise InvalidInput(
            "give either event_id or since (and optionally until)",
            [field_error("event_id", "give event_id or since")],
        )
    return _run(
        ReplayEvents(endpoint_id, body.event_id, naive_utc(body.since), naive_utc(body.until))
    )

"""Webhook endpoints (scope admin), served by the API under /api/v1/webhook-endpoints and by
`floorlink webhook ...`: where events go, their secrets (shown once), pauses and replays
(docs/webhooks.md, "Endpoints")."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from server.errors import InvalidInput, NotFound, field_error
from server.models import WebhookDelivery, WebhookEndpoint, naive_utc
from server.models.sync import DeliveryStatus
from server.operations import (
    CODE_PATTERN,
    Call,
    Cli,
    CliGroup,
    Operation,
    Opt,
    Printed,
    Strict,
    Timestamp,
    text,
)
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

TAG = "webhooks"
WEBHOOK = CliGroup("webhook", "Webhook endpoints of the OMS (secrets shown once).")
PATH = "/webhook-endpoints"

Url = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=CODE_PATTERN)]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CODE_PATTERN)]


class EndpointIn(Strict):
    url: Url
    events: list[EventType] = Field(min_length=1, max_length=100)
    description: Annotated[str, text(500)] = ""


class EndpointPatch(Strict):
    url: Url | None = None
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=100)
    description: Annotated[str, text(500)] | None = None


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


def _endpoints(call: Call) -> dict[str, Any]:
    rows = WebhookEndpoint.select().order_by(WebhookEndpoint.id)
    return {"data": [endpoint_view(r) for r in rows]}


def _endpoints_owing(call: Call) -> dict[str, Any]:
    """The CLI's list: every endpoint with how many deliveries it still owes."""
    data = []
    for row in WebhookEndpoint.select().order_by(WebhookEndpoint.id):
        owed = (
            WebhookDelivery.select()
            .where(
                WebhookDelivery.endpoint == row.id,
                WebhookDelivery.status != DeliveryStatus.DELIVERED,
            )
            .count()
        )
        data.append({**endpoint_view(row), "owed": owed})
    return {"data": data}


def _endpoint_table(call: Call, result: dict[str, Any]) -> str:
    return "\n".join(
        f"{e['id']}\t{e['status']}\t{','.join(e['events'])}\t{e['owed']} owed\t{e['url']}"
        for e in result["data"]
    )


def _endpoint(call: Call) -> dict[str, Any]:
    row = WebhookEndpoint.get_or_none(WebhookEndpoint.endpoint_id == call.endpoint_id)
    if row is None:
        raise NotFound(f"no webhook endpoint {call.endpoint_id}")
    return endpoint_view(row)


def _update(call: Call) -> UpdateEndpoint:
    body: EndpointPatch = call.body
    events = list(body.events) if body.events is not None else None
    return UpdateEndpoint(call.endpoint_id, body.url, events, body.description)


def _replay(call: Call) -> ReplayEvents:
    body: ReplayIn = call.body
    if (body.event_id is None) == (body.since is None):
        raise InvalidInput(
            "give either event_id or since (and optionally until)",
            [field_error("event_id", "give event_id or since")],
        )
    return ReplayEvents(
        call.endpoint_id, body.event_id, naive_utc(body.since), naive_utc(body.until)
    )


def status_line(call: Call, result: dict[str, Any]) -> str:
    return f"{result['id']} is {result['status']}"


def _op(method: str, rule: str, summary: str, out: type[BaseModel], **kw: Any) -> Operation:
    return Operation(
        method, PATH + rule, summary, TAG, "admin", response=("The webhook endpoint", out), **kw
    )


OPERATIONS = (
    Operation(
        "POST",
        PATH,
        "Create a webhook endpoint; its secret is in this response only",
        TAG,
        "admin",
        command=lambda c: CreateEndpoint(c.body.url, list(c.body.events), c.body.description),
        body=EndpointIn,
        response=("The endpoint with its secret", EndpointWithSecret),
        status=201,
        cli=Cli(
            WEBHOOK,
            "add",
            "Add an endpoint and print its secret once.",
            args=("url",),
            opts={"events": Opt(comma=True, help="Comma list, wildcards: order.*,return.*")},
            render=lambda c, r: Printed(
                r["secret"],
                f"(endpoint {r['id']}: store the secret now, it is not shown again)",
            ),
        ),
    ),
    _op(
        "GET",
        "",
        "Every webhook endpoint (never their secrets)",
        EndpointList,
        read=_endpoints,
        cli=Cli(
            WEBHOOK,
            "list",
            "Endpoints with their status and what they still owe.",
            read=_endpoints_owing,
            render=_endpoint_table,
        ),
    ),
    _op("GET", "/<endpoint_id>", "One webhook endpoint", EndpointOut, read=_endpoint),
    _op(
        "PATCH",
        "/<endpoint_id>",
        "Change URL, events or description",
        EndpointOut,
        command=_update,
        body=EndpointPatch,
    ),
    _op(
        "DELETE",
        "/<endpoint_id>",
        "Delete an endpoint and what it still owed",
        EndpointOut,
        command=lambda c: DeleteEndpoint(c.endpoint_id),
    ),
    _op(
        "POST",
        "/<endpoint_id>/rotate",
        "New secret (shown once); the previous one also signs for 24 h",
        EndpointWithSecret,
        command=lambda c: RotateSecret(c.endpoint_id),
        cli=Cli(
            WEBHOOK,
            "rotate-secret",
            "New secret, printed once; the previous one also signs for 24 hours.",
            render=lambda c, r: Printed(
                r["secret"], f"(old secret valid until {r['previous_secret_expires_at']})"
            ),
        ),
    ),
    _op(
        "POST",
        "/<endpoint_id>/pause",
        "Hold deliveries (nothing dropped)",
        EndpointOut,
        command=lambda c: SetEndpointStatus(c.endpoint_id, "pause", "paused by an admin"),
        cli=Cli(WEBHOOK, "pause", "Hold deliveries (nothing is dropped).", render=status_line),
    ),
    _op(
        "POST",
        "/<endpoint_id>/resume",
        "Deliver again, in order",
        EndpointOut,
        command=lambda c: SetEndpointStatus(c.endpoint_id, "resume"),
        cli=Cli(WEBHOOK, "resume", "Deliver again, in order.", render=status_line),
    ),
    _op(
        "POST",
        "/<endpoint_id>/test",
        "Send a webhook.test event to it only",
        EndpointOut,
        command=lambda c: SendTestEvent(c.endpoint_id),
        cli=Cli(
            WEBHOOK,
            "test",
            "Send a webhook.test event to this endpoint only.",
            render=lambda c, r: f"webhook.test queued for {c.endpoint_id}",
        ),
    ),
    _op(
        "POST",
        "/<endpoint_id>/replay",
        "Send one event (event_id) or a time range (since, until) again, same webhook-id",
        ReplayOut,
        command=_replay,
        body=ReplayIn,
        cli=Cli(
            WEBHOOK,
            "replay",
            "Send events again with the same webhook-id.",
            opts={
                "event_id": Opt("--event", help="One event id (evt_...)."),
                "since": Opt(help="ISO 8601 start of a time range."),
                "until": Opt(help="ISO 8601 end of the range (default: now)."),
            },
            render=lambda c, r: f"{r['replayed']} event(s) queued again for {c.endpoint_id}",
        ),
    ),
)

"""The sync area's events (server/events.py): the admin audit of webhook endpoints, test
events and replays. They go only to endpoints that subscribe to them (or `*`); a
`webhook.test` only to its own endpoint (server/sync/filters.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class EndpointEvent(DomainEvent):
    """An endpoint changed: the data is its view after the change (never its secret)."""

    endpoint: dict[str, Any]  # endpoint_view (server/sync/endpoints.py)

    @property
    def subject(self) -> str:
        return f"endpoint:{self.endpoint['id']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.endpoint


@dataclass(frozen=True)
class EndpointCreated(EndpointEvent):
    type: ClassVar[str] = "webhook.endpoint_created"


@dataclass(frozen=True)
class EndpointUpdated(EndpointEvent):
    type: ClassVar[str] = "webhook.endpoint_updated"


@dataclass(frozen=True)
class EndpointDeleted(EndpointEvent):
    type: ClassVar[str] = "webhook.endpoint_deleted"


@dataclass(frozen=True)
class EndpointSecretRotated(EndpointEvent):
    type: ClassVar[str] = "webhook.endpoint_secret_rotated"


@dataclass(frozen=True)
class EndpointPaused(EndpointEvent):
    type: ClassVar[str] = "webhook.endpoint_paused"


@dataclass(frozen=True)
class EndpointResumed(EndpointEvent):
    type: ClassVar[str] = "webhook.endpoint_resumed"


@dataclass(frozen=True)
class EndpointDisabled(EndpointEvent):
    type: ClassVar[str] = "webhook.endpoint_disabled"


@dataclass(frozen=True)
class EndpointEnabled(EndpointEvent):
    type: ClassVar[str] = "webhook.endpoint_enabled"


@dataclass(frozen=True)
class WebhookTest(DomainEvent):
    type: ClassVar[str] = "webhook.test"
    endpoint_id: str
    message: str = "a test event from Floorlink"

    @property
    def subject(self) -> str:
        return f"endpoint:{self.endpoint_id}"

    @property
    def data(self) -> dict[str, Any]:
        return {"endpoint_id": self.endpoint_id, "message": self.message}


@dataclass(frozen=True)
class ReplayRequested(DomainEvent):
    type: ClassVar[str] = "webhook.replay_requested"
    endpoint_id: str
    event_id: str | None
    since: str | None  # ISO 8601, naive UTC
    until: str | None
    replayed: int  # deliveries queued again

    @property
    def subject(self) -> str:
        return f"endpoint:{self.endpoint_id}"

    @property
    def data(self) -> dict[str, Any]:
        return {
            "endpoint_id": self.endpoint_id,
            "event_id": self.event_id,
            "since": self.since,
            "until": self.until,
            "replayed": self.replayed,
        }


EVENTS = (
    EndpointCreated,
    EndpointUpdated,
    EndpointDeleted,
    EndpointSecretRotated,
    EndpointPaused,
    EndpointResumed,
    EndpointDisabled,
    EndpointEnabled,
    WebhookTest,
    ReplayRequested,
)

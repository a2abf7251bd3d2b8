"""An event whose retries ran out: dead-lettered and raised for supervisors, in one command.

The dead delivery no longer holds back its subject; its exception says how to replay it.
A dead `exception.raised` about a dead letter raises nothing more (no chain of exceptions
towards an endpoint that is down).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.models import Event, WebhookDelivery, WebhookEndpoint, utcnow
from server.models.sync import DeliveryStatus
from server.spine import Handlers, Unit
from server.supervision.exceptions import raise_exception
from server.sync import waiting

HANDLERS = Handlers()

KIND = "webhook.dead_letter"


@dataclass(frozen=True)
class DeadLetter:
    delivery_id: int
    last_status: int | None
    error: str


@HANDLERS.handles(DeadLetter)
def dead_letter(cmd: DeadLetter, unit: Unit) -> dict[str, Any]:
    delivery = WebhookDelivery.get_or_none(WebhookDelivery.id == cmd.delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return {"dead": False}
    WebhookDelivery.update(
        status=DeliveryStatus.DEAD,
        attempts=WebhookDelivery.attempts + 1,
        last_status=cmd.last_status,
        last_error=cmd.error[:500],
        next_attempt_at=utcnow(),
    ).where(WebhookDelivery.id == delivery.id).execute()
    waiting.promote([(delivery.endpoint_id, delivery.subject)], utcnow())  # the next one goes
    event = Event.get(Event.position == delivery.event_position)
    endpoint = WebhookEndpoint.get_by_id(delivery.endpoint_id)
    if event.type == "exception.raised" and (event.data or {}).get("kind") == KIND:
        return {"dead": True, "raised": False}
    raise_exception(
        unit,
        kind=KIND,
        subject=event.subject,
        message=(
            f"{event.type} {event.event_id} could not be delivered to {endpoint.url} "
            f"after {delivery.attempts + 1} attempts ({cmd.error or cmd.last_status}); "
            f"replay it with `floorlink webhook replay {endpoint.endpoint_id} "
            f"--event {event.event_id}`"
        ),
        data={
            "endpoint_id": endpoint.endpoint_id,
            "event_id": event.event_id,
            "event_type": event.type,
            "attempts": delivery.attempts + 1,
            "last_status": cmd.last_status,
            "last_error": cmd.error[:500],
        },
    )
    return {"dead": True, "raised": True}

"""Replay: send one event, or every wanted event of a time range, to an endpoint again.

The replayed deliveries keep the event id, so the OMS sees the same `webhook-id`; they
restart the retry schedule and, being older than what waits, go first in their subject.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server.errors import InvalidInput, NotFound, field_error
from server.models import Event, WebhookDelivery, utcnow
from server.models.sync import DeliveryStatus
from server.spine import Handlers, Unit
from server.sync import filters
from server.sync.endpoints import locked
from server.sync.events import ReplayRequested

HANDLERS = Handlers()

MAX_REPLAY = 200_000


@dataclass(frozen=True)
class ReplayEvents:
    endpoint_id: str
    event_id: str | None = None
    since: dt.datetime | None = None  # naive UTC
    until: dt.datetime | None = None


@HANDLERS.handles(ReplayEvents)
def replay_events(cmd: ReplayEvents, unit: Unit) -> dict[str, Any]:
    endpoint = locked(cmd.endpoint_id)
    if cmd.event_id is not None:
        found = [_one(cmd.event_id)]
    else:
        found = _range(cmd.since, cmd.until, endpoint.fanout_position)
    wanted = [
        (pos, subject)
        for pos, type_, subject in found
        if filters.wants(endpoint.event_types, endpoint.endpoint_id, type_, subject)
    ]
    if cmd.event_id is not None and not wanted:
        raise InvalidInput(
            "this endpoint does not receive that event type",
            [field_error("event_id", f"{found[0][1]} is not in the endpoint's events")],
        )
    _requeue(endpoint.id, wanted)
    event = ReplayRequested(
        endpoint.endpoint_id,
        cmd.event_id,
        cmd.since.isoformat() if cmd.since else None,
        cmd.until.isoformat() if cmd.until else None,
        len(wanted),
    )
    unit.record(event)
    return event.data


def _one(event_id: str) -> tuple[int, str, str]:
    row = Event.get_or_none(Event.event_id == event_id)
    if row is None:
        raise NotFound(f"no event {event_id}")
    return (row.position, row.type, row.subject)


def _range(
    since: dt.datetime | None, until: dt.datetime | None, upto: int
) -> list[tuple[int, str, str]]:
    if since is None:
        raise InvalidInput("say what to replay", [field_error("since", "give event_id or since")])
    query = Event.select(Event.position, Event.type, Event.subject).where(
        Event.occurred_at >= since, Event.position <= upto
    )
    if until is not None:
        query = query.where(Event.occurred_at < until)
    rows: list[Any] = list(query.order_by(Event.position).limit(MAX_REPLAY + 1).tuples())
    if len(rows) > MAX_REPLAY:
        raise InvalidInput(
            f"more than {MAX_REPLAY} events in that range; replay a shorter one",
            [field_error("until", "range too large")],
        )
    return rows


def _requeue(endpoint_pk: int, wanted: list[tuple[int, str]]) -> None:
    now = utcnow()
    D = WebhookDelivery
    for start in range(0, len(wanted), 500):
        rows = [
            {"endpoint": endpoint_pk, "event_position": pos, "subject": subject}
            for pos, subject in wanted[start : start + 500]
        ]
        D.insert_many(rows).on_conflict(
            conflict_target=[D.endpoint, D.event_position],
            update={
                D.status: DeliveryStatus.PENDING,
                D.attempts: 0,
                D.next_attempt_at: now,
                D.last_error: "",
                D.delivered_at: None,
            },
        ).execute()

"""The relay's bookkeeping: events fanned out into deliveries, claimed, and settled.

Every function here is one short transaction; the HTTP call happens between `claim` and
`settle`, outside any transaction. `next_attempt_at` is both the retry time and the claim
lease, so a relay killed mid-send leaves nothing stuck: the lease runs out and another
relay (or the restarted one) sends again, with the same webhook-id.
Order per (endpoint, subject): only the oldest pending delivery of a subject is claimable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import peewee

from server import eventlog
from server.db import database, is_postgres
from server.models import Event, WebhookDelivery, WebhookEndpoint
from server.sync import filters

FANOUT_CHUNK = 5000
D = WebhookDelivery


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    endpoint_id: int
    attempts: int
    event: dict[str, Any]


@dataclass
class Settlement:
    """What the sends of one batch came to, written back in one transaction."""

    delivered: list[tuple[int, int]] = field(default_factory=list)  # (delivery id, status)
    failed: list[tuple[int, int | None, str, dt.datetime]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)


def _skip_locked(query: Any) -> Any:
    return query.for_update(skip_locked=True) if is_postgres() else query


def fanout() -> int:
    """Turn new events into deliveries for every endpoint that wants them.

    Returns how many events were scanned (0 once every endpoint has caught up).
    """
    scanned = 0
    with database.atomic():
        top = Event.select(peewee.fn.MAX(Event.position)).scalar() or 0
        query = WebhookEndpoint.select().where(
            WebhookEndpoint.status != "disabled", WebhookEndpoint.fanout_position < top
        )
        for endpoint in _skip_locked(query):
            scanned += _fanout_one(endpoint)
    return scanned


def _fanout_one(endpoint: WebhookEndpoint) -> int:
    events: list[Any] = list(
        Event.select(Event.position, Event.type, Event.subject)
        .where(Event.position > endpoint.fanout_position)
        .order_by(Event.position)
        .limit(FANOUT_CHUNK)
        .tuples()
    )
    rows = [
        {"endpoint": endpoint.id, "event_position": pos, "subject": subject}
        for pos, type_, subject in events
        if filters.wants(endpoint.event_types, endpoint.endpoint_id, type_, subject)
    ]
    for start in range(0, len(rows), 500):
        D.insert_many(rows[start : start + 500]).on_conflict_ignore().execute()
    WebhookEndpoint.update(fanout_position=events[-1][0]).where(
        WebhookEndpoint.id == endpoint.id
    ).execute()
    return len(events)


def active_endpoints() -> dict[int, WebhookEndpoint]:
    rows = WebhookEndpoint.select().where(WebhookEndpoint.status == "active")
    return {row.id: row for row in rows}


def claim(now: dt.datetime, lease: dt.timedelta, limit: int) -> list[Claimed]:
    """Lease up to `limit` deliveries that are due, each the oldest pending of its subject."""
    with database.atomic():
        endpoints = list(active_endpoints())
        if not endpoints:
            return []
        earlier = D.alias("earlier")
        blocked = earlier.select(peewee.SQL("1")).where(
            earlier.endpoint == D.endpoint,
            earlier.subject == D.subject,
            earlier.status == "pending",
            earlier.event_position < D.event_position,
        )
        query = (
            D.select(D.id, D.endpoint, D.event_position, D.attempts)
            .where(
                D.status == "pending",
                D.next_attempt_at <= now,
                D.endpoint.in_(endpoints),
                ~peewee.fn.EXISTS(blocked),
            )
            .order_by(D.event_position)
            .limit(limit)
        )
        rows = list(_skip_locked(query).tuples())
        if not rows:
            return []
        D.update(next_attempt_at=now + lease).where(D.id.in_([r[0] for r in rows])).execute()
        events = _events_at([r[2] for r in rows])
    return [Claimed(r[0], r[1], r[3], events[r[2]]) for r in rows]


def _events_at(positions: list[int]) -> dict[int, dict[str, Any]]:
    found = Event.select().where(Event.position.in_(positions))
    return {row.position: eventlog.public(row) for row in found}


def settle(result: Settlement, now: dt.datetime) -> None:
    """Write back one batch: successes in one statement, each failure with its retry time."""
    with database.atomic():
        by_status: dict[int, list[int]] = {}
        for delivery_id, code in result.delivered:
            by_status.setdefault(code, []).append(delivery_id)
        for code, ids in by_status.items():
            D.update(
                status="delivered",
                delivered_at=now,
                attempts=D.attempts + 1,
                last_status=code,
                last_error="",
            ).where(D.id.in_(ids), D.status == "pending").execute()
        for delivery_id, failed_code, error, retry_at in result.failed:
            D.update(
                attempts=D.attempts + 1,
                last_status=failed_code,
                last_error=error[:500],
                next_attempt_at=retry_at,
            ).where(D.id == delivery_id, D.status == "pending").execute()
        if result.released:
            D.update(next_attempt_at=now).where(
                D.id.in_(result.released), D.status == "pending"
            ).execute()

"""The relay's bookkeeping: events fanned out into deliveries, claimed, and settled.

Every function here is one short transaction; the HTTP call happens between `claim` and
`settle`, outside any transaction. `next_attempt_at` is both the retry time and the claim
lease, so a relay killed mid-send leaves nothing stuck: the lease runs out and another
relay (or the restarted one) sends again, with the same webhook-id.
Order per (endpoint, subject): only the oldest pending delivery of a subject is claimable.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import peewee

from server.db import database, is_postgres
from server.models import Event, WebhookDelivery, WebhookEndpoint, isoformat, utcnow
from server.models.sync import DeliveryStatus, EndpointStatus
from server.sync import filters

FANOUT_CHUNK = 5000
CHAIN = 20  # deliveries of one subject sent in a row by one claim
IN_CHUNK = 5000  # ids per IN (...) list
D = WebhookDelivery


@dataclass(frozen=True)
class Claimed:
    """One leased delivery with its body, serialised once for every attempt of this claim."""

    delivery_id: int
    endpoint_id: int
    attempts: int
    event_id: str
    body: bytes


Chain = list[Claimed]  # consecutive deliveries of one subject to one endpoint, oldest first


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
            WebhookEndpoint.status != EndpointStatus.DISABLED, WebhookEndpoint.fanout_position < top
        )
        for endpoint in _skip_locked(query):
            scanned += _fanout_one(endpoint)
    return scanned


def _fanout_one(endpoint: WebhookEndpoint) -> int:
    """One chunk of events for one endpoint: a single INSERT ... SELECT with its filter."""
    chunk = (
        Event.select(Event.position)
        .where(Event.position > endpoint.fanout_position)
        .order_by(Event.position)
        .limit(FANOUT_CHUNK)
    )
    found: Any = (
        Event.select(peewee.fn.COUNT(peewee.SQL("*")), peewee.fn.MAX(chunk.c.position))
        .from_(chunk)
        .tuples()
        .get()
    )
    scanned, last = found
    if not scanned:
        return 0
    now = utcnow()
    rows = Event.select(
        peewee.Value(endpoint.id),
        Event.position,
        Event.subject,
        peewee.Value(DeliveryStatus.PENDING.value),
        peewee.Value(0),
        peewee.Value(now),
        peewee.Value(""),
        peewee.Value(now),
    ).where(
        Event.position > endpoint.fanout_position,
        Event.position <= last,
        wanted(endpoint.event_types, endpoint.endpoint_id),
    )
    columns = [D.endpoint, D.event_position, D.subject, D.status, D.attempts]
    columns += [D.next_attempt_at, D.last_error, D.created_at]
    D.insert_from(rows, columns).on_conflict_ignore().execute()
    WebhookEndpoint.update(fanout_position=last).where(WebhookEndpoint.id == endpoint.id).execute()
    return int(scanned)


def wanted(patterns: list[str], endpoint_id: str) -> Any:
    """filters.wants as SQL: the endpoint's own test events, and the types it asked for."""
    own_test = (Event.type == filters.TEST_EVENT) & (Event.subject == f"endpoint:{endpoint_id}")
    asked: Any = None
    for pattern in patterns:
        if pattern == "*":
            term: Any = peewee.SQL("1 = 1")
        elif pattern.endswith(".*"):
            prefix = pattern[:-1]
            term = peewee.fn.SUBSTR(Event.type, 1, len(prefix)) == prefix
        else:
            term = Event.type == pattern
        asked = term if asked is None else asked | term
    if asked is None:
        return own_test
    return own_test | ((Event.type != filters.TEST_EVENT) & asked)


def active_endpoints() -> dict[int, WebhookEndpoint]:
    rows = WebhookEndpoint.select().where(WebhookEndpoint.status == EndpointStatus.ACTIVE)
    return {row.id: row for row in rows}


def claim(now: dt.datetime, lease: dt.timedelta, heads: int, chain: int = CHAIN) -> list[Chain]:
    """Lease up to `heads` subjects that are due, each with up to `chain` of its deliveries.

    A head is the oldest pending delivery of its (endpoint, subject); its chain is the
    pending deliveries after it, in order, up to the first one not yet due. Leasing the
    head leases the subject: nobody else claims a delivery with an older one pending.
    PostgreSQL: one transaction, heads locked with SKIP LOCKED. SQLite: read outside the
    write lock (a claim that finds little scans every pending row), then lease in a short
    transaction only if every row is still as read (else another relay won: nothing).
    """
    endpoints = list(active_endpoints())
    if not endpoints:
        return []
    until = now + lease
    if is_postgres():
        with database.atomic():
            chains = _chains(_heads(now, endpoints, heads), now, chain)
            _lease([c.delivery_id for ch in chains for c in ch], now, until)
        return chains
    chains = _chains(_heads(now, endpoints, heads), now, chain)
    ids = [c.delivery_id for ch in chains for c in ch]
    with database.atomic() as transaction:
        if _lease(ids, now, until) != len(ids):
            transaction.rollback()
            return []
    return chains


def _heads(now: dt.datetime, endpoints: list[int], limit: int) -> list[tuple[int, str]]:
    earlier = D.alias("earlier")
    blocked = earlier.select(peewee.SQL("1")).where(
        earlier.endpoint == D.endpoint,
        earlier.subject == D.subject,
        earlier.status == DeliveryStatus.PENDING,
        earlier.event_position < D.event_position,
    )
    query = (
        D.select(D.id, D.endpoint, D.subject)
        .where(
            D.status == DeliveryStatus.PENDING,
            D.next_attempt_at <= now,
            D.endpoint.in_(endpoints),
            ~peewee.fn.EXISTS(blocked),
        )
        .order_by(D.event_position)
        .limit(limit)
    )
    return [(endpoint, subject) for _id, endpoint, subject in _skip_locked(query).tuples()]


def _chain_sql(pairs: int) -> str:
    p = database.param
    values = ", ".join([f"({p}, {p})"] * pairs)
    return f"""
        SELECT c.id, c.endpoint_id, c.subject, c.attempts, c.due,
               e.event_id, e.type, e.seq, e.occurred_at, e.actor, e.data
        FROM (
            SELECT d.id, d.endpoint_id, d.subject, d.event_position, d.attempts,
                   CASE WHEN d.next_attempt_at <= {p} THEN 1 ELSE 0 END AS due,
                   ROW_NUMBER() OVER (
                       PARTITION BY d.endpoint_id, d.subject ORDER BY d.event_position
                   ) AS rn
            FROM "{D._meta.table_name}" AS d
            WHERE d.status = '{DeliveryStatus.PENDING}'
              AND (d.endpoint_id, d.subject) IN (VALUES {values})
        ) AS c
        JOIN "{Event._meta.table_name}" AS e ON e.position = c.event_position
        WHERE c.rn <= {p}
        ORDER BY c.endpoint_id, c.subject, c.event_position"""


def _chains(heads: list[tuple[int, str]], now: dt.datetime, chain: int) -> list[Chain]:
    if not heads:
        return []
    params: list[Any] = [now]
    for endpoint, subject in heads:
        params += [endpoint, subject]
    params.append(chain)
    chains: dict[tuple[int, str], Chain] = {}
    stopped: set[tuple[int, str]] = set()
    for row in database.execute_sql(_chain_sql(len(heads)), params).fetchall():
        delivery_id, endpoint, subject, attempts, due = row[:5]
        key = (endpoint, subject)
        if key in stopped or not due:  # nothing after a delivery that is not due yet
            stopped.add(key)
            continue
        event_id, type_, seq, at, actor, data = row[5:]
        body = _body(event_id, type_, subject, seq, at, actor, data)
        chains.setdefault(key, []).append(Claimed(delivery_id, endpoint, attempts, event_id, body))
    return list(chains.values())


def _body(
    event_id: str, type_: str, subject: str, seq: int, at: Any, actor: str, data: str
) -> bytes:
    """eventlog.public(event) as JSON, with the stored `data` text spliced in unparsed."""
    if not isinstance(at, dt.datetime):  # SQLite hands back the stored text
        at = dt.datetime.fromisoformat(at)
    d = json.dumps
    return (
        f'{{"id":{d(event_id)},"type":{d(type_)},"timestamp":{d(isoformat(at))},'
        f'"subject":{d(subject)},"seq":{int(seq)},"actor":{d(actor)},"data":{data}}}'
    ).encode()


def _lease(ids: list[int], now: dt.datetime, until: dt.datetime) -> int:
    leased = 0
    for start in range(0, len(ids), IN_CHUNK):
        leased += (
            D.update(next_attempt_at=until)
            .where(
                D.id.in_(ids[start : start + IN_CHUNK]),
                D.status == DeliveryStatus.PENDING,
                D.next_attempt_at <= now,
            )
            .execute()
        )
    return leased


def settle(result: Settlement, now: dt.datetime) -> None:
    """Write back one batch: successes in one statement, each failure with its retry time."""
    with database.atomic():
        by_status: dict[int, list[int]] = {}
        for delivery_id, code in result.delivered:
            by_status.setdefault(code, []).append(delivery_id)
        for code, ids in by_status.items():
            for start in range(0, len(ids), IN_CHUNK):
                D.update(
                    status=DeliveryStatus.DELIVERED,
                    delivered_at=now,
                    attempts=D.attempts + 1,
                    last_status=code,
                    last_error="",
                ).where(
                    D.id.in_(ids[start : start + IN_CHUNK]), D.status == DeliveryStatus.PENDING
                ).execute()
        for delivery_id, failed_code, error, retry_at in result.failed:
            D.update(
                attempts=D.attempts + 1,
                last_status=failed_code,
                last_error=error[:500],
                next_attempt_at=retry_at,
            ).where(D.id == delivery_id, D.status == DeliveryStatus.PENDING).execute()
        for start in range(0, len(result.released), IN_CHUNK):
            D.update(next_attempt_at=now).where(
                D.id.in_(result.released[start : start + IN_CHUNK]),
                D.status == DeliveryStatus.PENDING,
            ).execute()

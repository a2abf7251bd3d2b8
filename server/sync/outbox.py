"""The relay's bookkeeping: events fanned out into deliveries, claimed, and settled.

Every function here is one short transaction; the HTTP call happens between `claim` and
`settle`, outside any transaction. `next_attempt_at` is both the retry time and the claim
lease, so a relay killed mid-send leaves nothing stuck: the lease runs out and another
relay (or the restarted one) sends again, with the same webhook-id.
Order per (endpoint, subject): only the oldest pending delivery of a subject is claimable.

Finding those heads must not cost a scan of every pending delivery: after a long outage
there are hundreds of thousands (bench/outage.py), and the claim ran once per poll. So a
delivery that waits behind an older pending one of its subject carries `next_attempt_at =
WAITING` (far in the future): a claim reads only what is due, and a waiting delivery is
sent only in its head's chain. The fan-out inserts them so, a settle puts back what a chain
left unsent behind its head, and settling or dead-lettering a head makes the next one due
at once (`promote`); the sweeps that repair what another path left are in
server/sync/waiting.py.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import peewee

from server.db import database, is_postgres
from server.models import Event, WebhookDelivery, WebhookEndpoint, isoformat, utcnow
from server.models.sync import DUE_INDEX, DeliveryStatus, EndpointStatus
from server.sync import filters
from server.sync.shapes import padded, padded_pairs
from server.sync.waiting import WAITING, promote

FANOUT_CHUNK = 5000
CHAIN = 20  # deliveries of one subject sent in a row by one claim
# A head that failed before is claimed alone (`_chains`): while the endpoint is down,
# leasing its chain (and releasing it to WAITING when the head failed again) wrote CHAIN
# rows per attempt for nothing; once the head goes through, the next claim takes the
# subject's chain as usual.
IN_CHUNK = 4096  # ids per IN (...) list, padded to a power of two (server/sync/shapes.py)
D = WebhookDelivery


@dataclass(frozen=True)
class Claimed:
    """One leased delivery with its body, serialised once for every attempt of this claim."""

    delivery_id: int
    endpoint_id: int
    attempts: int
    event_id: str
    body: bytes
    subject: str = ""


Chain = list[Claimed]  # consecutive deliveries of one subject to one endpoint, oldest first


@dataclass
class Settlement:
    """What the sends of one batch came to, written back in one transaction."""

    delivered: list[tuple[int, int]] = field(default_factory=list)  # (delivery id, status)
    failed: list[tuple[int, int | None, str, dt.datetime]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)  # due now (a head not sent)
    waiting: list[int] = field(default_factory=list)  # unsent behind their head: WAITING
    subjects: set[tuple[int, str]] = field(default_factory=set)  # (endpoint, subject) sent


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
    # due if it is its subject's head: the first of the subject in this chunk, with nothing
    # of the subject pending before it; else WAITING (sent in its head's chain)
    earlier = D.alias("earlier")
    behind = peewee.fn.EXISTS(
        earlier.select(peewee.SQL("1")).where(
            earlier.endpoint == endpoint.id,
            earlier.subject == Event.subject,
            earlier.status == DeliveryStatus.PENDING,
        )
    )
    rank = peewee.fn.ROW_NUMBER().over(partition_by=[Event.subject], order_by=[Event.position])
    due = peewee.Case(None, [((rank > 1) | behind, peewee.Value(WAITING))], peewee.Value(now))
    rows = Event.select(
        peewee.Value(endpoint.id),
        Event.position,
        Event.subject,
        peewee.Value(DeliveryStatus.PENDING.value),
        peewee.Value(0),
        due,
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
    """Due deliveries with no older pending one of their subject, oldest first: they are
    few (heads whose retry time came, deliveries the fan-out just added), whatever the
    backlog, because waiting ones are not due (WAITING)."""
    p = database.param
    table = D._meta.table_name
    # SQLite without statistics would walk (status, event_position) over every pending row
    use = f' INDEXED BY "{DUE_INDEX}"' if not is_postgres() else ""
    sql = f"""
        SELECT d.endpoint_id, d.subject FROM "{table}" AS d{use}
        WHERE d.status = '{DeliveryStatus.PENDING}' AND d.next_attempt_at <= {p}
          AND d.endpoint_id IN ({", ".join([p] * len(endpoints))})
          AND NOT EXISTS (
              SELECT 1 FROM "{table}" AS earlier
              WHERE earlier.endpoint_id = d.endpoint_id AND earlier.subject = d.subject
                AND earlier.status = '{DeliveryStatus.PENDING}'
                AND earlier.event_position < d.event_position)
        ORDER BY d.event_position
        LIMIT {p}"""
    if is_postgres():
        sql += " FOR UPDATE OF d SKIP LOCKED"
    rows = database.execute_sql(sql, [now, *endpoints, limit]).fetchall()
    return [(endpoint, subject) for endpoint, subject in rows]


def _chain_sql(pairs: int, chain: int) -> str:
    """The first `chain` pending deliveries of each (endpoint, subject) listed, read through
    the (endpoint, subject, status, event_position) index: O(pairs x chain), however many
    are pending behind them."""
    p = database.param
    values = ", ".join([f"({p}, {p})"] * pairs)
    table = D._meta.table_name
    pending = DeliveryStatus.PENDING
    return f"""
        SELECT c.id, c.endpoint_id, c.subject, c.attempts, c.due,
               e.event_id, e.type, e.seq, e.occurred_at, e.actor, e.data
        FROM (
            SELECT d.id, d.endpoint_id, d.subject, d.event_position, d.attempts,
                   CASE WHEN d.next_attempt_at <= {p} OR d.next_attempt_at = {p}
                        THEN 1 ELSE 0 END AS due,
                   ROW_NUMBER() OVER (
                       PARTITION BY d.endpoint_id, d.subject ORDER BY d.event_position
                   ) AS rn
            FROM (VALUES {values}) AS v
            JOIN "{table}" AS d ON d.endpoint_id = v.column1 AND d.subject = v.column2
            WHERE d.status = '{pending}'
              AND d.event_position <= COALESCE((
                  SELECT x.event_position FROM "{table}" AS x
                  WHERE x.endpoint_id = v.column1 AND x.subject = v.column2
                    AND x.status = '{pending}'
                  ORDER BY x.event_position LIMIT 1 OFFSET {int(chain) - 1}
              ), 9223372036854775807)  -- fewer than `chain` pending: all of them
        ) AS c
        JOIN "{Event._meta.table_name}" AS e ON e.position = c.event_position
        WHERE c.rn <= {p}
        ORDER BY c.endpoint_id, c.subject, c.event_position"""


def _chains(heads: list[tuple[int, str]], now: dt.datetime, chain: int) -> list[Chain]:
    if not heads:
        return []
    pairs = padded_pairs(heads)
    params: list[Any] = [now, WAITING]
    for endpoint, subject in pairs:
        params += [endpoint, subject]
    params.append(chain)
    chains: dict[tuple[int, str], Chain] = {}
    stopped: set[tuple[int, str]] = set()
    for row in database.execute_sql(_chain_sql(len(pairs), chain), params).fetchall():
        delivery_id, endpoint, subject, attempts, due = row[:5]
        key = (endpoint, subject)
        if key in stopped or not due:  # nothing after a delivery that is not due yet
            stopped.add(key)
            continue
        event_id, type_, seq, at, actor, data = row[5:]
        body = _body(event_id, type_, subject, seq, at, actor, data)
        claimed = Claimed(delivery_id, endpoint, attempts, event_id, body, subject)
        chains.setdefault(key, []).append(claimed)
        if attempts:  # a head that failed before is tried alone (see CHAIN)
            stopped.add(key)
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
                D.id.in_(padded(ids[start : start + IN_CHUNK])),
                D.status == DeliveryStatus.PENDING,
                (D.next_attempt_at <= now) | (D.next_attempt_at == WAITING),
            )
            .execute()
        )
    return leased


def settle(result: Settlement, now: dt.datetime) -> None:
    """Write back one batch: successes in one statement, each failure with its retry time;
    then the heads that went make their next ones due (`waiting.promote`)."""
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
                    D.id.in_(padded(ids[start : start + IN_CHUNK])),
                    D.status == DeliveryStatus.PENDING,
                ).execute()
        for delivery_id, failed_code, error, retry_at in result.failed:
            D.update(
                attempts=D.attempts + 1,
                last_status=failed_code,
                last_error=error[:500],
                next_attempt_at=retry_at,
            ).where(D.id == delivery_id, D.status == DeliveryStatus.PENDING).execute()
        for ids, value in ((result.released, now), (result.waiting, WAITING)):
            for start in range(0, len(ids), IN_CHUNK):
                D.update(next_attempt_at=value).where(
                    D.id.in_(padded(ids[start : start + IN_CHUNK])),
                    D.status == DeliveryStatus.PENDING,
                ).execute()
        promote(sorted(result.subjects), now)

"""Deliveries that wait behind their subject's head (`next_attempt_at = WAITING`, see
server/sync/outbox.py): making the next one due when a head goes (`promote`, inside the
settle or the dead-lettering), and the relay pump's sweeps: `mark_waiting` marks what was
made due behind a head some other way (a lease that ran out, a resume, a replay),
`free_waiting` frees a waiting head that nobody promoted (a race of two relays on
PostgreSQL), O(what is due) and O(what waits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.db import database, is_postgres
from server.models import WebhookDelivery, WebhookEndpoint
from server.models.sync import DUE_INDEX, DeliveryStatus
from server.sync.shapes import padded, padded_pairs

D = WebhookDelivery
# next_attempt_at of a delivery behind an older pending one of its subject (not a retry time)
WAITING = dt.datetime(9999, 1, 1)
WAITING_SWEEP_S = 30.0  # mark_waiting
FREE_SWEEP_S = 300.0  # free_waiting
MARK_CHUNK = 2048  # deliveries marked (or made due) per short transaction
PROMOTE_CHUNK = 512  # subjects per promote statement


def _first_pending(pairs: int) -> str:
    """The id of the oldest pending delivery of each (endpoint, subject) of a VALUES list."""
    p = database.param
    table = D._meta.table_name
    values = ", ".join([f"({p}, {p})"] * pairs)
    pending = DeliveryStatus.PENDING
    return f"""
        SELECT (SELECT e.id FROM "{table}" AS e
                WHERE e.endpoint_id = v.column1 AND e.subject = v.column2
                  AND e.status = '{pending}'
                ORDER BY e.event_position LIMIT 1)
        FROM (VALUES {values}) AS v"""


def promote(subjects: list[tuple[int, str]], now: dt.datetime) -> int:
    """Make the oldest pending delivery of each (endpoint, subject) due, if it was waiting
    (its head was just delivered or dead-lettered). Inside the caller's transaction.

    On PostgreSQL the endpoints are locked first, as `outbox.fanout` locks the endpoint it
    fans out (FOR UPDATE SKIP LOCKED): otherwise a fan-out whose snapshot still saw the head
    pending inserts the next delivery of its subject WAITING while this statement, not
    seeing that uncommitted row, promotes nothing, and the delivery waits for
    `free_waiting` (FREE_SWEEP_S) instead of going at once. With the lock one of the two
    sees the other's result: the fan-out skips a locked endpoint (and comes back after the
    commit), or the promote waits for the fan-out's commit. SQLite serializes them already."""
    if is_postgres() and subjects:
        list(
            WebhookEndpoint.select(WebhookEndpoint.id)
            .where(WebhookEndpoint.id.in_(sorted({endpoint for endpoint, _ in subjects})))
            .order_by(WebhookEndpoint.id)
            .for_update()
        )
    done = 0
    for start in range(0, len(subjects), PROMOTE_CHUNK):
        part = padded_pairs(subjects[start : start + PROMOTE_CHUNK])
        p = database.param
        sql = (
            f'UPDATE "{D._meta.table_name}" SET next_attempt_at = {p} '
            f"WHERE next_attempt_at = {p} AND id IN ({_first_pending(len(part))})"
        )
        params: list[Any] = [now, WAITING]
        for endpoint, subject in part:
            params += [endpoint, subject]
        done += database.execute_sql(sql, params).rowcount
    return done


def _older_pending() -> str:
    table = D._meta.table_name
    return f"""EXISTS (SELECT 1 FROM "{table}" AS e
        WHERE e.endpoint_id = d.endpoint_id AND e.subject = d.subject
          AND e.status = '{DeliveryStatus.PENDING}' AND e.event_position < d.event_position)"""


def _find(where: str, params: list[Any]) -> list[int]:
    """Ids of pending deliveries matching `where` (alias d), read outside any transaction."""
    use = f' INDEXED BY "{DUE_INDEX}"' if not is_postgres() else ""
    sql = (
        f'SELECT d.id FROM "{D._meta.table_name}" AS d{use} '
        f"WHERE d.status = '{DeliveryStatus.PENDING}' AND {where}"
    )
    return [row[0] for row in database.execute_sql(sql, params)]


def mark_waiting(now: dt.datetime) -> int:
    """Mark WAITING the due deliveries that have an older pending one of their subject
    (released after a lease ran out, made due by a resume or a replay, or older than
    m0013): O(what is due). Returns how many."""
    p = database.param
    still = f"next_attempt_at <= {p} AND {_older_pending()}"
    return _rewrite(_find(f"d.{still}", [now]), WAITING, still, [now])


def free_waiting(now: dt.datetime) -> int:
    """Make due the waiting deliveries that have become their subject's head without being
    promoted (two relays on PostgreSQL racing a sweep against a settle): the safety net,
    O(what waits), so run seldom (FREE_SWEEP_S). Returns how many."""
    p = database.param
    still = f"next_attempt_at = {p} AND NOT {_older_pending()}"
    return _rewrite(_find(f"d.{still}", [WAITING]), now, still, [WAITING])


def _rewrite(ids: list[int], value: dt.datetime, still: str, params: list[Any]) -> int:
    p = database.param
    done = 0
    for start in range(0, len(ids), MARK_CHUNK):
        part = padded(ids[start : start + MARK_CHUNK])
        sql = (
            f'UPDATE "{D._meta.table_name}" AS d SET next_attempt_at = {p} '
            f"WHERE d.id IN ({', '.join([p] * len(part))}) "
            f"AND d.status = '{DeliveryStatus.PENDING}' AND d.{still}"
        )
        with database.atomic():
            done += database.execute_sql(sql, [value, *part, *params]).rowcount
    return done

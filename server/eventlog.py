"""Appending events to the log inside the command's transaction.

Positions follow commit order (EventHead lock on PostgreSQL, the write lock on SQLite) and
`seq` increases by one per subject, so integrators can order and reconcile by either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from server import rawsql
from server.db import is_postgres
from server.events import Recordable
from server.ids import new_id
from server.models import Event, isoformat, utcnow


def append(pending: Sequence[Recordable], actor: str) -> list[dict[str, Any]]:
    """Write the events (typed, server/events.py); return them as the public event objects.

    On PostgreSQL the log's head is locked first and held until commit; then one statement
    (per CHUNK events) numbers and inserts the events: each row's `seq` is the subject's
    highest so far (read by that statement, after the lock) plus its rank among the
    statement's events of the subject. One statement under the lock instead of two (the
    highest seqs read, then the insert): every transaction that records events waits in
    turn for that lock."""
    if not pending:
        return []
    if is_postgres():
        rawsql.execute('SELECT "id" FROM "event_head" WHERE "id" = 1 FOR UPDATE')
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for start in range(0, len(pending), CHUNK):
        rows += _insert(pending[start : start + CHUNK], actor, now)
    return [public(r) for r in rows]


# Events per INSERT: 8 parameters each, far under any SQLite build's limit (32,766 at least)
CHUNK = 500


def _insert(pending: Sequence[Recordable], actor: str, now: datetime) -> list[dict[str, Any]]:
    when = Event.occurred_at.db_value(now)
    rank: dict[str, int] = {}  # within this statement: a later one sees this one's rows
    rows: list[dict[str, Any]] = []
    values: list[Any] = []
    for p in pending:
        subject = p.subject  # a property of each event: read once
        rank[subject] = rank.get(subject, 0) + 1
        event_id = new_id("evt")
        rows.append(
            {"event_id": event_id, "type": p.type, "subject": subject}
            | {"occurred_at": now, "actor": actor, "data": p.data}
        )
        values += [event_id, p.type, subject, subject, rank[subject], when, actor]
        values.append(Event.data.db_value(p.data))
    seqs = dict(rawsql.execute(_insert_sql(len(rows)), values).fetchall())
    for row in rows:
        row["seq"] = seqs[row["event_id"]]
    return rows


# hand-written (server/rawsql.py): every command with events runs it (trap 5)
_ROW = '(?, ?, ?, COALESCE((SELECT MAX("seq") FROM "event" WHERE "subject" = ?), 0) + ?, ?, ?, ?)'


@lru_cache(maxsize=32)
def _insert_sql(count: int) -> str:
    """The events' INSERT, numbered per subject (a statement sees the table as it was
    before it ran, its own rows not included: on SQLite and PostgreSQL alike), returning
    each event's seq."""
    cols = '"event_id", "type", "subject", "seq", "occurred_at", "actor", "data"'
    rows = ", ".join([_ROW] * count)
    return f'INSERT INTO "event" ({cols}) VALUES {rows} RETURNING "event_id", "seq"'


def public(row: dict[str, Any] | Event) -> dict[str, Any]:
    """The event object that webhooks and the feed carry (docs/webhooks.md).

    `actor` ("api_key:<name>", "operator:<badge>", "device:<id>", "system:<name>") extends
    the body of docs/architecture.md, Webhooks, so the OMS can tell who caused a change.
    """
    if isinstance(row, Event):
        row = {
            "event_id": row.event_id,
            "type": row.type,
            "subject": row.subject,
            "seq": row.seq,
            "occurred_at": row.occurred_at,
            "actor": row.actor,
            "data": row.data,
        }
    return {
        "id": row["event_id"],
        "type": row["type"],
        "timestamp": isoformat(row["occurred_at"]),
        "subject": row["subject"],
        "seq": row["seq"],
        "actor": row.get("actor"),
        "data": row["data"],
    }

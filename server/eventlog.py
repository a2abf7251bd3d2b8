"""Appending events to the log inside the command's transaction.

Positions follow commit order (EventHead lock on PostgreSQL, the write lock on SQLite) and
`seq` increases by one per subject, so integrators can order and reconcile by either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server import rawsql
from server.db import is_postgres
from server.events import Recordable
from server.ids import new_id
from server.models import Event, isoformat, utcnow


def append(pending: Sequence[Recordable], actor: str) -> list[dict[str, Any]]:
    """Write the events (typed, server/events.py); return them as the public event objects."""
    if not pending:
        return []
    if is_postgres():
        rawsql.execute('SELECT "id" FROM "event_head" WHERE "id" = 1 FOR UPDATE')
    subjects = [p.subject for p in pending]  # a property of each event: read once
    next_seq = _next_seqs(set(subjects))
    now = utcnow()
    rows = []
    for p, subject in zip(pending, subjects, strict=True):
        seq = next_seq[subject]
        next_seq[subject] = seq + 1
        rows.append(
            {
                "event_id": new_id("evt"),
                "type": p.type,
                "subject": subject,
                "seq": seq,
                "occurred_at": now,
                "actor": actor,
                "data": p.data,
            }
        )
    rawsql.insert_rows(Event, rows)
    return [public({**r, "occurred_at": now}) for r in rows]


def _next_seqs(subjects: set[str]) -> dict[str, int]:
    # hand-written (server/rawsql.py): every command with events runs it (trap 5)
    names = sorted(subjects)
    sql = (
        'SELECT "subject", MAX("seq") FROM "event" '
        f'WHERE "subject" IN ({rawsql.placeholders(len(names))}) GROUP BY "subject"'
    )
    found = dict(rawsql.execute(sql, names).fetchall())
    return {s: int(found.get(s) or 0) + 1 for s in subjects}


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

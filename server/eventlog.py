"""Appending events to the log inside the command's transaction.

Positions follow commit order (EventHead lock on PostgreSQL, the write lock on SQLite) and
`seq` increases by one per subject, so integrators can order and reconcile by either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee

from server.db import is_postgres
from server.ids import new_id
from server.models import Event, EventHead, isoformat, utcnow


@dataclass(frozen=True)
class PendingEvent:
    type: str
    subject: str
    data: dict[str, Any]


def append(pending: list[PendingEvent], actor: str) -> list[dict[str, Any]]:
    """Write the events; return them as the public event objects."""
    if not pending:
        return []
    if is_postgres():
        EventHead.select().where(EventHead.id == 1).for_update().execute()
    next_seq = _next_seqs({p.subject for p in pending})
    now = utcnow()
    rows = []
    for p in pending:
        seq = next_seq[p.subject]
        next_seq[p.subject] = seq + 1
        rows.append(
            {
                "event_id": new_id("evt"),
                "type": p.type,
                "subject": p.subject,
                "seq": seq,
                "occurred_at": now,
                "actor": actor,
                "data": p.data,
            }
        )
    Event.insert_many(rows).execute()
    return [public({**r, "occurred_at": now}) for r in rows]


def _next_seqs(subjects: set[str]) -> dict[str, int]:
    query = (
        Event.select(Event.subject, peewee.fn.MAX(Event.seq).alias("top"))
        .where(Event.subject.in_(sorted(subjects)))
        .group_by(Event.subject)
    )
    found = {row.subject: row.top for row in query}
    return {s: int(found.get(s) or 0) + 1 for s in subjects}


def public(row: dict[str, Any] | Event) -> dict[str, Any]:
    """The event object that webhooks and the feed carry (docs/webhooks.md).

    `actor` ("api_key:<name>", "operator:<badge>", "device:<id>", "system:<name>") extends
    the ARCHITECTURE 2.3 body so the OMS can tell who caused a change.
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

"""The two statements of the ingest hot path, written as SQL (docs/performance.md, trap 5: peewee
builds SQL at ~65 µs a statement, more than the rows cost). Same SQL on SQLite (3.35+)
and PostgreSQL; values go through the models' own field conversions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from server.db import database
from server.models.hardware import HardwareDevice, HardwareInput


def insert_new_inputs(event_ids: list[str], now: dt.datetime) -> set[str]:
    """Insert the ids not already there; return those inserted (one statement)."""
    if not event_ids:
        return set()
    p = database.obj.param
    values = ", ".join([f"({p}, {p})"] * len(event_ids))
    received = HardwareInput.received_at.db_value(now)
    params: list[Any] = []
    for event_id in event_ids:
        params += [event_id, received]
    cursor = database.execute_sql(
        f"INSERT INTO hardware_input (event_id, received_at) VALUES {values} "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        params,
    )
    return {row[0] for row in cursor.fetchall()}


def update_devices(changes: dict[str, dict[str, Any]]) -> None:
    """UPDATE every device's row; one executemany per set of changed columns."""
    groups: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
    fields = HardwareDevice._meta.fields
    for device_id, values in changes.items():
        columns = tuple(sorted(values))
        groups[columns].append([fields[c].db_value(values[c]) for c in columns] + [device_id])
    p = database.obj.param
    for columns, rows in groups.items():
        assignments = ", ".join(f'"{c}" = {p}' for c in columns)
        cursor = database.cursor()
        cursor.executemany(f"UPDATE hardware_device SET {assignments} WHERE id = {p}", rows)

"""What every model shares: the database proxy, JSON columns and UTC timestamps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import peewee

from server.db import database


def utcnow() -> datetime:
    """Naive UTC, as stored in every timestamp column (SQLite and PostgreSQL alike)."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(value: datetime | None) -> datetime | None:
    """A timestamp from the API as stored: naive UTC (a naive one is taken as UTC already)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def isoformat(value: datetime | None) -> str | None:
    """A stored (naive UTC) timestamp as RFC 3339 with a Z."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class JSONField(peewee.TextField):
    """JSON kept as text so the same column works on SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False

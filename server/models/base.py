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


def json_text(value: Any) -> str:
    """JSON as every JSON column stores it."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


class Encoded(dict[str, Any]):
    """A JSON object with its text, encoded once (a floor screen is stored in the session,
    remembered for its input and answered): a JSON column stores the text as it is. Not
    to be changed once made (the text would no longer say the same)."""

    def __init__(self, value: dict[str, Any]) -> None:
        super().__init__(value)
        self.text = json_text(value)


class JSONField(peewee.TextField):
    """JSON kept as text so the same column works on SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Encoded):
            return value.text
        return json_text(value)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False

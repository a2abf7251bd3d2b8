"""Opaque cursors for list endpoints: base64url of the last row's sort key."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from server.errors import MalformedRequest


def encode(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, arity: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise MalformedRequest("the cursor is not one this server gave out") from None
    if not isinstance(key, list) or len(key) != arity:
        raise MalformedRequest("the cursor is not one this server gave out")
    return key


def page(rows: list[Any], limit: int, key_of: Any) -> tuple[list[Any], str | None, bool]:
    """Rows were fetched with limit+1: cut, and say where the next page starts."""
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode(key_of(rows[-1])) if has_more and rows else None
    return rows, next_cursor, has_more

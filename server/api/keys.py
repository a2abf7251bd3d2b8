"""API keys: created once and shown once, stored as a SHA-256 hash (they are long and random)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from server import rawsql
from server.errors import Forbidden, Unauthorized
from server.models import API_SCOPES, ApiKey, utcnow

KEY_PREFIX = "flk"


@dataclass(frozen=True)
class NewKey:
    row: ApiKey
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(name: str, scope: str) -> NewKey:
    if scope not in API_SCOPES:
        raise ValueError(f"scope must be one of {', '.join(API_SCOPES)}")
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey.create(name=name, prefix=prefix, key_hash=_digest(secret), scope=scope)
    return NewKey(row, secret)


def revoke(prefix: str) -> bool:
    return bool(
        ApiKey.update(revoked_at=utcnow())
        .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_null())
        .execute()
    )


def authenticate(header: str | None, scope: str) -> ApiKey:
    """The key behind an `Authorization: Bearer ...` header, if it may use `scope`."""
    key = _lookup(header)
    if key is None:
        raise Unauthorized("send a valid API key as `Authorization: Bearer <key>`")
    if key.scope != scope and key.scope != "admin":
        raise Forbidden(f"this API key has scope '{key.scope}'; this call needs '{scope}'")
    return key


def _lookup(header: str | None) -> ApiKey | None:
    if not header or not header.startswith("Bearer "):
        return None
    secret = header[len("Bearer ") :].strip()
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != KEY_PREFIX:
        return None
    row = rawsql.execute(_ACTIVE_KEY, [parts[1]]).fetchone()
    if row is None or not hmac.compare_digest(row[3], _digest(secret)):
        return None
    return ApiKey(id=row[0], name=row[1], prefix=row[2], key_hash=row[3], scope=row[4])


# Every API call runs this: hand-written SQL (server/rawsql.py).
_ACTIVE_KEY = (
    'SELECT "id", "name", "prefix", "key_hash", "scope" FROM "api_key" '
    'WHERE "prefix" = ? AND "revoked_at" IS NULL'
)

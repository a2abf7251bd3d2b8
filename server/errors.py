"""Domain errors: raised by rules and handlers, translated once at each edge.

An error says what went wrong (its class, `slug`, `title`, `detail`, field `errors`), never
how an edge spells it: HTTP maps each class to its status and answers RFC 9457
problem+json (server/api/problems.py, which the floor's Socket.IO acks share); the floor
turns a refused input into an error screen (server/floor/inputs.py); the CLI prints a clear
error (server/cli/__init__.py, Context.run). Raising one inside a command rolls its
transaction back, so nothing is half-applied.

The database failing to take the work (a full disk, an outage) is not raised by a rule:
`unavailable()` says which domain error such a failure means, once, for every edge.
"""

from __future__ import annotations

from typing import Any

from server import db


class FloorlinkError(Exception):
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class InvalidInput(FloorlinkError):
    slug = "validation-error"
    title = "The request is not valid"


class MalformedRequest(FloorlinkError):
    slug = "malformed-request"
    title = "The request could not be read"


class NotFound(FloorlinkError):
    slug = "not-found"
    title = "Not found"


class Conflict(FloorlinkError):
    slug = "conflict"
    title = "Conflict with the current state"


class IdempotencyMismatch(FloorlinkError):
    slug = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different request"


class Unauthorized(FloorlinkError):
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(FloorlinkError):
    slug = "forbidden"
    title = "Not allowed"


class Locked(FloorlinkError):
    """Refused until someone unlocks it (a badge after too many wrong PINs)."""

    slug = "locked"
    title = "Locked"


class UnsupportedMediaType(FloorlinkError):
    slug = "unsupported-media-type"
    title = "Send JSON"


class Unavailable(FloorlinkError):
    """The database could not take the work (busy, unreachable): nothing was applied, and
    the same request may succeed later (after `retry_after_s`)."""

    slug = "unavailable"
    title = "Service unavailable"
    retry_after_s = 1


class StorageFull(Unavailable):
    """The database's disk is full: nothing was applied. Floorlink works again by itself,
    without a restart, as soon as space is freed (docs/reliability.md, "A full disk")."""

    slug = "storage-full"
    title = "Storage full"
    retry_after_s = 30


BUSY = "the database is busy or unreachable; nothing was applied, try again"
FULL = (
    "the server's disk is full; nothing was applied. Free space on the disk of the "
    "database, then send the request again (no restart is needed)"
)


def unavailable(exc: BaseException) -> Unavailable | None:
    """What a database error means to a client: StorageFull, Unavailable, or None for any
    other exception (a bug, a conflict: not this function's to translate)."""
    if isinstance(exc, Unavailable):
        return exc
    if db.storage_full(exc):
        return StorageFull(FULL)
    if db.unreachable(exc):
        return Unavailable(BUSY)
    return None


def field_error(path: str, message: str) -> dict[str, str]:
    return {"field": path, "message": message}

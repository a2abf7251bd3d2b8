"""Domain errors: raised by rules and handlers, translated once at each edge.

An error says what went wrong (its class, `slug`, `title`, `detail`, field `errors`), never
how an edge spells it: HTTP maps each class to its status and answers RFC 9457
problem+json (server/api/problems.py, which the floor's Socket.IO acks share); the floor
turns a refused input into an error screen (server/floor/inputs.py); the CLI prints a clear
error (server/cli/__init__.py, Context.run). Raising one inside a command rolls its
transaction back, so nothing is half-applied.
"""

from __future__ import annotations

from typing import Any


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


def field_error(path: str, message: str) -> dict[str, str]:
    return {"field": path, "message": message}

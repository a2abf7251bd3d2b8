"""Domain errors: raised by rules and handlers, translated once at the edge.

HTTP turns them into RFC 9457 problem+json; the floor turns them into an error screen.
Raising one inside a command rolls its transaction back, so nothing is half-applied.
"""

from __future__ import annotations

from typing import Any


class FloorlinkError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class InvalidInput(FloorlinkError):
    status = 422
    slug = "validation-error"
    title = "The request is not valid"


class MalformedRequest(FloorlinkError):
    status = 400
    slug = "malformed-request"
    title = "The request could not be read"


class NotFound(FloorlinkError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(FloorlinkError):
    status = 409
    slug = "conflict"
    title = "Conflict with the current state"


class IdempotencyMismatch(FloorlinkError):
    status = 422
    slug = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different request"


class Unauthorized(FloorlinkError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(FloorlinkError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


def field_error(path: str, message: str) -> dict[str, str]:
    return {"field": path, "message": message}


class UnsupportedMediaType(FloorlinkError):
    status = 415
    slug = "unsupported-media-type"
    title = "Send JSON"

"""Errors translated in one place into RFC 9457 application/problem+json.

Domain errors carry no HTTP status: `STATUS` maps each class of server/errors.py to its
status, once, for the HTTP answers and for the floor protocol's Socket.IO acks
(server/floor/socket_events.py), which speak the same statuses. A database that cannot take
the work (server.errors.unavailable: a full disk, an outage) is a 503 with Retry-After,
whichever exception says so, never a 500."""

from __future__ import annotations

import logging
from typing import Any

import peewee
from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from server.errors import (
    BUSY,
    Conflict,
    FloorlinkError,
    Forbidden,
    IdempotencyMismatch,
    InvalidInput,
    Locked,
    MalformedRequest,
    NotFound,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    unavailable,
)

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://floorlink.dev/problems/"

# The status of each class of domain error; a subclass answers its nearest listed base's.
STATUS: dict[type[FloorlinkError], int] = {
    FloorlinkError: 400,
    MalformedRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    UnsupportedMediaType: 415,
    InvalidInput: 422,
    IdempotencyMismatch: 422,
    Locked: 423,
    Unavailable: 503,
}


def status_of(exc: FloorlinkError) -> int:
    return next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)


def problem(
    status: int,
    title: str,
    detail: str,
    slug: str,
    errors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def domain_problem(exc: FloorlinkError) -> Response:
    response = problem(status_of(exc), exc.title, exc.detail, exc.slug, exc.errors, **exc.extra)
    if isinstance(exc, Unavailable):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def _unavailable(exc: BaseException, refused: Unavailable) -> Response:
    log.warning("%s on %s %s: %s", refused.title, request.method, request.path, exc)
    return domain_problem(refused)


def install(app: Flask) -> None:
    @app.before_request
    def _refuse_large_bodies() -> None:
        """A body over the limit is 413 before any other check reads (or ignores) it."""
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge(f"the body is larger than {limit} bytes")

    @app.errorhandler(FloorlinkError)
    def _domain(exc: FloorlinkError) -> Response:
        return domain_problem(exc)

    @app.errorhandler(peewee.IntegrityError)
    def _integrity(exc: peewee.IntegrityError) -> Response:
        log.info("integrity conflict on %s: %s", request.path, exc)
        return problem(
            409,
            "Conflict with the current state",
            "the request conflicts with existing data (a unique code or a stock limit)",
            "conflict",
        )

    @app.errorhandler(peewee.DataError)
    def _data(exc: peewee.DataError) -> Response:
        log.info("value out of range on %s: %s", request.path, exc)
        return problem(
            422,
            "The request is not valid",
            "a value is out of the range the database can store",
            "validation-error",
        )

    @app.errorhandler(peewee.OperationalError)
    def _busy(exc: peewee.OperationalError) -> Response:
        return _unavailable(exc, unavailable(exc) or Unavailable(BUSY))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        code = exc.code or 500
        slug = (exc.name or "error").lower().replace(" ", "-")
        response = problem(code, exc.name or "Error", exc.description or "", slug)
        if code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        refused = unavailable(exc)  # a driver's own error, not wrapped by peewee
        if refused is not None:
            return _unavailable(exc, refused)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(
            500, "Internal error", "an unexpected error happened; it was logged", "internal"
        )

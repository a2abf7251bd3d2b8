"""Errors translated in one place into RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from typing import Any

import peewee
from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from server.errors import FloorlinkError

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://floorlink.dev/problems/"


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


def install(app: Flask) -> None:
    @app.before_request
    def _refuse_large_bodies() -> None:
        """A body over the limit is 413 before any other check reads (or ignores) it."""
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge(f"the body is larger than {limit} bytes")

    @app.errorhandler(FloorlinkError)
    def _domain(exc: FloorlinkError) -> Response:
        return problem(exc.status, exc.title, exc.detail, exc.slug, exc.errors, **exc.extra)

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
        log.warning("database unavailable on %s: %s", request.path, exc)
        response = problem(
            503,
            "Service unavailable",
            "the database is busy or unreachable; nothing was applied, try again",
            "unavailable",
        )
        response.headers["Retry-After"] = "1"
        return response

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
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(
            500, "Internal error", "an unexpected error happened; it was logged", "internal"
        )

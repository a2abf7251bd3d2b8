"""The API's own description and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from server.api.openapi import document
from server.api.routing import PUBLIC, operation

bp = Blueprint("meta", __name__, url_prefix="/api/v1")


@operation(bp, "/openapi.json", "GET", access=PUBLIC, tag="meta", summary="This document")
def openapi_json() -> Any:
    return document()


@operation(bp, "/health", "GET", access=PUBLIC, tag="meta", summary="Liveness of the server")
def health() -> Any:
    return {"status": "ok"}

"""The API's own description and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict

from server.api.openapi import document
from server.api.routing import PUBLIC, operation

bp = Blueprint("meta", __name__, url_prefix="/api/v1")


class OpenApiDocument(BaseModel):
    model_config = ConfigDict(extra="allow")
    openapi: str


class Health(BaseModel):
    status: str


@operation(
    bp,
    "/openapi.json",
    "GET",
    access=PUBLIC,
    tag="meta",
    summary="This document",
    responses={200: ("OpenAPI 3.1", OpenApiDocument)},
)
def openapi_json() -> Any:
    return document()


@operation(
    bp,
    "/health",
    "GET",
    access=PUBLIC,
    tag="meta",
    summary="Liveness of the server",
    responses={200: ("Alive", Health)},
)
def health() -> Any:
    return {"status": "ok"}

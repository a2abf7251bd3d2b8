"""Supervisor exceptions for admins: list them, resolve them (with their event)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from server.api import pagination
from server.api.catalog import api_actor
from server.api.routing import operation
from server.models import SupervisorException
from server.operations import CODE_PATTERN, Strict, text
from server.runtime import runtime
from server.supervision.exceptions import ResolveException, exception_view

bp = Blueprint("exceptions", __name__, url_prefix="/api/v1")


class ExceptionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "resolved"] | None = None
    kind: Annotated[str, StringConstraints(max_length=64, pattern=CODE_PATTERN)] | None = None
    cursor: Annotated[str, StringConstraints(max_length=200, pattern=CODE_PATTERN)] | None = None
    limit: int = Field(default=100, ge=1, le=1000)


class ExceptionOut(BaseModel):
    id: str
    kind: str
    subject: str
    message: str
    data: dict[str, Any]
    status: Literal["open", "resolved"]
    raised_at: str
    resolved_at: str | None
    resolved_by: str | None
    resolution: str


class ExceptionPage(BaseModel):
    data: list[ExceptionOut]
    next_cursor: str | None
    has_more: bool


class ResolveIn(Strict):
    resolution: Annotated[str, text(1000)] = ""


@operation(
    bp,
    "/exceptions",
    "GET",
    access="admin",
    tag="exceptions",
    query=ExceptionQuery,
    summary="Supervisor exceptions, oldest first (status=open|resolved, kind=...)",
    responses={200: ("A page of exceptions", ExceptionPage)},
)
def list_exceptions(query: ExceptionQuery) -> Any:
    X = SupervisorException
    rows = X.select()
    if query.status:
        rows = rows.where(X.status == query.status)
    if query.kind:
        rows = rows.where(X.kind == query.kind)
    after = pagination.decode(query.cursor, 1)
    if after:
        rows = rows.where(X.id > int(after[0]) if str(after[0]).isdigit() else X.id < 0)
    fetched = list(rows.order_by(X.id).limit(query.limit + 1))
    fetched, next_cursor, has_more = pagination.page(fetched, query.limit, lambda r: [r.id])
    return {
        "data": [exception_view(r) for r in fetched],
        "next_cursor": next_cursor,
        "has_more": has_more,
    }


@operation(
    bp,
    "/exceptions/<exception_id>/resolve",
    "POST",
    access="admin",
    tag="exceptions",
    body=ResolveIn,
    summary="Resolve an exception (records exception.resolved); 409 if already resolved",
    responses={200: ("The resolved exception", ExceptionOut)},
)
def resolve(exception_id: str, body: ResolveIn) -> Any:
    command = ResolveException(exception_id, body.resolution)
    return runtime().spine.execute(command, api_actor()).result

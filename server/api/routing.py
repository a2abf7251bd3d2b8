"""Declaring an API operation once: its access rule, its schemas, its OpenAPI entry.

Every route goes through `operation`, so every route has an explicit access rule (deny by
default) and the OpenAPI document is generated from the same pydantic models that validate
the requests: the two cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, request
from pydantic import BaseModel, ValidationError

from server.api import keys
from server.db import connection
from server.errors import (
    InvalidInput,
    MalformedRequest,
    NotFound,
    UnsupportedMediaType,
    field_error,
)

PUBLIC = "public"
# Every identifier in a path (SKU, external id, RMA id...) is a code: 1-64 printable ASCII.
_PATH_ARG = re.compile(r"^[\x21-\x7e]{1,64}$")


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    summary: str
    tag: str
    access: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, tuple[str, type[BaseModel] | None]] = field(default_factory=dict)
    headers: tuple[tuple[str, bool, str], ...] = ()  # (name, required, description)

    @property
    def path(self) -> str:
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)


REGISTRY: list[Operation] = []
# Access rules that are not API-key scopes (e.g. the floor's "device" and "session:<roles>"),
# by the part before ":"; the function authenticates the request for the whole rule. Handed
# over by create_app (app.extensions), never registered at import.
AUTHENTICATORS_KEY = "floorlink.authenticators"


def authenticate(access: str) -> None:
    authenticators = current_app.extensions.get(AUTHENTICATORS_KEY, {})
    custom = authenticators.get(access.partition(":")[0])
    if custom is not None:
        custom(access)
    else:
        g.api_key = keys.authenticate(request.headers.get("Authorization"), access)


def operation(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    access: str,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    responses: dict[int, tuple[str, type[BaseModel] | None]] | None = None,
    headers: tuple[tuple[str, bool, str], ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    prefix = bp.url_prefix or ""
    op = Operation(
        method.upper(), prefix + rule, summary, tag, access, body, query, responses or {}, headers
    )
    REGISTRY.append(op)

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def view(**path_args: Any) -> Any:
            with connection():
                if access != PUBLIC:
                    authenticate(access)
                _require_path_args(path_args)
                _require_headers(headers)
                if body is not None:
                    path_args["body"] = parse_body(body)
                if query is not None:
                    path_args["query"] = parse_query(query)
                return fn(**path_args)

        view.access_rule = access
        bp.add_url_rule(rule, fn.__name__, view, methods=[method.upper()])
        return view

    return decorate


def _require_path_args(path_args: dict[str, Any]) -> None:
    for name, value in path_args.items():
        if not _PATH_ARG.match(str(value)):
            raise NotFound(f"no such {name}: identifiers are 1 to 64 printable ASCII characters")


def _require_headers(headers: tuple[tuple[str, bool, str], ...]) -> None:
    for name, required, _ in headers:
        if required and not request.headers.get(name, "").strip():
            raise MalformedRequest(
                f"the {name} header is required",
                [field_error(f"header.{name}", "this header is required")],
            )


def parse_body(model: type[BaseModel]) -> Any:
    mimetype = request.mimetype or "application/json"
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(f"send the body as application/json, not {mimetype}")
    raw = request.get_data(cache=True)
    if not raw:
        if body_optional(model):
            return model()
        raise MalformedRequest("the request needs a JSON body")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise _translate(exc) from None


def body_optional(model: type[BaseModel]) -> bool:
    """A body whose every field has a default may be left out (e.g. cancel without reason)."""
    return not any(f.is_required() for f in model.model_fields.values())


def parse_query(model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise _translate(exc, where="query") from None


def _translate(exc: ValidationError, where: str = "") -> Exception:
    errors = []
    for err in exc.errors(include_url=False, include_input=False):
        if err["type"] == "json_invalid":
            return MalformedRequest(f"the body is not valid JSON: {err['msg']}")
        errors.append({"field": _path(err["loc"], where), "message": err["msg"]})
    return InvalidInput("some fields are not valid", errors)


def _path(loc: tuple[Any, ...], where: str) -> str:
    out = where
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(body)"

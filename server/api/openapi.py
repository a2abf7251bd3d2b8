"""OpenAPI 3.1, generated from the operations and the pydantic models that validate them."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server.api.routing import REGISTRY, Operation, body_optional

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
REF = "#/components/schemas/{model}"


def document(
    title: str = "Floorlink OMS API", version: str = "1.0.0", prefix: str = "/api/v1/"
) -> dict[str, Any]:
    """The operations under `prefix` (the floor protocol has its own document)."""
    chosen = [o for o in REGISTRY if o.path.startswith(prefix)]
    ops = sorted(chosen, key=lambda o: (o.path, o.method))
    schemas = _schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas | {"Problem": PROBLEM_SCHEMA},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _schemas(ops: list[Operation]) -> dict[str, Any]:
    models: set[type[BaseModel]] = set()
    for op in ops:
        models.update(m for m in (op.body,) if m)
        models.update(m for _, m in op.responses.values() if m)
    pairs: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (m, "validation") for m in sorted(models, key=lambda m: m.__name__)
    ]
    _, top = models_json_schema(pairs, ref_template=REF)
    return dict(top.get("$defs", {}))


def _operation(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": f"{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower()).strip('_')}",
        "parameters": _parameters(op),
        "responses": _responses(op),
    }
    if op.access != "public":
        out["security"] = [{"bearer": []}]
        out["x-required-scope"] = op.access
    if op.body is not None:
        out["requestBody"] = {
            "required": not body_optional(op.body),
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
            },
        }
    return out


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in re.findall(r"{(\w+)}", op.path)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema()
        needed = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in needed, "schema": prop})
    for name, required, description in op.headers:
        params.append(
            {
                "name": name,
                "in": "header",
                "required": required,
                "description": description,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    return params


def _responses(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, (description, model) in sorted(op.responses.items()):
        entry: dict[str, Any] = {"description": description}
        if model is not None:
            entry["content"] = {
                "application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}
            }
        out[str(status)] = entry
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    for status, description in _problem_statuses(op):
        out.setdefault(str(status), {"description": description, "content": problem})
    return out


def _problem_statuses(op: Operation) -> list[tuple[int, str]]:
    statuses = [(400, "Malformed request"), (404, "Not found"), (409, "Conflict")]
    if op.access != "public":
        statuses += [(401, "No valid API key"), (403, "The key lacks the scope")]
    if op.body is not None or op.query is not None:
        statuses += [(413, "Body too large"), (415, "Not JSON"), (422, "Invalid fields")]
    return statuses

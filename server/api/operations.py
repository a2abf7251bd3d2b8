"""The areas' operations (server/operations.py) as routes under /api/v1: each through
`routing.operation`, so its access rule, its validation and its OpenAPI entry are those of
every other route; a command runs through the request's spine as the API key's actor."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response

from server.api.catalog import api_actor
from server.api.routing import operation
from server.areas import AREAS
from server.operations import Call, Document, Operation
from server.runtime import runtime

bp = Blueprint("operations", __name__, url_prefix="/api/v1")


def serve(op: Operation, endpoint: str) -> None:
    def view(**args: Any) -> Any:
        body, query = args.pop("body", None), args.pop("query", None)
        rt = runtime()
        call = Call(args, body, query, rt.settings)
        if op.read is not None:
            answer = op.read(call)
            if isinstance(answer, Document):
                return Response(
                    answer.content,
                    mimetype=answer.media_type,
                    headers={"Content-Disposition": f'inline; filename="{answer.filename}"'},
                )
        else:
            assert op.command is not None
            result = rt.spine.execute(op.command(call), api_actor()).result
            answer = op.answer(call, result) if op.answer is not None else result
        return answer if op.status == 200 else (answer, op.status)

    view.__name__ = view.__qualname__ = endpoint
    operation(
        bp,
        op.path,
        op.method,
        access=op.access,
        summary=op.summary,
        tag=op.tag,
        body=op.body,
        query=op.query,
        responses={op.status: op.response},
    )(view)


def _endpoint(area: str, op: Operation) -> str:
    return f"{area}_{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower()).strip('_')}"


for _area in AREAS:
    for _op in _area.operations:
        serve(_op, _endpoint(_area.name, _op))

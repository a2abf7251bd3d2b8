"""The board's edges: the floor protocol's board calls over HTTP and over the `/kiosk`
socket, for a supervisor's session only (deny by default; docs/supervision.md).

HTTP   GET  /api/floor/v1/board          the board model now
       POST /api/floor/v1/board/fixes    {input_id, item, fix, value?} -> {result, board}
Socket board.watch  joins the `board` room (pushes `board` {model} after every change);
                    the ack is the model now
       board.fix    the body of POST .../board/fixes; the ack is {result} or {error}

A fix is one spine command (`ApplyFix`) with the supervisor as actor, de-duplicated on
`board:<session>:<input_id>`, so a fix sent again after a lost ack does nothing twice.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from flask import Blueprint, request
from flask_socketio import join_room
from pydantic import BaseModel, StringConstraints, ValidationError

from server.api.problems import status_of
from server.api.routing import operation
from server.board import watchers
from server.board.area import hub
from server.board.fixes import ApplyFix
from server.board.hub import ROOM
from server.db import connection
from server.errors import FloorlinkError, Forbidden
from server.floor import rules, sockets_registry
from server.floor.access import SESSION_HEADERS, caller, socket_event
from server.floor.inputs import SessionEnded
from server.floor.schemas import Code, _Body
from server.floor.sessions import open_session_with_operator
from server.runtime import runtime
from server.spine import Actor, Dedupe

log = logging.getLogger(__name__)
bp = Blueprint("board", __name__, url_prefix="/api/floor/v1")
TAG = "board"
RULE = "session:supervisor"

Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class FixIn(_Body):
    input_id: Code
    item: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    fix: Code
    value: Text | None = None


class FixResult(BaseModel):
    item: str
    fix: str
    done: str


class FixOut(BaseModel):
    result: FixResult


class BoardOut(BaseModel):
    model_config = {"extra": "allow"}
    version: int
    as_of: str


def _apply(session_id: str, badge: str, body: FixIn) -> dict[str, Any]:
    dedupe = Dedupe(f"board:{session_id}:{body.input_id}")
    command = ApplyFix(body.item, body.fix, body.value)
    outcome = runtime().spine.execute(command, Actor("operator", badge), dedupe)
    return dict(outcome.result)


@operation(
    bp,
    "/board",
    "GET",
    access=RULE,
    tag=TAG,
    summary="The supervisors' board model now (pushed as `board` on the /kiosk socket)",
    headers=SESSION_HEADERS,
    responses={200: ("The board", BoardOut)},
)
def get_board() -> Any:
    return hub(runtime()).current()


@operation(
    bp,
    "/board/fixes",
    "POST",
    access=RULE,
    tag=TAG,
    summary="Apply one fix to an item of the exceptions queue (one command, audited)",
    body=FixIn,
    headers=SESSION_HEADERS,
    responses={200: ("Applied", FixOut)},
)
def post_fix(body: FixIn) -> Any:
    me = caller()
    assert me.session is not None and me.operator is not None
    return {"result": _apply(me.session.session_id, me.operator.badge, body)}


# -- Socket.IO ------------------------------------------------------------------------------


def _supervisor() -> tuple[str, str]:
    """The socket's open session and badge, re-checked on every event (deny by default)."""
    auth = sockets_registry.get(str(request.sid))
    if auth is None or auth.session_id is None:
        raise SessionEnded("log in first")
    found = open_session_with_operator('s."session_id" = ?', [auth.session_id])
    if found is None or not found[1].active or found[0].device_id != auth.device_id:
        raise SessionEnded("this session has ended: log in again")
    session, operator = found
    if not rules.rule_allows(RULE, frozenset(operator.roles or [])):
        raise Forbidden("the board is for supervisors")
    return session.session_id, operator.badge


def _refused(exc: FloorlinkError) -> dict[str, Any]:
    return {"error": {"status": status_of(exc), "detail": exc.detail}}


@socket_event("board.watch", RULE)
def on_watch(*_: Any) -> dict[str, Any]:
    try:
        with connection():
            _supervisor()
    except FloorlinkError as exc:
        return _refused(exc)
    sid = str(request.sid)
    join_room(ROOM)
    watchers.add(sid)
    board = hub(runtime())
    board.wake()
    return {"board": board.current()}


@socket_event("board.fix", RULE)
def on_fix(body: Any = None) -> dict[str, Any]:
    try:
        parsed = FixIn.model_validate(body if isinstance(body, dict) else {})
    except ValidationError as exc:
        errors = [e["msg"] for e in exc.errors(include_url=False, include_input=False)]
        return {"error": {"status": 422, "detail": "; ".join(errors)}}
    try:
        with connection():
            session_id, badge = _supervisor()
            result = _apply(session_id, badge, parsed)
    except FloorlinkError as exc:
        log.info("board fix %s refused: %s", parsed.input_id, exc.detail)
        return _refused(exc)
    return {"result": result}

"""The `/kiosk` Socket.IO namespace: the floor protocol over one socket per kiosk.

connect  auth {device_token, session_token?}: joins `device:<id>` (and `session:<id>`)
input    the body of POST .../inputs; the ack is {screen} (or {error})
screen   the session's current screen, as an ack
ping     a latency probe for a logged-in socket: the ack is {pong: true}, no database work
The server emits `screen` {screen} whenever something else changes it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import emit, join_room
from pydantic import ValidationError

from server.api.problems import status_of
from server.db import connection
from server.errors import FloorlinkError
from server.floor import inputs, push, screens, sockets_registry
from server.floor.access import device_from, session_from, socket_event
from server.floor.schemas import InputIn
from server.floor.sessions import open_session
from server.floor.sockets_registry import SocketAuth
from server.runtime import runtime

log = logging.getLogger(__name__)


def _sid() -> str:
    return str(request.sid)


@socket_event("connect", "device")
def on_connect(auth: Any = None) -> bool:
    data = auth if isinstance(auth, dict) else {}
    try:
        with connection():
            device = device_from(data.get("device_token"))
            session = None
            if data.get("session_token"):
                session = session_from(device, data.get("session_token"), "session").session
    except FloorlinkError as exc:
        log.info("kiosk socket refused: %s", exc.detail)
        return False
    sockets_registry.add(
        SocketAuth(
            _sid(),
            device.device_id,
            session.session_id if session else None,
            session.badge if session else None,
        )
    )
    join_room(push.device_room(device.device_id))
    if session is not None:
        join_room(push.session_room(session.session_id))
        emit("screen", {"screen": session.screen})
    return True


@socket_event("disconnect", "public")  # only forgets the socket; no effect, no data
def on_disconnect(*_: Any) -> None:
    sockets_registry.remove(_sid())


def _socket_session() -> tuple[str, str, str]:
    """(session id, badge, device id) this socket logged in with; an input checks that the
    session is still open, on this device, in its own transaction (inputs.py `_load`)."""
    auth = sockets_registry.get(_sid())
    if auth is None or auth.session_id is None or auth.badge is None:
        raise inputs.SessionEnded("log in first")
    return auth.session_id, auth.badge, auth.device_id


def _checked_session() -> tuple[str, str]:
    """Re-check, on every event, that the socket's session is still open (deny by default)."""
    auth = sockets_registry.get(_sid())
    if auth is None or auth.session_id is None:
        raise inputs.SessionEnded("log in first")
    session = open_session(auth.session_id)
    if session is None or session.device_id != auth.device_id:
        raise inputs.SessionEnded("this session has ended: log in again")
    return session.session_id, session.badge


def _refused(exc: FloorlinkError) -> dict[str, Any]:
    ended = isinstance(exc, inputs.SessionEnded)
    screen = screens.logged_out(exc.detail).to_json() if ended else None
    return {"error": {"status": status_of(exc), "detail": exc.detail}, "screen": screen}


@socket_event("input", "session")
def on_input(body: Any = None) -> dict[str, Any]:
    try:
        parsed = InputIn.model_validate(body if isinstance(body, dict) else {})
    except ValidationError as exc:
        errors = [e["msg"] for e in exc.errors(include_url=False, include_input=False)]
        return {"error": {"status": 422, "detail": "; ".join(errors)}, "screen": None}
    try:
        session_id, badge, device_id = _socket_session()
        with connection():
            inp = parsed.floor_input("socket")
            screen = inputs.submit_from_kiosk(
                runtime().spine, session_id, inp, badge, device_id, _sid()
            )
    except FloorlinkError as exc:
        return _refused(exc)
    return {"screen": screen}


@socket_event("screen", "session")
def on_screen(*_: Any) -> dict[str, Any]:
    try:
        with connection():
            session_id, _badge = _checked_session()
            session = open_session(session_id)
    except FloorlinkError as exc:
        return _refused(exc)
    return {"screen": session.screen if session else None}


@socket_event("ping", "session")
def on_ping(*_: Any) -> dict[str, Any]:
    """Answer at once: the session is checked against this process's socket registry only,
    which logouts, role changes and revocations update at once (push.end_on_sockets)."""
    auth = sockets_registry.get(_sid())
    if auth is None or auth.session_id is None:
        return {"error": {"status": 401, "detail": "log in first"}, "screen": None}
    return {"pong": True}

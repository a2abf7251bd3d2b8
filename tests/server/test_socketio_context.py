"""Request contexts: Socket.IO events are not routed (no NotFound cycle per event), and no
request opens a cookie session."""

from __future__ import annotations

import gc

from flask import Flask, request
from werkzeug.exceptions import NotFound


def test_socketio_request_contexts_are_not_routed(app: Flask) -> None:
    with app.test_request_context("/socket.io/?EIO=4&transport=websocket"):
        assert request.routing_exception is None
    with app.test_request_context("/no/such/page"):
        assert isinstance(request.routing_exception, NotFound)


def test_a_socketio_request_context_leaves_no_cyclic_garbage(app: Flask) -> None:
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            with app.test_request_context("/socket.io/?EIO=4&transport=websocket"):
                pass
        collected = gc.collect(0)
    finally:
        gc.enable()
    assert collected < 50, f"{collected} objects in reference cycles after 50 contexts"


def test_no_request_opens_a_cookie_session(app: Flask) -> None:
    """Every caller authenticates by token: a cookie sent is not read (the session is
    Flask's empty NullSession) and no response sets one."""
    from flask import session
    from flask.sessions import NullSession

    with app.test_request_context("/socket.io/", headers={"Cookie": "session=forged"}):
        assert isinstance(session._get_current_object(), NullSession)  # type: ignore[attr-defined]
        assert not session
    response = app.test_client().get("/api/v1/health", headers={"Cookie": "session=x"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers

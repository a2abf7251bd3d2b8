"""Socket.IO events' request contexts are not routed (no NotFound cycle per event)."""

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

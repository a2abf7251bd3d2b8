"""A kiosk input the database cannot take (a full disk) is the current screen with error
feedback, over HTTP and Socket.IO alike (server/floor/inputs.py submit_from_kiosk), and is not
remembered: the same input_id sent again, once the database takes it, has its effect."""

from __future__ import annotations

from typing import Any

import peewee
import pytest
from flask import Flask

from server.floor import inputs
from server.realtime import socketio
from tests.floor.conftest import Kiosk


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """`inputs.submit` failing as SQLite does on a full disk, while `state["full"]`."""
    state = {"full": True}
    real = inputs.submit

    def submit(*args: Any) -> Any:
        if state["full"]:
            raise peewee.OperationalError("database or disk is full")
        return real(*args)

    monkeypatch.setattr(inputs, "submit", submit)
    return state


def test_http_and_socket_inputs_on_a_full_disk_get_an_error_screen(
    app: Flask, enrolled: Any, operator: Any, full_disk: dict[str, bool]
) -> None:
    operator("F-1", "picker")
    kiosk: Kiosk = enrolled()
    kiosk.login("F-1")
    r = kiosk.send("in-1", action="pick")
    assert r.status_code == 200
    screen = r.json["screen"]
    assert screen["name"] == "home"
    assert screen["feedback"] == {
        "level": "error",  # the kiosk's error sound (kiosk_ui/static/js/feedback.js)
        "message": "Storage full: not saved. Tell a supervisor, then try again",
    }
    client = socketio.test_client(
        app, namespace="/kiosk", auth={"device_token": kiosk.device_token, "session_token": kiosk.token}
    )  # fmt: skip
    ack = client.emit("input", {"input_id": "in-2", "action": "pick"}, namespace="/kiosk", callback=True)  # fmt: skip
    assert ack["screen"]["feedback"]["level"] == "error"
    assert ack["screen"]["name"] == "home"
    client.disconnect(namespace="/kiosk")

    full_disk["full"] = False
    again = kiosk.send("in-1", action="home")
    assert again.status_code == 200 and again.json["screen"]["feedback"] is None

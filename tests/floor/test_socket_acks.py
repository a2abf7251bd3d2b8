"""Every Socket.IO event gets an ack, whatever its handler meets (server/floor/access.py
`failed_ack`): a kiosk that got none would sit out its ack timeout and show nothing. A
database that refuses the connection (PostgreSQL's "too many clients", a restart) is a 503
with retry_after_s, the input not applied, so the kiosk keeps it queued and sends it again
(kiosk_ui/static/js/link.js); a bug is a 500, logged."""

from __future__ import annotations

from typing import Any

import peewee
import pytest
from flask import Flask

from server import db
from server.floor import inputs
from server.realtime import socketio
from tests.floor.conftest import Kiosk


def _socket(app: Flask, kiosk: Kiosk) -> Any:
    auth = {"device_token": kiosk.device_token, "session_token": kiosk.token}
    client = socketio.test_client(app, namespace="/kiosk", auth=auth)
    assert client.is_connected(namespace="/kiosk")
    return client


def _emit(client: Any, event: str, body: Any = None) -> Any:
    return client.emit(event, body, namespace="/kiosk", callback=True)


def test_an_input_the_database_refuses_to_connect_for_is_a_503_ack_and_applies_later(
    app: Flask, enrolled: Any, operator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator("A-1", "picker")
    kiosk: Kiosk = enrolled()
    kiosk.login("A-1")
    client = _socket(app, kiosk)
    refused = peewee.OperationalError("FATAL:  sorry, too many clients already")
    pool = db.database.obj

    def connect(*_: Any, **__: Any) -> Any:
        raise refused

    db.database.close()  # this thread's connection: the next input opens one
    monkeypatch.setattr(pool, "connect", connect)
    ack = _emit(client, "input", {"input_id": "in-1", "action": "pick"})
    assert ack["screen"] is None
    assert ack["error"]["status"] == 503
    assert ack["error"]["retry_after_s"] >= 1
    assert "nothing was applied" in ack["error"]["detail"]
    screen_ack = _emit(client, "screen")
    assert screen_ack["error"]["status"] == 503

    monkeypatch.undo()  # the database takes connections again: the same input, once
    ack = _emit(client, "input", {"input_id": "in-1", "action": "pick"})
    assert ack.get("error") is None and ack["screen"]["name"].startswith("pick.")
    again = _emit(client, "input", {"input_id": "in-1", "action": "pick"})
    assert again["screen"] == ack["screen"]
    client.disconnect(namespace="/kiosk")


def test_a_bug_in_a_handler_is_a_500_ack_and_logged(
    app: Flask,
    enrolled: Any,
    operator: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    operator("A-2", "picker")
    kiosk: Kiosk = enrolled()
    kiosk.login("A-2")
    client = _socket(app, kiosk)

    def broken(*_: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(inputs, "submit_from_kiosk", broken)
    ack = _emit(client, "input", {"input_id": "in-1", "action": "pick"})
    assert ack == {
        "error": {"status": 500, "detail": "an unexpected error happened; it was logged"},
        "screen": None,
    }
    assert any("Socket.IO event input" in r.getMessage() for r in caplog.records)
    client.disconnect(namespace="/kiosk")

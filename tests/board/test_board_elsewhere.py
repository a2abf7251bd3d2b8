"""A change committed by another process (the CLI, a relay on its own) reaches the open
boards too: the board's hub reads it from the event log. Here the other process is a second
Floorlink built on the same database (as `floorlink` commands are), whose commits this
server's listeners never hear of."""

from __future__ import annotations

import json
import queue
import time
from typing import Any

import socketio
from flask import Flask

from server.bootstrap import build_runtime
from server.coldchain.holds import HoldStock
from server.db import database as db_proxy
from tests.fixtures.app import Api
from tests.floor.conftest import FLOOR, add_kiosk, add_operator
from tests.picking.live import serve
from tests.sync.conftest import TESTER


def test_a_hold_committed_by_another_process_reaches_the_board(
    app: Flask, site: Api, database: Any
) -> None:
    add_operator(app, "SUP", ("supervisor",))
    pushes: queue.Queue[dict[str, Any]] = queue.Queue()
    with serve(app) as base:
        client = app.test_client()
        token = client.post(f"{FLOOR}/enroll", json={"code": add_kiosk(app, "HH-S")}).json[
            "device_token"
        ]
        login = client.post(
            f"{FLOOR}/sessions",
            json={"badge": "SUP", "pin": "1234"},
            headers={"X-Device-Token": token},
        ).json
        sio = socketio.Client(reconnection=False)
        sio.on("board", lambda text: pushes.put(json.loads(text)), namespace="/kiosk")
        sio.connect(
            base,
            namespaces=["/kiosk"],
            auth={"device_token": token, "session_token": login["token"]},
            wait_timeout=10,
        )
        try:
            full = sio.call("board.watch", {}, namespace="/kiosk", timeout=10)["board"]
            assert full["queue"]["count"] == 0
            other = build_runtime(app.extensions["floorlink"].settings)  # no listener here
            with db_proxy.connection_context():
                other.spine.execute(HoldStock("A-01-01-1", "from the CLI"), TESTER)
            sent = time.monotonic()
            while True:
                push = pushes.get(timeout=5)
                queue_part = push["parts"].get("queue") if push.get("partial") else push["queue"]
                if queue_part and queue_part["count"]:
                    break
            assert time.monotonic() - sent < 2.5  # the log is read once a second
            assert queue_part["items"][0]["kind"] == "stock_held"
        finally:
            sio.disconnect()

"""`floorlink returns grading` and `floorlink returns close`, the same operations as the
API (server/returns/operations.py), run as `cli:<user>`."""

from __future__ import annotations

import json
from pathlib import Path

from server.db import database as db_proxy
from server.models import Event
from tests.fixtures.app import Api
from tests.fixtures.cli import floorlink_on
from tests.returns.conftest import rma


def test_the_trees_are_read_and_an_rma_closed_from_the_cli(
    db_url: str, tmp_path: Path, zones: Api
) -> None:
    floorlink = floorlink_on(db_url, tmp_path)
    read = floorlink("returns", "grading")
    assert read.exit_code == 0, read.output
    assert json.loads(read.output)["trees"][0]["id"] == "general"
    body = {"external_id": "WEB-1", "channel": "web",
            "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}]}  # fmt: skip
    assert zones.post("/orders", body, headers={"Idempotency-Key": "WEB-1"}).status_code == 201
    rma(zones, "RMA-1", "WEB-1", MUG=1)
    closed = floorlink("returns", "close", "RMA-1")
    assert closed.exit_code == 0, closed.output
    assert json.loads(closed.output)["missing"] == [{"sku": "MUG", "qty": 1}]
    again = floorlink("returns", "close", "RMA-1")
    assert again.exit_code != 0 and "already closed" in again.output
    with db_proxy.connection_context():
        event = Event.select().where(Event.type == "return.received").get()
    assert event.actor.startswith("cli:")

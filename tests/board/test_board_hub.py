"""What the board's hub pushes, and when (server/board/hub.py): only the parts whose
content changed, nothing when nothing did; a supervisor's change at once, the floor's
progress at most once per PROGRESS_S; the refresh even when nothing changed."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from flask import Flask

from server.board import watchers
from server.board.area import hub
from server.board.hub import BoardHub
from server.board.model import PROGRESS_S
from tests.board.conftest import board, fix, item_of, short_pick
from tests.floor.conftest import Kiosk


@pytest.fixture
def pushed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> tuple[BoardHub, list[dict[str, Any]]]:
    """The hub of the app with one board watching; what it pushes, decoded."""
    found: list[dict[str, Any]] = []
    board_hub = hub(app.extensions["floorlink"])
    monkeypatch.setattr(board_hub, "_push", lambda text: found.append(json.loads(text)))
    monkeypatch.setattr(watchers, "count", lambda: 1)
    return board_hub, found


def test_a_push_carries_only_the_parts_that_changed(
    floor: dict[str, Kiosk], pushed: tuple[BoardHub, list[dict[str, Any]]], database: Any
) -> None:
    board_hub, pushes = pushed
    short_pick(floor["P-1"])
    sup = floor["SUP"]
    model = board(sup).json  # the whole model, read now
    pushes.clear()
    board_hub.touch({"orders": True, "batches": True, "queue": True})
    board_hub._compute()
    assert pushes == []  # read again, the same: nothing sent
    item = item_of(model, "short_pick")
    assert fix(sup, item["id"], "acknowledge").status_code == 200
    board_hub._compute()
    (push,) = pushes
    assert list(push["parts"]) == ["queue"]  # probes and sync were read again, unchanged
    assert (push["base"], push["version"]) == (model["version"], model["version"] + 1)
    assert push["parts"]["queue"]["items"][0]["acknowledged"]["by"] == "operator:SUP"
    # the refresh says the board is current even when nothing changed
    board_hub._compute(refresh=True)
    assert pushes[-1]["parts"] == {} and pushes[-1]["version"] == push["version"]


def test_the_floors_progress_waits_for_its_second_a_decision_does_not(
    floor: dict[str, Kiosk], pushed: tuple[BoardHub, list[dict[str, Any]]], database: Any
) -> None:
    board_hub, _pushes = pushed
    settings = board_hub.runtime.settings.section("board")
    board(floor["SUP"])  # everything read
    now = board_hub.last_progress = board_hub.last_push = time.monotonic()
    board_hub.committed([{"type": "pick.confirmed"}, {"type": "tote.assigned"}])
    progress = dict.fromkeys(("batches", "operators", "choices", "throughput"), False)
    assert board_hub._touched == progress | {"queue": False}
    later = now + settings.min_push_interval_s + 0.001
    assert not board_hub._due(settings, later)  # progress: within its second
    assert board_hub._due(settings, now + PROGRESS_S)
    board_hub.committed([{"type": "exception.raised"}])  # a decision: at once
    assert board_hub._touched["queue"] is True
    assert not board_hub._due(settings, now + settings.min_push_interval_s / 2)
    assert board_hub._due(settings, later)
    board_hub._compute()  # within the progress second: the urgent parts only
    assert board_hub._touched == progress

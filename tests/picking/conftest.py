"""Driving the pick flow through the spine, one transaction per input, as the floor does.

Until the floor machinery is everywhere, a small test command runs Flow.enter/handle in
`spine.execute`, with the session scratch state kept by the `Picker` helper.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from devices.pseudo_terminal import PseudoTerminal
from server.app import create_app
from server.areas import load_settings
from server.db import database as db_proxy
from server.floor.flow import FloorInput, FlowContext, Operator
from server.ids import new_id
from server.runtime import Runtime
from server.spine import Actor, Unit
from tests.fixtures.app import Api
from tests.fixtures.areas import TEST_HANDLERS, WITH_TESTS
from tests.fixtures.serialpty import PtyFactory
from tests.fixtures.serialpty import serial_pty as serial_pty
from tests.picking import live
from tests.picking.live import LiveFloor
from tests.sync.receiver import Receiver


@dataclass(frozen=True)
class DriveFlow:
    badge: str
    state: dict[str, Any]
    input: FloorInput | None


def drive_flow(cmd: DriveFlow, unit: Unit) -> dict[str, Any]:
    operator = Operator(1, cmd.badge, cmd.badge, frozenset({"picker"}))
    state = dict(cmd.state)
    ctx = FlowContext(f"s-{cmd.badge}", operator, f"dev-{cmd.badge}", None, unit, state)
    flow = unit.env.flows["pick"]
    ctx.settings = unit.env.section("picking")
    screen = flow.enter(ctx) if cmd.input is None else flow.handle(ctx, cmd.input)
    return {"screen": screen.to_json(), "state": ctx.state}


TEST_HANDLERS.handles(DriveFlow)(drive_flow)


@dataclass
class Picker:
    runtime: Runtime
    badge: str
    state: dict[str, Any] = field(default_factory=dict)
    screen: dict[str, Any] = field(default_factory=dict)

    def _run(self, inp: FloorInput | None) -> dict[str, Any]:
        cmd = DriveFlow(self.badge, self.state, inp)
        result = self.runtime.spine.execute(cmd, Actor("operator", self.badge)).result
        self.state, self.screen = result["state"], result["screen"]
        return self.screen

    def enter(self) -> dict[str, Any]:
        return self._run(None)

    def scan(self, code: str) -> dict[str, Any]:
        return self._run(FloorInput(new_id("in"), scan=code))

    def act(self, action: str, value: Any = None, source: str = "kiosk") -> dict[str, Any]:
        return self._run(FloorInput(new_id("in"), action=action, value=value, source=source))

    @property
    def error(self) -> str | None:
        fb = self.screen.get("feedback")
        return fb["message"] if fb and fb["level"] == "error" else None


@pytest.fixture
def picker_of(app: Flask) -> Any:
    runtime = app.extensions["floorlink"]
    return lambda badge="P1": Picker(runtime, badge)


def order(external_id: str, priority: int = 3, **lines: int) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "channel": "web",
        "priority": priority,
        "ship_by": "2030-01-01T12:00:00Z",
        "lines": [
            {"line_id": str(i), "sku": sku, "qty": q} for i, (sku, q) in enumerate(lines.items(), 1)
        ],
    }


def post_order(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/orders", body, headers={"Idempotency-Key": body["external_id"]})
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def totes(site: Api) -> list[str]:
    codes = [f"T{i}" for i in range(1, 7)]
    response = site.put("/totes", {"totes": [{"code": c} for c in codes]})
    assert response.status_code == 200, response.json
    return codes


@pytest.fixture
def scanner_pty(serial_pty: PtyFactory) -> PseudoTerminal:
    return serial_pty("scanner-pick-1")


@pytest.fixture
def floor_overrides() -> dict[str, Any]:
    """Settings a test module adds to the live floor (e.g. MQTT and [[devices]])."""
    return {}


@pytest.fixture
def live_floor(
    db_url: str, scanner_pty: PseudoTerminal, floor_overrides: dict[str, Any]
) -> Iterator[LiveFloor]:
    """The whole server on loopback: relay on, a serial scanner at station PICK-1."""
    values: dict[str, Any] = {
        "database_url": db_url,
        "secret_key": "test-secret-key",
        "relay": {"enabled": True, "poll_interval_s": 0.2},
        "mqtt": {"enabled": False},
        "scanners": [{"id": "scanner-pick-1", "port": scanner_pty.path, "station": "PICK-1"}],
    }
    settings = load_settings(env={}, **(values | floor_overrides))
    app = create_app(settings, areas=WITH_TESTS)
    receiver = Receiver().start()
    live.add_receiver(app, receiver)
    try:
        with live.serve(app) as base:
            yield LiveFloor(app, base, live.Http(base, live.new_key("oms")), receiver)
    finally:
        app.extensions["floorlink"].stop()
        receiver.stop()
        db_proxy.obj.close_all()

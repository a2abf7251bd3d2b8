"""Fixtures of the sync tests: a loopback receiver, a fake clock, a relay, an event emitter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from server.db import database as db_proxy
from server.models import utcnow
from server.spine import Actor, Spine, Unit
from server.sync.endpoints import CreateEndpoint
from server.sync.relay import Relay
from tests.fixtures.areas import TEST_HANDLERS, TestEvent
from tests.sync.receiver import Receiver

TESTER = Actor("system", "test")


@dataclass(frozen=True)
class EmitEvents:
    """Test-only command: record events on subjects (no state change)."""

    events: list[tuple[str, str, dict[str, Any]]]


@TEST_HANDLERS.handles(EmitEvents)
def _emit(cmd: EmitEvents, unit: Unit) -> None:
    for type_, subject, data in cmd.events:
        unit.record(TestEvent(type_, subject, data))


class FakeClock:
    def __init__(self) -> None:
        self.now = utcnow() + dt.timedelta(minutes=1)  # ahead of rows stamped "now"

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver().start()
    yield rec
    rec.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def spine(app: Flask) -> Spine:
    return app.extensions["floorlink"].spine


@pytest.fixture
def relay(spine: Spine, clock: FakeClock) -> Iterator[Relay]:
    r = Relay(spine, timeout_s=2.0, batch_size=50, clock=clock, rand=lambda: 0.5)
    yield r
    r.sender.close()


def add_endpoint(spine: Spine, receiver: Receiver, events: list[str] | None = None) -> str:
    """Create an endpoint for the receiver; teach the receiver its secret; return its id."""
    view = spine.execute(CreateEndpoint(receiver.url, events or ["*"]), TESTER).result
    receiver.secrets.append(view["secret"])
    return str(view["id"])


def emit(spine: Spine, *events: tuple[str, str, dict[str, Any]]) -> list[dict[str, Any]]:
    return spine.execute(EmitEvents(list(events)), TESTER).events


def in_db(fn: Any) -> Any:
    with db_proxy.connection_context():
        return fn()

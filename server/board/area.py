"""The board area: the supervisors' floor board, a kiosk page for the `supervisor` role
(home action `supervise`): the floor now, the exceptions queue with one-tap fixes, devices
and sync health, pushed after commit (docs/supervision.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area, Subscription
from server.board import events, fixes
from server.board.flow import SuperviseFlow
from server.board.hub import BoardHub
from server.board.settings import BoardSettings

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def hub(runtime: Runtime) -> BoardHub:
    found = runtime.parts.get("board.hub")
    if found is None:
        found = runtime.parts["board.hub"] = BoardHub(runtime)
    return found


def _flows(runtime: Runtime) -> list[SuperviseFlow]:
    return [SuperviseFlow()]


def _listeners(runtime: Runtime) -> list[Subscription]:
    return [Subscription(hub(runtime).committed)]


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return [hub(runtime)]


AREA = Area(
    name="board",
    handlers=[fixes.HANDLERS],
    events=events.EVENTS,
    settings={"board": (BoardSettings, BoardSettings())},
    flows=_flows,
    listeners=_listeners,
    services=_services,
)

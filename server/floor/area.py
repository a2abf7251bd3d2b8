"""The floor area: kiosks, operators and sessions, and the machinery every flow runs on
(one input = one command, server-driven screens, pushes after commit; docs/kiosk.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area, Subscription
from server.floor import demo, inputs, kiosks, operators, push, sessions, stations
from server.floor.operations import OPERATIONS
from server.floor.service import FloorService, ScreenRefresher
from server.floor.settings import FloorSettings

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def _listeners(runtime: Runtime) -> list[Subscription]:
    refresher = ScreenRefresher(runtime.spine, list(runtime.env.flows.values()))
    return [
        Subscription(push.on_committed, frozenset({"session.ended", "kiosk.revoked"})),
        Subscription(refresher, refresher.types),
    ]


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return [FloorService(runtime)]


def _device_routes(runtime: Runtime) -> dict[str, object]:
    return {"scan": stations.scan_to_station, "scan_error": stations.scan_error_to_station}


AREA = Area(
    name="floor",
    handlers=[sessions.HANDLERS, operators.HANDLERS, kiosks.HANDLERS, inputs.HANDLERS],
    settings={"floor": (FloorSettings, FloorSettings())},
    listeners=_listeners,
    services=_services,
    device_routes=_device_routes,
    operations=OPERATIONS,
    seed=demo.seed,
)

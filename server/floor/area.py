"""The floor area: kiosks, operators and sessions, and the machinery every flow runs on
(one input = one command, server-driven screens, pushes after commit; docs/kiosk.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area, Subscription
from server.floor import demo, events, inputs, kiosks, operators, push, sessions, stations
from server.floor.events import KioskRevoked, SessionEnded
from server.floor.operations import OPERATIONS
from server.floor.service import FloorService, ScreenRefresher
from server.floor.settings import FloorSettings

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def _listeners(runtime: Runtime) -> list[Subscription]:
    refresher = ScreenRefresher(runtime.spine, list(runtime.env.flows.values()))
    # The flows name their concerns by the type strings of their classes (Flow.concerns):
    # the refresher subscribes to those classes of the running catalogue.
    concerned = [
        c for c in runtime.spine.events or () if getattr(c, "type", None) in refresher.types
    ]
    return [
        Subscription(push.on_committed, [SessionEnded, KioskRevoked]),
        Subscription(refresher, concerned),
    ]


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return [FloorService(runtime)]


def _device_routes(runtime: Runtime) -> dict[str, object]:
    return {"scan": stations.scan_to_station, "scan_error": stations.scan_error_to_station}


AREA = Area(
    name="floor",
    handlers=[sessions.HANDLERS, operators.HANDLERS, kiosks.HANDLERS, inputs.HANDLERS],
    events=events.EVENTS,
    settings={"floor": (FloorSettings, FloorSettings())},
    listeners=_listeners,
    services=_services,
    device_routes=_device_routes,
    operations=OPERATIONS,
    seed=demo.seed,
)

"""The packing area: from a picked tote to verified, weighed, labelled packages, with the
OMS told (docs/packing.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area, Subscription
from server.hardware.routes import STATES
from server.orders.handlers import ORDER_CANCELLED
from server.packing import board_fixes, catalogue, demo, events, release, routes, tracking
from server.packing.endings import cancel_in_packing
from server.packing.events import PackageLabelled
from server.packing.flow import PackFlow
from server.packing.operations import OPERATIONS
from server.packing.printing import PrintService
from server.packing.settings import PackingSettings

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def _flows(runtime: Runtime) -> list[PackFlow]:
    return [PackFlow(runtime.settings)]


def _printing(runtime: Runtime) -> PrintService:
    service = runtime.parts.get("packing.printing")
    if service is None:
        service = runtime.parts["packing.printing"] = PrintService(runtime)
    return service


def _listeners(runtime: Runtime) -> list[Subscription]:
    return [Subscription(_printing(runtime).wake, [PackageLabelled])]


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return [_printing(runtime)]


def _device_routes(runtime: Runtime) -> dict[str, object]:
    return {"weight": routes.weight_to_station, STATES: routes.scale_live}


AREA = Area(
    name="packing",
    handlers=[catalogue.HANDLERS, release.HANDLERS, tracking.HANDLERS],
    events=events.EVENTS,
    settings={"packing": (PackingSettings, PackingSettings())},
    flows=_flows,
    listeners=_listeners,
    services=_services,
    device_routes=_device_routes,
    hooks={ORDER_CANCELLED: cancel_in_packing},
    operations=OPERATIONS,
    seed=demo.seed,
    exception_kinds=board_fixes.KINDS,
)

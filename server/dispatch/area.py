"""The dispatch area: packed packages loaded by scan onto a carrier's manifest at a dock
whose door sensor guards it, the manifest closed with its seal, the OMS told what left and
when (docs/dispatch.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area
from server.dispatch import board_fixes, closing, demo, doors, events, manifests
from server.dispatch.endings import cancel_on_trailer
from server.dispatch.flow import DispatchFlow
from server.dispatch.operations import OPERATIONS
from server.dispatch.settings import DispatchSettings
from server.orders.handlers import ORDER_CANCELLED

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def _flows(runtime: Runtime) -> list[DispatchFlow]:
    return [DispatchFlow(runtime.settings)]


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return [doors.DoorWatch(runtime)]


def _device_routes(runtime: Runtime) -> dict[str, object]:
    return {"door": doors.door_changed}


AREA = Area(
    name="dispatch",
    handlers=[manifests.HANDLERS, closing.HANDLERS, doors.HANDLERS],
    events=events.EVENTS,
    settings={"dispatch": (DispatchSettings, DispatchSettings())},
    flows=_flows,
    services=_services,
    device_routes=_device_routes,
    hooks={ORDER_CANCELLED: cancel_on_trailer},
    operations=OPERATIONS,
    seed=demo.seed,
    exception_kinds=board_fixes.KINDS,
)

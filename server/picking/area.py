"""The picking area: from accepted orders to totes at the pack zone (docs/picking.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.area import Area, Subscription
from server.orders.handlers import ORDER_ACCEPTED, ORDER_CANCELLED
from server.picking import board_fixes, events, handlers, light_press, put_backs, waves
from server.picking.endings import cancel_in_picking
from server.picking.events import LightCommanded
from server.picking.flow import PickFlow
from server.picking.lights import Lights
from server.picking.operations import OPERATIONS
from server.picking.settings import PickingSettings

if TYPE_CHECKING:
    from server.runtime import Runtime


def _lights(runtime: Runtime) -> Lights:
    return Lights(lambda: runtime.lights, runtime.settings.section("picking").light_ttl_s)


def _flows(runtime: Runtime) -> list[PickFlow]:
    return [PickFlow(_lights(runtime))]


def _listeners(runtime: Runtime) -> list[Subscription]:
    return [Subscription(_lights(runtime).send_committed, [LightCommanded])]


def _device_routes(runtime: Runtime) -> dict[str, object]:
    return {"press": light_press.press_confirms_pick}


AREA = Area(
    name="picking",
    handlers=[handlers.HANDLERS, put_backs.HANDLERS, waves.HANDLERS],
    events=events.EVENTS,
    settings={"picking": (PickingSettings, PickingSettings())},
    flows=_flows,
    listeners=_listeners,
    device_routes=_device_routes,
    hooks={ORDER_ACCEPTED: waves.hold_for_release, ORDER_CANCELLED: cancel_in_picking},
    operations=OPERATIONS,
    exception_kinds=board_fixes.KINDS,
)
